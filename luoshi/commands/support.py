"""Glue shared by the commands that use the ledger: opening a checked database and naming the actor.

A command refuses to run against a database that is not at the latest schema (``luoshi serve`` does
the same before starting the web app), so an old database is never written half-understood."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from luoshi.errors import LuoshiError
from luoshi.ledger.db import LedgerSession, default_engine, transaction


class SchemaError(LuoshiError):
    pass


def checked_engine() -> Engine:
    """The configured engine, refusing to run against a database that is not at the latest schema."""
    from luoshi.ledger.migrate import current_revision, head_revision

    engine = default_engine()
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaError(f"数据库结构版本为 {current or '空'}，需要 {head}：请先运行 luoshi db upgrade")
    return engine


@contextmanager
def unit_of_work(actor: str | None) -> Iterator[LedgerSession]:
    with transaction(checked_engine(), actor=actor) as session:
        yield session
