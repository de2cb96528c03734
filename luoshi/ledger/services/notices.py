"""督办单 (notices): issued for red items and missing reports of a period, answered by the unit,
closed by the supervision office.

The light they are issued from is computed in :mod:`luoshi.ledger.services.status`; this module
owns only the notices themselves, so the light rule and the notice rule can change separately.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, PermissionDenied
from luoshi.ledger.limits import clean
from luoshi.ledger.models import Commitment, Notice, Period, Report, User, utcnow
from luoshi.ledger.services.calendar import Calendar
from luoshi.ledger.services.periods import settings
from luoshi.ledger.services.status import may_answer, may_close, status_of, tracked


def generate_notices(
    session: Session,
    report: Report,
    p: Period,
    *,
    on: dt.date | None = None,
    calendar: Calendar | None = None,
) -> list[Notice]:
    """Issue 督办单 for red items and missing reports of period ``p`` (idempotent); returns new ones."""
    on = on or dt.date.today()
    s = settings(session, report)
    cal = calendar or Calendar(session)
    due = cal.add_workdays(on, s.notice_due_days)
    existing = {
        (n.commitment_id, n.reason) for n in session.scalars(select(Notice).where(Notice.period_id == p.id))
    }
    created: list[Notice] = []
    for c in tracked(session, report):
        st = status_of(session, c, p, report=report)
        reasons: list[tuple[str, str]] = []
        if st.color == "red":
            why = "已过完成时限仍未完成" if st.overdue else f"落后时序进度 {st.behind:g} 个百分点"
            reasons.append(
                ("red", f"{p.label}：{why}（时序进度 {st.expected:g}%，报送 {st.reported or 0:g}%）")
            )
        if st.missing and on > p.due:
            reasons.append(("missing", f"{p.label}：截至 {p.due} 未报送进度"))
        lead = c.lead
        for reason, detail in reasons:
            if (c.id, reason) in existing:
                continue
            n = Notice(
                commitment=c,
                unit=lead.unit if lead else None,
                period=p,
                reason=reason,
                detail=detail,
                issued=on,
                due=due,
            )
            session.add(n)
            created.append(n)
            existing.add((c.id, reason))
    session.flush()
    return created


def notices(
    session: Session, report: Report, *, open_only: bool = False, unit_id: int | None = None
) -> list[Notice]:
    q = select(Notice).join(Commitment).where(Commitment.report_id == report.id)
    if open_only:
        q = q.where(Notice.closed.is_(False))
    if unit_id is not None:
        q = q.where(Notice.unit_id == unit_id)
    return list(session.scalars(q.order_by(Notice.id)))


def answer_notice(session: Session, n: Notice, answer: str, *, now: dt.datetime | None = None) -> Notice:
    if n.closed:
        raise ConflictError(f"督办单 {n.id} 已办结")
    text = clean("notice.answer", answer, multiline=True, required=True)
    n.answer = text
    n.answered_at = now or utcnow()
    session.flush()
    return n


def answer_notice_as(
    session: Session, n: Notice, answer: str, user: User, *, now: dt.datetime | None = None
) -> Notice:
    """:func:`answer_notice` after checking that ``user`` may answer it."""
    if not may_answer(user, n):
        raise PermissionDenied(f"用户 {user.username} 不能答复督办单 {n.id}（只能答复发给本单位的督办单）")
    return answer_notice(session, n, answer, now=now)


def close_notice_as(session: Session, n: Notice, user: User) -> Notice:
    """:func:`close_notice` after checking that ``user`` may close it."""
    if not may_close(user, n):
        raise PermissionDenied(f"用户 {user.username} 不能办结督办单 {n.id}（由督查室办结）")
    return close_notice(session, n)


def close_notice(session: Session, n: Notice) -> Notice:
    if n.closed:
        raise ConflictError(f"督办单 {n.id} 已办结")
    if n.answer is None:
        raise ConflictError(f"督办单 {n.id} 尚未答复，不能办结")
    n.closed = True
    session.flush()
    return n
