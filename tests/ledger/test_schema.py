"""Migrations, audit hook and optimistic locking on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, update

from luoshi.errors import ConflictError
from luoshi.ledger.db import session_factory, transaction
from luoshi.ledger.models import AuditEvent, Base, Unit
from luoshi.ledger.services import units


def test_migration_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_pragmas(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0


def test_every_change_is_audited_in_the_same_transaction(engine):
    with transaction(engine, actor="alice") as s:
        u = units.add_unit(s, "测试市", "市测试局", aliases=["测试局"])
        uid = u.id
    with transaction(engine, actor="bob") as s:
        units.add_alias(s, uid, "测局")
    with pytest.raises(ConflictError), transaction(engine, actor="carol") as s:
        units.rename_unit(s, uid, "市新测试局")
        units.add_unit(s, "测试市", "别的局", aliases=["测局"])  # alias clash → whole unit of work rolls back
    s = session_factory(engine)()
    events = list(s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Unit").order_by(AuditEvent.id)))
    assert [(e.actor, e.action) for e in events] == [("alice", "create"), ("bob", "update")]
    assert events[1].before == {"aliases": ["测试局"]} and events[1].after == {"aliases": ["测试局", "测局"]}
    assert s.get(Unit, uid).name == "市测试局"
    s.close()


def test_stale_edit_raises_conflict(engine):
    with transaction(engine) as s:
        uid = units.add_unit(s, "测试市", "市测试局").id
    # two operators open version 1; the first saves, the second's save is refused
    with transaction(engine, actor="a") as s:
        units.add_alias(s, uid, "甲", expected_version=1)
    with pytest.raises(ConflictError, match="已被他人修改"), transaction(engine, actor="b") as s:
        units.add_alias(s, uid, "乙", expected_version=1)
    # a row changed underneath the ORM (version_id_col) also surfaces as ConflictError
    with pytest.raises(ConflictError), transaction(engine, actor="c") as s:
        u = s.get(Unit, uid)
        s.connection().execute(update(Unit).where(Unit.id == uid).values(version=Unit.version + 1))
        u.note = "late"
    s = session_factory(engine)()
    u = s.get(Unit, uid)
    assert u.aliases == ["甲"] and u.note is None and u.version == 2
    s.close()
