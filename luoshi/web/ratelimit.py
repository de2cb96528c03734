"""Login throttling: at most N failed attempts per (username, client address) in a window.

The failures live in the ledger database (``login_failures``), not in process memory, so every
worker of ``luoshi serve --workers N`` and every restart sees the same count: the allowance is N
per window for the whole deployment. Each check prunes the rows that left the window. The writes
use their own short transaction, so a failed login is recorded even though the request's own
session is rolled back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, func, select

from luoshi.ledger.models import LoginFailure, utcnow

_T = LoginFailure.__table__


def _key(username: str) -> str:
    return username.strip().lower()[:100]


class LoginThrottle:
    def __init__(self, engine: Engine, max_failures: int = 5, window_seconds: float = 15 * 60) -> None:
        self.engine = engine
        self.max_failures = max_failures
        self.window = dt.timedelta(seconds=window_seconds)

    def retry_after(self, username: str, ip: str, *, now: dt.datetime | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now. Prunes expired failures."""
        now = now or utcnow()
        since = now - self.window
        with self.engine.begin() as conn:
            conn.execute(delete(_T).where(_T.c.at <= since))
            count, oldest = conn.execute(
                select(func.count(), func.min(_T.c.at)).where(_T.c.username == _key(username), _T.c.ip == ip[:64],
                                                              _T.c.at > since)
            ).one()
        if count < self.max_failures or oldest is None:
            return 0
        if oldest.tzinfo is None:  # aggregates skip the column type's result processing on SQLite
            oldest = (dt.datetime.fromisoformat(oldest) if isinstance(oldest, str) else oldest).replace(tzinfo=dt.UTC)
        return max(1, int((oldest + self.window - now).total_seconds()) + 1)

    def failed(self, username: str, ip: str, *, now: dt.datetime | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(_T.insert().values(username=_key(username), ip=ip[:64], at=now or utcnow()))

    def succeeded(self, username: str, ip: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_T).where(_T.c.username == _key(username), _T.c.ip == ip[:64]))
