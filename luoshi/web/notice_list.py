"""The notices list as the office and the liaisons page through it: filters, sort, paging, counts.

Why a module of its own: a year of supervision issues hundreds of 督办单, so the list is one SQL
query (the caller's visibility is ``policy.notices_clause``, the same rule the write actions
enforce), counted in SQL, and only the page shown is loaded and serialised. The status a reader
filters by is derived from two columns: 待答复 (no answer, not closed), 已答复 (answered, not yet
closed), 已办结 (closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import ValidationError
from luoshi.ledger import policy
from luoshi.ledger.models import NOTICE_REASONS, Commitment, Notice, Period, Unit
from luoshi.ledger.services.notices import REASON_LABELS
from luoshi.web.auth import Principal
from luoshi.web.serializers import notice_json

STATUS_LABELS: dict[str, str] = {"open": "待答复", "answered": "已答复", "closed": "已办结"}
SORT_LABELS: dict[str, str] = {"number": "按编号", "due": "按答复期限", "unit": "按单位", "period": "按周期"}
PAGE_SIZE = 30
PRINT_LIMIT = 2000  # a printed list is one document; beyond this the office narrows the filters


def status_clause(status: str) -> Any:
    """The SQL condition of one reader status."""
    if status == "closed":
        return Notice.closed.is_(True)
    if status == "answered":
        return and_(Notice.closed.is_(False), Notice.answer.is_not(None))
    return and_(Notice.closed.is_(False), Notice.answer.is_(None))


def reason_clause(reason: str) -> Any:
    """Notices listing ``reason`` among their reasons. The reasons are a JSON list of fixed codes;
    its text form (``["missing", "behind"]``) is the same on SQLite and PostgreSQL, so a quoted
    code is matched as text on both."""
    return cast(Notice.reasons, String).like(f'%"{reason}"%')


def status_of(n: dict[str, Any]) -> str:
    """The reader status of a serialised notice."""
    if n["closed"]:
        return "closed"
    return "answered" if n["answer"] is not None else "open"


@dataclass
class NoticeFilters:
    """What a reader narrowed the list to; every field is checked against the known values."""

    report_id: int | None = None
    unit: int | None = None
    period: int | None = None
    status: str | None = None
    reason: str | None = None
    sort: str = "number"
    offset: int = 0
    limit: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUS_LABELS:
            raise ValidationError(f"状态只能是{'、'.join(STATUS_LABELS.values())}之一")
        if self.reason is not None and self.reason not in NOTICE_REASONS:
            raise ValidationError(f"原因只能是{'、'.join(REASON_LABELS.values())}之一")
        if self.sort not in SORT_LABELS:
            raise ValidationError(f"排序只能是{'、'.join(SORT_LABELS.values())}之一")

    def params(self) -> dict[str, Any]:
        """The query string that reproduces this list (paging links, the print view)."""
        out = {"report": self.report_id, "unit": self.unit, "period": self.period, "status": self.status,
               "reason": self.reason, "sort": None if self.sort == "number" else self.sort}
        return {k: v for k, v in out.items() if v is not None}


def _base(user: Principal, f: NoticeFilters) -> Any:
    """The notices ``user`` may see within the report and filters, status aside."""
    q = select(Notice.id).join(Commitment, Notice.commitment_id == Commitment.id)
    clause = policy.notices_clause(user)
    if clause is not None:
        q = q.where(clause)
    if f.report_id is not None:
        q = q.where(Commitment.report_id == f.report_id)
    if f.unit is not None:
        q = q.where(Notice.unit_id == f.unit)
    if f.period is not None:
        q = q.where(Notice.period_id == f.period)
    if f.reason is not None:
        q = q.where(reason_clause(f.reason))
    return q


def _ordered(q: Any, sort: str) -> Any:
    newest = (Notice.serial_year.desc(), Notice.serial.desc(), Notice.id.desc())
    if sort == "due":
        return q.order_by(Notice.due, Notice.id)
    if sort == "unit":
        return q.outerjoin(Unit, Notice.unit_id == Unit.id).order_by(Unit.name, *newest)
    if sort == "period":
        return q.outerjoin(Period, Notice.period_id == Period.id).order_by(Period.end.desc(), *newest)
    return q.order_by(*newest)


def notice_page(db: Session, user: Principal, f: NoticeFilters) -> dict[str, Any]:
    """One page of notices with the total, the counts per status (within the other filters, so the
    tabs say how many each would show) and per reason, each notice with ``can_answer`` /
    ``can_close`` and its ``status``."""
    base = _base(user, f)
    by_status = {k: db.scalar(select(func.count()).select_from(base.where(status_clause(k)).subquery())) or 0
                 for k in STATUS_LABELS}
    listed = base.where(status_clause(f.status)) if f.status else base
    total = db.scalar(select(func.count()).select_from(listed.subquery())) or 0
    reason_base = _base(user, NoticeFilters(report_id=f.report_id, unit=f.unit, period=f.period))
    if f.status:
        reason_base = reason_base.where(status_clause(f.status))
    by_reason = {k: db.scalar(select(func.count()).select_from(reason_base.where(reason_clause(k)).subquery())) or 0
                 for k in NOTICE_REASONS}
    ids = list(db.scalars(_ordered(listed, f.sort).offset(f.offset).limit(f.limit)))
    rows = {n.id: n for n in db.scalars(
        select(Notice).where(Notice.id.in_(ids)).options(
            selectinload(Notice.commitment).selectinload(Commitment.assignments),
            selectinload(Notice.unit), selectinload(Notice.period)))} if ids else {}
    items = []
    for i in ids:
        n = rows[i]
        d = notice_json(n)
        d["status"] = status_of(d)
        d["can_answer"] = policy.may_answer(user, n) and not n.closed
        d["can_close"] = policy.may_close(user, n) and not n.closed and n.answer is not None
        items.append(d)
    return {"items": items, "total": total, "offset": f.offset, "limit": f.limit,
            "by_status": by_status, "by_reason": {REASON_LABELS[k]: v for k, v in by_reason.items()},
            "all": sum(by_status.values())}


def choices(db: Session, user: Principal, report_id: int | None) -> dict[str, Any]:
    """The units and periods the filters offer: those that have notices the caller may see."""
    base = _base(user, NoticeFilters(report_id=report_id)).subquery()
    units = db.execute(select(Unit.id, Unit.name).where(Unit.id.in_(select(Notice.unit_id).where(
        Notice.id.in_(select(base.c.id))))).order_by(Unit.name)).all()
    periods = db.execute(select(Period.id, Period.label).where(Period.id.in_(select(Notice.period_id).where(
        Notice.id.in_(select(base.c.id))))).order_by(Period.end.desc())).all()
    return {"units": [{"id": i, "name": n} for i, n in units],
            "periods": [{"id": i, "label": lab} for i, lab in periods]}


def _install() -> None:
    from luoshi.web.templating import templates

    templates.env.globals.update(NOTICE_STATUS=STATUS_LABELS, NOTICE_SORTS=SORT_LABELS)


_install()
