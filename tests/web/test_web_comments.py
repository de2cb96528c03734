"""Leader comments (领导批示): who may post and read, append-only, audited, escaped on the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from luoshi.errors import ConflictError
from luoshi.ledger.db import transaction
from luoshi.ledger.models import AuditEvent, Comment

from .conftest import csrf_from

pytestmark = pytest.mark.postgres
EVIL = '<script>alert("x")</script>请加快进度'


def _post(client, cid: int, body: str):
    return client.post(f"/api/commitments/{cid}/comments", json={"body": body},
                       headers={"X-CSRF-Token": client.csrf})


def test_leader_and_admin_post_liaisons_of_the_unit_read(as_user, client, ledger, engine: Engine) -> None:
    leader, admin = as_user("leader"), as_user("admin")
    r = _post(leader, ledger.b, EVIL)
    assert r.status_code == 201, r.text
    assert r.json()["author"]["username"] == "leader" and r.json()["body"] == EVIL
    assert _post(admin, ledger.b, "督查室：已电话督促").status_code == 201
    # the unpublished item too: leaders and the office read everything
    assert _post(leader, ledger.c, "尽快公开").status_code == 201
    bodies = [c["body"] for c in leader.get(f"/api/commitments/{ledger.b}/comments").json()]
    assert bodies == [EVIL, "督查室：已电话督促"]
    liaison2 = as_user("liaison2")  # unit 2 leads b
    assert [c["body"] for c in liaison2.get(f"/api/commitments/{ledger.b}/comments").json()] == bodies
    assert _post(liaison2, ledger.b, "我们也想说").status_code == 403
    liaison1 = as_user("liaison1")  # unit 1 has nothing to do with b
    assert liaison1.get(f"/api/commitments/{ledger.b}/comments").status_code == 403
    assert liaison1.get(f"/api/commitments/{ledger.a}/comments").json() == []
    # the public never: not even for a published item
    assert client.get(f"/api/commitments/{ledger.b}/comments").status_code == 401
    assert client.post(f"/api/commitments/{ledger.b}/comments", json={"body": "x"}).status_code == 401
    assert "督查室：已电话督促" not in client.get(f"/c/{ledger.b}").text
    with transaction(engine, actor="test") as db:
        events = list(db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Comment")))
        assert len(events) == 3 and all(e.action == "create" for e in events)
        assert {e.commitment_id for e in events} == {ledger.b, ledger.c}


def test_cookie_post_needs_csrf_and_body(as_user, ledger) -> None:
    leader = as_user("leader")
    assert leader.post(f"/api/commitments/{ledger.a}/comments", json={"body": "无令牌"}).status_code == 403
    assert _post(leader, ledger.a, "   ").status_code == 422
    assert _post(leader, ledger.a, "长" * 2001).status_code == 422
    assert _post(leader, 99999, "不存在").status_code == 404


def test_comments_are_append_only(as_user, ledger, engine: Engine) -> None:
    assert _post(as_user("leader"), ledger.a, "第一条").status_code == 201
    with pytest.raises(ConflictError), transaction(engine, actor="test") as db:
        db.scalars(select(Comment)).one().body = "改写"
    with pytest.raises(ConflictError), transaction(engine, actor="test") as db:
        db.delete(db.scalars(select(Comment)).one())
    with transaction(engine, actor="test") as db:
        assert db.scalars(select(Comment)).one().body == "第一条"


def test_forms_on_leader_and_admin_pages_escape(as_user, ledger) -> None:
    leader = as_user("leader")
    page = leader.get(f"/dashboard/c/{ledger.a}").text
    assert f'action="/dashboard/c/{ledger.a}/comments"' in page
    r = leader.post(f"/dashboard/c/{ledger.a}/comments", data={"body": EVIL, "csrf_token": csrf_from(page)},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/dashboard/c/{ledger.a}?msg=")
    page = leader.get(f"/dashboard/c/{ledger.a}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;请加快进度" in page and "<script>alert" not in page
    # without a CSRF token the form is refused
    assert leader.post(f"/dashboard/c/{ledger.a}/comments", data={"body": "x"}).status_code == 403
    admin = as_user("admin")
    page = admin.get(f"/admin/commitments/{ledger.a}").text
    assert "&lt;script&gt;" in page and f'action="/admin/commitments/{ledger.a}/comments"' in page
    r = admin.post(f"/admin/commitments/{ledger.a}/comments", data={"body": "督查室意见", "csrf_token": csrf_from(page)},
                   follow_redirects=False)
    assert r.status_code == 303
    # the liaison of the lead unit reads them (no form) on the reporting page
    page = as_user("liaison1").get(f"/my/c/{ledger.a}/report").text
    assert "督查室意见" in page and "&lt;script&gt;" in page and "/comments\"" not in page
    # a liaison cannot use the leader's form
    liaison = as_user("liaison1")
    form = liaison.get(f"/my/c/{ledger.a}/report").text
    assert liaison.post(f"/dashboard/c/{ledger.a}/comments", data={"body": "x", "csrf_token": csrf_from(form)},
                        follow_redirects=False).status_code == 403
