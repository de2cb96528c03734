"""Bulk work: many commitments assigned or published, many progress reports accepted, many
notices closed — each item its own audited change, refused items reported with their reason while
the others go through."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from .conftest import Ledger

MISSING = 987654


def _post(client, path: str, **json):  # type: ignore[no-untyped-def]
    r = client.post(path, json=json, headers={"X-CSRF-Token": client.csrf})
    assert r.status_code == 200, r.text
    return r.json()


def _banner(client, r) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert r.status_code == 303, r.text[:300]
    page = client.get(r.headers["location"])
    m = re.search(r'<p class="flash (ok|error)" role="(?:status|alert)">([^<]+)</p>', page.text)
    assert m, page.text[:1500]
    return m.group(1), m.group(2)


def _audits(engine, entity: str, ids: list[int], actor: str = "admin") -> dict[int, int]:  # type: ignore[no-untyped-def]
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import AuditEvent

    db = session_factory(engine)()
    try:
        rows = db.execute(select(AuditEvent.entity_id, func.count()).where(
            AuditEvent.entity_type == entity, AuditEvent.actor == actor, AuditEvent.action == "update",
            AuditEvent.entity_id.in_([str(i) for i in ids])).group_by(AuditEvent.entity_id)).all()
        return {int(k): n for k, n in rows}
    finally:
        db.close()


def _submit(client, ledger: Ledger, cid: int, percent: float) -> int:  # type: ignore[no-untyped-def]
    r = client.post(f"/api/commitments/{cid}/progress", json={"period_id": ledger.q1, "percent": percent,
                                                               "narrative": "按计划推进"},
                    headers={"X-CSRF-Token": client.csrf})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_accept_many_reports_one_audited_change_each_failures_named(ledger: Ledger, as_user, engine) -> None:
    admin = as_user("admin")
    p1 = _submit(as_user("liaison1"), ledger, ledger.a, 30)
    p2 = _submit(as_user("liaison2"), ledger, ledger.b, 50)
    first = _post(admin, "/api/bulk/accept", ids=[p1])
    assert first["done"] == [p1] and first["failed"] == []
    result = _post(admin, "/api/bulk/accept", ids=[p1, p2, MISSING])
    assert result["done"] == [p2]
    assert [f["id"] for f in result["failed"]] == [p1, MISSING]
    single = admin.post(f"/api/progress/{p1}/review", json={"decision": "accept"}, headers={"X-CSRF-Token": admin.csrf})
    assert single.status_code >= 400 and result["failed"][0]["error"] == single.json()["error"]  # the ledger's words
    assert result["failed"][1]["error"] == f"进度报告 {MISSING} 不存在"
    assert result["message"].startswith("已采纳 1 项进度报告，2 项未处理（进度报告 ")
    accepted = {i["id"] for i in admin.get("/api/progress", params={"state": "accepted"}).json()["items"]}
    assert {p1, p2} <= accepted
    assert _audits(engine, "ProgressReport", [p1, p2]) == {p1: 1, p2: 1}


def test_assign_many_with_one_unknown_unit_changes_none_and_says_so_per_item(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    bad = _post(admin, "/api/bulk/assign", ids=[ledger.a, ledger.b], lead="市火星开发局")
    assert bad["done"] == [] and [f["id"] for f in bad["failed"]] == [ledger.a, ledger.b]
    single = admin.put(f"/api/commitments/{ledger.a}/assignments", json={"lead": "市火星开发局"},
                       headers={"X-CSRF-Token": admin.csrf})
    assert single.status_code >= 400 and "市火星开发局" in single.json()["error"]
    assert [f["error"] for f in bad["failed"]] == [single.json()["error"]] * 2
    good = _post(admin, "/api/bulk/assign", ids=[ledger.a, ledger.c, MISSING], lead="市行政审批服务局",
                 support=["市发展和改革委员会"])
    assert good["done"] == [ledger.a, ledger.c]
    assert good["failed"] == [{"id": MISSING, "error": f"任务 {MISSING} 不存在或未公开"}]
    for cid in (ledger.a, ledger.c):
        c = admin.get(f"/api/commitments/{cid}").json()
        assert c["lead"] == "市行政审批服务局" and c["support"] == ["市发展和改革委员会"]


def test_publish_many_keeps_public_ones_and_refuses_drafts(ledger: Ledger, as_user, engine) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment

    with transaction(engine, actor="fixture") as db:  # one draft: no confirmed lead yet
        draft = db.get(Commitment, ledger.b)
        draft.state, draft.published = "draft", False
    admin = as_user("admin")
    result = _post(admin, "/api/bulk/publish", ids=[ledger.a, ledger.b, ledger.c])
    assert result["done"] == [ledger.c] and result["unchanged"] == [ledger.a]
    assert result["failed"] == [{"id": ledger.b, "error": f"任务 {ledger.b} 尚未确认牵头单位，不能发布"}]
    assert result["message"] == (f"已发布 1 项任务，1 项无需处理，1 项未处理（任务 {ledger.b}：任务 {ledger.b} "
                                 "尚未确认牵头单位，不能发布）")
    public = {i["id"] for i in as_user("leader").get("/api/commitments").json()["items"] if i["published"]}
    assert ledger.c in public and ledger.b not in public


def test_close_many_notices_from_the_page(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    notices = admin.post(f"/api/periods/{ledger.q1}/notices", headers={"X-CSRF-Token": admin.csrf}).json()
    by_commitment = {n["commitment_id"]: n["id"] for n in notices}
    assert set(by_commitment) == {ledger.a, ledger.b, ledger.c}
    l1 = as_user("liaison1")
    answered = by_commitment[ledger.a]
    r = l1.post(f"/api/notices/{answered}/answer", json={"answer": "已补报"}, headers={"X-CSRF-Token": l1.csrf})
    assert r.status_code == 200, r.text
    page = admin.get("/admin/notices").text
    assert f'name="ids" value="{answered}" form="bulk-form"' in page  # only answered notices can be ticked
    unanswered = by_commitment[ledger.b]
    r = admin.post("/admin/bulk/close-notices", data={"ids": [str(answered), str(unanswered)], "back": "/admin/notices",
                                                      "csrf_token": admin.csrf}, follow_redirects=False)
    kind, text = _banner(admin, r)
    assert kind == "error"
    assert text == f"已办结 1 项督办单，1 项未处理（督办单 {unanswered}：督办单 {unanswered} 尚未答复，不能办结）"
    closed = {n["id"]: n["closed"] for n in admin.get("/api/notices").json()}
    assert closed[answered] is True and closed[unanswered] is False


def test_bulk_forms_on_the_pages_and_who_may_use_them(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    p1 = _submit(as_user("liaison1"), ledger, ledger.a, 30)
    page = admin.get("/admin/progress").text
    assert 'action="/admin/bulk/accept"' in page and f'name="ids" value="{p1}" form="bulk-form"' in page
    r = admin.post("/admin/bulk/accept", data={"ids": [str(p1)], "back": "/admin/progress", "csrf_token": admin.csrf},
                   follow_redirects=False)
    assert _banner(admin, r) == ("ok", "已采纳 1 项进度报告")
    nothing = admin.post("/admin/bulk/accept", data={"back": "/admin/progress", "csrf_token": admin.csrf},
                         follow_redirects=False)
    assert _banner(admin, nothing) == ("error", "请先勾选要处理的项目")
    review = admin.get(f"/admin/reports/{ledger.report}").text
    assert 'formaction="/admin/bulk/publish"' in review and f'value="{ledger.c}" form="merge-form"' in review
    offsite = admin.post("/admin/bulk/accept", data={"ids": [str(p1)], "back": "//evil.example/",
                                                     "csrf_token": admin.csrf}, follow_redirects=False)
    assert offsite.headers["location"].startswith("/admin/progress")
    for who in ("leader", "liaison1"):
        c = as_user(who)
        r = c.post("/api/bulk/accept", json={"ids": [p1]}, headers={"X-CSRF-Token": c.csrf})
        assert r.status_code == 403 and r.json()["error"] == "没有权限执行此操作"
