"""The ledger's own rules: the clock, "the current period" by purpose, and publishing from the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from luoshi.errors import ValidationError
from luoshi.ledger.db import transaction
from luoshi.ledger.models import AuditEvent, Commitment, Period
from luoshi.ledger.services import periods

from .helpers import small_ledger, span_commitment, url_of
from .test_settings_cli import run

# ------------------------------------------------------------------ the clock


def test_clock_order_override_then_environment_then_ledger_then_machine(session, monkeypatch) -> None:
    from luoshi.ledger.clock import clock

    monkeypatch.delenv("LUOSHI_TODAY", raising=False)
    report = small_ledger(session)
    assert (clock(session, report).source, clock(session, report).today()) == ("machine", dt.date.today())
    periods.configure(session, report, statistics_date="2024-11-15")
    trail = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "LedgerSettings")).all()
    assert [(e.actor, (e.after or {}).get("statistics_date")) for e in trail][-1] == ("tester", "2024-11-15")
    c = clock(session, report)
    assert (c.source, c.today()) == ("ledger", dt.date(2024, 11, 15))
    # now() keeps the time of day but on the ledger's day, so lateness follows the same clock
    assert _beijing_day(c.now()) == dt.date(2024, 11, 15) and c.now().tzinfo is dt.UTC
    monkeypatch.setenv("LUOSHI_TODAY", "2024-05-15")
    assert (clock(session, report).source, clock(session, report).today()) == ("environment", dt.date(2024, 5, 15))
    c = clock(session, report, today="2024-02-01")
    assert (c.source, c.today()) == ("override", dt.date(2024, 2, 1))
    monkeypatch.setenv("LUOSHI_TODAY", "2024/05/15")
    with pytest.raises(ValidationError, match="LUOSHI_TODAY 不是有效日期"):
        clock(session, report)
    monkeypatch.delenv("LUOSHI_TODAY")
    periods.configure(session, report, statistics_date=None)
    assert clock(session, report).source == "machine"


# ------------------------------------------------------------------ current period by purpose


@pytest.mark.parametrize(("day", "judging", "reporting"), [
    ("2023-12-20", "2024Q1", None),  # before the year: judged against its first period, nothing to report
    ("2024-02-01", "2024Q1", "2024Q1"),  # nothing has ended: the first period; report for the running one
    ("2024-03-31", "2024Q1", "2024Q1"),  # Q1 ends today: judged, and still the running one
    ("2024-04-03", "2024Q1", "2024Q1"),  # Q1's reporting window (due 2024-04-08) is open
    ("2024-04-20", "2024Q1", "2024Q2"),  # window closed: report for the running quarter
    ("2024-07-05", "2024Q2", "2024Q2"),
    ("2025-03-01", "2024Q4", "2024Q4"),  # the year is over: its last period
])
def test_current_period_by_purpose(session, day: str, judging: str, reporting: str | None) -> None:
    report = small_ledger(session)
    periods.generate_periods(session, report)
    on = dt.date.fromisoformat(day)
    assert periods.current_period(session, report, on, periods.JUDGING).label == judging
    got = periods.current_period(session, report, on, periods.REPORTING)
    assert (got.label if got else None) == reporting


def test_reporting_skips_closed_periods_and_says_why_there_is_none(session) -> None:
    from luoshi.errors import NotFoundError

    report = small_ledger(session)
    with pytest.raises(NotFoundError, match="尚未生成报送周期"):
        periods.require_current_period(session, report, dt.date(2024, 5, 1), periods.JUDGING)
    periods.generate_periods(session, report)
    periods.close_period(session, periods.period(session, report, "2024Q1"))
    assert periods.current_period(session, report, dt.date(2024, 4, 3), periods.REPORTING).label == "2024Q2"
    with pytest.raises(NotFoundError, match="2023-06-01 没有可报送的周期"):
        periods.require_current_period(session, report, dt.date(2023, 6, 1), periods.REPORTING)
    with pytest.raises(NotFoundError, match="周期“2024Q9”不存在；现有周期：2024Q1、2024Q2、2024Q3、2024Q4"):
        periods.current_period(session, report, dt.date(2024, 5, 1), periods.JUDGING, label="2024Q9")


# ------------------------------------------------------------------ luoshi ledger publish


@pytest.fixture
def drafts(engine, luoshi_home, monkeypatch):
    monkeypatch.setenv("LUOSHI_DATABASE_URL", url_of(engine))
    with transaction(engine, actor="setup") as s:
        report = small_ledger(s)
        a = span_commitment(s, report, "力争开发区工业投资和规上工业总产值均增长12%以上", section="2.1")
        b = span_commitment(s, report, "加强和改进调查研究", kind="measure", section="2.2")
        ids = (a.id, b.id)
    return engine, ids


def _published_events(engine) -> list[AuditEvent]:
    with transaction(engine) as s:
        return [e for e in s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Commitment")
                                     .order_by(AuditEvent.id))
                if (e.after or {}).get("published") is True]


def test_publish_command(drafts) -> None:
    engine, (a, b) = drafts
    # nothing assigned yet: refused with the reason, nothing written
    err = run("ledger", "publish", ok=False)
    assert "没有可发布的任务：请先确认责任单位" in err
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Period)) == 0
    run("ledger", "assign", str(a), "--lead", "发改委", "--as", "督查室")
    out = json.loads(run("ledger", "--as", "督查室", "publish", "--json"))
    assert (out["published"], out["already_published"], out["unassigned"], out["periods"]) == (1, 0, 1, 4)
    with transaction(engine) as s:
        assert [c.published for c in s.scalars(select(Commitment).order_by(Commitment.id))] == [True, False]
        assert [p.label for p in periods.periods(s, s.get_one(Commitment, a).report)] == \
            ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    events = _published_events(engine)
    assert [(e.entity_id, e.actor, e.before["published"]) for e in events] == [(str(a), "督查室", False)]
    # again: nothing new, the count says so; then the second item once it is assigned
    text = run("ledger", "publish")
    assert "新发布 0 项，此前已发布 1 项，报送周期 4 个" in text and "另有 1 项尚未确认责任单位" in text
    run("ledger", "assign", str(b), "--lead", "发改委")
    assert json.loads(run("ledger", "publish", "--json"))["published"] == 1
    assert len(_published_events(engine)) == 2


def _beijing_day(at: dt.datetime) -> dt.date:
    """The calendar day a page shows for a stored time (naive times are UTC, as SQLite returns them)."""
    from luoshi.ledger.clock import BEIJING

    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(BEIJING).date()


def test_submissions_are_timed_by_the_ledger_clock(session, monkeypatch) -> None:
    """A report submitted on a ledger fixed on a day is on time or late by that day, as its lights."""
    from luoshi.ledger.services import progress

    monkeypatch.delenv("LUOSHI_TODAY", raising=False)
    report = small_ledger(session)
    periods.generate_periods(session, report)
    c = span_commitment(session, report, "加强和改进调查研究", kind="measure", section="2.2")
    c.state = "active"
    q1, q2 = periods.period(session, report, "2024Q1"), periods.period(session, report, "2024Q2")
    periods.configure(session, report, statistics_date="2024-04-03")  # within Q1's window (due 2024-04-08)
    pr = progress.report(session, c, q1, author="x", percent=20)
    assert (_beijing_day(pr.submitted_at), pr.late) == (dt.date(2024, 4, 3), False)
    periods.configure(session, report, statistics_date="2024-07-20")  # Q2 was due 2024-07-05
    pr = progress.report(session, c, q2, author="x", percent=40)
    assert (_beijing_day(pr.submitted_at), pr.late) == (dt.date(2024, 7, 20), True)


def test_working_days_left_on_the_official_calendar(session) -> None:
    from luoshi.ledger.services.calendar import workdays_left

    due = dt.date(2024, 4, 8)  # Q1's due date: 清明 4–6 April off, Sunday 7 April worked
    assert workdays_left(session, due, dt.date(2024, 4, 3)) == 3  # 3, 7 and 8 April
    assert workdays_left(session, due, dt.date(2024, 4, 8)) == 1
    assert workdays_left(session, due, dt.date(2024, 4, 10)) == -3


def test_a_fixed_day_keeps_its_beijing_date_at_every_hour() -> None:
    """A change at 07:00 in Beijing (23:00 UTC the evening before) on a ledger fixed on 25 April is
    stamped 25 April as the pages read it, not 26 April."""
    import datetime as dt

    from luoshi.ledger.clock import BEIJING, Clock

    fixed = Clock(dt.date(2024, 4, 25), "ledger")
    for hour in range(24):
        current = dt.datetime(2026, 12, 7, hour, 30, tzinfo=dt.UTC)
        stamped = fixed.now(current)
        assert stamped.astimezone(BEIJING).date() == dt.date(2024, 4, 25), hour
        assert stamped.astimezone(BEIJING).time() == current.astimezone(BEIJING).time()
