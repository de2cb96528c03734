"""The web shows and enforces the ledger's one rule for 督办单 (``may_answer`` / ``may_close``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from luoshi.ledger.db import transaction
from luoshi.ledger.models import Assignment, Notice, User
from luoshi.ledger.policy import may_answer, may_close

from .conftest import csrf_from

pytestmark = pytest.mark.postgres


@pytest.fixture
def notice(engine: Engine, ledger) -> int:
    """A notice on A (led by unit 1) sent to unit 1; unit 2 supports A but is not addressed."""
    with transaction(engine, actor="fixture") as db:
        db.add(Assignment(commitment_id=ledger.a, unit_id=ledger.unit2, role="support", confirmed=True))
        n = Notice(commitment_id=ledger.a, unit_id=ledger.unit1, period_id=ledger.q1, reason="red", detail="进度滞后",
                   issued=dt.date(2024, 4, 10), due=dt.date(2024, 4, 17))
        db.add(n)
        db.flush()
        return n.id


def test_flags_and_lists_follow_the_ledger_rule(as_user, engine: Engine, notice: int) -> None:
    seen = {}
    for username in ("admin", "leader", "liaison1", "liaison2"):
        rows = as_user(username).get("/api/notices").json()
        seen[username] = {r["id"]: r for r in rows}
        with transaction(engine, actor="test") as db:
            user = db.scalar(select(User).where(User.username == username))
            n = db.get(Notice, notice)
            expected = may_answer(user, n)
            if username in seen and notice in seen[username]:
                assert seen[username][notice]["can_answer"] is expected
                assert seen[username][notice]["can_close"] is False  # not answered yet
            else:
                assert not expected  # a liaison sees exactly the notices they may answer
    assert notice in seen["liaison1"] and notice not in seen["liaison2"] and notice in seen["leader"]
    assert seen["leader"][notice]["can_answer"] is False and seen["admin"][notice]["can_answer"] is True


def test_answer_and_close_through_the_ledger_rule(as_user, engine: Engine, notice: int) -> None:
    supporter = as_user("liaison2")
    r = supporter.post(f"/api/notices/{notice}/answer", json={"answer": "配合单位答复"},
                       headers={"X-CSRF-Token": supporter.csrf})
    assert r.status_code == 403 and "只能答复发给本单位的督办单" in r.json()["error"]
    lead = as_user("liaison1")
    page = lead.get("/my/notices").text
    assert f'action="/my/notices/{notice}"' in page
    r = lead.post(f"/my/notices/{notice}", data={"answer": "已整改", "csrf_token": csrf_from(page)},
                  follow_redirects=False)
    assert r.status_code == 303 and "msg=" in r.headers["location"]
    assert lead.post(f"/api/notices/{notice}/close", headers={"X-CSRF-Token": lead.csrf}).status_code == 403
    admin = as_user("admin")
    row = next(n for n in admin.get("/api/notices").json() if n["id"] == notice)
    assert row["can_close"] is True and row["answer"] == "已整改"
    assert f'action="/admin/notices/{notice}/close"' in admin.get("/admin/notices").text
    assert admin.post(f"/api/notices/{notice}/close", headers={"X-CSRF-Token": admin.csrf}).status_code == 200
    with transaction(engine, actor="test") as db:
        assert not may_close(db.scalar(select(User).where(User.username == "leader")), db.get(Notice, notice))
    closed = lead.get("/my/notices").text
    assert f'action="/my/notices/{notice}"' not in closed and "已办结" in closed
