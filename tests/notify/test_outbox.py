"""The transactional outbox, routing, retries, quiet hours, scans and crash recovery, on both engines.

A worker runs in-process here with a clock the test moves; ``test_process`` runs the real
``luoshi notify run`` and kills it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from luoshi.ledger.db import transaction
from luoshi.ledger.models import Commitment, Notice, Period, Report, Unit, User
from luoshi.ledger.notify_models import Delivery, InboxMessage, OutboxEvent
from luoshi.ledger.services import comments, evaluation, notices, progress
from luoshi.notify import config
from luoshi.notify.worker import Config, Worker

from .conftest import DING_SECRET, SMTP_PASSWORD, SMTP_USER

BJ = dt.timezone(dt.timedelta(hours=8))


class Clock:
    def __init__(self, when: dt.datetime) -> None:
        self.now = when

    def __call__(self) -> dt.datetime:
        return self.now


def make_worker(engine, clock: Clock, **kw) -> Worker:
    return Worker(engine, Config(site_url="https://luoshi.test", **kw), clock=clock)


def user_id(s, username: str) -> int:
    return s.scalar(select(User.id).where(User.username == username))


def inbox_of(engine, username: str) -> list[tuple[str, str, str | None, bool]]:
    with transaction(engine) as s:
        return [(m.title, m.body, m.link, m.read_at is None) for m in config.inbox(s, user_id(s, username))]


def issue_q1_notices(engine, ledger) -> list[int]:
    with transaction(engine, actor="admin") as s:
        report, q1 = s.get(Report, ledger.report), s.get(Period, ledger.q1)
        return [n.id for n in notices.generate_notices(s, report, q1, on=dt.date(2024, 5, 15))]


@pytest.fixture
def robot_and_mail(engine, ledger, receiver, smtp):
    """钉钉 robot (signed) for unit 1's group, e-mail to liaison1, both subscribed."""
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "发改委群", "dingtalk", url=receiver.url + "/dingtalk/robot/send?access_token=ding-token",
                           sign_secret=DING_SECRET)
        config.add_channel(s, "邮件", "email", host="127.0.0.1", port=smtp.port, security="starttls",
                           username=SMTP_USER, password=SMTP_PASSWORD, sender=SMTP_USER, cafile=str(smtp.cert))
        config.subscribe(s, "发改委群", unit=s.get(Unit, ledger.unit1))
        config.subscribe(s, "邮件", user=s.get(User, user_id(s, "liaison1")), address="liaison1@fgw.test")
    return receiver, smtp


def test_outbox_row_commits_and_rolls_back_with_the_notice(engine, ledger):
    with pytest.raises(RuntimeError), transaction(engine, actor="admin") as s:
        notices.generate_notices(s, s.get(Report, ledger.report), s.get(Period, ledger.q1), on=dt.date(2024, 5, 15))
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 3  # written, not yet committed
        raise RuntimeError("the unit of work fails after the notices were issued")
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    ids = issue_q1_notices(engine, ledger)
    issue_q1_notices(engine, ledger)  # generating again issues nothing and emits nothing
    with transaction(engine) as s:
        events = list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
        assert [e.key for e in events] == [f"notice_issued:{i}" for i in ids]
        first = events[0].payload
        assert first["title"] == "督办单：全年实施省市重点项目260个以上"
        assert first["body"] == ("市发展和改革委员会：任务“全年实施省市重点项目260个以上”（2024Q1）被督办（督〔2024〕1号）。"
                                 "未按时报送：截至 2024-04-08 未报送2024Q1进度。请于 2024-05-22 前答复。")
        assert first["units"] == [ledger.unit1]


def test_liaison_gets_the_notice_in_the_inbox_on_the_robot_and_by_email(engine, ledger, robot_and_mail):
    receiver, smtp = robot_and_mail
    issue_q1_notices(engine, ledger)
    worker = make_worker(engine, Clock(dt.datetime(2024, 5, 15, 10, tzinfo=BJ)))
    result = worker.run_once(scan_now=False)
    assert (result.routed, result.sent, result.failed) == (3, 2, 0)
    body = ("市发展和改革委员会：任务“全年实施省市重点项目260个以上”（2024Q1）被督办（督〔2024〕1号）。"
            "未按时报送：截至 2024-04-08 未报送2024Q1进度。请于 2024-05-22 前答复。")
    [got] = receiver.accepted()
    assert got.text == f"【落实】督办单：全年实施省市重点项目260个以上\n{body}\nhttps://luoshi.test/my/notices"
    [mail] = smtp.mails
    assert (mail.to, mail.subject) == (["liaison1@fgw.test"], "【落实】督办单：全年实施省市重点项目260个以上")
    assert body in mail.body
    assert inbox_of(engine, "liaison1") == [("督办单：全年实施省市重点项目260个以上", body, "/my/notices", True)]
    assert [t for t, *_ in inbox_of(engine, "liaison2")] == ["督办单：推进政务服务“一网通办”", "督办单：年内建成市民服务中心"]
    assert inbox_of(engine, "leader") == [] and inbox_of(engine, "admin") == []
    # a second pass finds nothing to do: nothing is sent twice
    again = worker.run_once(scan_now=False)
    assert (again.routed, again.sent) == (0, 0)
    assert len(receiver.got) == 1 and len(smtp.mails) == 1


def test_every_hook_emits_its_event(engine, ledger):
    with transaction(engine, actor="liaison1") as s:
        c, q1 = s.get(Commitment, ledger.a), s.get(Period, ledger.q1)
        pr = progress.report(s, c, q1, author="liaison1", value=60, narrative="一季度开工60个",
                             now=dt.datetime(2024, 4, 3, tzinfo=dt.UTC))
        pr_id = pr.id
    with transaction(engine, actor="admin") as s:
        progress.return_report(s, s.get(type(pr), pr_id), "缺少项目清单")
    with transaction(engine, actor="liaison1") as s:
        progress.submit(s, s.get(type(pr), pr_id), now=dt.datetime(2024, 4, 5, tzinfo=dt.UTC))
    with transaction(engine, actor="admin") as s:
        progress.return_report(s, s.get(type(pr), pr_id), "项目清单不全")  # a second return is a second event
    with transaction(engine, actor="liaison1") as s:
        progress.submit(s, s.get(type(pr), pr_id), now=dt.datetime(2024, 4, 6, tzinfo=dt.UTC))
    with transaction(engine, actor="admin") as s:
        progress.accept(s, s.get(type(pr), pr_id))
    with transaction(engine, actor="leader") as s:
        comments.add(s, s.get(Commitment, ledger.a), s.get(User, user_id(s, "leader")), "要加快进度，确保全年完成。")
    with transaction(engine, actor="admin") as s:
        evaluation.evaluate(s, s.get(Commitment, ledger.a), by="admin", final_value=270)
    with transaction(engine) as s:
        keys = [e.key.rsplit(":", 1)[0] if e.kind != "comment" else e.key for e in
                s.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    assert [k.split(":")[0] for k in keys] == ["report_returned", "report_returned", "report_accepted", "comment",
                                              "evaluation"]
    make_worker(engine, Clock(dt.datetime(2024, 5, 15, 10, tzinfo=BJ))).run_once(scan_now=False)
    assert [(t, b) for t, b, *_ in inbox_of(engine, "liaison1")] == [
        ("年终评价：全年实施省市重点项目260个以上", "任务“全年实施省市重点项目260个以上”年终评价结果为“完成”（得分 100）。"),
        ("领导批示：全年实施省市重点项目260个以上", "leader就任务“全年实施省市重点项目260个以上”领导批示：要加快进度，确保全年完成。"),
        ("进度报告已通过：全年实施省市重点项目260个以上", "任务“全年实施省市重点项目260个以上”2024Q1 的进度报告（完成 23.1%）已审核通过。"),
        ("进度报告被退回：全年实施省市重点项目260个以上",
         "任务“全年实施省市重点项目260个以上”2024Q1 的进度报告被督查室退回。退回原因：项目清单不全。请修改后重新提交。"),
        ("进度报告被退回：全年实施省市重点项目260个以上",
         "任务“全年实施省市重点项目260个以上”2024Q1 的进度报告被督查室退回。退回原因：缺少项目清单。请修改后重新提交。"),
    ]
    assert [t for t, *_ in inbox_of(engine, "admin")] == ["领导批示：全年实施省市重点项目260个以上"]
    assert inbox_of(engine, "leader") == []  # leaders are not sent one message per evaluated commitment
    assert inbox_of(engine, "liaison2") == []


def test_retries_back_off_then_deliver_and_permanent_errors_fail_visibly(engine, ledger, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "全市群", "wecom", url=receiver.url + "/wecom/cgi-bin/webhook/send?key=wecom-key")
        config.add_channel(s, "坏群", "wecom", url=receiver.url + "/wecom/cgi-bin/webhook/send?key=revoked")
        config.subscribe(s, "全市群", events=["notice_issued"])
        config.subscribe(s, "坏群", events=["notice_issued"])
    issue_q1_notices(engine, ledger)
    receiver.fail_next = 6  # the service is down for the first six requests
    clock = Clock(dt.datetime(2024, 5, 15, 2, tzinfo=dt.UTC))
    w = make_worker(engine, clock)
    first = w.run_once(scan_now=False)
    assert (first.sent, first.retried, first.failed) == (0, 6, 0)
    with transaction(engine) as s:
        d = s.scalars(select(Delivery).order_by(Delivery.id)).first()
        assert (d.state, d.attempts, d.next_attempt_at) == ("pending", 1, clock.now + dt.timedelta(seconds=30))
        assert d.last_error == f"{receiver.url}/wecom/cgi-bin/webhook/send 返回 HTTP 500"
    clock.now += dt.timedelta(seconds=29)
    assert w.run_once(scan_now=False).sent == 0  # not yet due
    clock.now += dt.timedelta(seconds=1)
    second = w.run_once(scan_now=False)
    assert (second.sent, second.retried, second.failed) == (3, 0, 3)  # the revoked key is refused for good
    assert len(receiver.accepted()) == 3
    with transaction(engine) as s:
        from luoshi.notify import worker

        assert worker.counts(s) == {"pending": 0, "held": 0, "sending": 0, "sent": 3, "failed": 3, "uncertain": 0,
                                    "unrouted": 0}
        problems = [config.delivery_dict(d) for d in worker.problems(s)]
        assert {(p["channel"], p["state_label"], p["attempts"], p["error"]) for p in problems} == {
            ("坏群", "发送失败", 2, f"{receiver.url}/wecom/cgi-bin/webhook/send 拒收（错误码 310000：invalid webhook url）")}


def test_backoff_doubles_and_gives_up_after_max_attempts(engine, ledger, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "群", "wecom", url=receiver.url + "/wecom/send?key=wecom-key")
        config.subscribe(s, "群", events=["comment"])
        comments.add(s, s.get(Commitment, ledger.a), s.get(User, user_id(s, "admin")), "请抓紧")
    receiver.fail_next = 100
    clock = Clock(dt.datetime(2024, 5, 15, 2, tzinfo=dt.UTC))
    w = make_worker(engine, clock, max_attempts=4)
    waits = []
    for _ in range(4):
        w.run_once(scan_now=False)
        with transaction(engine) as s:
            d = s.scalars(select(Delivery)).one()
        if d.state == "pending":
            waits.append((d.next_attempt_at - clock.now).total_seconds())
            clock.now = d.next_attempt_at
    assert waits == [30, 60, 120]
    assert (d.state, d.attempts) == ("failed", 4)


def test_quiet_hours_hold_messages_until_they_end(engine, ledger, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "领导群", "wecom", url=receiver.url + "/wecom/send?key=wecom-key")
        config.subscribe(s, "领导群", quiet="22:00-07:00")
    clock = Clock(dt.datetime(2024, 5, 15, 23, 10, tzinfo=BJ))
    issue_q1_notices(engine, ledger)
    w = make_worker(engine, clock)
    assert w.run_once(scan_now=False).sent == 0
    with transaction(engine) as s:
        held = list(s.scalars(select(Delivery)))
        assert {(d.state, d.next_attempt_at) for d in held} == {("held", dt.datetime(2024, 5, 16, 7, tzinfo=BJ))}
    clock.now = dt.datetime(2024, 5, 16, 6, 59, tzinfo=BJ)
    assert w.run_once(scan_now=False).sent == 0
    clock.now = dt.datetime(2024, 5, 16, 7, 0, tzinfo=BJ)
    assert w.run_once(scan_now=False).sent == 3
    assert len(receiver.accepted()) == 3


def test_scans_overdue_deadline_and_digest_once_each(engine, ledger, monkeypatch):
    monkeypatch.delenv("LUOSHI_TODAY")  # the scans judge the worker's own clock here
    issue_q1_notices(engine, ledger)  # due 2024-05-22
    # 2024-07-02 (Tue): the Q2 report is due 2024-07-05, three working days later
    clock = Clock(dt.datetime(2024, 7, 2, 9, 0, tzinfo=BJ))
    w = make_worker(engine, clock, remind_days=3)
    first = w.run_once(scan_now=True)
    assert first.scanned == {"notice_overdue": 3, "deadline_soon": 3, "daily_digest": 1}
    assert w.run_once(scan_now=True).scanned == {"notice_overdue": 0, "deadline_soon": 0, "daily_digest": 0}
    liaison1 = {t: b for t, b, *_ in inbox_of(engine, "liaison1")}
    assert liaison1["报送提醒：全年实施省市重点项目260个以上"] == (
        "任务“全年实施省市重点项目260个以上”2024Q2 的进度报告须于 2024-07-05 前报送（还剩 3 个工作日），目前尚未提交。")
    assert liaison1["督办单逾期：全年实施省市重点项目260个以上"] == (
        "市发展和改革委员会：督办单（任务“全年实施省市重点项目260个以上”）答复期限 2024-05-22 已过，尚未答复。")
    [(title, body, link, unread)] = inbox_of(engine, "leader")
    assert (title, link, unread) == ("每日督办摘要（2024-07-02）", "/dashboard", True)
    assert body == ("测试市2024年台账，2024Q2：共 3 项任务，红灯 3 项、黄灯 0 项、绿灯 0 项；"
                    "未办结督办单 3 件，其中逾期未复 3 件。")
    assert len([t for t, *_ in inbox_of(engine, "admin") if t.startswith("督办单逾期")]) == 3


def test_deadline_reminder_counts_working_days_with_the_official_calendar(engine, ledger, monkeypatch):
    monkeypatch.delenv("LUOSHI_TODAY")
    # Q1 2024: due 2024-04-08 (清明 4–6 April are holidays, Sunday 7 April is a make-up working day)
    with transaction(engine) as s:
        assert s.get(Period, ledger.q1).due == dt.date(2024, 4, 8)
    w = make_worker(engine, Clock(dt.datetime(2024, 4, 2, 9, tzinfo=BJ)), remind_days=2)
    assert w.run_once(scan_now=True).scanned["deadline_soon"] == 0  # 3 Apr, 7 Apr, 8 Apr: three left
    w = make_worker(engine, Clock(dt.datetime(2024, 4, 3, 9, tzinfo=BJ)), remind_days=2)
    assert w.run_once(scan_now=True).scanned["deadline_soon"] == 3  # 7 Apr and 8 Apr
    assert "（还剩 2 个工作日）" in inbox_of(engine, "liaison1")[0][1]


def test_scans_judge_the_day_the_pages_judge(engine, ledger, monkeypatch):
    """With ``LUOSHI_TODAY`` (demo, tests) the scans take that day, as the pages do: a notice due
    2024-05-22 is not overdue on 2024-05-15 whatever the real date is."""
    issue_q1_notices(engine, ledger)
    w = make_worker(engine, Clock(dt.datetime(2026, 12, 7, 9, tzinfo=BJ)))
    assert w.run_once(scan_now=True).scanned["notice_overdue"] == 0
    monkeypatch.setenv("LUOSHI_TODAY", "2024-05-23")
    assert w.run_once(scan_now=True).scanned["notice_overdue"] == 3


def test_claim_left_by_a_dead_worker_becomes_uncertain_not_resent(engine, ledger, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "群", "wecom", url=receiver.url + "/wecom/send?key=wecom-key")
        config.subscribe(s, "群", events=["comment"])
        comments.add(s, s.get(Commitment, ledger.a), s.get(User, user_id(s, "admin")), "请抓紧")
    clock = Clock(dt.datetime(2024, 5, 15, 2, tzinfo=dt.UTC))
    w = make_worker(engine, clock)
    w.route_new()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with transaction(engine) as s:  # what a worker killed between claim and result leaves behind
        d = s.scalars(select(Delivery)).one()
        d.state, d.claimed_by, d.claimed_at, d.attempts = "sending", f"{w.host}:{dead.pid}", clock.now, 1
    result = w.run_once(scan_now=False)
    assert (result.recovered, result.sent) == (1, 0) and receiver.got == []
    with transaction(engine) as s:
        d = s.scalars(select(Delivery)).one()
        assert d.state == "uncertain"
        assert d.last_error == (f"发送时工作进程 {w.host}:{dead.pid} 中断，无法确认是否送达；"
                                "请核实后用 luoshi notify confirm 或 retry 处理")
        config.retry(s, d.id)
    assert w.run_once(scan_now=False).sent == 1 and len(receiver.accepted()) == 1


def test_two_workers_route_and_send_each_message_once(engine, ledger, receiver):
    with transaction(engine, actor="admin") as s:
        config.add_channel(s, "群", "wecom", url=receiver.url + "/wecom/send?key=wecom-key")
        config.subscribe(s, "群")
        config.subscribe(s, "群", unit=s.get(Unit, ledger.unit1))
    issue_q1_notices(engine, ledger)
    clock = Clock(dt.datetime(2024, 5, 15, 2, tzinfo=dt.UTC))
    a, b = make_worker(engine, clock), make_worker(engine, clock)
    a.route_new()
    assert b.route_new() == 0
    a.deliver_due()
    b.deliver_due()
    assert sorted(g.key for g in receiver.accepted()) == sorted({g.key for g in receiver.accepted()})
    assert len(receiver.accepted()) == 3  # two subscriptions to one group: one message per notice
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(InboxMessage)) == 3
