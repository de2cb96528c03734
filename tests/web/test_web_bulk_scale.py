"""Bulk statuses, scorecard and trend on a generated ledger agree with the ledger's own rules.

A small province from ``luoshi.devtools.scale`` (one city, 150 commitments, 12 monthly periods,
with missing, returned, draft and late reports and items that stop reporting once finished) is
judged at several days; every commitment's light from the one bulk query must be what the rule
gives when each commitment's reports are read one by one (``progress.find``/``progress.latest``),
the dashboard's ranking the ledger's ranking of the period judged that day, and the trend what
carrying each commitment's last accepted report forward period by period gives.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from .reference import reference_status

pytestmark = pytest.mark.postgres

DAYS = (dt.date(2021, 1, 15), dt.date(2021, 6, 3), dt.date(2021, 11, 20), dt.date(2022, 1, 10))


@pytest.fixture
def province(engine):
    from luoshi.devtools.scale import Scale, generate

    return generate(engine, Scale(1, 150, 12))


def _reference_trend(db, report, on: dt.date) -> dict:
    """The trend by its definition, one commitment and period at a time."""
    from luoshi.ledger.models import Commitment, Period, ProgressReport
    from luoshi.ledger.services.status import expected_percent

    periods = [p for p in db.scalars(select(Period).where(Period.report_id == report.id).order_by(Period.start))
               if p.start <= on]
    tracked = list(db.scalars(select(Commitment).where(Commitment.report_id == report.id,
                                                       Commitment.published.is_(True),
                                                       Commitment.state != "closed")))
    accepted = {(r.commitment_id, r.period_id): r.percent
                for r in db.scalars(select(ProgressReport).where(ProgressReport.state == "accepted"))}
    current: dict[int, float] = {}
    out: dict = {"labels": [], "actual": [], "expected": []}
    for p in periods:
        for c in tracked:
            if (c.id, p.id) in accepted:
                current[c.id] = accepted[(c.id, p.id)]
        out["labels"].append(p.label)
        out["actual"].append(round(sum(min(100.0, v) for v in current.values()) / len(tracked), 1))
        out["expected"].append(round(sum(expected_percent(c, min(p.end, on), report.year) for c in tracked)
                                     / len(tracked), 1))
    return out


def test_bulk_rules_match_ledger_on_generated_ledger(engine, province) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Report
    from luoshi.ledger.rules import rules as ledger_rules
    from luoshi.ledger.services import status as st
    from luoshi.ledger.services.evaluation import scorecard
    from luoshi.web import summary as sm

    db = session_factory(engine)()
    try:
        report = db.get(Report, province.report_ids[0])
        rows = list(db.scalars(select(Commitment).where(Commitment.report_id == report.id)))
        rules = ledger_rules(db, report)
        seen = {"red": 0, "yellow": 0, "green": 0, "missing": 0, "fallback": 0, "late": 0}
        for on in DAYS:
            db.info.clear()
            period, _, _ = st.judging(db, report, on)
            bulk = st.on_day(db, report, rows, on)
            for c in rows:
                got = bulk[c.id]
                if c.state != "active":  # drafts and closed items are not judged on the pages
                    assert got.light == "grey" and got.percent is None, (on, c.id)
                    continue
                seen[got.light] += 1
                assert (got.light, got.percent, got.expected, got.missing, got.overdue, got.late) == \
                    reference_status(db, c, period, rules), (on, c.id)
                assert st.status_of(db, c, period) == got  # one commitment is the case of a list of one
                seen["missing"] += got.missing
                seen["fallback"] += got.missing and got.percent is not None
                seen["late"] += got.late
            mine = [(r["rank"], r["unit_id"], r["score"], r["lead"], r["support"]) for r in sm.ranking(db, report, on=on)]
            theirs = [(r.rank, r.unit_id, r.score, r.lead, r.support) for r in scorecard(db, report, period=period)]
            assert mine == theirs and mine, on
            assert [r[0] for r in mine] == sorted(r[0] for r in mine)  # ranks never go down the list
            assert sm.trend(db, report, on=on) == _reference_trend(db, report, on), on
        # the generated ledger exercises every branch of the rule
        assert all(seen.values()), seen
    finally:
        db.close()


def test_list_pages_are_slices_of_the_whole_list(engine, province, monkeypatch) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.web import queries as qs
    from luoshi.web.auth import ANONYMOUS

    on = province.today
    db = session_factory(engine)()
    try:
        for status in (None, "red", "green"):
            whole = qs.list_commitments(db, ANONYMOUS, qs.Filters(published=True, status=status, limit=500), on=on)
            assert whole["total"] == len(whole["items"]) > 0, status
            for offset, limit in ((0, 7), (13, 30), (whole["total"] - 3, 10)):
                page = qs.list_commitments(db, ANONYMOUS, qs.Filters(published=True, status=status, limit=limit,
                                                                     offset=offset), on=on)
                assert page["total"] == whole["total"]
                assert page["items"] == whole["items"][offset: offset + limit], (status, offset)
    finally:
        db.close()
