"""Figures the pages share between requests, valid until the ledger changes.

At province scale the public home page and the dashboards judge a few thousand commitments and sum
five years of reports on every request, although the ledger changes far less often than it is
read. What they compute is kept here, per process, under a *stamp* of the ledger's latest change:
every change made through the ledger writes an ``audit_events`` row in the same transaction
(``luoshi.ledger.audit``), so the newest audit event's id moves with each one; the newest ids of
the bulk tables (progress reports, commitments, periods) are part of the stamp too, so rows written
around the ledger's sessions (bulk loads, a restored backup) also start afresh. The stamp is read
in the caller's own transaction (after its autoflush), so a request that has just changed the
ledger reads its own change, never a figure computed before it; several worker processes each keep
their own figures, all checked against the same database.

The day the figures are judged on and who may see what are part of each key, never taken from the
stamp: a new day (``LUOSHI_TODAY``, the ledger's statistics date, the machine date) gives new keys.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.models import AuditEvent, Commitment, Period, ProgressReport
from luoshi.ledger.services import status as st

T = TypeVar("T")
STAMPS_KEPT = 2  # figures of the current stamp and the one before (requests that began before a change)
ENTRIES_PER_STAMP = 256


def stamp(db: Session) -> tuple[Any, ...]:
    """The ledger's latest change as the database sees it now, in one query over primary keys: the
    newest audit event (id and time: a ledger emptied and filled again does not repeat it) and the
    newest progress report, commitment and period; with the database's URL, so two ledgers served
    by one process never share figures."""
    newest = [select(func.max(col)).scalar_subquery()
              for col in (AuditEvent.id, ProgressReport.id, Commitment.id, Period.id)]
    at = select(AuditEvent.at).where(AuditEvent.id == newest[0]).scalar_subquery()
    row = db.execute(select(*newest, at)).one()
    return (str(db.get_bind().url), *row)


WROTE = "luoshi.memo.wrote"  # session.info: this transaction has flushed changes
STAMP = "luoshi.memo.stamp"  # session.info: the stamp read first in this transaction


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _ctx: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction (committed, rolled back or closed)
        session.info.pop(WROTE, None)
        session.info.pop(STAMP, None)


class Memo:
    """Values per (stamp, key), the last :data:`STAMPS_KEPT` stamps only (older ones can never be
    asked for again). Thread-safe; two requests computing the same value at once both compute it
    and store the same result."""

    def __init__(self) -> None:
        self.by_stamp: OrderedDict[tuple[Any, ...], dict[Hashable, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def store(self, s: tuple[Any, ...]) -> dict[Hashable, Any]:
        with self.lock:
            found = self.by_stamp.get(s)
            if found is None:
                found = self.by_stamp[s] = {}
                while len(self.by_stamp) > STAMPS_KEPT:
                    self.by_stamp.popitem(last=False)
            else:
                self.by_stamp.move_to_end(s)
            return found

    def get(self, db: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, or what it gave at the same stamp. A session that has changed the ledger
        and not committed yet computes afresh and shares nothing: its changes may still be rolled
        back (and on SQLite the next change may then reuse the same ids)."""
        if db.info.get(WROTE) or (db.new or db.dirty or db.deleted):
            return compute()
        # read once per transaction: whatever is read after it is at least as new as the stamp,
        # so a value kept under it is never older than the ledger it names
        s = db.info.get(STAMP)
        if s is None:
            s = db.info[STAMP] = stamp(db)
        if db.info.get(WROTE):  # the stamp's query flushed pending changes
            return compute()
        values = self.store(s)
        if key in values:
            self.hits += 1
            return values[key]  # type: ignore[no-any-return]
        self.misses += 1
        value = compute()
        if len(values) < ENTRIES_PER_STAMP:
            values[key] = value
        return value

    def clear(self) -> None:
        with self.lock:
            self.by_stamp.clear()
            self.hits = self.misses = 0


MEMO = Memo()


def audience(user: Any) -> str | None:
    """Whose view a figure is: "all" (those who see drafts), "public" (published commitments only:
    visitors and members without a unit of their own), None when it is the caller's own (a liaison
    also sees its unit's unpublished commitments) — those are not shared."""
    if policy.may_see_drafts(user):
        return "all"
    if policy.visible_clause(user) is not None and not (policy.is_liaison(user) and user.unit_id is not None):
        return "public"
    return None


def share_judgements(db: Session) -> None:
    """Let this session's ``reuse`` judgements (``status.statuses``) be those of every request at
    the ledger's current stamp: the lights of a period are judged once per change, not per page."""
    db.info[st.CACHE] = MEMO.get(db, ("judgements",), dict)


def shared(db: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``MEMO.get`` with the judgements shared as well (see :func:`share_judgements`)."""
    return MEMO.get(db, key, lambda: (share_judgements(db), compute())[1])
