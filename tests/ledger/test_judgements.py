"""Lights, grades and the ranking agree, replayed on the demo ledger with the statistics date
2024-11-15 (2024Q3 judged): each light's count, the grey 「未开始/无数据」 count of new and not-yet-due
items, grades read from the lights, and a ranking of only the units that carry tracked work, with
drafts never counted, groups expanded or left out, and ties ranked 1, 1, 3. Both engines; the
monotonicity of the grade is a property test on the pure rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from luoshi.ledger.models import Assignment, Unit
from luoshi.ledger.rules import GRADE_BANDS, GRADES, Rules
from luoshi.ledger.services import assign, commitments, evaluation, periods, status, units

from . import test_supervise
from .test_supervise import AFTER_Q4_DUE, STAT_DAY, cli_run

demo = test_supervise.demo  # the demo ledger as ``luoshi demo`` builds it in November 2024

GREY_NOTE = "2024Q3 结束后新增，本期不评判"


def lights(s, report, on=STAT_DAY) -> Counter:
    return Counter(x.light for x in status.on_day(s, report, status.tracked(s, report), on).values())


def test_the_demo_lights_and_the_grey_count(demo):
    s, report = demo
    assert status.judging(s, report, STAT_DAY)[0].label == "2024Q3"
    assert lights(s, report) == {"green": 90, "yellow": 39, "red": 29}

    # a task added and assigned in Q4 is grey in Q3 (judged on 2024-11-15), never red
    late = commitments.add_manual(s, report, kind="measure", title="新增：推进老旧小区加装电梯",
                                  now=dt.datetime(2024, 10, 20, 2, 0, tzinfo=dt.UTC))
    assign.assign(s, late, lead="工信局")
    s.flush()
    st_late = status.on_day(s, report, [late], STAT_DAY)[late.id]
    assert (st_late.light, st_late.reason, st_late.missing) == ("grey", GREY_NOTE, False)
    assert lights(s, report) == {"green": 90, "yellow": 39, "red": 29, "grey": 1}

    # a task whose 时序进度 only starts in Q4 is not yet due: grey too
    later = commitments.add_manual(s, report, kind="milestone", title="新能源汽车充电站四季度开工",
                                   now=dt.datetime(2024, 3, 1, 2, 0, tzinfo=dt.UTC))
    assign.assign(s, later, lead="发改委")
    status.set_milestones(s, later, [{"date": "2024-10-01", "percent": 0}, {"date": "2024-12-31", "percent": 100}])
    s.flush()
    st_later = status.on_day(s, report, [later], STAT_DAY)[later.id]
    assert (st_later.light, st_later.reason) == ("grey", "2024Q3 尚未到时序节点")
    assert lights(s, report)["grey"] == 2

    # what a leader reads on the dashboard: the same counts, 「未开始/无数据」 no longer 0
    from luoshi.web.auth import Principal
    from luoshi.web.summary import summary

    admin = Principal(id=1, username="duchashi", display_name="督查室", role="admin", unit_id=None, via="session")
    board = summary(s, admin, report, on=STAT_DAY)
    assert board["lights"] == {"green": 90, "yellow": 39, "red": 29, "grey": 2}
    # in Q4 (judged after its due date) the new task is judged like any other
    assert status.on_day(s, report, [late], AFTER_Q4_DUE)[late.id].light == "red"


def test_grades_follow_the_lights(demo):
    s, report = demo
    judged = status.on_day(s, report, status.tracked(s, report), STAT_DAY)
    done, skipped = evaluation.evaluate_all(s, report, by="督查室", on=STAT_DAY)
    assert skipped == [] and len(done) == 158
    by_light: dict[str, Counter] = {}
    for e in done:
        by_light.setdefault(judged[e.commitment_id].light, Counter())[e.result] += 1
    # green and yellow items are 基本完成 (80 分) in November, red ones 未完成 (0 分): never the reverse
    assert by_light == {"green": {"基本完成": 90}, "yellow": {"基本完成": 39}, "red": {"未完成": 29}}
    assert {e.score for e in done if e.result == "基本完成"} == {80.0}
    green = [e for e in done if judged[e.commitment_id].light == "green"]
    yellow = [e for e in done if judged[e.commitment_id].light == "yellow"]
    assert min(GRADES.index(e.result) for e in green) >= max(GRADES.index(e.result) for e in yellow)

    # at year end (Q4 judged, nothing reported for Q4 in the demo) every grade is still its light's
    year_end = status.on_day(s, report, status.tracked(s, report), AFTER_Q4_DUE)
    final, _ = evaluation.evaluate_all(s, report, by="督查室", on=AFTER_Q4_DUE)
    assert final
    for e in final:
        low, high = GRADE_BANDS[year_end[e.commitment_id].light]
        assert GRADES.index(low) <= GRADES.index(e.result) <= GRADES.index(high), e.commitment_id


def test_a_grey_item_gets_no_computed_grade(demo):
    s, report = demo
    late = commitments.add_manual(s, report, kind="measure", title="新增：推进老旧小区加装电梯",
                                  now=dt.datetime(2024, 10, 20, 2, 0, tzinfo=dt.UTC))
    assign.assign(s, late, lead="工信局")
    s.flush()
    from luoshi.errors import ValidationError

    with pytest.raises(ValidationError, match=f"无评价依据（{GREY_NOTE}），请给出评价结果"):
        evaluation.evaluate(s, late, by="督查室", on=STAT_DAY)


def _ranks_are_standard(rows) -> None:
    """1, 1, 3: a unit's rank is one more than the number of units with a higher score."""
    for r in rows:
        assert r.rank == 1 + sum(1 for o in rows if o.score > r.score), r


def test_the_ranking_is_fair(demo, capsys):
    s, report = demo
    q = {p.label: p for p in periods.periods(s, report)}
    card = evaluation.scorecard(s, report, period=q["2024Q3"])
    assert len(card) == 44
    assert {r.basis for r in card} == {"排名依据：2024Q3 红黄绿灯"}
    # no unit without tasks; counts and lights from the same set as the score
    assert all(r.lead + r.support >= 1 for r in card)
    assert all(sum(r.lights[k] for k in ("green", "yellow", "red")) == r.total for r in card)
    _ranks_are_standard(card)
    assert [r.rank for r in card[:10]] == [1, 1, 1, 1, 1, 1, 1, 1, 9, 10]
    assert [r.rank for r in card if r.score == 60.0] == [34, 34, 34, 34] and card[37].rank == 38
    top = next(r for r in card if r.unit == "市市场监督管理局")
    assert (top.rank, top.score, top.lead, top.support, top.lead_score, top.support_score) == (1, 100.0, 3, 2, 100.0, 100.0)
    fgw = next(r for r in card if r.unit == "市发展和改革委员会")
    assert (fgw.rank, fgw.score, fgw.lead, fgw.support) == (33, 62.26, 10, 26)
    assert fgw.lights == {"green": 20, "yellow": 5, "red": 11, "missing": 3}
    # 各开发区 supports six tasks but is a group with no members in the directory: never ranked
    group = s.scalar(select(Unit).where(Unit.name == "各开发区"))
    assert units.is_group(group)
    assert len(s.scalars(select(Assignment).where(Assignment.unit_id == group.id)).all()) == 6
    assert group.id not in {r.unit_id for r in card}

    # 预评价 never feeds the ranking: the same ranking after a draft evaluation, and it says so
    evaluation.evaluate_all(s, report, by="督查室", on=STAT_DAY)
    drafted = evaluation.scorecard(s, report, period=q["2024Q3"])
    assert [(r.unit_id, r.rank, r.score) for r in drafted] == [(r.unit_id, r.rank, r.score) for r in card]
    assert drafted[0].basis == "排名依据：2024Q3 红黄绿灯（预评价 158 项未定稿，不计入）"
    assert evaluation.scorecard(s, report) == []  # no period, nothing official: nobody ranked

    # finalised, the official results rank: green/yellow 80, red 0
    evaluation.finalise(s, report, on=STAT_DAY, reason="市政府常务会议提前听取年度考核")
    final = evaluation.scorecard(s, report, period=q["2024Q3"])
    assert final[0].basis == "排名依据：已定稿年度评价 158 项"
    _ranks_are_standard(final)
    assert {r.unit: r.score for r in final}["市市场监督管理局"] == 80.0
    s.commit()
    code, out = cli_run(capsys, "ledger", "scorecard", "--period", "2024Q3")
    assert code == 0 and out.splitlines()[0] == "排名依据：已定稿年度评价 158 项"


def test_a_group_counts_for_its_members(demo):
    s, report = demo
    q = {p.label: p for p in periods.periods(s, report)}
    gov = report.government.name
    for name in ("枣庄经济开发区", "滕州经济开发区"):
        units.add_unit(s, gov, name, kind="园区", parent="各开发区")
    s.flush()
    card = {r.unit: r for r in evaluation.scorecard(s, report, period=q["2024Q3"])}
    assert len(card) == 46 and "各开发区" not in card
    a, b = card["枣庄经济开发区"], card["滕州经济开发区"]
    assert (a.lead, a.support, a.score, a.rank) == (b.lead, b.support, b.score, b.rank)
    assert (a.lead, a.support) == (0, 6)


def test_the_bulletin_ranking_counts_what_it_scores(demo):
    from luoshi.export.source import bulletin_from_ledger

    s, report = demo
    q = {p.label: p for p in periods.periods(s, report)}
    b = bulletin_from_ledger(s, report, q["2024Q3"], issued=STAT_DAY)
    assert (b.total, b.green, b.yellow, b.red) == (158, 90, 39, 29)
    assert len(b.ranking) == 44 and all(r.total >= 1 for r in b.ranking)
    fgw = next(r for r in b.ranking if r.unit == "枣庄市发展和改革委员会" or r.unit.endswith("发展和改革委员会"))
    assert (fgw.rank, fgw.total, fgw.lead, fgw.support, fgw.green, fgw.yellow, fgw.red, fgw.score) == (
        33, 36, 10, 26, 20, 5, 11, 62.26)
    assert b.ranking[0].basis == "排名依据：2024Q3 红黄绿灯"
    assert not any(r.unit == "各开发区" for r in b.ranking)


# --- the rule itself: more progress never lowers a grade; green is never graded below yellow ---

YEAR = 2024
RULES = Rules(yellow_behind=10.0, red_behind=30.0, tolerance=0.05)
days = st.dates(min_value=dt.date(YEAR, 1, 2), max_value=dt.date(YEAR, 12, 31))
percents = st.floats(min_value=0, max_value=100, allow_nan=False)


def _grade(c, percent: float | None, end: dt.date, final: float | None = None) -> str | None:
    p = SimpleNamespace(label="P", end=end)
    counted = status.Counted(this={c.id: (percent, False)} if percent is not None else {})
    s = status.judge([c], p, YEAR, RULES, counted)[c.id]
    return evaluation.rate(c, s, final, RULES)


def _item(cid: int, deadline: dt.date, kind: str = "measure", value: float | None = None,
          comparator: str = ">="):
    return SimpleNamespace(id=cid, state="active", deadline=deadline, milestones=None, kind=kind, value=value,
                           value_max=None, comparator=comparator, source="extracted", split_from_id=None)


def _at(grade: str | None) -> int:
    return -1 if grade is None else GRADES.index(grade)


@settings(max_examples=300, deadline=None)
@given(deadline=days, end=days, a=percents, b=percents, kind=st.sampled_from(["measure", "milestone", "target"]),
       final=st.one_of(st.none(), st.floats(min_value=0, max_value=20, allow_nan=False)),
       comparator=st.sampled_from([">=", "~", "<="]))
def test_more_progress_never_gives_a_lower_grade(deadline, end, a, b, kind, final, comparator):
    lo, hi = sorted((a, b))
    c = _item(1, deadline, kind, 10.0 if kind == "target" else None, comparator)
    assert _at(_grade(c, lo, end, final)) <= _at(_grade(c, hi, end, final))


@settings(max_examples=300, deadline=None)
@given(end=days, d1=days, d2=days, p1=percents, p2=percents,
       f1=st.one_of(st.none(), st.floats(min_value=0, max_value=20, allow_nan=False)),
       f2=st.one_of(st.none(), st.floats(min_value=0, max_value=20, allow_nan=False)),
       k1=st.sampled_from(["measure", "target"]), k2=st.sampled_from(["measure", "target"]))
def test_green_is_never_graded_below_yellow_on_the_same_day(end, d1, d2, p1, p2, f1, f2, k1, k2):
    p = SimpleNamespace(label="P", end=end)
    items = [_item(1, d1, k1, 10.0 if k1 == "target" else None), _item(2, d2, k2, 10.0 if k2 == "target" else None)]
    judged = status.judge(items, p, YEAR, RULES, status.Counted(this={1: (p1, False), 2: (p2, False)}))
    grades = {i.id: evaluation.rate(i, judged[i.id], f, RULES) for i, f in zip(items, (f1, f2), strict=True)}
    order = {"red": 0, "yellow": 1, "green": 2}
    x, y = sorted((1, 2), key=lambda i: order[judged[i].light])
    if order[judged[x].light] < order[judged[y].light]:
        assert _at(grades[x]) <= _at(grades[y]), (judged, grades)
