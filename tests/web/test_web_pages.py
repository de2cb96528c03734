"""Pages and API shapes: security headers, escaping, error JSON, each role's pages, form flows."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .conftest import csrf_from

pytestmark = pytest.mark.postgres


def test_security_headers_and_cookie_flags(app, ledger) -> None:
    c = TestClient(app, base_url="https://testserver")
    r = c.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    token = csrf_from(c.get("/login").text)
    r = c.post("/login", data={"username": "admin", "password": "correct-horse-battery", "csrf_token": token},
               follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    plain = TestClient(app, base_url="http://testserver")
    token = csrf_from(plain.get("/login").text)
    r = plain.post("/login", data={"username": "admin", "password": "correct-horse-battery", "csrf_token": token},
                   follow_redirects=False)
    assert "secure" not in r.headers["set-cookie"].lower()


def test_pages_have_no_inline_script_and_are_chinese(client: TestClient, ledger) -> None:
    for path in ("/", f"/c/{ledger.a}", "/screen", "/login"):
        html = client.get(path).text
        assert '<html lang="zh-CN">' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "style=" not in html, path
        assert "http://" not in html.replace("http://testserver", "") and "https://" not in html, path


def test_report_text_and_input_are_escaped(as_user, client, ledger) -> None:
    admin = as_user("admin")
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    r = admin.patch(f"/api/commitments/{ledger.a}", json={"title": evil}, headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200
    for html in (client.get("/").text, client.get(f"/c/{ledger.a}").text, admin.get("/admin/reports/1").text):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_error_shapes(client: TestClient, ledger) -> None:
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.json() == {"error": "页面不存在", "detail": None}
    r = client.get("/api/commitments?limit=0")
    assert r.status_code == 422 and r.json()["error"] == "请求参数无效" and r.json()["detail"]
    r = client.get("/api/commitments?status=purple")
    assert r.status_code == 422
    r = client.get("/api/commitments/999999")
    assert r.status_code == 404 and "不存在" in r.json()["error"]
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert client.get("/api/docs").status_code == 404  # no CDN-backed docs
    spec = client.get("/api/openapi.json").json()
    assert "/api/commitments" in spec["paths"] and "/api/dashboard" in spec["paths"]


def test_validation_error_from_service_is_422(as_user, ledger) -> None:
    c = as_user("liaison1")
    r = c.post(f"/api/commitments/{ledger.a}/progress", json={"period_id": ledger.q1, "percent": 150},
               headers={"X-CSRF-Token": c.csrf})
    assert r.status_code == 422 and "0–100" in r.json()["error"]


def test_commitment_filters_and_pagination(as_user, ledger) -> None:
    c = as_user("leader")
    assert c.get("/api/commitments?kind=target").json()["total"] == 1
    assert c.get(f"/api/commitments?unit={ledger.unit2}").json()["total"] == 2
    assert c.get("/api/commitments?area=2.2").json()["total"] == 2
    assert c.get("/api/commitments?q=市民服务").json()["items"][0]["id"] == ledger.b
    page = c.get("/api/commitments?limit=2&page=2").json()
    assert page["total"] == 3 and page["offset"] == 2 and len(page["items"]) == 1
    # nothing reported for Q1: every active item is ~25 points behind 时序进度 → yellow
    assert c.get("/api/commitments?status=yellow").json()["total"] == 3
    assert c.get("/api/commitments?status=green").json()["total"] == 0


def test_public_pages_show_status_and_filters(client: TestClient, ledger) -> None:
    html = client.get("/").text
    assert "全年实施省市重点项目260个以上" in html and "推进政务服务" not in html
    assert "<svg" in html and "进度滞后" in html
    assert "年内建成市民服务中心" in client.get("/?area=2.2").text
    assert "年内建成市民服务中心" not in client.get("/?area=2.1").text
    page = client.get(f"/c/{ledger.a}").text
    assert "市发展和改革委员会" in page and "报告原文" in page and "<mark" in page
    screen = client.get("/screen").text
    assert '<meta http-equiv="refresh"' in screen


def test_liaison_form_flow_with_evidence_then_admin_accepts(as_user, client, ledger) -> None:
    c = as_user("liaison1")
    page = c.get(f"/my/c/{ledger.a}/report")
    assert page.status_code == 200 and "报送进度" in page.text
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = c.post(f"/my/c/{ledger.a}/report",
               data={"csrf_token": csrf_from(page.text), "period": str(ledger.q1), "percent": "30",
                     "narrative": "已开工项目78个"},
               files={"evidence": ("现场照片.png", png, "image/png")}, follow_redirects=False)
    assert r.status_code == 303 and "msg=" in r.headers["location"], r.headers["location"]
    admin = as_user("admin")
    queue = admin.get("/admin/progress").text
    assert "已开工项目78个" in queue and "现场照片.png" in queue
    pid = int(re.search(r'action="/admin/progress/(\d+)"', queue).group(1))
    r = admin.post(f"/admin/progress/{pid}", data={"csrf_token": csrf_from(queue), "decision": "accept"},
                   follow_redirects=False)
    assert r.status_code == 303
    detail = client.get(f"/api/commitments/{ledger.a}").json()
    assert detail["percent"] == 30 and detail["progress"][0]["state"] == "accepted"
    assert "evidence" not in detail["progress"][0]  # files are not public
    ev = admin.get(f"/api/commitments/{ledger.a}/progress").json()[0]["evidence"][0]
    assert admin.get(ev["url"]).content == png
    assert client.get(ev["url"], follow_redirects=False).status_code == 303  # login first
    assert as_user("liaison2").get(ev["url"]).status_code == 404


def test_return_with_reason_is_shown_to_liaison(as_user, ledger) -> None:
    c = as_user("liaison1")
    pid = c.post(f"/api/commitments/{ledger.a}/progress", json={"period_id": ledger.q1, "percent": 10,
                                                                "narrative": "x"},
                 headers={"X-CSRF-Token": c.csrf}).json()["id"]
    admin = as_user("admin")
    r = admin.post(f"/api/progress/{pid}/review", json={"decision": "return"}, headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 422  # a reason is required
    r = admin.post(f"/api/progress/{pid}/review", json={"decision": "return", "reason": "缺少佐证材料"},
                   headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert "缺少佐证材料" in c.get("/my").text


def test_dashboard_and_admin_pages_render(as_user, ledger) -> None:
    leader = as_user("leader")
    html = leader.get("/dashboard").text
    assert "领导看板" in html and "滞后任务" in html and "单位排名" in html
    assert leader.get(f"/dashboard/c/{ledger.c}").status_code == 200
    admin = as_user("admin")
    for path in ("/admin", "/admin/reports/1", f"/admin/commitments/{ledger.a}", "/admin/periods",
                 "/admin/notices", "/admin/progress", "/admin/evaluations", "/dashboard"):
        assert admin.get(path).status_code == 200, path
    review = admin.get("/admin/reports/1").text
    assert f'id="s{ledger.a}"' in review and f'href="#s{ledger.a}"' in review and f'id="c{ledger.a}"' in review
    liaison = as_user("liaison1")
    my = liaison.get("/my").text
    assert "全年实施省市重点项目260个以上" in my and "年内建成" not in my and "工作日" in my


def test_admin_split_merge_drop_add(as_user, client, ledger) -> None:
    admin = as_user("admin")
    h = {"X-CSRF-Token": admin.csrf}
    parts = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": ["年内建成", "市民服务中心"]},
                       headers=h)
    assert parts.status_code == 200, parts.text
    new_ids = [p["id"] for p in parts.json()]
    assert all(p["units"][0]["name"] == "市行政审批服务局" for p in parts.json())
    assert client.get(f"/api/commitments/{ledger.b}").status_code == 404  # dropped from the public plan
    merged = admin.post("/api/commitments/merge", json={"ids": new_ids}, headers=h)
    assert merged.status_code == 200 and merged.json()["text"] == "年内建成市民服务中心"
    added = admin.post("/api/commitments", json={"report_id": ledger.report, "kind": "measure",
                                                 "title": "新增的任务"}, headers=h)
    assert added.status_code == 201 and added.json()["state"] == "draft"
    assigned = admin.put(f"/api/commitments/{added.json()['id']}/assignments", json={"lead": "发改委"}, headers=h)
    assert assigned.status_code == 200 and assigned.json()["state"] == "active"
    unknown = admin.put(f"/api/commitments/{added.json()['id']}/assignments", json={"lead": "不存在局"}, headers=h)
    assert unknown.status_code == 404


def test_evaluation_override_needs_reason(as_user, ledger) -> None:
    admin = as_user("admin")
    h = {"X-CSRF-Token": admin.csrf}
    r = admin.put(f"/api/commitments/{ledger.a}/evaluation", json={"final_value": 300}, headers=h)
    assert r.status_code == 200 and r.json()["result"] in ("超额完成", "完成")
    computed = r.json()["result"]
    other = "未完成"
    r = admin.put(f"/api/commitments/{ledger.a}/evaluation", json={"final_value": 300, "result": other}, headers=h)
    assert r.status_code == 422
    r = admin.put(f"/api/commitments/{ledger.a}/evaluation",
                  json={"final_value": 300, "result": other, "reason": "统计口径调整"}, headers=h)
    assert r.status_code == 200 and r.json()["override_reason"] == "统计口径调整"
    assert r.json()["computed_result"] == computed
