"""Login throttling: at most N failed attempts per (username, client address) in a window.

Kept in memory of the serving process: with ``--workers N`` each worker counts separately, so the
effective limit is at most N × the configured one; a restart forgets the counts. That is enough to
make online guessing impractical without a shared store.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_seconds: float = 15 * 60) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, ip: str, *, now: float | None = None) -> int:
        """Seconds until another attempt is allowed; 0 when allowed now."""
        now = time.monotonic() if now is None else now
        key = (username.strip().lower(), ip)
        with self._lock:
            q = self._prune(key, now)
            if len(q) < self.max_failures:
                return 0
            return max(1, int(q[0] + self.window - now) + 1)

    def failed(self, username: str, ip: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        key = (username.strip().lower(), ip)
        with self._lock:
            self._prune(key, now).append(now)

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._failures.pop((username.strip().lower(), ip), None)
