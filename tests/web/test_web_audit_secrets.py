"""Secrets never reach the audit trail: password and API-token hashes are replaced by markers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from luoshi.ledger.db import make_engine, transaction
from luoshi.ledger.migrate import upgrade
from luoshi.ledger.models import AuditEvent, User
from luoshi.web import accounts

from .conftest import PASSWORD

pytestmark = pytest.mark.postgres
WHEN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _user_events(engine: Engine) -> list[AuditEvent]:
    with transaction(engine, actor="test") as db:
        rows = list(db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "User").order_by(AuditEvent.id)))
        db.expunge_all()
    return rows


def test_no_audit_row_holds_a_hash(engine: Engine, ledger, as_user) -> None:
    with transaction(engine, actor="test") as db:
        accounts.add_user(db, "newbie", "leader", PASSWORD)
    with transaction(engine, actor="test") as db:
        accounts.set_password(db, "newbie", "another-long-password")
    with transaction(engine, actor="test") as db:
        token = accounts.issue_token(db, "newbie")
    with transaction(engine, actor="test") as db:
        accounts.disable(db, "newbie")
    as_user("admin")  # a login touches nothing secret either
    with transaction(engine, actor="test") as db:
        secrets = [(u.password_hash, u.api_token_hash) for u in db.scalars(select(User))]
        all_rows = [json.dumps([e.before, e.after], ensure_ascii=False) for e in db.scalars(select(AuditEvent))]
    hashes = {h for pair in secrets for h in pair if h}
    assert hashes and all_rows
    for row in all_rows:
        assert "$argon2" not in row and token not in row
        assert not any(h in row for h in hashes), row
    events = [e for e in _user_events(engine) if e.entity_id == str(_uid(engine, "newbie"))]
    create, passwd, tok, off = events
    assert create.action == "create" and create.after["password_hash"] == "(set)"
    assert create.after["api_token_hash"] is None and create.after["username"] == "newbie"
    assert passwd.before["password_hash"] == "(set)" and passwd.after["password_hash"] == "(changed)"
    # the change is dated in the trail, the hash never is
    assert set(passwd.after) == {"password_hash", "password_changed_at"}
    assert passwd.after["password_changed_at"] > passwd.before["password_changed_at"]
    assert tok.before == {"api_token_hash": None, "api_token_expires_at": None}
    assert tok.after["api_token_hash"] == "(changed)" and tok.after["api_token_expires_at"] > "2026"  # not secret
    assert off.after == {"active": False, "api_token_hash": None, "api_token_expires_at": None}
    assert off.before["api_token_hash"] == "(set)"


def _uid(engine: Engine, username: str) -> int:
    with transaction(engine, actor="test") as db:
        return db.scalar(select(User.id).where(User.username == username))


def test_upgrade_scrubs_hashes_already_in_the_trail(tmp_path: Path) -> None:
    """Rows written before 0003 (with the hashes in them) are rewritten by the migration."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    leaked = {"username": "old", "password_hash": "$argon2id$v=19$leaked", "api_token_hash": None}
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent.__table__), [
            {"actor": "a", "at": WHEN, "entity_type": "User", "entity_id": "1", "action": "create",
             "before": None, "after": leaked},
            {"actor": "a", "at": WHEN, "entity_type": "User", "entity_id": "1", "action": "update",
             "before": {"api_token_hash": None}, "after": {"api_token_hash": "abc123"}},
            {"actor": "a", "at": WHEN, "entity_type": "Unit", "entity_id": "1", "action": "create",
             "before": None, "after": {"name": "password_hash"}},
        ])
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEvent.__table__.c.before, AuditEvent.__table__.c.after)
                            .order_by(AuditEvent.__table__.c.id)).all()
    engine.dispose()
    assert rows[0].after == {"username": "old", "password_hash": "(set)", "api_token_hash": None}
    assert rows[1].before == {"api_token_hash": None} and rows[1].after == {"api_token_hash": "(changed)"}
    assert rows[2].after == {"name": "password_hash"}  # other entities untouched
