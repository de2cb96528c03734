"""Events that no single change causes, found by looking at the ledger on a given day.

- ``notice_overdue``: an open 督办单 without an answer whose due date has passed (once per notice).
- ``deadline_soon``: a tracked commitment with no submitted report for a period whose report is
  due within ``remind_days`` working days (the ledger's calendar, with 调休 make-up days), once
  per (commitment, period).
- ``daily_digest``: for leaders, once a day per ledger of the current year, at or after
  ``digest_at`` (Beijing time): lights of the current period, open and overdue notices.

Each event has a key made of what it is about, so running a scan again — in the same worker, in a
second one, after a restart — emits nothing new. Rules (status, working days) are the ledger's.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import LuoshiError
from luoshi.ledger import outbox, policy
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.models import Notice, Period, Report
from luoshi.ledger.services import notices, progress, status
from luoshi.ledger.services.calendar import Calendar
from luoshi.notify.route import BEIJING

log = logging.getLogger("luoshi.notify")


def overdue_notices(session: Session, today: dt.date) -> int:
    q = select(Notice).where(Notice.closed.is_(False), Notice.answer.is_(None), Notice.due < today)
    made = 0
    for n in session.scalars(q.order_by(Notice.id)):
        key, payload = outbox.describe("notice_overdue", n)
        made += outbox.add(session, key, "notice_overdue", payload) is not None
    return made


def deadline_reminders(session: Session, today: dt.date, remind_days: int, cal: Calendar) -> int:
    """Remind lead units whose report for a period is due within ``remind_days`` working days."""
    periods = session.scalars(select(Period).where(Period.closed.is_(False), Period.due >= today,
                                                   Period.start <= today).order_by(Period.id))
    made = 0
    for p in periods:
        left = cal.workdays_between(today + dt.timedelta(days=1), p.due)
        if left > remind_days:
            continue
        report = session.get(Report, p.report_id)
        assert report is not None
        for c in status.tracked(session, report):
            pr = progress.find(session, c, p)
            if pr is not None and pr.state in ("submitted", "accepted"):
                continue
            lead = c.lead
            when = "今天" if left == 0 else f"还剩 {left} 个工作日"
            payload = {"title": f"报送提醒：{outbox.short(c.title)}",
                       "body": (f"任务“{outbox.short(c.title, 80)}”{p.label} 的进度报告须于 {p.due.isoformat()} "
                                f"前报送（{when}），目前尚未提交。"),
                       "units": [lead.unit_id] if lead else [], "roles": [], "commitment_id": c.id,
                       "period": p.label, "due": p.due.isoformat(), "working_days_left": left}
            made += outbox.add(session, f"deadline_soon:{c.id}:{p.id}", "deadline_soon", payload) is not None
    return made


def digest(session: Session, today: dt.date) -> int:
    made = 0
    for report in session.scalars(select(Report).where(Report.year == today.year).order_by(Report.id)):
        # judged as the dashboard judges it: the ledger's clock (LUOSHI_TODAY, the statistics date)
        # where it fixes the day, else the worker's own day; then the judging period of that day
        fixed = ledger_clock(session, report)
        p, _, rules = status.judging(session, report, today if fixed.source == "machine" else fixed.today())
        tracked = status.tracked(session, report)
        if p is None or not tracked:
            continue
        lights = Counter(s.light for s in status.ledger_statuses(session, report, p, rules=rules))
        open_notices = notices.notices(session, report, open_only=True)
        overdue = sum(1 for n in open_notices if n.answer is None and n.due < today)
        body = (f"{report.government.name}{report.year}年台账，{p.label}：共 {len(tracked)} 项任务，"
                f"红灯 {lights['red']} 项、黄灯 {lights['yellow']} 项、绿灯 {lights['green']} 项；"
                f"未办结督办单 {len(open_notices)} 件，其中逾期未复 {overdue} 件。")
        payload = {"title": f"每日督办摘要（{today.isoformat()}）", "body": body, "units": [], "roles": [policy.LEADER],
                   "report_id": report.id, "period": p.label, "red": lights["red"], "yellow": lights["yellow"],
                   "green": lights["green"], "open_notices": len(open_notices), "overdue_notices": overdue}
        made += outbox.add(session, f"daily_digest:{report.id}:{today.isoformat()}", "daily_digest", payload) is not None
    return made


def scan(session: Session, now: dt.datetime, *, remind_days: int, digest_at: dt.time) -> dict[str, int]:
    """Run every scan for the Beijing day of ``now``; returns events emitted per kind."""
    local = now.astimezone(BEIJING)
    today = local.date()
    out = {"notice_overdue": overdue_notices(session, today)}
    try:
        out["deadline_soon"] = deadline_reminders(session, today, remind_days, Calendar(session))
    except LuoshiError as exc:  # a year without holiday data: say so, keep the other scans
        log.warning("报送提醒未生成：%s", exc.message)
        out["deadline_soon"] = 0
    out["daily_digest"] = digest(session, today) if local.time() >= digest_at else 0
    return out
