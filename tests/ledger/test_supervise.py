"""Supervision that respects time, replayed on the demo ledger with the statistics date 2024-11-15:
no Q4 notices before Q4's due date (only a preview), one numbered notice per item and period with
all its reasons, each period's notices a snapshot of that period, and the year's evaluation a draft
(预评价) until an operator finalises it. Both engines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from luoshi.cli import main
from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.db import session_factory
from luoshi.ledger.models import Commitment, Evaluation, Notice, Report
from luoshi.ledger.services import assign, commitments, evaluation, notices, periods, status

from .helpers import SEED, seed_extraction, url_of

STAT_DAY = dt.date(2024, 11, 15)  # the demo's statistics date
AFTER_Q4_DUE = dt.date(2025, 1, 9)  # 2024Q4 is due on 2025-01-08


def _cached_extract(path, *, government=None, year=None):
    assert str(path) == str(SEED)
    return seed_extraction()


@pytest.fixture
def demo(engine, luoshi_home, monkeypatch):
    """The demo ledger as ``luoshi demo`` builds it in November 2024 (progress through Q3)."""
    from argon2 import PasswordHasher

    from luoshi.web import demo_data, passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    monkeypatch.setattr("luoshi.ledger.services.importing.extract_for_import", _cached_extract)
    monkeypatch.setenv("LUOSHI_DATABASE_URL", url_of(engine))
    rid, _ = demo_data.build(engine, through=STAT_DAY)
    s = session_factory(engine)()
    s.info["actor"] = "督查室"
    yield s, s.get(Report, rid)
    s.rollback()
    s.close()


def cli_run(capsys, *args: str) -> tuple[int, str]:
    """``luoshi ARGS`` as a user runs it (errors become one line and an exit code); (code, stdout+stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def judged(s, report, p) -> dict[int, tuple[str, ...]]:
    """The reasons each tracked item should get for period ``p`` — written from the lights directly."""
    out = {}
    for c in status.tracked(s, report):
        st = status.status_of(s, c, p)
        reasons = (("未按时报送",) if st.missing else ()) + (
            ("逾期未完成",) if st.overdue else ("进度滞后",) if st.light == "red" else ())
        if reasons:
            out[c.id] = reasons
    return out


def test_notices_wait_for_the_due_date_and_come_one_per_item_and_period(demo):
    s, report = demo
    q = {p.label: p for p in periods.periods(s, report)}
    assert (q["2024Q3"].due, q["2024Q4"].due) == (dt.date(2024, 10, 12), dt.date(2025, 1, 8))

    # Q4 on 2024-11-15: a preview says what would happen, issuing is refused with the reason
    early = notices.preview(s, report, q["2024Q4"], on=STAT_DAY)
    assert not early.may_issue
    assert early.why_not == "2024Q4 的报送截止日 2025-01-08 未过（统计日期 2024-11-15），不能生成督办单"
    assert early.counts["未按时报送"] == 0  # nobody is late before the due date
    with pytest.raises(ValidationError, match="2024Q4 的报送截止日 2025-01-08 未过"):
        notices.generate_notices(s, report, q["2024Q4"], on=STAT_DAY)
    assert s.scalars(select(Notice)).all() == []

    # Q3 (due 2024-10-12): the preview, then exactly what it showed is issued
    expected = judged(s, report, q["2024Q3"])
    plan = notices.preview(s, report, q["2024Q3"], on=STAT_DAY)
    assert plan.may_issue and plan.already == 0 and plan.later == 0
    assert {i.commitment_id: tuple(i.labels) for i in plan.items} == expected
    both = [cid for cid, r in expected.items() if r == ("未按时报送", "进度滞后")]
    assert both, "the demo has items both unreported and behind in Q3"
    assert plan.counts == {"未按时报送": sum("未按时报送" in r for r in expected.values()),
                           "进度滞后": sum("进度滞后" in r for r in expected.values()),
                           "逾期未完成": sum("逾期未完成" in r for r in expected.values())}
    issued = notices.generate_notices(s, report, q["2024Q3"], on=STAT_DAY)
    s.commit()
    n = len(expected)
    assert len(issued) == n and len({x.commitment_id for x in issued}) == n  # one per item
    assert [x.number for x in issued] == [f"督〔2024〕{i}号" for i in range(1, n + 1)]
    twice = next(x for x in issued if x.commitment_id == both[0])
    assert notices.reason_labels(twice.reasons) == ["未按时报送", "进度滞后"]
    assert twice.detail.startswith("未按时报送：截至 2024-10-12 未报送2024Q3进度；进度滞后：时序进度 ")
    assert {x.due for x in issued} == {dt.date(2024, 11, 22)}  # 5 working days after 2024-11-15
    assert notices.generate_notices(s, report, q["2024Q3"], on=dt.date(2024, 11, 20)) == []  # idempotent
    assert notices.preview(s, report, q["2024Q3"], on=dt.date(2024, 11, 20)).already == n

    # an item added in Q4 (by hand, 2024-10-20) is not in Q3's snapshot, but is in Q4's
    late = commitments.add_manual(s, report, kind="measure", title="新增：推进老旧小区加装电梯",
                                  now=dt.datetime(2024, 10, 20, 2, 0, tzinfo=dt.UTC))
    assign.assign(s, late, lead="工信局")
    s.flush()
    assert notices.preview(s, report, q["2024Q3"], on=dt.date(2024, 11, 20)).later == 1

    # Q4 after its due date: numbering restarts in the year of issue, with the configured prefix
    periods.configure(s, report, notice_prefix="枣督")
    q4 = notices.generate_notices(s, report, q["2024Q4"], on=AFTER_Q4_DUE)
    assert q4[0].number == "枣督〔2025〕1号" and q4[-1].number == f"枣督〔2025〕{len(q4)}号"
    assert late.id in {x.commitment_id for x in q4}
    assert len(q4) == len(judged(s, report, q["2024Q4"]))
    with pytest.raises(ValidationError, match="督办单编号前缀"):
        periods.configure(s, report, notice_prefix="督〔")
    s.commit()


def test_notice_preview_and_refusal_from_the_cli(demo, capsys):
    s, _ = demo
    s.rollback()  # the CLI works on its own connections
    code, out = cli_run(capsys, "ledger", "notices", "--preview", "--period", "2024Q4", "--on", "2024-11-15")
    assert code == 0
    assert "2024Q4 督办单预览（统计日期 2024-11-15，报送截止 2025-01-08）" in out
    assert "现在不能签发：2024Q4 的报送截止日 2025-01-08 未过" in out
    code, out = cli_run(capsys, "ledger", "notices", "--generate", "--period", "2024Q4", "--on", "2024-11-15")
    assert code != 0 and "2024Q4 的报送截止日 2025-01-08 未过" in out and "Traceback" not in out
    # without --period: the latest period past its due date (Q3 on 2024-11-15)
    code, out = cli_run(capsys, "ledger", "notices", "--preview", "--on", "2024-11-15", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["period"] == "2024Q3" and plan["may_issue"] is True
    code, out = cli_run(capsys, "ledger", "notices", "--generate", "--on", "2024-11-15", "--as", "督查室")
    assert code == 0 and f"2024Q3：新签发督办单 {plan['total']} 份（督〔2024〕1号—督〔2024〕{plan['total']}号）" in out
    code, out = cli_run(capsys, "ledger", "notices", "--json")
    listed = json.loads(out)
    assert len(listed) == plan["total"] and all(n["period"] == "2024Q3" and n["reasons"] for n in listed)
    code, out = cli_run(capsys, "ledger", "notices", "--preview", "--on", "2024-04-01")
    assert code != 0 and "截至 2024-04-01 还没有报送截止日已过的周期（最早的 2024Q1 截止于 2024-04-08）" in out


def test_year_evaluation_is_a_draft_until_finalised(demo):
    s, report = demo
    assert evaluation.draft_note(s, report, on=STAT_DAY) == (
        "预评价：最后一期报送截止日 2025-01-08 未过（统计日期 2024-11-15），结果不计入正式排名，定稿后生效")
    done, skipped = evaluation.evaluate_all(s, report, by="督查室")
    assert done and {e.state for e in done} == {"draft"}
    assert evaluation.official(s, report) == {}  # nothing official for the ranking yet
    with pytest.raises(ValidationError, match="最后一期报送截止日 2025-01-08 未过（统计日期 2024-11-15），提前定稿必须写明理由"):
        evaluation.finalise(s, report, on=STAT_DAY)
    res = evaluation.finalise(s, report, on=STAT_DAY, reason="市政府常务会议提前听取年度考核")
    s.commit()
    assert (res.count, res.early) == (len(done), True)
    final = evaluation.official(s, report)
    assert set(final) == {e.commitment_id for e in done}
    assert {e.final_reason for e in final.values()} == {"市政府常务会议提前听取年度考核"}
    c = s.get(Commitment, done[0].commitment_id)
    with pytest.raises(ConflictError, match=f"任务 {c.id} 的年度评价已定稿"):
        evaluation.evaluate(s, c, by="督查室", result="完成", reason="改判")
    s.rollback()
    again, skipped_again = evaluation.evaluate_all(s, report, by="督查室")
    assert again == [] and len(skipped_again) == len(skipped) + len(done)
    with pytest.raises(ValidationError, match="没有可定稿的预评价"):
        evaluation.finalise(s, report, on=AFTER_Q4_DUE)


def test_finalising_after_the_last_due_date_needs_no_reason(demo, capsys):
    s, report = demo
    assert evaluation.draft_note(s, report, on=AFTER_Q4_DUE) is None
    done, _ = evaluation.evaluate_all(s, report, by="督查室")
    s.commit()
    code, out = cli_run(capsys, "ledger", "evaluate", "--finalise", "--on", "2025-01-09", "--as", "督查室")
    assert code == 0 and out.strip() == f"已定稿 {len(done)} 项年度评价"
    s.rollback()
    states = set(s.scalars(select(Evaluation.state)))
    assert states == {"final"} and set(s.scalars(select(Evaluation.final_reason))) == {None}


def test_split_parts_keep_history_and_wait_in_review(demo):
    s, report = demo
    q = {p.label: p for p in periods.periods(s, report)}
    c = next(x for x in status.tracked(s, report)
             if x.kind == "measure" and x.quote and "，" in x.quote[3:-3]
             and status.status_of(s, x, q["2024Q3"]).percent is not None)
    before = status.status_of(s, c, q["2024Q3"])
    cut = c.quote.index("，", 3)
    first, second = c.quote[:cut], c.quote[cut + 1:]
    parts = commitments.split(s, c, [first, second], now=dt.datetime(2024, 11, 15, 2, 0, tzinfo=dt.UTC))
    s.flush()
    # the original is closed (销号) and points to its parts; the parts point back and wait in review
    assert c.state == "closed" and not c.published and [p.id for p in c.parts] == [p.id for p in parts]
    assert [(p.split_from_id, p.state, p.published) for p in parts] == [(c.id, "draft", False)] * 2
    assert commitments.to_dict(c)["parts"] == [p.id for p in parts]
    assert [p.text for p in parts] == [first, second]
    # not in any notice while in review; once confirmed they stand where the original stood in Q3
    assert all(p.id not in {t.id for t in status.tracked(s, report)} for p in parts)
    for p in parts:
        assign.assign(s, p)
        commitments.update(s, p, {"published": True})
        st = status.status_of(s, p, q["2024Q3"])
        assert (st.light, st.percent, st.missing) == (before.light, before.percent, before.missing)
    # Q3 was judged before the split: its notices do not list the parts (created in Q4)
    plan = notices.preview(s, report, q["2024Q3"], on=STAT_DAY)
    assert plan.later == 2 and not {p.id for p in parts} & {i.commitment_id for i in plan.items}
    # nor does the Q3 通报; Q4's has them
    from luoshi.export.source import bulletin_from_ledger

    tracked = len(status.tracked(s, report))
    q3 = bulletin_from_ledger(s, report, q["2024Q3"], issued=STAT_DAY)
    assert q3.total == tracked - 2
    assert not {p.id for p in parts} & {i.commitment_id for i in q3.red_items + q3.yellow_items}
    assert bulletin_from_ledger(s, report, q["2024Q4"], issued=STAT_DAY).total == tracked


def test_merge_keeps_the_target_fields(demo):
    s, report = demo
    target = next(x for x in status.tracked(s, report) if x.kind == "target" and x.value is not None)
    measure = next(x for x in status.tracked(s, report) if x.kind == "measure" and x.indicator is None)
    wanted = (target.indicator, target.metric, target.value, target.unit, target.comparator)
    kept = commitments.merge(s, [measure, target])
    assert kept.id == measure.id and target.state == "closed"
    assert (kept.kind, kept.indicator, kept.metric, kept.value, kept.unit, kept.comparator) == ("target", *wanted)


def test_one_promise_one_row_on_import(session):
    """The headline sentence restated as a measure is not a second row; a measure that says more
    than a headline target is kept and linked under it."""
    from luoshi.extract.model import Extraction, ReportInfo, Target, Task
    from luoshi.ledger.services import importing

    lead = "今年全市经济社会发展的主要预期目标是："
    gdp, revenue = "生产总值增长5.5%左右", "一般公共预算收入增长5.5%"
    restated = f"{lead}{gdp}，{revenue}。"
    more = f"坚持稳中求进，{gdp}，抓好项目建设、扩大有效投资、培育新兴产业。"
    text = restated + more

    def target(tid: str, quote: str, indicator: str, base: int) -> Target:
        start = text.index(quote, base)
        return Target(tid, indicator, "增长", 5.5, "%", "~", "预期", None, quote, start, start + len(quote),
                      "2024-12-31", headline=True)

    t1 = target("T001", gdp, "生产总值", 0)
    t2 = target("T002", revenue, "一般公共预算收入", 0)
    k1 = Task("K001", None, restated, 0, len(restated), targets=["T001", "T002"], kind="quantified")
    k2 = Task("K002", None, more, len(restated), len(text), targets=["T001"], kind="quantified")
    ex = Extraction(ReportInfo("枣庄市", 2024, "测试报告", "e" * 64), [], [t1, t2], [], [k1, k2])
    assert importing.restatements(ex) == [("K001", ["T001", "T002"])]
    report = importing.apply_plan(session, importing.plan_import(session, ex, source_text=text))
    rows = session.scalars(select(Commitment).where(Commitment.report_id == report.id)
                           .order_by(Commitment.id)).all()
    assert [(c.code, c.kind) for c in rows] == [("T001", "target"), ("T002", "target"), ("K002", "measure")]
    assert [t.code for t in rows[2].targets] == ["T001"]


def test_migration_0008_merges_two_notices_of_one_period_and_numbers_them(engine):
    """A ledger from before 0008 with a red and a missing notice for one item and period upgrades
    to one numbered notice listing both reasons; existing evaluations become drafts."""
    from sqlalchemy import text

    from luoshi.ledger.db import transaction
    from luoshi.ledger.migrate import current_revision, downgrade, head_revision, upgrade

    from .helpers import small_ledger

    with transaction(engine) as s:
        report = small_ledger(s)
        c = commitments.add_manual(s, report, kind="measure", title="推进智能工厂建设")
        assign.assign(s, c, lead="工信局")
        q1 = periods.generate_periods(s, report)[0]
        cid, pid = c.id, q1.id
    head = head_revision()
    try:
        downgrade(engine, "0005")
        with engine.begin() as conn:
            for reason, detail, answer in (("red", "2024Q1：落后时序进度 25 个百分点", None),
                                           ("missing", "2024Q1：截至 2024-04-08 未报送进度", "已补报")):
                conn.execute(text("INSERT INTO notices (commitment_id, period_id, reason, detail, issued, due, "
                                  "answer, closed, version) VALUES (:c, :p, :r, :d, :i, :due, :a, :closed, 1)"),
                             {"c": cid, "p": pid, "r": reason, "d": detail, "i": dt.date(2024, 4, 15),
                              "due": dt.date(2024, 4, 22), "a": answer, "closed": False})
            conn.execute(text("INSERT INTO evaluations (commitment_id, result, score, \"by\", at, version) "
                              "VALUES (:c, '完成', 100, 'x', :at, 1)"),
                         {"c": cid, "at": dt.datetime(2025, 1, 10, tzinfo=dt.UTC)})
    finally:
        upgrade(engine)
    assert current_revision(engine) == head
    with transaction(engine) as s:
        (n,) = s.scalars(select(Notice)).all()
        assert (n.reason, n.reasons, n.number, n.serial_year, n.serial) == (
            "missing", ["missing", "behind"], "督〔2024〕1号", 2024, 1)
        assert n.detail == "2024Q1：落后时序进度 25 个百分点；2024Q1：截至 2024-04-08 未报送进度"
        assert n.answer == "已补报" and not n.closed
        assert s.scalars(select(Evaluation.state)).all() == ["draft"]


def test_a_notice_from_an_older_backup_gets_its_reasons():
    from luoshi.ledger.models import Base
    from luoshi.ledger.services.backup_rows import decode_row

    table = Base.metadata.tables["notices"]
    row = {"id": 1, "commitment_id": 2, "unit_id": None, "period_id": 3, "reason": "red",
           "detail": "2024Q2：已过完成时限仍未完成（时序进度 50%，报送 10%）", "issued": "2024-07-10",
           "due": "2024-07-17", "answered_at": None, "answer": None, "closed": False, "version": 1}
    out = decode_row(table, row, "", older=True)
    assert (out["reason"], out["reasons"], out["number"]) == ("overdue", ["overdue"], None)
    out = decode_row(table, {**row, "reason": "missing", "detail": "未报送"}, "", older=True)
    assert (out["reason"], out["reasons"]) == ("missing", ["missing"])
