"""The login throttle is shared through the database: two app instances (two workers) on one ledger
allow N failures in total, not N each; same limits, 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from luoshi.ledger.models import LoginFailure
from luoshi.web.ratelimit import LoginThrottle

from .conftest import PASSWORD

pytestmark = pytest.mark.postgres
T0 = dt.datetime(2024, 5, 15, 8, 0, tzinfo=dt.UTC)


def _worker(engine: Engine, home: Path):
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    settings = Settings(home=home, database_url=str(engine.url), secret_key=b"test-secret-key" * 3)
    return TestClient(create_app(settings, engine=engine), base_url="http://testserver")


def test_two_workers_share_one_allowance(engine: Engine, ledger, luoshi_home: Path) -> None:
    w1, w2 = _worker(engine, luoshi_home), _worker(engine, luoshi_home)
    limit = w1.app.state.settings.login_max_failures
    codes = []
    for i in range(limit):  # alternate between the two workers, as a load balancer would
        w = (w1, w2)[i % 2]
        codes.append(w.post("/api/session", json={"username": "admin", "password": f"wrong-{i}"}).status_code)
    assert codes == [401] * limit
    for w in (w1, w2):  # both workers now refuse, even the right password
        r = w.post("/api/session", json={"username": "Admin ", "password": PASSWORD})
        assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 15 * 60 + 1
    # other users and other addresses are not affected
    assert w2.post("/api/session", json={"username": "leader", "password": PASSWORD}).status_code == 200


def test_success_clears_and_window_expires(engine: Engine, ledger) -> None:
    th = LoginThrottle(engine, max_failures=3, window_seconds=60)
    for i in range(3):  # each attempt is counted before its password is checked
        assert th.reserve("Admin", "1.2.3.4", now=T0 + dt.timedelta(seconds=i)) == 0
    assert th.reserve("admin", "1.2.3.4", now=T0 + dt.timedelta(seconds=3)) == 58  # case-insensitive
    assert th.reserve("admin", "5.6.7.8", now=T0 + dt.timedelta(seconds=3)) == 0
    assert th.reserve("leader", "1.2.3.4", now=T0 + dt.timedelta(seconds=3)) == 0
    # the first attempt leaves the window after 60 s: pruned from the table, one more is allowed
    assert th.reserve("admin", "1.2.3.4", now=T0 + dt.timedelta(seconds=60.5)) == 0
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LoginFailure)) == 5
    th.succeeded("ADMIN", "1.2.3.4")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LoginFailure)) == 2  # other pairs stay
