"""The ledger's change feed: every committed change, numbered in commit order, with the commitments
it touched.

Figures computed from the ledger are kept between reads (the web's ``luoshi.web.memo``) and must
know two things: whether the ledger changed since they were computed, and — so that one accepted
report costs one commitment's judgement, not a province's — which commitments changed. The audit
trail cannot answer the first on PostgreSQL: its ids come from a sequence when a row is inserted,
not when it commits, so a change committing after a higher-numbered one would go unnoticed. Here
each transaction that changed something shown takes the next ``serial`` as it commits, under a lock
(PostgreSQL: ``LOCK TABLE ledger_commits``; SQLite holds its single writer lock anyway), so serials
follow commit order, and whoever reads serial *n* also sees every change numbered up to *n*.

Collected in the session, written once at commit: the ids of the commitments whose rows, or rows
belonging to them (reports, assignments, notices, evaluations, comments, evidence, measure↔target
links), were inserted, updated or deleted, with the commitments linked to those (a commitment's
page shows the measures and targets linked to it); anything else shown (settings, periods, units, users,
bulk statements) makes the change one of "everything". Sign-in sessions, login failures,
notification deliveries and the audit trail itself are not shown figures and change nothing here.
In the same step, under the same lock, the kept trend (:mod:`luoshi.ledger.services.trend`) is
brought up to date for the commitments touched.

Rows written around the ledger's sessions (a restore, a bulk load) must call
:func:`record_everything` in their transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, event, func, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from luoshi.ledger.audit import commitment_of
from luoshi.ledger.db import LedgerSession
from luoshi.ledger.models import (
    Commitment,
    Evidence,
    LedgerCommit,
    Period,
    ProgressReport,
    Report,
    commitment_targets,
    utcnow,
)
from luoshi.ledger.services import trend

QUIET = frozenset({"user_sessions", "login_failures", "outbox", "notify_deliveries", "inbox_messages",
                   "audit_events", "ledger_commits", "trend_steps", "trend_totals"})
TREND_TABLES = frozenset({"commitments", "progress_reports", "periods", "reports"})
KEEP = 20_000  # commits remembered; a reader further behind recomputes everything
PENDING = "luoshi.changes.pending"


@dataclass
class Pending:
    """What this transaction has changed so far."""

    commitments: set[int] = field(default_factory=set)
    progress_reports: set[int] = field(default_factory=set)  # evidence rows whose report was not loaded
    everything: bool = False
    trend_reports: set[int] = field(default_factory=set)  # reports whose trend is rebuilt
    trend_everything: bool = False

    def empty(self) -> bool:
        return not (self.commitments or self.progress_reports or self.everything)


def _pending(session: Session) -> Pending:
    found = session.info.get(PENDING)
    if found is None:
        found = session.info[PENDING] = Pending()
    return found  # type: ignore[no-any-return]


@event.listens_for(LedgerSession, "after_flush")
def _collect(session: Session, _flush: UOWTransaction) -> None:
    pending = _pending(session)
    for kind, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table in QUIET or (kind == "dirty" and not session.is_modified(obj)):
                continue
            if isinstance(obj, Commitment):
                pending.commitments.add(obj.id)
                links = inspect(obj).attrs.targets.history  # the other side of a measure↔target link
                pending.commitments |= {t.id for t in (*links.added, *links.deleted) if t.id is not None}
                continue
            cid = commitment_of(obj)
            if cid is not None:
                pending.commitments.add(cid)
            elif isinstance(obj, Evidence):
                pending.progress_reports.add(obj.progress_report_id)
            else:
                pending.everything = True
                if isinstance(obj, Period) and kind != "new":
                    pending.trend_reports.add(obj.report_id)
                elif isinstance(obj, Report) and kind == "deleted":
                    pending.trend_reports.add(obj.id)


@event.listens_for(LedgerSession, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """``session.execute(update(...))`` and the like change rows no flush sees: everything."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table in QUIET:
        return
    pending = _pending(state.session)
    pending.everything = True
    if table is None or table in TREND_TABLES:
        pending.trend_everything = True


@event.listens_for(LedgerSession, "before_commit")
def _record(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush, done now so that it is counted
    pending: Pending | None = session.info.pop(PENDING, None)
    if pending is None or pending.empty():
        return
    conn = session.connection()
    serial = _lock(conn)
    if pending.progress_reports:
        pending.commitments |= set(conn.scalars(select(ProgressReport.commitment_id)
                                                .where(ProgressReport.id.in_(pending.progress_reports))))
    if pending.commitments and not pending.everything:  # a commitment's page shows the ones linked to it
        pending.commitments |= linked(conn, pending.commitments)
    if pending.trend_everything:
        trend.rebuild(conn)
    else:
        if pending.trend_reports:
            trend.rebuild(conn, pending.trend_reports)
        if pending.commitments:
            trend.refresh(conn, pending.commitments)
    _append(conn, serial, None if pending.everything else sorted(pending.commitments))


@event.listens_for(LedgerSession, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: nothing is pending any more
        session.info.pop(PENDING, None)


def linked(conn: Connection, ids: set[int]) -> set[int]:
    """The commitments linked to ``ids`` as measure or target."""
    t = commitment_targets.c
    out: set[int] = set()
    chunk = sorted(ids)
    for i in range(0, len(chunk), 2000):
        part = chunk[i: i + 2000]
        for m, tg in conn.execute(select(t.measure_id, t.target_id).where(t.measure_id.in_(part) | t.target_id.in_(part))):
            out.update((m, tg))
    return out


def _lock(conn: Connection) -> int:
    """Take the feed's lock (held until this transaction ends) and return the next serial."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE ledger_commits IN SHARE ROW EXCLUSIVE MODE")
    return int(conn.scalar(select(func.coalesce(func.max(LedgerCommit.serial), 0))) or 0) + 1


def _append(conn: Connection, serial: int, commitments: list[int] | None) -> None:
    conn.execute(LedgerCommit.__table__.insert(), [{"serial": serial, "at": utcnow(), "commitments": commitments}])
    if serial % 1000 == 0:
        conn.execute(delete(LedgerCommit).where(LedgerCommit.serial <= serial - KEEP))


def record_everything(conn: Connection) -> None:
    """For rows written around the ledger's sessions (a restore, a bulk load), in their own
    transaction: rebuild the kept trend and record a change of everything."""
    serial = _lock(conn)
    trend.rebuild(conn)
    _append(conn, serial, None)


def latest(conn: Connection | Session) -> int:
    """The serial of the newest committed change (0: none recorded)."""
    return int(conn.scalar(select(func.coalesce(func.max(LedgerCommit.serial), 0))) or 0)


def since(conn: Connection | Session, after: int, upto: int, *, after_at: dt.datetime | None) -> set[int] | None:
    """The commitments changed by the changes numbered ``after`` + 1 … ``upto``; None when one of
    them may have changed anything, or they are no longer all remembered, or change ``after`` is
    not the one committed at ``after_at`` (the ledger was emptied and filled again since)."""
    if upto < after:
        return None
    rows = conn.execute(select(LedgerCommit.serial, LedgerCommit.at, LedgerCommit.commitments)
                        .where(LedgerCommit.serial >= after, LedgerCommit.serial <= upto)
                        .order_by(LedgerCommit.serial)).all()
    if len(rows) != upto - after + 1 or rows[0].at != after_at:
        return None
    out: set[int] = set()
    for _serial, _at, ids in rows[1:]:
        if ids is None:
            return None
        out.update(ids)
    return out
