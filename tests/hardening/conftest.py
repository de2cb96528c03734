"""Fixtures shared by the hardening tests.

- The hypothesis profile ``hardening``; ``LUOSHI_FUZZ_SCALE`` multiplies every fuzz test's example
  budget (default 1, sized so the whole hardening suite stays within a few minutes on two cores).
- A seeded ledger (seed report imported, assigned, published; accounts for every role, see
  ``luoshi.devtools.seeding``) is built ONCE per engine per test session as a template; each test
  module that asks for ``web`` (SQLite) or ``web_any`` (SQLite and PostgreSQL) gets its own copy
  (a file copy, or ``CREATE DATABASE … TEMPLATE``), so attacks that succeed cannot leak into other
  modules.
- ``Caller`` is a TestClient acting as one role: anonymous, a cookie session (which sends the CSRF
  header on writes) or a Bearer token.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from luoshi.devtools.seeding import PASSWORD, Seeded

settings.register_profile(
    "hardening",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.function_scoped_fixture],
)

TODAY = "2024-11-15"  # inside the seed report's plan year


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    from luoshi.devtools.seeding import seed_ledger
    from luoshi.ledger.db import make_engine

    home = tmp_path_factory.mktemp("seed-sqlite")
    path = home / "luoshi.db"
    engine = make_engine(f"sqlite:///{path}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUOSHI_HOME", str(home))
        seeded = seed_ledger(engine)
    engine.dispose()
    return path, seeded


def _pg_admin_uri(pg_url: str) -> str:
    """A libpq URI of the server's maintenance database, from the test database's SQLAlchemy URL."""
    base, _, query = pg_url.replace("postgresql+psycopg://", "postgresql://", 1).partition("?")
    return base.rsplit("/", 1)[0] + "/postgres" + (f"?{query}" if query else "")


def pg_create_database(pg_url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (optionally from ``template``) and return its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(_pg_admin_uri(pg_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    base, _, query = pg_url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def pg_template(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Seeded]:
    from luoshi.devtools.seeding import seed_ledger
    from luoshi.ledger.db import make_engine

    url = pg_create_database(pg_url, "luoshi_hardening_template")
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUOSHI_HOME", str(tmp_path_factory.mktemp("seed-pg")))
        seeded = seed_ledger(engine)
    engine.dispose()
    return "luoshi_hardening_template", seeded


@dataclass
class WebEnv:
    """One app instance over its own copy of the seeded ledger."""

    kind: str
    app: Any
    engine: Any
    settings: Any
    seeded: Seeded
    home: Path
    callers: dict[str, Caller] = field(default_factory=dict)

    def client(self) -> Any:
        from fastapi.testclient import TestClient

        return TestClient(self.app, base_url="http://testserver", follow_redirects=False)

    def anonymous(self) -> Caller:
        return Caller(self.client(), "anonymous")

    def session(self, username: str) -> Caller:
        """A cookie session for ``username`` (logs in once per module and keeps it)."""
        key = f"session:{username}"
        if key not in self.callers:
            c = self.client()
            r = c.post("/api/session", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.callers[key] = Caller(c, username, csrf=r.json()["csrf_token"])
        return self.callers[key]

    def token(self, username: str) -> Caller:
        c = self.client()
        c.headers["Authorization"] = f"Bearer {self.seeded.tokens[username]}"
        return Caller(c, username)


@dataclass
class Caller:
    client: Any
    name: str
    csrf: str | None = None

    def request(self, method: str, url: str, **kw: Any) -> Any:
        if self.csrf and method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            kw.setdefault("headers", {})
            kw["headers"] = {"X-CSRF-Token": self.csrf, **kw["headers"]}
        return self.client.request(method, url, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)


def _make_env(kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    from luoshi.ledger.db import make_engine
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    home = tmp_path_factory.mktemp(f"web-{kind}")
    if kind == "sqlite":
        path, seeded = request.getfixturevalue("sqlite_template")
        for suffix in ("", "-wal", "-shm"):
            if Path(str(path) + suffix).exists():
                shutil.copy(str(path) + suffix, str(home / "luoshi.db") + suffix)
        url = f"sqlite:///{home / 'luoshi.db'}"
    else:
        template, seeded = request.getfixturevalue("pg_template")
        url = pg_create_database(request.getfixturevalue("pg_url"), f"luoshi_h_{uuid.uuid4().hex[:10]}", template)
    engine = make_engine(url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUOSHI_HOME", str(home))
        mp.setenv("LUOSHI_TODAY", TODAY)
        mp.delenv("LUOSHI_DATABASE_URL", raising=False)
        settings_ = Settings(home=home, database_url=url, secret_key=os.urandom(32).hex().encode(),
                             max_upload_bytes=2 * 1024 * 1024, max_evidence_bytes=1024 * 1024)
        app = create_app(settings_, engine=engine)
        yield WebEnv(kind, app, engine, settings_, seeded, home)
    engine.dispose()


@pytest.fixture(scope="module")
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The app over a fresh copy of the seeded SQLite ledger (one per test module)."""
    yield from _make_env("sqlite", request, tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def web_any(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The app over a fresh copy of the seeded ledger, on SQLite and on PostgreSQL."""
    yield from _make_env(request.param, request, tmp_path_factory)
