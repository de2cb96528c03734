"""Reconciliation on hand-built items: linking, no-data honesty, scorecards, ambition."""

from __future__ import annotations

from reconcile_helpers import actual, items, target

from luoshi.reconcile.ambition import ambition_check, below_last_year
from luoshi.reconcile.judge import Tolerance
from luoshi.reconcile.reconcile import MET, MISSED, NO_DATA, QUALITATIVE, reconcile_report, scorecard


def test_catalogue_link_across_names_and_scales():
    plan = items(2019, [target("地区生产总值", 6.5, comparator="~")])
    review = items(2020, actuals=[actual("国内生产总值", 99.1, "万亿元", metric="达到"),
                                  actual("国内生产总值", 6.1, start=10)])
    (o,) = reconcile_report(plan, review)
    assert o.status == MET and o.actual_value == 6.1 and o.match.method == "catalogue"


def test_missing_actual_is_no_data_not_a_guess():
    plan = items(2019, [target("国内生产总值", 6.0, comparator=">="), target("城镇登记失业率", 4.5, comparator="<=", metric="")])
    review = items(2020, actuals=[actual("国内生产总值", 6.1)])
    outs = reconcile_report(plan, review)
    assert [o.status for o in outs] == [MET, NO_DATA]
    assert outs[1].actual is None


def test_no_next_report_means_no_data_for_all():
    plan = items(2024, [target("生产总值", 5.5, comparator="~"), target("生态街巷", 100, "条", metric="新建改造")])
    assert {o.status for o in reconcile_report(plan, None)} == {NO_DATA}


def test_qualitative_targets_are_unverifiable():
    plan = items(2019, [target("国际收支", None, None, metric="基本平衡")])
    (o,) = reconcile_report(plan, items(2020))
    assert o.status == QUALITATIVE
    card = scorecard([o])
    assert card.unverifiable == 1 and card.headline["qualitative"] == 1


def test_five_year_averages_are_not_last_years_result():
    plan = items(2022, [target("居民消费价格涨幅", 3, comparator="~", metric="")])
    review = items(2023, actuals=[actual("居民消费价格", 2.1, metric="上涨", year=2022, quote="居民消费价格年均上涨2.1%")])
    assert reconcile_report(plan, review)[0].status == NO_DATA


def test_similarity_link_needs_same_unit_and_verb_kind():
    plan = items(2019, [target("生态街巷", 100, "条", metric="新建改造", headline=False)])
    review = items(2020, actuals=[actual("生态街巷", 119, "公里", metric="建成"), actual("生态街巷", 90, "条", metric="建成")])
    (o,) = reconcile_report(plan, review)
    assert o.status == MISSED and o.actual_value == 90 and o.match.method == "similarity"
    assert 0 < o.match.confidence <= 1


def test_flow_is_not_compared_with_stock():
    plan = items(2024, [target("高新技术企业", 700, "家", metric="突破", comparator=">=")],
                 [actual("国家高新技术企业", 150, "家", metric="新增", year=2023)])
    assert ambition_check(plan) == []


def test_tolerance_reaches_the_outcome():
    plan = items(2019, [target("国内生产总值", 6.0, comparator="~")])
    review = items(2020, actuals=[actual("国内生产总值", 5.3)])
    assert reconcile_report(plan, review)[0].status == MISSED
    assert reconcile_report(plan, review, tolerance=Tolerance(rate_pp=1.0))[0].status == MET


def test_scorecard_counts():
    plan = items(2019, [target("国内生产总值", 6.0, comparator=">=", tid="T1"),
                        target("城镇调查失业率", 5.5, comparator="~", metric="", tid="T2"),
                        target("生态街巷", 100, "条", metric="新建", headline=False, tid="T3"),
                        target("国际收支", None, None, metric="基本平衡", tid="T4")])
    review = items(2020, actuals=[actual("国内生产总值", 6.1), actual("城镇调查失业率", 6.4, metric="")])
    card = scorecard(reconcile_report(plan, review), "某市", 2019)
    d = card.to_dict()
    assert (d["kept"], d["missed"], d["no_data"], d["qualitative"]) == (1, 1, 1, 1)
    assert (d["headline_kept"], d["headline_missed"], d["headline_unverifiable"]) == (1, 1, 1)


def test_ambition_flags_targets_below_last_year():
    rep = items(2024, [target("生态街巷", 100, "条", metric="新建改造", year=2024, tid="T1"),
                       target("公园游园", 90, "处", metric="新建改造", year=2024, tid="T2"),
                       target("城镇调查失业率", 5.5, comparator="~", metric="", year=2024, tid="T3")],
                [actual("生态街巷", 119, "条", metric="建成", year=2023),
                 actual("公园游园", 81, "处", metric="建设提升", year=2023),
                 actual("城镇调查失业率", 5.0, metric="", year=2023)])
    flagged = {r.target.indicator: r for r in below_last_year(rep)}
    assert set(flagged) == {"生态街巷"}
    assert flagged["生态街巷"].actual_value == 119
    # unemployment is better lower: 5.5% is a ceiling, not an amount below last year's 5.0%
    (jobless,) = [r for r in ambition_check(rep) if r.target.indicator == "城镇调查失业率"]
    assert (jobless.below, jobless.looser, jobless.link.better) == (False, True, "lower")
    assert jobless.note == "上限目标5.5%左右宽于上年实绩5%（该指标越低越好，不计入低于上年实绩）"


def test_ceilings_are_never_below_last_year():
    """National 2023 report: CPI 3%左右 after 2%, deficit 3% after 2.8%, unemployment within 5.5% after
    5.1% — better-lower indicators (from the catalogue, or an unknown item written as a ceiling)."""
    rep = items(2023, [target("居民消费价格涨幅", 3, comparator="~", metric="", year=2023, tid="T1"),
                       target("赤字率", 3, metric="", year=2023, tid="T2"),
                       target("城镇调查失业率", 5.5, comparator="<=", metric="控制", year=2023, tid="T3"),
                       target("秸秆焚烧火点数", 40, "个", comparator="<=", metric="控制", year=2023, tid="T4"),
                       target("粮食产量", 1.3, "万亿斤", comparator=">=", metric="", year=2023, tid="T5")],
                [actual("居民消费价格", 2, metric="上涨", year=2022),
                 actual("财政赤字率", 2.8, metric="控制", year=2022),
                 actual("城镇调查失业率", 5.1, metric="平均", year=2022),
                 actual("秸秆焚烧火点数", 35, "个", metric="", year=2022),
                 actual("粮食产量", 1.37, "万亿斤", metric="", year=2022)])
    rows = {r.target.indicator: r for r in ambition_check(rep)}
    assert {k: r.link.better for k, r in rows.items()} == {
        "居民消费价格涨幅": "lower", "赤字率": "lower", "城镇调查失业率": "lower", "秸秆焚烧火点数": "lower",
        "粮食产量": "higher"}
    assert [r.target.indicator for r in below_last_year(rep)] == ["粮食产量"]
    assert all(rows[k].looser for k in ("居民消费价格涨幅", "赤字率", "城镇调查失业率", "秸秆焚烧火点数"))
