"""Backup from SQLite, restore into PostgreSQL, back again: the same rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from luoshi.errors import ConflictError
from luoshi.ledger.db import transaction
from luoshi.ledger.models import Base
from luoshi.ledger.services import assign, commitments, importing
from luoshi.ledger.services.backup import backup, restore

from .helpers import seed_extraction


def rows(engine) -> dict[str, list]:
    """Every row of every table, less the audit events of restores (each restore adds one) and the
    change feed (a restore is one more change; the kept trend, rebuilt, is compared)."""
    out = {}
    with engine.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name == "ledger_commits":
                continue
            query = select(t).order_by(*t.primary_key.columns)
            if t.name == "audit_events":
                query = query.where(t.c.entity_type != "Backup")
            out[t.name] = [tuple(r) for r in conn.execute(query)]
    return out


@pytest.mark.postgres
def test_backup_roundtrip_across_engines(sqlite_engine, pg_engine, tmp_path, luoshi_home, clean_db):
    clean_engine = clean_db
    clean_engine(sqlite_engine)
    clean_engine(pg_engine)
    ex, text = seed_extraction()
    with transaction(sqlite_engine, actor="op") as s:
        report = importing.apply_plan(s, importing.plan_import(s, ex, government="枣庄市", source_text=text))
        for c in commitments.list_commitments(s, report)[:3]:
            assign.assign(s, c)
        commitments.update(s, commitments.list_commitments(s, report)[0], {"leader": "市政府副市长 张三"})
    original = rows(sqlite_engine)
    backup(sqlite_engine, tmp_path / "a.zip")
    restore(pg_engine, tmp_path / "a.zip")
    assert rows(pg_engine) == original
    with pytest.raises(ConflictError):
        restore(pg_engine, tmp_path / "a.zip")
    # new rows after restore get fresh ids (sequences were reset)
    with transaction(pg_engine) as s:
        c = commitments.add_manual(s, s.get(type(report), report.id), kind="measure", title="手工任务")
        assert c.id == max(r[0] for r in original["commitments"]) + 1
        s.rollback()
    backup(pg_engine, tmp_path / "b.zip")
    clean_engine(sqlite_engine)
    restore(sqlite_engine, tmp_path / "b.zip")
    assert rows(sqlite_engine) == original
