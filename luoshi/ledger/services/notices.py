"""督办单 (notices): one per commitment and period, issued once the period's report is due.

The rules, as the supervision office reads them:

- A period's notices are issued only after its reporting due date (报送截止日) has passed —
  before that no report is late and the time-scheduled progress (时序进度) of a period that has not
  ended is not a fair yardstick. :func:`preview` says beforehand what would be issued (counts by
  reason), also before the due date; :func:`generate_notices` refuses early.
- A commitment gets at most one notice per period, listing all its reasons in a fixed order:
  未按时报送 (no submitted report for the period), 进度滞后 (red: behind 时序进度 by more than the red
  threshold), 逾期未完成 (past its deadline, not finished). Generating again issues nothing new.
- A period's notices are a snapshot of that period: a commitment added after the period ended
  (a manual item, a part of a split) is not judged for it. Items from the report itself date from
  the report.
- Notices are numbered per year of issue, 督〔2024〕N号 (the prefix is the ledger setting
  ``notice_prefix``); a number, once printed, never changes.

The light a notice is issued from is computed in :mod:`luoshi.ledger.services.status`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from luoshi.ledger import outbox, policy, vocabulary
from luoshi.ledger.limits import clean
from luoshi.ledger.models import NOTICE_REASONS, Commitment, Notice, Period, Report, User, utcnow
from luoshi.ledger.rules import rules as rules_of
from luoshi.ledger.services.calendar import Calendar
from luoshi.ledger.services.periods import NOTICING, current_period, settings
from luoshi.ledger.services.status import Status, existed_in, statuses, tracked

REASON_LABELS: dict[str, str] = vocabulary.NOTICE_REASONS
assert tuple(REASON_LABELS) == NOTICE_REASONS


def reason_labels(codes: list[str] | None) -> list[str]:
    """The reasons of a notice as a reader sees them (未按时报送、进度滞后 …), in the fixed order."""
    return [REASON_LABELS.get(c, c) for c in sorted(codes or [], key=_order)]


def _order(code: str) -> int:
    return NOTICE_REASONS.index(code) if code in NOTICE_REASONS else len(NOTICE_REASONS)


def notice_number(prefix: str, year: int, serial: int) -> str:
    """督〔2024〕3号."""
    return f"{prefix}〔{year}〕{serial}号"


def reasons_of(st: Status, p: Period, c: Commitment) -> list[tuple[str, str]]:
    """(code, detail) of every reason ``c`` gets a notice for in period ``p``, given its status."""
    out: list[tuple[str, str]] = []
    if st.missing:
        out.append(("missing", f"未按时报送：截至 {p.due} 未报送{p.label}进度"))
    if st.light == "red" and not st.overdue:
        out.append(("behind", f"进度滞后：时序进度 {st.expected or 0:g}%，报送 {st.percent or 0:g}%，"
                              f"落后 {st.behind:g} 个百分点"))
    if st.overdue:
        out.append(("overdue", f"逾期未完成：完成时限 {c.deadline} 已过，报送 {st.percent or 0:g}%"))
    return out


@dataclass
class Planned:
    """One notice that generating would issue."""

    commitment_id: int
    title: str
    unit: str | None
    reasons: list[str]
    labels: list[str]
    detail: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Preview:
    """What generating the notices of a period on a day would do, before doing it."""

    period: str
    period_id: int
    due: dt.date
    on: dt.date
    may_issue: bool
    why_not: str | None
    items: list[Planned] = field(default_factory=list)
    already: int = 0  # commitments that already have this period's notice
    later: int = 0  # commitments added after the period ended (not in its snapshot)

    @property
    def counts(self) -> dict[str, int]:
        """Notices by reason (a notice with two reasons counts under both)."""
        out = {label: 0 for label in REASON_LABELS.values()}
        for item in self.items:
            for label in item.labels:
                out[label] += 1
        return out

    def to_dict(self) -> dict[str, object]:
        return {"period": self.period, "due": self.due.isoformat(), "on": self.on.isoformat(),
                "may_issue": self.may_issue, "why_not": self.why_not, "total": len(self.items),
                "counts": self.counts, "already": self.already, "later": self.later,
                "items": [i.to_dict() for i in self.items]}


def due_period(session: Session, report: Report, *, on: dt.date | None = None) -> Period:
    """The period notices are for on ``on`` (default: the ledger's clock) — ``current_period`` with
    the NOTICING purpose — or a message saying why there is none yet."""
    on = on or rules_of(session, report).today
    p = current_period(session, report, on, NOTICING)
    if p is None:
        first = session.scalar(select(Period).where(Period.report_id == report.id).order_by(Period.end).limit(1))
        if first is None:
            raise NotFoundError("尚未生成报送周期")
        raise NotFoundError(f"截至 {on} 还没有报送截止日已过的周期（最早的 {first.label} 截止于 {first.due}）")
    return p


def preview(session: Session, report: Report, p: Period, *, on: dt.date | None = None) -> Preview:
    """What :func:`generate_notices` would issue for ``p`` on ``on`` (nothing is written).

    Before the due date the list shows what would be issued if the period were judged as it
    stands, with ``may_issue`` false and the reason why.
    """
    rules = rules_of(session, report)
    on = on or rules.today
    if p.report_id != report.id:
        raise ValidationError(f"周期 {p.label} 不属于该台账")
    early = on <= p.due
    why = f"{p.label} 的报送截止日 {p.due} 未过（统计日期 {on}），不能生成督办单" if early else None
    out = Preview(p.label, p.id, p.due, on, not early, why)
    existing = set(session.scalars(select(Notice.commitment_id).where(Notice.period_id == p.id)))
    rows = tracked(session, report)
    judged = statuses(session, report, rows, p, rules=rules)  # one bulk judgement, as the pages'
    for c in rows:
        if not existed_in(c, p):
            out.later += 1
            continue
        if c.id in existing:
            out.already += 1
            continue
        st = replace(judged[c.id])  # a copy: the preview may adjust it
        if early:
            st.missing = False  # nobody is late before the due date
        reasons = reasons_of(st, p, c)
        if not reasons:
            continue
        lead = c.lead
        codes = [code for code, _ in reasons]
        out.items.append(Planned(c.id, c.title, lead.unit.name if lead else None, codes, reason_labels(codes),
                                 "；".join(detail for _, detail in reasons)))
    return out


def generate_notices(
    session: Session,
    report: Report,
    p: Period,
    *,
    on: dt.date | None = None,
    calendar: Calendar | None = None,
) -> list[Notice]:
    """Issue the period's 督办单 as :func:`preview` lists them (idempotent); returns the new ones.

    Refused (ValidationError) while the period's due date has not passed.
    """
    plan = preview(session, report, p, on=on)
    if not plan.may_issue:
        raise ValidationError(plan.why_not or "现在不能生成督办单")
    s = settings(session, report)
    cal = calendar or Calendar(session)
    due = cal.add_workdays(plan.on, s.notice_due_days)
    year = plan.on.year
    serial = session.scalar(
        select(func.max(Notice.serial))
        .join(Commitment, Notice.commitment_id == Commitment.id)
        .where(Commitment.report_id == report.id, Notice.serial_year == year)
    ) or 0
    items = {c.id: c for c in tracked(session, report)}
    created: list[Notice] = []
    for item in plan.items:
        c = items[item.commitment_id]
        lead = c.lead
        serial += 1
        n = Notice(
            commitment=c,
            unit=lead.unit if lead else None,
            period=p,
            reason=item.reasons[0],
            reasons=item.reasons,
            detail=item.detail,
            issued=plan.on,
            due=due,
            serial_year=year,
            serial=serial,
            number=notice_number(s.notice_prefix or "督", year, serial),
        )
        session.add(n)
        created.append(n)
    session.flush()
    outbox.emit(session, "notice_issued", *created)
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
    if not policy.may_answer(user, n):
        raise PermissionDenied(f"用户 {user.username} 不能答复督办单 {n.id}（只能答复发给本单位的督办单）")
    return answer_notice(session, n, answer, now=now)


def close_notice_as(session: Session, n: Notice, user: User) -> Notice:
    """:func:`close_notice` after checking that ``user`` may close it."""
    if not policy.may_close(user, n):
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
