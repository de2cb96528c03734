"""Split and merge keep the link to the report text (spans and quotes), are audited and locked."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from luoshi.ledger.db import transaction
from luoshi.ledger.models import AuditEvent, Commitment, Report

from .conftest import SOURCE, csrf_from

pytestmark = pytest.mark.postgres


def _h(client) -> dict:
    return {"X-CSRF-Token": client.csrf}


def _get(engine: Engine, cid: int) -> dict:
    with transaction(engine, actor="test") as db:
        c = db.get(Commitment, cid)
        return {"state": c.state, "published": c.published, "start": c.start, "end": c.end, "quote": c.quote,
                "text": c.text, "version": c.version, "units": sorted((a.unit.name, a.role) for a in c.assignments)}


@pytest.mark.parametrize("by", ["text", "offsets"])
def test_split_gives_each_part_its_own_span(as_user, ledger, engine: Engine, by: str) -> None:
    admin = as_user("admin")
    b = _get(engine, ledger.b)
    cut = b["start"] + len("年内建成")
    parts = ["年内建成", "市民服务中心"] if by == "text" else [[b["start"], cut], [cut, b["end"]]]
    r = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": parts, "version": b["version"]},
                   headers=_h(admin))
    assert r.status_code == 200, r.text
    new = r.json()
    assert [(n["start"], n["end"]) for n in new] == [(b["start"], cut), (cut, b["end"])]
    assert [n["quote"] for n in new] == ["年内建成", "市民服务中心"]
    assert all(SOURCE[n["start"]:n["end"]] == n["quote"] == n["text"] for n in new)
    # the parts wait in review (draft, unpublished) and point to the original, which points back
    assert all(n["kind"] == "milestone" and n["section"] == "2.2" and not n["published"] for n in new)
    assert all(n["state"] == "draft" and n["split_from"] == ledger.b for n in new)
    assert all([(a["name"], a["role"]) for a in n["units"]] == [("市行政审批服务局", "lead")] for n in new)
    old = _get(engine, ledger.b)
    assert old["state"] == "closed" and not old["published"] and old["quote"] == "年内建成市民服务中心"
    with transaction(engine, actor="test") as db:
        events = list(db.scalars(select(AuditEvent).where(AuditEvent.actor == "admin")))
    created = {int(e.entity_id) for e in events if e.entity_type == "Commitment" and e.action == "create"}
    assert created == {n["id"] for n in new}
    assert any(e.entity_id == str(ledger.b) and e.after.get("state") == "closed" for e in events)


@pytest.mark.parametrize(("parts", "code", "message"), [
    (["年内建成", "体育中心"], 422, "不在任务"),
    (["年内建成", "  "], 422, "至少需要两段"),
    ([[0, 4], [4, 8]], 422, "不在任务"),
])
def test_split_rejects_parts_outside_the_quote(as_user, ledger, parts, code, message) -> None:
    admin = as_user("admin")
    r = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": parts}, headers=_h(admin))
    assert r.status_code == code and message in r.json()["error"], r.text


def test_split_is_optimistically_locked_and_refuses_closed(as_user, ledger, engine: Engine) -> None:
    admin = as_user("admin")
    v = _get(engine, ledger.b)["version"]
    stale = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": ["年内建成", "市民服务中心"],
                                                                    "version": v - 1}, headers=_h(admin))
    assert stale.status_code == 409
    assert _get(engine, ledger.b)["state"] == "active"
    ok = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": ["年内建成", "市民服务中心"]}, headers=_h(admin))
    assert ok.status_code == 200
    again = admin.post(f"/api/commitments/{ledger.b}/split", json={"parts": ["年内建成", "市民服务中心"]},
                       headers=_h(admin))
    assert again.status_code == 409


def test_merge_spans_min_start_to_max_end(as_user, ledger, engine: Engine) -> None:
    admin = as_user("admin")
    a, b = _get(engine, ledger.a), _get(engine, ledger.b)
    r = admin.post("/api/commitments/merge", json={"ids": [ledger.b, ledger.a],
                                                   "versions": {str(ledger.b): b["version"]}}, headers=_h(admin))
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["id"] == ledger.b  # merged into the first chosen
    assert (m["start"], m["end"]) == (a["start"], b["end"])
    assert m["quote"] == SOURCE[a["start"]:b["end"]] and "（二）优化营商环境。" in m["quote"]
    assert m["text"] == "全年实施省市重点项目260个以上年内建成市民服务中心"  # report order
    assert sorted((x["name"], x["role"]) for x in m["units"]) == [
        ("市发展和改革委员会", "support"), ("市行政审批服务局", "lead")]
    gone = _get(engine, ledger.a)
    assert gone["state"] == "closed" and not gone["published"]


def test_merge_checks_versions_reports_and_state(as_user, ledger, engine: Engine) -> None:
    admin = as_user("admin")
    b = _get(engine, ledger.b)
    stale = admin.post("/api/commitments/merge", json={"ids": [ledger.a, ledger.b],
                                                       "versions": {str(ledger.b): b["version"] + 5}}, headers=_h(admin))
    assert stale.status_code == 409 and _get(engine, ledger.a)["text"] == "全年实施省市重点项目260个以上"
    with transaction(engine, actor="test") as db:
        other = Report(government_id=db.get(Report, ledger.report).government_id, year=2023, sha256="1" * 64,
                       source_text="全年新增就业1万人。")
        db.add(other)
        db.flush()
        x = Commitment(report=other, kind="target", title="全年新增就业1万人", text="全年新增就业1万人", quote="全年新增就业1万人",
                       start=0, end=9, state="active", source="extracted")
        db.add(x)
        db.flush()
        xid = x.id
    r = admin.post("/api/commitments/merge", json={"ids": [ledger.a, xid]}, headers=_h(admin))
    assert r.status_code == 422 and "同一报告" in r.json()["error"]
    assert admin.post("/api/commitments/merge", json={"ids": [ledger.a, ledger.a]}, headers=_h(admin)).status_code == 422


def test_split_and_merge_forms(as_user, ledger, engine: Engine) -> None:
    admin = as_user("admin")
    page = admin.get(f"/admin/commitments/{ledger.b}").text
    assert "年内建成市民服务中心</textarea>" in page  # the form starts from the quote
    r = admin.post(f"/admin/commitments/{ledger.b}/split",
                   data={"parts": "年内建成\n市民服务中心\n", "csrf_token": csrf_from(page),
                         "version": str(_get(engine, ledger.b)["version"])}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?msg=done")
    assert "已拆分为任务" in admin.get(r.headers["location"]).text  # the banner, from the signed flash cookie
    with transaction(engine, actor="test") as db:
        ids = list(db.scalars(select(Commitment.id).where(Commitment.source == "manual").order_by(Commitment.id)))
    review = admin.get(f"/admin/reports/{ledger.report}").text
    r = admin.post(f"/admin/reports/{ledger.report}/merge",
                   data={"ids": [str(i) for i in ids], "csrf_token": csrf_from(review)}, follow_redirects=False)
    assert r.status_code == 303 and "err=" not in r.headers["location"]
    merged = _get(engine, ids[0])
    assert merged["quote"] == "年内建成市民服务中心" and merged["start"] == SOURCE.index("年内建成")
