"""The ledger's change feed and kept trend (``luoshi.ledger.changes``, ``services.trend``).

The feed numbers every committed change in commit order and names the commitments it touched;
the trend's per-period sums, kept up to date at each commit, always equal the sums computed from
scratch — after any sequence of reports, acceptances, publications and closures. Both engines.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import Engine, select

from luoshi.errors import LuoshiError

from .conftest import Ledger


def _kept(engine: Engine) -> tuple[list, list]:
    from luoshi.ledger.models import TrendStep, TrendTotal

    with engine.connect() as conn:
        steps = conn.execute(select(TrendStep.commitment_id, TrendStep.period_id, TrendStep.report_id,
                                    TrendStep.change).order_by(TrendStep.commitment_id, TrendStep.period_id)).all()
        totals = conn.execute(select(TrendTotal.report_id, TrendTotal.period_id, TrendTotal.total)
                              .where(TrendTotal.total != 0)
                              .order_by(TrendTotal.report_id, TrendTotal.period_id)).all()
    return [tuple(r) for r in steps], [tuple(r) for r in totals]


def _from_scratch(engine: Engine) -> tuple[list, list]:
    """The kept tables rebuilt from the reports, read, and rolled back."""
    from luoshi.ledger.models import TrendStep, TrendTotal
    from luoshi.ledger.services import trend

    with engine.connect() as conn:
        tx = conn.begin()
        try:
            trend.rebuild(conn)
            steps = conn.execute(select(TrendStep.commitment_id, TrendStep.period_id, TrendStep.report_id,
                                        TrendStep.change).order_by(TrendStep.commitment_id, TrendStep.period_id)).all()
            totals = conn.execute(select(TrendTotal.report_id, TrendTotal.period_id, TrendTotal.total)
                                  .where(TrendTotal.total != 0)
                                  .order_by(TrendTotal.report_id, TrendTotal.period_id)).all()
        finally:
            tx.rollback()
    return [tuple(r) for r in steps], [tuple(r) for r in totals]


def _serial(engine: Engine) -> int:
    from luoshi.ledger import changes

    with engine.connect() as conn:
        return changes.latest(conn)


def _since(engine: Engine, after: int, upto: int) -> set[int] | None:
    from luoshi.ledger import changes
    from luoshi.ledger.models import LedgerCommit

    with engine.connect() as conn:
        at = conn.scalar(select(LedgerCommit.at).where(LedgerCommit.serial == after))
        return changes.since(conn, after, upto, after_at=at)


def _accept(engine: Engine, cid: int, period_id: int, percent: float) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services import progress

    with transaction(engine, actor="liaison1") as db:
        pr = progress.report(db, db.get(Commitment, cid), db.get(Period, period_id), author="liaison1",
                             percent=percent, narrative="按计划推进")
        progress.accept(db, pr)


def test_each_change_is_numbered_with_the_commitments_it_touched(engine: Engine, ledger: Ledger) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.ledger.services import commitments, periods

    start = _serial(engine)
    _accept(engine, ledger.a, ledger.q1, 30)
    assert _serial(engine) == start + 1
    assert _since(engine, start, start + 1) == {ledger.a}

    with transaction(engine, actor="admin") as db:  # a link between two commitments touches both
        measure, target = db.get(Commitment, ledger.a), db.get(Commitment, ledger.b)
        measure.targets.append(target)
    assert _since(engine, start + 1, start + 2) == {ledger.a, ledger.b}

    with transaction(engine, actor="admin") as db:  # a change of settings may change any figure
        periods.configure(db, db.get(Commitment, ledger.a).report, yellow_behind=7)
    assert _serial(engine) == start + 3
    assert _since(engine, start + 2, start + 3) is None
    assert _since(engine, start, start + 2) == {ledger.a, ledger.b}

    with transaction(engine, actor="admin") as db:  # rolled back: no number taken
        commitments.update(db, db.get(Commitment, ledger.c), {"published": True})
        db.rollback()
    assert _serial(engine) == start + 3


def test_a_ledger_filled_again_does_not_pass_for_the_same_history(engine: Engine, ledger: Ledger) -> None:
    import datetime as dt

    from luoshi.ledger import changes
    from luoshi.ledger.models import LedgerCommit

    _accept(engine, ledger.a, ledger.q1, 30)
    _accept(engine, ledger.b, ledger.q1, 40)
    n = _serial(engine)
    with engine.connect() as conn:
        at = conn.scalar(select(LedgerCommit.at).where(LedgerCommit.serial == n - 1))
        assert changes.since(conn, n - 1, n, after_at=at) == {ledger.b}
        # a change numbered n - 1 committed at another time is another ledger's history
        assert changes.since(conn, n - 1, n, after_at=at - dt.timedelta(seconds=1)) is None
        assert changes.since(conn, n + 5, n, after_at=at) is None  # numbers went back


def test_the_trend_reads_the_kept_sums(client, engine: Engine, ledger: Ledger) -> None:
    _accept(engine, ledger.a, ledger.q1, 30)
    _accept(engine, ledger.b, ledger.q1, 100)
    _accept(engine, ledger.a, ledger.q2, 50)
    trend = client.get("/api/dashboard").json()["trend"]
    assert trend["labels"][:2] == ["2024Q1", "2024Q2"]
    # Q1: (30 + 100) / 2 published items; Q2: a moved to 50, b carried forward
    assert trend["actual"][:2] == [65.0, 75.0]
    assert _kept(engine) == _from_scratch(engine)


OPS = hs.lists(hs.one_of(
    hs.tuples(hs.just("accept"), hs.sampled_from("abc"), hs.integers(0, 3), hs.sampled_from([0, 12.5, 33.3, 60, 101])),
    hs.tuples(hs.just("publish"), hs.sampled_from("abc"), hs.booleans()),
    hs.tuples(hs.just("close"), hs.sampled_from("abc")),
), min_size=1, max_size=8)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_kept_sums_equal_sums_from_scratch_after_any_changes(engine: Engine, ledger: Ledger, ops) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services import commitments, periods

    with engine.connect() as conn:
        quarter_ids = [p.id for p in conn.execute(select(Period.id).where(Period.report_id == ledger.report)
                                                  .order_by(Period.start))][:4]
    del periods
    ids = {"a": ledger.a, "b": ledger.b, "c": ledger.c}
    for op in ops:
        try:
            if op[0] == "accept":
                _accept(engine, ids[op[1]], quarter_ids[op[2]], op[3])
            elif op[0] == "publish":
                with transaction(engine, actor="admin") as db:
                    commitments.update(db, db.get(Commitment, ids[op[1]]), {"published": op[2]})
            else:
                with transaction(engine, actor="admin") as db:
                    commitments.close(db, db.get(Commitment, ids[op[1]]))
        except LuoshiError:
            continue  # refused by the ledger (an accepted report is final, a closed item stays closed)
        assert _kept(engine) == _from_scratch(engine), op
