from __future__ import annotations

import pytest

from luoshi.errors import ValidationError
from luoshi.reconcile.catalogue import Catalogue, default_catalogue, normalise, signed_value
from luoshi.reconcile.linking import similarity
from luoshi.reconcile.units import split_unit, to_unit


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("万人", (1e4, "人")), ("%", (1.0, "%")), ("万亿斤", (1e12, "斤")), ("亿元", (1e8, "元")),
     ("万千瓦", (1e4, "千瓦")), ("千瓦", (1.0, "千瓦")), (None, (1.0, "")), ("万", (1e4, ""))],
)
def test_split_unit(unit, expected):
    assert split_unit(unit) == expected


def test_to_unit_rescales():
    assert to_unit(99.1, "万亿元", "亿元") == pytest.approx(991000)


@pytest.mark.parametrize(
    ("indicator", "metric", "unit", "expected"),
    [
        ("国内生产总值", "增长", "%", "gdp_growth"),
        ("地区生产总值", "增长", "%", "gdp_growth"),
        ("生产总值", "增长", "%", "gdp_growth"),
        ("国内生产总值", "达到", "万亿元", "gdp_level"),
        ("单位国内生产总值能耗", "下降", "%", "energy_intensity"),  # longest synonym wins
        ("年末全国城镇调查失业率", "降到", "%", "surveyed_unemployment"),
        ("调查失业率", "", "%", "surveyed_unemployment"),
        ("城镇登记失业率", "", "%", "registered_unemployment"),
        ("居民消费价格涨幅", "", "%", "cpi"),
        ("全市规模以上工业增加值", "增长", "%", "industrial_value_added_growth"),
        ("粮食产量", "保持", "万亿斤", "grain_output"),
        ("农村贫困人口", "减少", "万", "rural_poverty_reduction"),
        ("细颗粒物（PM2.5）平均浓度", "下降", "%", "pm25_reduction"),
        ("PM2.5平均浓度", "控制", "微克/立方米", "pm25_concentration"),
        ("赤字率", "", "%", "deficit_ratio"),
        ("地方政府专项债券", "安排", "万亿元", "special_bonds"),
    ],
)
def test_catalogue_links_synonyms(indicator, metric, unit, expected):
    m = default_catalogue().match(indicator, metric, unit)
    assert m is not None and m.indicator.id == expected


def test_catalogue_needs_a_matching_unit():
    cat = default_catalogue()
    assert cat.match("国内生产总值", "增长", "家") is None
    assert cat.match("生态街巷", "", "条") is None


def test_catalogue_falls_back_to_the_quote_with_lower_confidence():
    m = default_catalogue().match("就业", "新增", "万人", "城镇新增就业1100万人以上")
    assert m is not None and m.indicator.id == "urban_new_jobs" and m.confidence == 0.8


def test_catalogue_rejects_bad_data(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("indicators:\n  - {id: x, name: y, synonyms: [a], kind: nonsense, units: ['%']}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="bad kind"):
        Catalogue.load(p)


def test_normalise_strips_scope_words():
    assert normalise("全市地区生产总值") == "地区生产总值"
    assert normalise("年末全国城镇调查失业率") == "城镇调查失业率"


def test_similarity():
    assert similarity("生态街巷", "生态街巷") == 1.0
    assert similarity("城区断头路", "断头路") > 0.8
    assert similarity("上市企业", "“四上”企业") < 0.76
    assert similarity("公园游园", "校车") == 0.0


def test_a_fall_written_with_a_qualifier_is_negative() -> None:
    # CPI微降0.1% (hainan-2026): the extractor reads the verb as 降
    assert [signed_value(0.1, m, "growth") for m in ("微降", "降", "小幅下降", "略有回落", "下降")] == [-0.1] * 5
    assert signed_value(0.1, "上涨", "growth") == 0.1
    assert signed_value(17.0, "下降", "reduction") == 17.0


def test_a_qualified_figure_is_not_the_plain_indicator() -> None:
    cat = default_catalogue()
    quote = "扣除房地产开发投资后，固定资产投资增长2.7%"
    assert cat.match("扣除房地产开发投资后固定资产投资", "增长", "%", quote) is None
    assert cat.match("固定资产投资剔除房地产开发投资后", "增长", "%") is None
    assert cat.match("工业增加值（不包括村办工业）", "增长", "%") is None
    # the standard scope and real growth stay the plain indicator
    m = cat.match("固定资产投资（不含农户）", "增长", "%")
    assert m is not None and m.indicator.id == "fixed_investment_growth"
    assert similarity("除中心城区外工业投资", "工业投资") == 0.0
    assert similarity("除中心城区外工业投资", "除中心城区外工业投资") == 1.0
