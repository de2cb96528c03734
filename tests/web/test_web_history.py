"""The 变更记录 as people read it: per commitment and for the whole ledger (/admin/history).

Field names and values in Chinese, times in Beijing time to the minute, actors by display name and
unit, ids as names; filters by who, what, task and day, and paging. Nothing of the model's
vocabulary (class names, column keys, True/False, ISO timestamps, account names) reaches the page.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

MACHINE = re.compile(r"\b(Commitment|Assignment|ProgressReport|Notice|Evaluation|True|False|None)\b"
                     r"|\d{4}-\d{2}-\d{2}T\d{2}:|\b[a-z]+_[a-z_]+\b")


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def _publish_c(admin, ledger) -> None:
    c = admin.get(f"/api/commitments/{ledger.c}").json()
    r = admin.patch(f"/api/commitments/{ledger.c}", json={"published": True, "version": c["version"]},
                    headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200, r.text


def test_a_commitments_history_reads_in_chinese(ledger, as_user, engine) -> None:
    admin = as_user("admin")
    _publish_c(admin, ledger)
    html = admin.get(f"/admin/commitments/{ledger.c}").text
    section = html.split("<h2>变更记录</h2>", 1)[1]
    text = _visible(section)
    assert "公开：未公开 → 已公开" in text
    assert "（督查室）" in text  # the admin account: display name and role
    assert f"任务 {ledger.c}" in text
    assert "责任分工：市行政审批服务局（牵头）" in text  # the fixture's assignment, by unit name
    assert "系统操作" in text  # the fixture was written outside any account
    assert not MACHINE.search(text), MACHINE.search(text)
    # the time is Beijing time, to the minute
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import AuditEvent

    with session_factory(engine)() as db:
        at = db.scalars(select(AuditEvent.at).where(AuditEvent.actor == "admin").order_by(AuditEvent.id.desc())).first()
    local = (at.replace(tzinfo=at.tzinfo or dt.UTC) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert local in text


def test_a_liaison_reads_the_same_words(ledger, as_user) -> None:
    liaison = as_user("liaison1")
    hist = liaison.get(f"/api/commitments/{ledger.a}/history").json()
    create = next(e for e in hist if e["entity"] == "Commitment" and e["action"] == "create")
    assert create["what"] == f"任务 {ledger.a}" and create["action_label"] == "新建"
    fields = {c["field"]: c["after"] for c in create["changes"]}
    assert fields["类别"] == "指标" and fields["状态"] == "已发布" and fields["公开"] == "已公开"
    assert fields["完成时限"] == "2024-12-31" and fields["比较方式"] == "不低于"


def test_office_history_filters_and_pages(ledger, as_user, engine) -> None:
    admin = as_user("admin")
    _publish_c(admin, ledger)
    everything = admin.get("/admin/history", params={"format": "json"}).json()
    total = everything["page"]["total"]
    assert total > 10 and everything["page"]["items"][0]["who"].endswith("（督查室）")
    labels = {a["label"] for a in everything["actors"]}
    assert "系统操作" in labels and any(label.endswith("（督查室）") for label in labels)

    mine = admin.get("/admin/history", params={"who": "admin", "format": "json"}).json()
    assert mine["page"]["total"] == 1
    assert mine["page"]["items"][0]["changes"] == [{"field": "公开", "before": "未公开", "after": "已公开"}]

    system = admin.get("/admin/history", params={"who": "@system", "format": "json"}).json()
    assert system["page"]["total"] == total - 1

    units = admin.get("/admin/history", params={"what": "Unit", "format": "json"}).json()
    assert units["page"]["total"] == 2 and {e["what"] for e in units["page"]["items"]} == \
        {"单位：市发展和改革委员会", "单位：市行政审批服务局"}

    task = admin.get("/admin/history", params={"task": str(ledger.c), "format": "json"}).json()
    assert {e["commitment_id"] or int(e["entity_id"]) for e in task["page"]["items"]} == {ledger.c}

    # when: move the fixture's events to an earlier day; the day filter is a Beijing calendar day
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import AuditEvent

    with session_factory(engine)() as db:
        db.execute(update(AuditEvent).where(AuditEvent.actor != "admin")
                   .values(at=dt.datetime(2024, 3, 1, 17, 0, tzinfo=dt.UTC)))  # 3月2日 01:00 in Beijing
        db.commit()
    day = admin.get("/admin/history", params={"since": "2024-03-02", "until": "2024-03-02", "format": "json"}).json()
    assert day["page"]["total"] == total - 1 and day["page"]["items"][0]["when"] == "2024-03-02 01:00"
    assert admin.get("/admin/history", params={"until": "2024-03-01", "format": "json"}).json()["page"]["total"] == 0

    page = admin.get("/admin/history", params={"offset": 50}).text
    assert f"第 51–{min(100, total)} 条，共 {total} 条" in page or total <= 50
    first = admin.get("/admin/history").text
    assert len(re.findall(r'<tr id="h\d+"', first)) == min(total, 50)
    text = _visible(first)
    assert not MACHINE.search(text), MACHINE.search(text)


def test_office_history_refuses_bad_filters_in_words(ledger, as_user) -> None:
    admin = as_user("admin")
    r = admin.get("/admin/history", params={"since": "3月1日"})
    assert r.status_code == 422 and "起始日期应为日期，例如 2024-05-15，收到“3月1日”" in r.text
    r = admin.get("/admin/history", params={"since": "2024-05-02", "until": "2024-05-01"})
    assert r.status_code == 422 and "起始日期不能晚于截止日期" in r.text
    r = admin.get("/admin/history", params={"what": "Bogus"})
    assert r.status_code == 422 and "请从列表中选择要查看的记录类别" in r.text
    assert as_user("leader").get("/admin/history").status_code == 403


def test_values_inside_json_columns_read_as_words() -> None:
    from luoshi.ledger.vocabulary import value_text

    assert value_text("Commitment", "milestones", [{"date": "2024-06-30", "percent": 50.0},
                                                   {"date": "2024-09-30", "percent": 80}]) == \
        "2024-06-30 达到 50%、2024-09-30 达到 80%"
    assert value_text("LedgerSettings", "weights", {"role": {"lead": 1.0, "support": 0.5}}) == "分工：牵头：1；配合：0.5"
    assert value_text("Commitment", "published", True) == "已公开"
    assert value_text("Assignment", "confirmed", False) == "待确认"
    assert value_text("Notice", "reasons", ["missing", "behind"]) == "未按时报送、进度滞后"
    assert value_text("User", "password_hash", "(changed)") == "已更改"
    assert value_text("ProgressReport", "submitted_at", "2024-05-15T08:30:00+00:00") == "2024-05-15 16:30"
    assert value_text("ProgressReport", "return_reason", None) == "（空）"
