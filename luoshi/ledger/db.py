"""Where the ledger lives and how to open it.

Configuration (environment):

- ``LUOSHI_DATABASE_URL`` — any SQLAlchemy URL. PostgreSQL: ``postgresql+psycopg://user:pw@host/db``.
- ``LUOSHI_HOME`` — data directory, default ``./var`` under the current directory. Without
  ``LUOSHI_DATABASE_URL`` the database is the SQLite file ``$LUOSHI_HOME/luoshi.db``; evidence files
  are always stored under ``$LUOSHI_HOME/evidence/``.

SQLite connections run in WAL mode with foreign keys on and a busy timeout, so the web app and a CLI
command can share the file. Sessions come from :func:`session_factory` (class :class:`LedgerSession`),
which carries the audit hook; use :func:`transaction` for one unit of work with a named actor.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from luoshi.errors import ConflictError

SQLITE_BUSY_TIMEOUT_MS = 15_000


def luoshi_home() -> Path:
    return Path(os.environ.get("LUOSHI_HOME") or Path.cwd() / "var")


def database_url() -> str:
    url = os.environ.get("LUOSHI_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    home = luoshi_home()
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'luoshi.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Engine for ``url`` (default: :func:`database_url`), with SQLite pragmas applied."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # let SQLAlchemy, not pysqlite, decide when transactions begin (SAVEPOINT support)
        event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def default_engine() -> Engine:
    """The engine for the configured URL (one per distinct URL per process)."""
    return _engine_for(database_url())


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


class LedgerSession(Session):
    """Session that writes AuditEvents (see ``luoshi.ledger.audit``); ``info['actor']`` names the actor."""

    @property
    def actor(self) -> str:
        return str(self.info.get("actor") or default_actor())


def default_actor() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser() or "system"
    except Exception:  # getpass raises when no user name can be found (containers)
        return "system"


def session_factory(engine: Engine) -> sessionmaker[LedgerSession]:
    from luoshi.ledger import audit  # noqa: F401  (registers the hook on LedgerSession)

    return sessionmaker(bind=engine, class_=LedgerSession, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine | None = None, *, actor: str | None = None) -> Iterator[LedgerSession]:
    """One unit of work: commit on success, roll back on any error; stale edits → ConflictError."""
    session = session_factory(engine or default_engine())()
    session.info["actor"] = actor or default_actor()
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise ConflictError("记录已被他人修改，请刷新后重试（stale edit）") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
