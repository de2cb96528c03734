"""Concurrent writes that collide, recognised in one place and told to the person as a conflict.

Two people (or two processes) changing the same rows at once end in one of a few database errors,
different per engine: an optimistic-lock miss (``StaleDataError``), a unique constraint that the
other writer satisfied first (``IntegrityError``), a serialization failure or deadlock on
PostgreSQL (SQLSTATE 40001 / 40P01), a lock wait that timed out (55P03 / "database is locked" on
SQLite). None of them is a bug or bad input: the same request succeeds when tried again on fresh
data. :func:`as_conflict` turns each into a :class:`ConcurrentWriteError` (HTTP 409 with a retry
hint, CLI exit 2 with one line); every other error is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from luoshi.errors import ConflictError

T = TypeVar("T")

RETRY_AFTER_SECONDS = 1
# PostgreSQL SQLSTATEs of a collision with another transaction
_PG_CONFLICT_STATES = {
    "23505": "unique",  # unique_violation
    "40001": "serialization",  # serialization_failure
    "40P01": "deadlock",  # deadlock_detected
    "55P03": "locked",  # lock_not_available
}
_SQLITE_LOCKED = ("database is locked", "database table is locked", "database schema has changed")


class ConcurrentWriteError(ConflictError):
    """Someone else wrote the same data at the same moment; trying again will see their change."""

    retry_after = RETRY_AFTER_SECONDS


MESSAGES = {
    "stale": "记录已被他人同时修改，请刷新后重试",
    "unique": "相同的数据刚被他人同时创建，请刷新后重试",
    "serialization": "数据正被他人同时修改，请稍后重试",
    "deadlock": "数据正被他人同时修改，请稍后重试",
    "locked": "数据库正忙（他人正在写入），请稍后重试",
}


def conflict_kind(exc: BaseException) -> str | None:
    """Which collision ``exc`` is (a key of :data:`MESSAGES`), or ``None`` if it is not one."""
    if isinstance(exc, StaleDataError):
        return "stale"
    if not isinstance(exc, DBAPIError):
        return None
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if state in _PG_CONFLICT_STATES:
        return _PG_CONFLICT_STATES[state]
    text = str(exc.orig).lower()
    if isinstance(exc, IntegrityError) and "unique constraint failed" in text:  # SQLite
        return "unique"
    if isinstance(exc, OperationalError) and any(m in text for m in _SQLITE_LOCKED):
        return "locked"
    return None


def as_conflict(exc: BaseException) -> ConcurrentWriteError | None:
    """The user-facing conflict for a colliding write, or ``None`` for any other error."""
    if isinstance(exc, ConcurrentWriteError):
        return exc
    kind = conflict_kind(exc)
    if kind is None:
        return None
    error = ConcurrentWriteError(MESSAGES[kind])
    error.__cause__ = exc
    return error


def retrying(session: Session, work: Callable[[], T], *, attempts: int = 3) -> T:
    """Run ``work`` in a SAVEPOINT; when it collides with a parallel writer, run it again.

    For work that is right to repeat on fresh data — an import that a parallel import of the same
    report just carried out finds it already there the second time. A lock that could not be had
    within the busy timeout is not retried (waiting again would only double the wait).
    """
    for attempt in range(1, attempts + 1):
        try:
            with session.begin_nested():
                return work()
        except Exception as exc:
            conflict = as_conflict(exc)
            if conflict is None:
                raise
            if attempt == attempts or conflict_kind(exc) == "locked":
                raise conflict from exc
    raise AssertionError("unreachable")  # the loop returns or raises
