"""The seed ledger: bulk statuses/scorecard agree with the ledger's own rules; demo set-up works."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

pytestmark = pytest.mark.postgres


@pytest.fixture
def seeded(engine, luoshi_home):
    from luoshi.web import demo_data

    rid, accounts = demo_data.build(engine, through=dt.date(2024, 9, 30))
    return rid, accounts


def test_bulk_status_and_scorecard_match_ledger_rules(engine, seeded) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Report
    from luoshi.ledger.services.evaluation import scorecard
    from luoshi.ledger.services.status import status_of
    from luoshi.web import status as st

    rid, _ = seeded
    db = session_factory(engine)()
    report = db.get(Report, rid)
    rows = list(db.scalars(select(Commitment).where(Commitment.report_id == rid, Commitment.state == "active")))
    assert len(rows) > 100
    for on in (dt.date(2024, 5, 10), dt.date(2024, 10, 20)):
        period = st.judged_period(st.report_periods(db, report), on)
        bulk = st.statuses(db, report, rows, on)
        for c in rows:
            ref = status_of(db, c, period)
            got = bulk[c.id]
            assert (got.light, got.percent, got.expected, got.missing) == (ref.color, ref.reported, ref.expected,
                                                                           ref.missing), c.id
        mine = [(r["rank"], r["unit_id"], r["score"], r["lead"], r["support"]) for r in st.scorecard(db, report, on)]
        theirs = [(r.rank, r.unit_id, r.score, r.lead, r.support) for r in scorecard(db, report, period=period)]
        assert mine == theirs
    db.close()


def test_demo_data_is_labelled_and_idempotent(engine, seeded) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import ProgressReport, Report, User
    from luoshi.web import demo_data

    rid, accounts = seeded
    assert {a.role for a in accounts} == {"admin", "leader", "liaison"}
    with transaction(engine, actor="test") as db:
        narratives = list(db.scalars(select(ProgressReport.narrative)))
        assert narratives and all(n.startswith(demo_data.DEMO_LABEL) for n in narratives)
        report = db.get(Report, rid)
        assert demo_data.generate_progress(db, report, through=dt.date(2024, 9, 30)) == 0
        assert demo_data.import_report(db, demo_data.seed_path())[1] == "unchanged"
        liaisons = list(db.scalars(select(User).where(User.role == "liaison")))
        assert liaisons and all(u.unit_id for u in liaisons)
