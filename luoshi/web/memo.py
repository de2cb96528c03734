"""Figures the pages share between requests, valid until the ledger changes.

At province scale the public home page and the dashboards judge a few thousand commitments on
every request, although the ledger changes far less often than it is read. What they compute is
kept here, per process, under a *stamp* of the ledger's latest change: the serial of the ledger's
change feed (``luoshi.ledger.changes``: one number per committed change, in commit order, on both
engines), with the newest audit event and the newest ids of the bulk tables (progress reports,
commitments, periods), so rows written around the ledger's sessions also start afresh. The stamp is
read in the caller's own transaction (after its autoflush), so a request that has just changed the
ledger reads its own change, never a figure computed before it; several worker processes each keep
their own figures, all checked against the same database.

After a change, the figures of the stamp before it are not all thrown away: the change feed says
which commitments the changes in between touched, and the lights judged for every other commitment
(the ``judgements``), their pages and the report's areas are carried over to the new stamp — so the first read
after one accepted report judges one commitment again, not a province. A change of anything else
(settings, periods, units) carries nothing.

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

from luoshi.ledger import changes, policy
from luoshi.ledger.models import AuditEvent, Commitment, LedgerCommit, Period, ProgressReport
from luoshi.ledger.services import status as st

T = TypeVar("T")
STAMPS_KEPT = 2  # figures of the current stamp and the one before (requests that began before a change)
ENTRIES_PER_STAMP = 256


def stamp(db: Session) -> tuple[Any, ...]:
    """The ledger's latest change as the database sees it now, in one query over primary keys: the
    change feed's serial, the newest audit event (id and time: a ledger emptied and filled again
    does not repeat it) and the newest progress report, commitment and period; with the database's
    URL, so two ledgers served by one process never share figures."""
    newest = [select(func.max(col)).scalar_subquery()
              for col in (LedgerCommit.serial, AuditEvent.id, ProgressReport.id, Commitment.id, Period.id)]
    serial_at = select(LedgerCommit.at).where(LedgerCommit.serial == newest[0]).scalar_subquery()
    at = select(AuditEvent.at).where(AuditEvent.id == newest[1]).scalar_subquery()
    serial, *rest = db.execute(select(*newest, serial_at, at)).one()
    return (str(db.get_bind().url), serial, rest.pop(4), *rest)


SERIAL, SERIAL_AT = 1, 2  # the change feed's newest serial in a stamp, and when it was committed
JUDGEMENTS = ("judgements",)  # the lights judged at a stamp (``share_judgements``)


def comes_before(earlier: tuple[Any, ...], s: tuple[Any, ...]) -> bool:
    """Whether stamp ``earlier`` is of the same ledger as ``s`` and an older change in its feed."""
    return (earlier[0] == s[0] and earlier[SERIAL] is not None and s[SERIAL] is not None
            and earlier[SERIAL] < s[SERIAL])


def changed_between(db: Session, earlier: tuple[Any, ...], s: tuple[Any, ...]) -> set[int] | None:
    """The commitments changed from stamp ``earlier`` to stamp ``s`` (:func:`comes_before`), or
    None when the change feed cannot say (anything changed, or it no longer remembers)."""
    return changes.since(db, earlier[SERIAL], s[SERIAL], after_at=earlier[SERIAL_AT])


def carried(previous: dict[Hashable, Any], changed: set[int]) -> dict[Hashable, Any]:
    """What stays true of the figures kept under the previous stamp when only the commitments
    ``changed`` changed (the change feed counts a commitment linked to a changed one as changed):
    the judgements and the pages of every other commitment, and the report's areas."""
    out: dict[Hashable, Any] = {}
    for key, value in previous.items():
        if key == JUDGEMENTS:
            out[key] = {k: {cid: s for cid, s in judged.items() if cid not in changed} for k, judged in value.items()}
        elif isinstance(key, tuple) and (key[:1] == ("area_lookup",)
                                         or (key[:1] == ("detail",) and key[1] not in changed)):
            out[key] = value
    return out


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
        self.carried = 0  # new stamps that started from the one before

    def store(self, db: Session, s: tuple[Any, ...]) -> dict[Hashable, Any]:
        """The values kept under stamp ``s``; a new stamp starts with what :func:`carried` keeps of
        the newest earlier one, when the change feed still knows what changed in between."""
        with self.lock:
            found = self.by_stamp.get(s)
            if found is not None:
                self.by_stamp.move_to_end(s)
                return found
            earlier = [k for k in self.by_stamp if comes_before(k, s)]
            before = max(earlier, key=lambda k: k[SERIAL]) if earlier else None
            previous = dict(self.by_stamp[before]) if before is not None else None
        start: dict[Hashable, Any] = {}
        if before is not None and previous:
            changed = changed_between(db, before, s)
            if changed is not None:
                start = carried(previous, changed)
                self.carried += 1
        with self.lock:
            found = self.by_stamp.get(s)
            if found is None:
                found = self.by_stamp[s] = start
                while len(self.by_stamp) > STAMPS_KEPT:
                    self.by_stamp.popitem(last=False)
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
        values = self.store(db, s)
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
            self.hits = self.misses = self.carried = 0


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
    db.info[st.CACHE] = MEMO.get(db, JUDGEMENTS, dict)


def shared(db: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``MEMO.get`` with the judgements shared as well (see :func:`share_judgements`)."""
    return MEMO.get(db, key, lambda: (share_judgements(db), compute())[1])
