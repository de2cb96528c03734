"""站内消息 page and the unread count in the header, for every role; the administrator's view of
deliveries that failed or are uncertain, with retry and confirm."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from luoshi.ledger.db import transaction
from luoshi.ledger.models import Period, Report
from luoshi.ledger.notify_models import Delivery
from luoshi.ledger.services import notices
from luoshi.notify import config
from luoshi.notify.worker import Config, Worker


def header_count(html: str) -> str | None:
    m = re.search(r'<a class="inbox" href="/inbox"[^>]*>消息(?: <span class="count" aria-label="(\d+) 条未读">\d+</span>)?</a>',
                  html)
    assert m, "no inbox link in the header"
    return m.group(1)


def issue_and_route(engine, ledger) -> None:
    with transaction(engine, actor="admin") as s:
        notices.generate_notices(s, s.get(Report, ledger.report), s.get(Period, ledger.q1), on=dt.date(2024, 5, 15))
    Worker(engine, Config(), clock=lambda: dt.datetime(2024, 5, 15, 2, tzinfo=dt.UTC)).run_once(scan_now=False)


def test_liaison_reads_the_notice_in_the_inbox_and_the_count_goes_down(engine, ledger, as_user):
    c = as_user("liaison2")
    assert header_count(c.get("/my").text) is None  # no unread messages: no number
    issue_and_route(engine, ledger)
    page = c.get("/my").text
    assert header_count(page) == "2"
    inbox = c.get("/inbox").text
    assert "督办单：年内建成市民服务中心" in inbox and "督办单：推进政务服务“一网通办”" in inbox
    assert "市行政审批服务局：任务“年内建成市民服务中心”（2024Q1）被督办（督〔2024〕" in inbox
    assert inbox.count('href="/my/notices"') >= 2
    assert "全部标为已读（2 条未读）" in inbox
    assert "通知发送情况" not in inbox  # the delivery report is the office's
    first = re.search(r'<li id="m(\d+)" class="unread">', inbox).group(1)
    r = c.post("/inbox/read", data={"id": first, "csrf_token": c.csrf}, follow_redirects=True)
    assert "已标为已读" in r.text and header_count(r.text) == "1"
    r = c.post("/inbox/read", data={"csrf_token": c.csrf}, follow_redirects=True)
    assert "已将 1 条消息标为已读" in r.text and header_count(r.text) is None
    # another user's message cannot be touched
    other = as_user("liaison1")
    assert other.post("/inbox/read", data={"id": first, "csrf_token": other.csrf}).status_code == 403
    bad = other.post("/inbox/read", data={"id": "1x", "csrf_token": other.csrf})
    assert bad.status_code == 422 and "消息编号无效：&#39;1x&#39;" in bad.text


def test_every_role_has_an_inbox_and_anonymous_is_sent_to_login(engine, ledger, as_user, app):
    from fastapi.testclient import TestClient

    for role in ("admin", "leader", "liaison1"):
        r = as_user(role).get("/inbox")
        assert r.status_code == 200 and "<h1>消息</h1>" in r.text and "没有消息。" in r.text
    r = TestClient(app).get("/inbox", follow_redirects=False)
    assert r.status_code in (303, 401)
    assert "/inbox" not in TestClient(app).get("/").text.split("</header>")[0]  # no inbox link when signed out


def test_admin_sees_failed_and_uncertain_deliveries_and_settles_them(engine, ledger, as_user, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "坏群", "wecom", url=receiver.url + "/wecom/send?key=revoked")
        config.subscribe(s, "坏群", events=["notice_issued"])
    issue_and_route(engine, ledger)
    with transaction(engine) as s:
        ids = list(s.scalars(select(Delivery.id).order_by(Delivery.id)))
        s.get(Delivery, ids[0]).state = "uncertain"
    admin = as_user("admin")
    page = admin.get("/inbox").text
    assert "已送达 0" in page and "发送失败 2" in page and "待核实 1" in page
    assert f"{receiver.url}/wecom/send 拒收（错误码 310000：invalid webhook url）" in page
    assert "revoked" not in page  # the robot's key is never shown
    leader = as_user("leader")
    assert leader.post("/inbox/deliveries", data={"id": ids[0], "action": "confirm",
                                                  "csrf_token": leader.csrf}).status_code == 403
    r = admin.post("/inbox/deliveries", data={"id": ids[0], "action": "confirm", "csrf_token": admin.csrf},
                   follow_redirects=True)
    assert f"消息 {ids[0]} 已确认送达" in r.text and "已送达 1" in r.text
    r = admin.post("/inbox/deliveries", data={"id": ids[1], "action": "retry", "csrf_token": admin.csrf},
                   follow_redirects=True)
    assert f"消息 {ids[1]} 已排队重发" in r.text and "待发送 1" in r.text
    r = admin.post("/inbox/deliveries", data={"id": ids[1], "action": "confirm", "csrf_token": admin.csrf},
                   follow_redirects=True)
    assert f"消息 {ids[1]} 状态为“待发送”，只能确认待核实的消息" in r.text
