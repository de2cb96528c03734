"""Actuals: last year's results stated in the review part."""

from __future__ import annotations

import pytest

from luoshi.extract.actuals import find_actuals
from luoshi.extract.model import Actual
from luoshi.ingest.clean import clean
from luoshi.ingest.read import read_bytes
from luoshi.text.structure import parse


def review(body: str, title: str = "2023年工作回顾") -> list[Actual]:
    text = (
        f"各位代表：现在，我代表市人民政府向大会报告工作。\n一、{title}\n{body}\n"
        "二、2024年工作安排\n2024年全市经济社会发展主要预期目标为：生产总值增长5.5%左右。\n"
    )
    doc = clean(read_bytes(text.encode("utf-8"), "report.txt"))
    actuals = find_actuals(doc, parse(doc))
    for a in actuals:
        assert doc.text[a.start : a.end] == a.quote
    return actuals


def test_growth_rates_and_year() -> None:
    acts = review("全市地区生产总值增长6.4%，一般公共预算收入增长7.2%。")
    assert [(a.indicator, a.metric, a.value, a.unit, a.year) for a in acts] == [
        ("全市地区生产总值", "增长", 6.4, "%", 2023),
        ("一般公共预算收入", "增长", 7.2, "%", 2023),
    ]
    assert [a.id for a in acts] == ["A001", "A002"]


def test_one_verb_several_values() -> None:
    acts = review("建设旅游公路11条、101公里。")
    assert [(a.indicator, a.value, a.unit) for a in acts] == [
        ("旅游公路", 11, "条"),
        ("旅游公路", 101, "公里"),
    ]


def test_jun_and_fenbie_in_review() -> None:
    acts = review(
        "国省控断面水质达标率、重点建设用地安全利用率均保持在100%，"
        "省级创新型中小企业、瞪羚企业分别达到679家、60家。"
    )
    assert [(a.indicator, a.value) for a in acts] == [
        ("国省控断面水质达标率", 100), ("重点建设用地安全利用率", 100), ("省级创新型中小企业", 679), ("瞪羚企业", 60),
    ]  # fmt: skip


def test_estimated_results_count() -> None:
    (a,) = review("预计全年外贸进出口增长16%。")
    assert (a.indicator, a.value) == ("外贸进出口", 16)


def test_honours_counted() -> None:
    acts = review("3家企业入选省“十强”产业集群领军企业，滕州市上榜综合实力等12个“全国百强县”名单。")
    assert [(a.value, a.unit, a.metric) for a in acts] == [(3, "家", "入选"), (12, "个", "上榜")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("新老院区建设完工后床位将达到2500张。", []),
        ("连续6年提高城乡低保、特困人员供养保障标准，民生支出占比达到79.7%。", [79.7]),
        ("我市入选全国第三批“城市一刻钟便民生活圈”试点，成功举办2023枣庄国际锂电产业展览会。", []),
        ("实施500万元以上技改项目440个，其中10亿元及以上项目95个。", [440, 95]),
        ("启动实施总投资44亿元的城乡供水一体化工程。", []),
        ("高效运行12345政务服务热线，我市被列为“1131”突破工程之一。", []),
    ],
)
def test_not_actuals(sentence: str, expected: list[float]) -> None:
    assert [a.value for a in review(sentence)] == expected


def test_year_defaults_to_the_year_before_the_plan() -> None:
    (a,) = review("全市地区生产总值增长6.4%。", title="过去一年工作回顾")
    assert a.year == 2023
