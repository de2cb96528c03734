"""Every role trying what it must not do — on SQLite and PostgreSQL.

Matrix (role × action → expected status) is spelled out in each test's parameters.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from luoshi.web.auth import SESSION_COOKIE
from luoshi.web.signing import sign

from .conftest import csrf_from

pytestmark = pytest.mark.postgres


def report_body(ledger, period=None, percent=30):
    return {"period_id": period or ledger.q1, "percent": percent, "narrative": "完成前期手续"}


# ------------------------------------------------------------------ public (no login)


def test_public_sees_only_published(client: TestClient, ledger) -> None:
    items = client.get("/api/commitments").json()
    ids = {i["id"] for i in items["items"]}
    assert ids == {ledger.a, ledger.b} and items["total"] == 2
    assert client.get(f"/api/commitments/{ledger.c}").status_code == 404
    assert client.get(f"/c/{ledger.c}").status_code == 404
    assert client.get(f"/api/commitments/{ledger.c}/progress").status_code == 404
    assert client.get(f"/c/{ledger.a}").status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/commitments/{a}/progress", {"period_id": 1, "percent": 10}),
    ("patch", "/api/commitments/{a}", {"title": "改"}),
    ("post", "/api/reports/{report}/publish", None),
    ("get", "/api/commitments/{a}/history", None),
    ("get", "/api/progress", None),
    ("get", "/api/notices", None),
    ("get", "/api/scorecard", None),
])
def test_public_cannot_write_or_read_private(client: TestClient, ledger, method, path, body) -> None:
    url = path.format(a=ledger.a, report=ledger.report)
    r = client.request(method.upper(), url, json=body)
    assert r.status_code == 401
    assert r.json()["error"]


@pytest.mark.parametrize("path", ["/admin", "/my", "/dashboard", "/admin/reports/1"])
def test_public_pages_redirect_to_login(client: TestClient, ledger, path) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


# ------------------------------------------------------------------ liaison


def test_liaison_reports_own_unit_only(as_user, ledger) -> None:
    c = as_user("liaison1")
    h = {"X-CSRF-Token": c.csrf}
    ok = c.post(f"/api/commitments/{ledger.a}/progress", json=report_body(ledger), headers=h)
    assert ok.status_code == 201, ok.text
    assert ok.json()["state"] == "submitted"
    other = c.post(f"/api/commitments/{ledger.b}/progress", json=report_body(ledger), headers=h)
    assert other.status_code == 403
    # the unpublished item of another unit is invisible, not just forbidden
    assert c.post(f"/api/commitments/{ledger.c}/progress", json=report_body(ledger), headers=h).status_code == 404


@pytest.mark.parametrize(("method", "path", "body", "code"), [
    ("patch", "/api/commitments/{a}", {"title": "改名"}, 403),
    ("post", "/api/reports/{report}/publish", None, 403),
    ("put", "/api/commitments/{a}/assignments", {"lead": "审批局"}, 403),
    ("post", "/api/periods/{q1}/notices", None, 403),
    ("put", "/api/commitments/{a}/evaluation", {"result": "完成"}, 403),
    ("get", "/api/scorecard", None, 403),
    ("get", "/api/commitments/{b}/history", None, 403),
])
def test_liaison_forbidden_actions(as_user, ledger, method, path, body, code) -> None:
    c = as_user("liaison1")
    url = path.format(a=ledger.a, b=ledger.b, report=ledger.report, q1=ledger.q1)
    r = c.request(method.upper(), url, json=body, headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == code, r.text


def test_liaison_cannot_review_reports(as_user, ledger) -> None:
    c = as_user("liaison1")
    h = {"X-CSRF-Token": c.csrf}
    pid = c.post(f"/api/commitments/{ledger.a}/progress", json=report_body(ledger), headers=h).json()["id"]
    r = c.post(f"/api/progress/{pid}/review", json={"decision": "accept"}, headers=h)
    assert r.status_code == 403


def test_liaison_editing_other_units_report_via_form_is_403(as_user, ledger) -> None:
    other = as_user("liaison2")
    r = other.post(f"/api/commitments/{ledger.b}/progress", json=report_body(ledger),
                   headers={"X-CSRF-Token": other.csrf})
    assert r.status_code == 201
    c = as_user("liaison1")
    page = c.get(f"/my/c/{ledger.b}/report")
    assert page.status_code == 403
    r = c.post(f"/my/c/{ledger.b}/report", data={"csrf_token": c.csrf, "period": str(ledger.q1), "percent": "99",
                                                "narrative": "篡改"}, follow_redirects=False)
    assert r.status_code == 403
    hist = as_user("admin").get(f"/api/commitments/{ledger.b}/progress").json()
    assert [p["percent"] for p in hist] == [30]


def test_liaison_answers_only_own_notices(as_user, ledger) -> None:
    admin = as_user("admin")
    issued = admin.post(f"/api/periods/{ledger.q1}/notices", headers={"X-CSRF-Token": admin.csrf})
    assert issued.status_code == 200, issued.text
    notices = {n["commitment_id"]: n["id"] for n in issued.json()}
    assert ledger.a in notices and ledger.b in notices  # nothing reported for Q1 → red + missing
    c = as_user("liaison1")
    h = {"X-CSRF-Token": c.csrf}
    assert c.post(f"/api/notices/{notices[ledger.b]}/answer", json={"answer": "x"}, headers=h).status_code == 403
    assert c.post(f"/api/notices/{notices[ledger.a]}/answer", json={"answer": "已整改"}, headers=h).status_code == 200
    mine = {n["commitment_id"] for n in c.get("/api/notices").json()}
    assert mine == {ledger.a}


# ------------------------------------------------------------------ leader


def test_leader_reads_all_but_cannot_write(as_user, ledger) -> None:
    c = as_user("leader")
    assert c.get(f"/api/commitments/{ledger.c}").status_code == 200
    assert c.get("/api/commitments").json()["total"] == 3
    assert c.get("/dashboard").status_code == 200
    assert c.get("/api/scorecard").status_code == 200
    assert c.get(f"/api/commitments/{ledger.c}/history").status_code == 200
    h = {"X-CSRF-Token": c.csrf}
    assert c.patch(f"/api/commitments/{ledger.a}", json={"title": "x"}, headers=h).status_code == 403
    assert c.post(f"/api/commitments/{ledger.a}/progress", json=report_body(ledger), headers=h).status_code == 403
    assert c.get("/admin").status_code == 403


# ------------------------------------------------------------------ admin


def test_admin_edits_with_optimistic_lock(as_user, ledger) -> None:
    c = as_user("admin")
    h = {"X-CSRF-Token": c.csrf}
    v = c.get(f"/api/commitments/{ledger.a}").json()["version"]
    r = c.patch(f"/api/commitments/{ledger.a}", json={"title": "新标题", "version": v}, headers=h)
    assert r.status_code == 200 and r.json()["title"] == "新标题"
    stale = c.patch(f"/api/commitments/{ledger.a}", json={"title": "再改", "version": v}, headers=h)
    assert stale.status_code == 409
    hist = c.get(f"/api/commitments/{ledger.a}/history").json()
    assert any(e["action"] == "update" and e["after"].get("title") == "新标题" and e["actor"] == "admin" for e in hist)


def test_admin_publishes_and_public_then_sees(as_user, client, ledger) -> None:
    admin = as_user("admin")
    r = admin.post(f"/api/reports/{ledger.report}/publish", headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200 and r.json()["published"] == 1
    assert client.get(f"/api/commitments/{ledger.c}").status_code == 200


# ------------------------------------------------------------------ CSRF, sessions, tokens, throttling


def test_cookie_write_without_or_with_forged_csrf_is_403(as_user, ledger) -> None:
    c = as_user("liaison1")
    url = f"/api/commitments/{ledger.a}/progress"
    assert c.post(url, json=report_body(ledger)).status_code == 403
    assert c.post(url, json=report_body(ledger), headers={"X-CSRF-Token": "forged"}).status_code == 403
    other = as_user("liaison1")  # a token from another session of the same user is not valid here
    assert c.post(url, json=report_body(ledger), headers={"X-CSRF-Token": other.csrf}).status_code == 403
    form = c.post(f"/my/c/{ledger.a}/report", data={"csrf_token": "forged", "period": str(ledger.q1),
                                                   "percent": "10", "narrative": "x"}, follow_redirects=False)
    assert form.status_code == 403


def test_login_form_needs_csrf(client: TestClient, ledger) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "admin", "password": "correct-horse-battery"},
                    follow_redirects=False)
    assert r.status_code == 403


def test_expired_session(app, ledger) -> None:
    c = TestClient(app)
    expired = sign(b"test-secret-key" * 3, "session", {"u": 1, "s": "abc", "f": "x"}, ttl=-5)
    c.cookies.set(SESSION_COOKIE, expired)
    assert c.get("/api/me").status_code == 401
    r = c.get("/admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/").status_code == 200  # public pages still work


def test_password_change_ends_sessions(as_user, engine, ledger) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    c = as_user("liaison1")
    assert c.get("/api/me").json()["username"] == "liaison1"
    with transaction(engine, actor="test") as db:
        accounts.set_password(db, "liaison1", "another-long-password")
    assert c.get("/api/me").status_code == 401


def test_disabled_user_cannot_log_in(as_user, engine, ledger, client) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction(engine, actor="test") as db:
        accounts.disable(db, "leader")
    r = client.post("/api/session", json={"username": "leader", "password": "correct-horse-battery"})
    assert r.status_code == 401


def test_bearer_token(app, engine, ledger) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.web import accounts

    with transaction(engine, actor="test") as db:
        token = accounts.issue_token(db, "liaison1")
    c = TestClient(app)
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=h).json()["role"] == "liaison"
    r = c.post(f"/api/commitments/{ledger.a}/progress", json=report_body(ledger), headers=h)
    assert r.status_code == 201  # no CSRF needed: no ambient credentials
    assert c.post(f"/api/commitments/{ledger.b}/progress", json=report_body(ledger), headers=h).status_code == 403
    bad = {"Authorization": token[:-2] + "xx"}
    assert c.get("/api/me", headers={"Authorization": f"Bearer {bad['Authorization']}"}).status_code == 401
    with transaction(engine, actor="test") as db:
        accounts.disable(db, "liaison1")
    assert c.get("/api/me", headers=h).status_code == 401


def test_brute_force_is_throttled(client: TestClient, ledger) -> None:
    for _ in range(5):
        r = client.post("/api/session", json={"username": "admin", "password": "wrong-password!"})
        assert r.status_code == 401
    r = client.post("/api/session", json={"username": "admin", "password": "correct-horse-battery"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    page = client.get("/login").text
    form = client.post("/login", data={"username": "admin", "password": "x", "csrf_token": csrf_from(page)})
    assert form.status_code == 429 and "登录失败次数过多" in form.text
    # another user from the same address is not locked out
    ok = client.post("/api/session", json={"username": "leader", "password": "correct-horse-battery"})
    assert ok.status_code == 200
