"""The seed ledger: bulk statuses agree with the rule read one commitment at a time; demo set-up works."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from .reference import reference_status

pytestmark = pytest.mark.postgres


@pytest.fixture
def seeded(engine, luoshi_home):
    from luoshi.web import demo_data

    rid, accounts = demo_data.build(engine, through=dt.date(2024, 9, 30))
    return rid, accounts


def test_bulk_status_matches_the_rule_one_by_one(engine, seeded) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Report
    from luoshi.ledger.rules import rules as ledger_rules
    from luoshi.ledger.services import status as st

    rid, _ = seeded
    db = session_factory(engine)()
    report = db.get(Report, rid)
    rules = ledger_rules(db, report)
    rows = list(db.scalars(select(Commitment).where(Commitment.report_id == rid, Commitment.state == "active")))
    assert len(rows) > 100
    for on, label in ((dt.date(2024, 5, 10), "2024Q1"), (dt.date(2024, 10, 20), "2024Q3")):
        period, _, _ = st.judging(db, report, on)
        assert period.label == label  # the latest period ended that day
        bulk = st.on_day(db, report, rows, on)
        for c in rows:
            assert (bulk[c.id].light, bulk[c.id].percent, bulk[c.id].expected, bulk[c.id].missing,
                    bulk[c.id].overdue, bulk[c.id].late) == reference_status(db, c, period, rules), c.id
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
