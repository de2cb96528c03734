"""The trend of reported progress against 时序进度, kept up to date as the ledger changes.

The dashboards draw, per period, the average progress of the published commitments (each one's
last accepted report carried forward, capped at 100) beside their average 时序进度. Summing five
years of a province's reports for that took 0.1–0.2 s on every read after a change, so the ledger
keeps the sum instead: ``trend_steps`` holds, for each tracked commitment and each period in which
an accepted report moved it, what that report adds to the carried-forward sum (its percent minus
the one it replaces); ``trend_totals`` the sum of those steps per period. Both count in millionths
of a percent, integers, so taking a commitment's old steps away and adding its new ones gives
exactly what summing from scratch gives, in any order.

:func:`refresh` recomputes the steps of the commitments a transaction touched when it commits,
called by :mod:`luoshi.ledger.changes` under the change feed's lock, so concurrent changes are
applied one after the other, each on top of the last committed state. :func:`rebuild` recomputes
whole reports (a migration, a restore, a period edited, rows loaded around the ledger).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from luoshi.ledger.models import Commitment, Period, ProgressReport, Report, TrendStep, TrendTotal
from luoshi.ledger.services.status import average_expected_series

UNIT = 1_000_000  # millionths of a percent
CHUNK = 2000


def tracked(*extra: Any) -> tuple[Any, ...]:
    """The commitments the trend follows: published and not closed (what the public sees tracked)."""
    return (Commitment.published.is_(True), Commitment.state != "closed", *extra)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i: i + CHUNK]


def steps(conn: Connection, *where: Any) -> list[dict[str, int]]:
    """The steps of the tracked commitments matching ``where``: for each accepted report in period
    order, its capped percent minus the previous one's (zero steps left out)."""
    q = (select(ProgressReport.commitment_id, Commitment.report_id, ProgressReport.period_id, ProgressReport.percent)
         .join(Commitment, Commitment.id == ProgressReport.commitment_id)
         .join(Period, Period.id == ProgressReport.period_id)
         .where(ProgressReport.state == "accepted", Period.report_id == Commitment.report_id, *tracked(*where))
         .order_by(ProgressReport.commitment_id, Period.start, Period.id))
    out: list[dict[str, int]] = []
    last_cid, last = None, 0
    for cid, rid, pid, percent in conn.execute(q):
        value = round(min(100.0, percent) * UNIT)
        if cid != last_cid:
            last_cid, last = cid, 0
        if value != last:
            out.append({"commitment_id": cid, "report_id": rid, "period_id": pid, "change": value - last})
        last = value
    return out


def _add(conn: Connection, delta: Counter[tuple[int, int]]) -> None:
    """Add ``delta`` ((report, period) → millionths) to the period totals."""
    delta = Counter({k: v for k, v in delta.items() if v})
    if not delta:
        return
    reports = {r for r, _ in delta}
    have = {(r, p) for r, p in conn.execute(select(TrendTotal.report_id, TrendTotal.period_id)
                                            .where(TrendTotal.report_id.in_(reports)))}
    old = sorted(k for k in delta if k in have)  # in key order: concurrent writers never wait in a circle
    if old:
        t = TrendTotal.__table__
        conn.execute(update(t).where(t.c.report_id == bindparam("r"), t.c.period_id == bindparam("p"))
                     .values(total=t.c.total + bindparam("d")),
                     [{"r": r, "p": p, "d": delta[(r, p)]} for r, p in old])
    new = [{"report_id": r, "period_id": p, "total": delta[(r, p)]} for r, p in sorted(delta) if (r, p) not in have]
    if new:
        conn.execute(insert(TrendTotal), new)


def refresh(conn: Connection, commitment_ids: Iterable[int]) -> None:
    """Recompute the steps of these commitments (deleted ones lose theirs) and move the totals by
    the difference."""
    ids = sorted(set(commitment_ids))
    for chunk in _chunks(ids):
        delta: Counter[tuple[int, int]] = Counter()
        for rid, pid, change in conn.execute(select(TrendStep.report_id, TrendStep.period_id, TrendStep.change)
                                             .where(TrendStep.commitment_id.in_(chunk))):
            delta[(rid, pid)] -= change
        conn.execute(delete(TrendStep).where(TrendStep.commitment_id.in_(chunk)))
        new = steps(conn, Commitment.id.in_(chunk))
        if new:
            conn.execute(insert(TrendStep), new)
        for row in new:
            delta[(row["report_id"], row["period_id"])] += row["change"]
        _add(conn, delta)


def rebuild(conn: Connection, report_ids: Iterable[int] | None = None) -> None:
    """Recompute the steps and totals of these reports (default: every report) from scratch."""
    ids = None if report_ids is None else sorted(set(report_ids))
    for table in (TrendStep, TrendTotal):
        conn.execute(delete(table) if ids is None else delete(table).where(table.report_id.in_(ids)))
    if ids is not None and not ids:
        return
    new = steps(conn) if ids is None else steps(conn, Commitment.report_id.in_(ids))
    totals: Counter[tuple[int, int]] = Counter()
    for i in range(0, len(new), 10_000):
        conn.execute(insert(TrendStep), new[i: i + 10_000])
    for row in new:
        totals[(row["report_id"], row["period_id"])] += row["change"]
    _add(conn, totals)


def trend(session: Session, report: Report, on: dt.date) -> dict[str, Any]:
    """Average reported progress (last accepted report carried forward) vs. 时序进度, per period up
    to day ``on``: read from the kept totals, so no report history is summed on a read. The
    expected curve is one ``expected_percent`` per distinct deadline/milestones curve and period."""
    periods = [p for p in session.scalars(select(Period).where(Period.report_id == report.id).order_by(Period.start))
               if p.start <= on]
    if not periods:
        return {"labels": [], "actual": [], "expected": []}
    commitments = session.execute(select(Commitment.id, Commitment.deadline, Commitment.milestones)
                                  .where(*tracked(Commitment.report_id == report.id))).all()
    totals: dict[int, int] = dict(session.execute(  # type: ignore[arg-type]
        select(TrendTotal.period_id, TrendTotal.total).where(TrendTotal.report_id == report.id)).all())
    labels, actual = [], []
    total = 0
    for p in periods:
        total += totals.get(p.id, 0)
        labels.append(p.label)
        actual.append(round(max(0, total) / UNIT / len(commitments), 1) if commitments else 0.0)
    curve = average_expected_series(report.year, commitments, [min(p.end, on) for p in periods])
    return {"labels": labels, "actual": actual, "expected": [round(v, 1) for v in curve]}
