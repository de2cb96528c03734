"""Login throttling: at most N password checks per (username, client address) in a window.

The attempts live in the ledger database (``login_failures``), not in process memory, so every
worker of ``luoshi serve --workers N`` and every restart sees the same count: the allowance is N
per window for the whole deployment.

An attempt is counted *before* the password is checked, and counting is one atomic step with the
check that the allowance is not used up (:meth:`LoginThrottle.reserve`): one ``INSERT … SELECT …
WHERE (count in window) < N``. On SQLite that statement opens its transaction with ``BEGIN
IMMEDIATE`` (``luoshi.ledger.db``), so it holds the database's write lock while it counts; on
PostgreSQL, where READ COMMITTED would let concurrent inserts miss each other, the transaction
first takes an advisory lock on the (username, address) pair. Either way, parallel attempts queue
for the pair and at most N of them ever reach the password check. A successful login clears the
pair's attempts (its own included); a failed one stays counted. The writes use their own short
transaction, so an attempt is recorded even though the request's own session is rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, delete, func, literal, select

from luoshi.ledger.models import LoginFailure, utcnow

_T = LoginFailure.__table__
_PRUNE_LOCK = 0x6C756F736869  # PostgreSQL advisory lock: one pruning of old attempts at a time


def _key(username: str) -> str:
    return username.strip().lower()[:100]


def _lock_id(username: str, ip: str) -> int:
    """A signed 64-bit advisory-lock id for the (username, address) pair."""
    digest = hashlib.blake2b(f"login\x1f{username}\x1f{ip}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class LoginThrottle:
    def __init__(self, engine: Engine, max_failures: int = 5, window_seconds: float = 15 * 60) -> None:
        self.engine = engine
        self.max_failures = max_failures
        self.window = dt.timedelta(seconds=window_seconds)

    def reserve(self, username: str, ip: str, *, now: dt.datetime | None = None) -> int:
        """Count one attempt if the allowance permits: 0 when counted (go on and check the password),
        else the seconds until another attempt is allowed (do not check it)."""
        now = now or utcnow()
        since = now - self.window
        name, addr = _key(username), ip[:64]
        self._prune(since)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_lock_id(name, addr))))
            in_window = (select(func.count()).select_from(_T)
                         .where(_T.c.username == name, _T.c.ip == addr, _T.c.at > since).scalar_subquery())
            counted = conn.execute(_T.insert().from_select(
                ["username", "ip", "at"],
                select(literal(name, _T.c.username.type), literal(addr, _T.c.ip.type), literal(now, _T.c.at.type))
                .where(in_window < self.max_failures),
            ).returning(_T.c.id)).first()
            if counted is not None:
                return 0
            oldest = conn.scalar(select(func.min(_T.c.at)).where(_T.c.username == name, _T.c.ip == addr,
                                                                  _T.c.at > since))
        if oldest is None:  # the window moved on between the two statements
            return 1
        if oldest.tzinfo is None:  # aggregates skip the column type's result processing on SQLite
            oldest = (dt.datetime.fromisoformat(oldest) if isinstance(oldest, str) else oldest).replace(tzinfo=dt.UTC)
        return max(1, int((oldest + self.window - now).total_seconds()) + 1)

    def _prune(self, since: dt.datetime) -> None:
        """Delete attempts that left the window (any pair), one pruner at a time on PostgreSQL."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql" and not conn.scalar(
                    select(func.pg_try_advisory_xact_lock(_PRUNE_LOCK))):
                return
            conn.execute(delete(_T).where(_T.c.at <= since))

    def succeeded(self, username: str, ip: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_T).where(_T.c.username == _key(username), _T.c.ip == ip[:64]))
