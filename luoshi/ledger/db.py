"""Where the ledger lives and how to open it.

Configuration (environment):

- ``LUOSHI_DATABASE_URL`` — any SQLAlchemy URL. PostgreSQL: ``postgresql+psycopg://user:pw@host/db``.
- ``LUOSHI_DB_POOL_SIZE`` / ``LUOSHI_DB_MAX_OVERFLOW`` — connections kept / extra per process (see
  ``POOL_SIZE`` below).
- ``LUOSHI_HOME`` — data directory, default ``./var`` under the current directory. Without
  ``LUOSHI_DATABASE_URL`` the database is the SQLite file ``$LUOSHI_HOME/luoshi.db``; evidence files
  are always stored under ``$LUOSHI_HOME/evidence/``. The directory, the SQLite file (and its
  -wal/-shm) are owner-only (0700/0600, see ``luoshi.ledger.private``).

SQLite connections run in WAL mode with foreign keys on and a busy timeout, so the web app and a CLI
command can share the file. Sessions come from :func:`session_factory` (class :class:`LedgerSession`),
which carries the audit hook; use :func:`transaction` for one unit of work with a named actor.

Transactions on SQLite behave like PostgreSQL's default READ COMMITTED, for the same reason: many
readers and a few writers at once (``luoshi serve --workers N``). Until a unit of work writes, each
read runs on its own (WAL readers never wait and never hold an old snapshot); its first write —
INSERT/UPDATE/DELETE, DDL or a SAVEPOINT — opens the transaction with ``BEGIN IMMEDIATE``, which
takes the single write lock up front and waits for it (busy timeout) instead of failing: a deferred
``BEGIN`` that reads first and then tries to write fails at once with "database is locked" when
another writer committed in between, whatever the busy timeout. The write lock is therefore held
only from the first write to the commit. A caller that needs one snapshot across several reads
(an export) asks for it with ``execution_options(sqlite_begin="DEFERRED")``.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from luoshi.errors import ValidationError
from luoshi.ledger.conflicts import as_conflict
from luoshi.ledger.private import private_dir, private_file, touch_private

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Connection pool per process. The web app does all database work in its worker threads (32 by
# default, LUOSHI_THREADS; see luoshi.web.app.worker_threads), one connection per thread at most,
# so the pool (size + overflow) must exceed that. SQLite connections are cheap; PostgreSQL ones are
# server processes (default max_connections 100): with many workers lower LUOSHI_THREADS together
# with LUOSHI_DB_POOL_SIZE / LUOSHI_DB_MAX_OVERFLOW.
POOL_SIZE = {"sqlite": 10, "postgresql": 10}
MAX_OVERFLOW = {"sqlite": 50, "postgresql": 30}
# statements that only read: anything else opens a write transaction (see the module docstring)
_READ_ONLY = ("SELECT", "PRAGMA", "EXPLAIN", "VALUES")
LIKE_ESCAPE = "\\"


def luoshi_home() -> Path:
    return Path(os.environ.get("LUOSHI_HOME") or Path.cwd() / "var")


def database_url() -> str:
    url = os.environ.get("LUOSHI_DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    home = private_dir(luoshi_home())
    return f"sqlite:///{home / 'luoshi.db'}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """SQLAlchemy begins a transaction: open it now only when asked to (``sqlite_begin``)."""
    mode = conn.get_execution_options().get("sqlite_begin")
    if mode:
        conn.exec_driver_sql(f"BEGIN {_begin_mode(mode)}")


def _begin_mode(mode: str) -> str:
    mode = str(mode).upper()
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"sqlite_begin must be DEFERRED, IMMEDIATE or EXCLUSIVE, not {mode!r}")
    return mode


def _sqlite_write_begins(conn: Connection, cursor: Any, statement: str, _params: Any, context: Any,
                         _many: bool) -> None:
    """Before the first write of a unit of work, take the write lock: ``BEGIN IMMEDIATE``."""
    dbapi_conn = cursor.connection
    if dbapi_conn.in_transaction or conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    if not _is_write(statement, context):
        return
    dbapi_conn.execute("BEGIN IMMEDIATE")


def _is_write(statement: str, context: Any) -> bool:
    head = statement.lstrip()[:8].upper()
    if head.startswith(_READ_ONLY) or head.startswith("BEGIN"):  # BEGIN: an explicit sqlite_begin
        return False
    if head.startswith("WITH") and context is not None and context.compiled is not None:
        return bool(context.isinsert or context.isupdate or context.isdelete)  # a CTE select reads
    return True  # INSERT/UPDATE/DELETE/REPLACE, DDL, SAVEPOINT, or text we cannot classify


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Engine for ``url`` (default: :func:`database_url`), with SQLite pragmas applied."""
    url = url or database_url()
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database not in (None, "", ":memory:"):
            _pool_kwargs("sqlite", kwargs)
            _private_sqlite_files(Path(database))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # let SQLAlchemy (and the hooks below), not pysqlite, decide when transactions begin
        event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_write_begins)
        return engine
    if url.startswith("postgresql"):
        _pool_kwargs("postgresql", kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _private_sqlite_files(path: Path) -> None:
    """The database file (password hashes) and its WAL/shared-memory files, owner-only.

    SQLite gives the -wal and -shm files the mode of the database file, so creating that one as
    0600 before the first connection (an empty file is a valid new database) covers all three;
    files left by an older install with wider modes are tightened.
    """
    if path.parent.is_dir() and not str(path).startswith("file:"):
        touch_private(path)
        for suffix in ("-wal", "-shm", "-journal"):
            private_file(Path(f"{path}{suffix}"))


def _pool_kwargs(dialect: str, kwargs: dict[str, Any]) -> None:
    if "poolclass" in kwargs:
        return
    for key, env, default in (("pool_size", "LUOSHI_DB_POOL_SIZE", POOL_SIZE[dialect]),
                              ("max_overflow", "LUOSHI_DB_MAX_OVERFLOW", MAX_OVERFLOW[dialect])):
        value = os.environ.get(env)
        if value is not None and not value.strip().isdigit():
            raise ValidationError(f"{env} 应为非负整数：{value!r}")
        kwargs.setdefault(key, int(value) if value is not None else default)


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern: ``%``, ``_`` and the escape character escaped.

    Use with ``escape=LIKE_ESCAPE``: ``column.ilike(f"%{escape_like(q)}%", escape=LIKE_ESCAPE)``.
    """
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


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
    from luoshi.ledger import audit, changes  # noqa: F401  (register their hooks on LedgerSession)

    return sessionmaker(bind=engine, class_=LedgerSession, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine | None = None, *, actor: str | None = None) -> Iterator[LedgerSession]:
    """One unit of work: commit on success, roll back on any error; colliding writes → a conflict error (409, exit 2)."""
    session = session_factory(engine or default_engine())()
    session.info["actor"] = actor or default_actor()
    try:
        yield session
        session.commit()
    except Exception as exc:
        session.rollback()
        conflict = as_conflict(exc)  # a parallel writer got there first: 409 / exit 2, not a traceback
        if conflict is None:
            raise
        raise conflict from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
