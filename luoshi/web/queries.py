"""Read-only queries behind the pages and the JSON API.

Every function returns plain JSON-ready dicts, so an HTML page and its ``/api/...`` twin show the
same data. Nothing here writes: changes go through ``luoshi.ledger.services`` (audited).
Visibility is decided here too: anonymous visitors and liaisons only see published commitments
(plus, for a liaison, the unpublished ones of its own unit), and only published reports, the latest
published one by default (the ledger's rule, ``luoshi.ledger.services.publication``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import NotFoundError, ValidationError
from luoshi.ledger.audit import jsonable
from luoshi.ledger.db import LIKE_ESCAPE, escape_like
from luoshi.ledger.models import (
    Assignment,
    Commitment,
    Evaluation,
    Evidence,
    Notice,
    Period,
    ProgressReport,
    Report,
    Section,
    Unit,
)
from luoshi.ledger.services import publication
from luoshi.web import status as st
from luoshi.web.auth import Principal

MAX_LIMIT = 500


def today() -> dt.date:
    """The day statuses are judged on: ``LUOSHI_TODAY`` (ISO date, used by the demo) or today."""
    value = os.environ.get("LUOSHI_TODAY")
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"LUOSHI_TODAY 不是有效日期（YYYY-MM-DD）：{value!r}") from None
    return dt.date.today()


def now() -> dt.datetime:
    """Current time on the same clock as :func:`today` (the demo's simulated day keeps its time)."""
    current = dt.datetime.now(dt.UTC)
    if os.environ.get("LUOSHI_TODAY"):
        return dt.datetime.combine(today(), current.time(), tzinfo=dt.UTC)
    return current


# --------------------------------------------------------------------------- reports & sections

def report_json(r: Report, *, counts: dict[int, int] | None = None) -> dict[str, Any]:
    return {
        "id": r.id, "government": r.government.name, "year": r.year, "title": r.title,
        "sha256": r.sha256, "source_name": r.source_name, "revision": r.revision,
        "imported_at": jsonable(r.imported_at), "commitments": (counts or {}).get(r.id),
    }


def reports(db: Session, user: Principal) -> list[dict[str, Any]]:
    q_reports = select(Report).order_by(Report.year.desc(), Report.id.desc())
    q = select(Commitment.report_id, func.count()).group_by(Commitment.report_id)
    if not can_see_drafts(user):
        q_reports = q_reports.where(publication.published_clause())
        q = q.where(Commitment.published.is_(True))
    counts = dict(db.execute(q).all())  # type: ignore[arg-type]
    return [report_json(r, counts=counts) for r in db.scalars(q_reports)]


def current_report(db: Session, report_id: int | None = None, *, user: Principal) -> Report | None:
    """The report ``report_id``, or the default ledger for ``user``: the latest one for those who see
    drafts, the latest *published* one for everyone else (see ``luoshi.ledger.services.publication``).
    An explicit id is not checked here: callers showing it to the public use :func:`get_report`."""
    if report_id is not None:
        return db.get(Report, report_id)
    return publication.latest_report(db, published_only=not can_see_drafts(user))


def get_report(db: Session, user: Principal, report_id: int) -> Report:
    r = db.get(Report, report_id)
    if r is None:
        raise NotFoundError(f"报告 {report_id} 不存在")
    if not can_see_drafts(user) and not publication.is_published(db, r):
        raise NotFoundError(f"报告 {report_id} 不存在或未公开")
    return r


def section_json(s: Section) -> dict[str, Any]:
    return {"id": s.id, "key": s.key, "parent": s.parent_key, "level": s.level, "title": s.title,
            "start": s.start, "end": s.end}


def sections(db: Session, report_id: int) -> list[Section]:
    return list(db.scalars(select(Section).where(Section.report_id == report_id).order_by(Section.start)))


def area_key(section_key: str | None) -> str | None:
    """The 领域 (level-2 section, e.g. "2.3") a section key belongs to."""
    if not section_key:
        return None
    parts = section_key.split(".")
    return ".".join(parts[:2])


def areas(db: Session, report_id: int, user: Principal) -> list[dict[str, Any]]:
    """Areas that hold commitments ``user`` may see: level-2 sections, else the level-1 parts."""
    secs = sections(db, report_id)
    q = select(Section.key).join(Commitment, Commitment.section_id == Section.id).where(Commitment.report_id == report_id)
    clause = visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    used = set(db.scalars(q))
    used_areas = {area_key(k) for k in used}
    return [{"key": s.key, "title": short_title(s.title)} for s in secs if s.key in used_areas]


def short_title(title: str, limit: int = 24) -> str:
    t = title.strip().rstrip("。")
    return t if len(t) <= limit else t[: limit - 1] + "…"


# --------------------------------------------------------------------------- visibility

def can_see_drafts(user: Principal) -> bool:
    return user.role in ("admin", "leader")


def visible_clause(user: Principal) -> Any:
    if can_see_drafts(user):
        return None
    if user.role == "liaison" and user.unit_id is not None:
        own = select(Assignment.commitment_id).where(Assignment.unit_id == user.unit_id)
        return or_(Commitment.published.is_(True), Commitment.id.in_(own))
    return Commitment.published.is_(True)


def can_see(user: Principal, c: Commitment) -> bool:
    if can_see_drafts(user) or c.published:
        return True
    return user.role == "liaison" and any(a.unit_id == user.unit_id for a in c.assignments)


def is_responsible(user: Principal, c: Commitment) -> bool:
    """A liaison answers for commitments its unit leads or supports."""
    return user.role == "liaison" and user.unit_id is not None and any(
        a.unit_id == user.unit_id for a in c.assignments)


def get_commitment(db: Session, user: Principal, cid: int) -> Commitment:
    c = db.get(Commitment, cid, options=[selectinload(Commitment.assignments).selectinload(Assignment.unit)])
    if c is None or not can_see(user, c):
        raise NotFoundError(f"任务 {cid} 不存在或未公开")
    return c


# --------------------------------------------------------------------------- commitments

@dataclass
class Filters:
    report_id: int | None = None
    area: str | None = None
    unit: int | None = None
    status: str | None = None
    kind: str | None = None
    q: str | None = None
    published: bool | None = None
    states: tuple[str, ...] | None = None
    limit: int = 50
    offset: int = 0

    def params(self) -> dict[str, Any]:
        out = {"area": self.area, "unit": self.unit, "status": self.status, "kind": self.kind, "q": self.q}
        return {k: v for k, v in out.items() if v not in (None, "")}


@dataclass
class UnitRef:
    id: int
    name: str


@dataclass
class AssignmentRow:
    id: int
    unit_id: int
    role: str
    confirmed: bool
    unit: UnitRef
    suggested_by: list[str]


@dataclass
class Row:
    """The columns of a commitment a list needs (no long texts), loaded without the ORM's overhead."""

    id: int
    report_id: int
    code: str | None
    kind: str
    title: str
    state: str
    published: bool
    headline: bool
    deadline: dt.date | None
    milestones: list[dict[str, Any]] | None
    section_id: int | None
    start: int | None
    end: int | None
    version: int
    value: float | None
    unit: str | None
    section_key: str | None = None
    assignments: list[AssignmentRow] = field(default_factory=list)

    @property
    def lead(self) -> AssignmentRow | None:
        return next((a for a in self.assignments if a.role == "lead"), None)


ROW_COLUMNS = (Commitment.id, Commitment.report_id, Commitment.code, Commitment.kind, Commitment.title,
               Commitment.state, Commitment.published, Commitment.headline, Commitment.deadline,
               Commitment.milestones, Commitment.section_id, Commitment.start, Commitment.end, Commitment.version,
               Commitment.value, Commitment.unit)


def load_rows(db: Session, q: Any, *, suggestions: bool = True) -> list[Row]:
    """Run a ``select(*ROW_COLUMNS)`` query and attach assignments and section keys in bulk.

    ``suggestions=False`` leaves each assignment's ``suggested_by`` empty (lists and summaries do
    not show the trigger words; decoding them is most of the cost of a few thousand rows).
    """
    rows = plain_rows(db, q)
    attach(db, rows, suggestions=suggestions)
    return rows


def plain_rows(db: Session, q: Any) -> list[Row]:
    """Run a ``select(*ROW_COLUMNS)`` query; no assignments or section keys yet (see :func:`attach`)."""
    return [Row(*r) for r in db.execute(q)]


def attach(db: Session, rows: list[Row], *, suggestions: bool = True) -> None:
    """Attach assignments (with unit names) and section keys to ``rows`` of one report."""
    if not rows:
        return
    by_id = {r.id: r for r in rows}
    for r in rows:
        r.assignments = []
    cols = [Assignment.id, Assignment.commitment_id, Assignment.unit_id, Assignment.role, Assignment.confirmed]
    if suggestions:
        cols.append(Assignment.suggested_by)
    found = []
    ids = list(by_id)
    # assignments alone, by commitment id (one index, whatever the planner's statistics say); the
    # few unit names in a second query rather than a join the planner may turn around
    for i in range(0, len(ids), 5000):
        found.extend(db.execute(select(*cols).where(Assignment.commitment_id.in_(ids[i: i + 5000]))).all())
    found.sort(key=lambda a: a[0])
    names = dict(db.execute(select(Unit.id, Unit.name).where(Unit.id.in_({a[2] for a in found}))).all()) \
        if found else {}
    for a in found:
        aid, cid, uid, role, confirmed = a[:5]
        words = (a[5] or []) if suggestions else []
        by_id[cid].assignments.append(AssignmentRow(aid, uid, role, confirmed, UnitRef(uid, names[uid]), words))
    keys = dict(db.execute(select(Section.id, Section.key).where(Section.report_id == rows[0].report_id)).all())
    for r in rows:
        r.section_key = keys.get(r.section_id) if r.section_id is not None else None


def _base_query(user: Principal, f: Filters, report: Report) -> Any:
    q = select(*ROW_COLUMNS).where(Commitment.report_id == report.id)
    clause = visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    if f.published is not None:
        q = q.where(Commitment.published.is_(f.published))
    if f.states:
        q = q.where(Commitment.state.in_(f.states))
    if f.kind:
        q = q.where(Commitment.kind == f.kind)
    if f.unit:
        q = q.where(Commitment.id.in_(select(Assignment.commitment_id).where(Assignment.unit_id == f.unit)))
    if f.area:
        keys = select(Section.id).where(Section.report_id == report.id,
                                        or_(Section.key == f.area,
                                            Section.key.like(escape_like(f.area) + ".%", escape=LIKE_ESCAPE)))
        q = q.where(Commitment.section_id.in_(keys))
    if f.q:
        q = q.where(or_(*(contains_text(col, f.q.strip())
                          for col in (Commitment.title, Commitment.text, Commitment.indicator))))
    return q


def contains_text(column: Any, text: str) -> Any:
    """``column`` contains ``text`` literally (``%``, ``_`` and ``\\`` are not wildcards), ignoring
    case alike on SQLite and PostgreSQL."""
    return column.ilike(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def commitment_json(c: Commitment | Row, s: st.Status | None, area: dict[str, Any] | None = None,
                    *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id, "code": c.code, "kind": c.kind, "title": c.title, "state": c.state,
        "published": c.published, "headline": c.headline, "deadline": jsonable(c.deadline),
        "section": c.section_key if isinstance(c, Row) else (c.section.key if c.section is not None else None),
        "area": area,
        "units": [{"id": a.unit_id, "name": a.unit.name, "role": a.role, "confirmed": a.confirmed}
                  for a in sorted(c.assignments, key=lambda a: (a.role != "lead", a.id))],
        "lead": next((a.unit.name for a in c.assignments if a.role == "lead"), None),
        "support": [a.unit.name for a in c.assignments if a.role == "support"],
        "light": s.light if s else "grey",
        "percent": s.percent if s else None,
        "expected": s.expected if s else None,
        "status_reason": s.reason if s else None,
    }
    if full:
        out.update({
            "text": c.text, "quote": c.quote, "start": c.start, "end": c.end, "indicator": c.indicator,
            "metric": c.metric, "value": c.value, "value_max": c.value_max, "unit": c.unit,
            "comparator": c.comparator, "modality": c.modality, "source": c.source, "version": c.version,
            "report_id": c.report_id, "milestones": c.milestones,
            "suggestions": [{"unit_id": a.unit_id, "name": a.unit.name, "role": a.role,
                             "triggers": a.suggested_by, "confirmed": a.confirmed} for a in c.assignments],
            "targets": [t.id for t in c.targets],
        })
    return out


def area_lookup(db: Session, report_id: int) -> tuple[dict[int, dict[str, Any]], dict[str, str]]:
    """section id → area dict, and area key → title."""
    secs = sections(db, report_id)
    titles = {s.key: short_title(s.title) for s in secs}
    by_id = {}
    for s in secs:
        k = area_key(s.key)
        by_id[s.id] = {"key": k, "title": titles.get(k or "", "")}
    return by_id, titles


def list_commitments(db: Session, user: Principal, f: Filters, *, on: dt.date | None = None) -> dict[str, Any]:
    report = current_report(db, f.report_id, user=user)
    if report is None:
        return {"total": 0, "limit": f.limit, "offset": f.offset, "items": [], "report": None}
    q = _base_query(user, f, report).order_by(Commitment.start.is_(None), Commitment.start, Commitment.id)
    limit = max(1, min(f.limit, MAX_LIMIT))
    day = on or today()
    if f.status:
        # the light is computed, not stored: judge every matching row, then load the page's details
        rows = plain_rows(db, q)
        statuses = st.statuses(db, report, rows, day)
        rows = [c for c in rows if statuses[c.id].light == f.status]
        total = len(rows)
        page = rows[f.offset: f.offset + limit]
        attach(db, page, suggestions=False)
    else:
        total = db.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
        page = load_rows(db, q.limit(limit).offset(f.offset), suggestions=False)
        statuses = st.statuses(db, report, page, day)
    by_section, _ = area_lookup(db, report.id)
    items = [commitment_json(c, statuses[c.id], by_section.get(c.section_id or -1)) for c in page]
    return {"total": total, "limit": limit, "offset": f.offset, "items": items,
            "report": report_json(report)}


# --------------------------------------------------------------------------- progress, notices, ...

def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"id": e.id, "filename": e.filename, "size": e.size, "content_type": e.content_type,
            "url": f"/evidence/{e.id}"}


def progress_json(p: ProgressReport, *, private: bool) -> dict[str, Any]:
    out = {
        "id": p.id, "commitment_id": p.commitment_id, "period": p.period.label, "period_id": p.period_id,
        "percent": p.percent, "reported_value": p.reported_value, "narrative": p.narrative,
        "state": p.state, "submitted_at": jsonable(p.submitted_at), "late": p.late, "version": p.version,
    }
    if private:
        out.update({"author": p.author, "return_reason": p.return_reason,
                    "evidence": [evidence_json(e) for e in p.evidence]})
    return out


def progress_history(db: Session, user: Principal, c: Commitment) -> list[dict[str, Any]]:
    private = not user.is_anonymous and (can_see_drafts(user) or is_responsible(user, c))
    q = (select(ProgressReport).join(Period).where(ProgressReport.commitment_id == c.id)
         .options(selectinload(ProgressReport.period), selectinload(ProgressReport.evidence))
         .order_by(Period.start, ProgressReport.id))
    if not private:
        q = q.where(ProgressReport.state == "accepted")
    return [progress_json(p, private=private) for p in db.scalars(q)]


def progress_list(db: Session, user: Principal, *, state: str | None = None, unit: int | None = None,
                  commitment: int | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    q = select(ProgressReport).join(Commitment).join(Period)
    if user.role == "liaison":
        q = q.where(ProgressReport.commitment_id.in_(
            select(Assignment.commitment_id).where(Assignment.unit_id == user.unit_id)))
    elif not can_see_drafts(user):
        q = q.where(ProgressReport.state == "accepted", Commitment.published.is_(True))
    if state:
        q = q.where(ProgressReport.state == state)
    if unit:
        q = q.where(ProgressReport.commitment_id.in_(
            select(Assignment.commitment_id).where(Assignment.unit_id == unit)))
    if commitment:
        q = q.where(ProgressReport.commitment_id == commitment)
    total = db.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.scalars(q.options(selectinload(ProgressReport.period), selectinload(ProgressReport.evidence),
                                selectinload(ProgressReport.commitment))
                      .order_by(ProgressReport.submitted_at.desc().nulls_last(), ProgressReport.id.desc())
                      .limit(min(limit, MAX_LIMIT)).offset(offset))
    private = not user.is_anonymous
    items = []
    for p in rows:
        d = progress_json(p, private=private)
        d["commitment_title"] = p.commitment.title
        items.append(d)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def notice_json(n: Notice) -> dict[str, Any]:
    from luoshi.ledger.services.notices import reason_labels

    return {"id": n.id, "number": n.number, "commitment_id": n.commitment_id, "commitment_title": n.commitment.title,
            "unit_id": n.unit_id, "unit": n.unit.name if n.unit else None,
            "period": n.period.label if n.period else None, "period_due": jsonable(n.period.due) if n.period else None,
            "reason": n.reason, "reasons": list(n.reasons or []), "reason_labels": reason_labels(n.reasons or [n.reason]),
            "detail": n.detail,
            "issued": jsonable(n.issued), "due": jsonable(n.due), "answered_at": jsonable(n.answered_at),
            "answer": n.answer, "closed": n.closed, "version": n.version}


def notices(db: Session, user: Principal, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Notices the caller may see, each with ``can_answer`` / ``can_close``.

    Who may answer or close is decided by the ledger (``may_answer`` / ``may_close`` in
    ``luoshi.ledger.services.status``), the same rule the write actions enforce; a liaison sees the
    notices they may answer. The SQL filter only narrows the rows to the liaison's unit first.
    """
    from luoshi.ledger.models import User
    from luoshi.ledger.services.status import may_answer, may_close

    q = select(Notice).options(selectinload(Notice.commitment).selectinload(Commitment.assignments),
                               selectinload(Notice.unit), selectinload(Notice.period)
                               ).order_by(Notice.issued.desc(), Notice.id.desc())
    if user.role == "liaison":
        q = q.where(or_(Notice.unit_id == user.unit_id, Notice.commitment_id.in_(
            select(Assignment.commitment_id).where(Assignment.unit_id == user.unit_id))))
    elif not can_see_drafts(user):
        return []
    if open_only:
        q = q.where(Notice.closed.is_(False))
    account = db.get(User, user.id) if user.id is not None else None
    out = []
    for n in db.scalars(q):
        answerable = account is not None and may_answer(account, n)
        if user.role == "liaison" and not answerable:
            continue
        d = notice_json(n)
        d["can_answer"] = answerable and not n.closed
        d["can_close"] = account is not None and may_close(account, n) and not n.closed and n.answer is not None
        out.append(d)
    return out


def periods(db: Session, report_id: int) -> list[dict[str, Any]]:
    rows = db.scalars(select(Period).where(Period.report_id == report_id).order_by(Period.start))
    return [{"id": p.id, "label": p.label, "start": jsonable(p.start), "end": jsonable(p.end),
             "due": jsonable(p.due), "closed": p.closed} for p in rows]


def evaluations(db: Session, user: Principal, report_id: int) -> list[dict[str, Any]]:
    q = (select(Evaluation).join(Commitment).where(Commitment.report_id == report_id)
         .options(selectinload(Evaluation.commitment)).order_by(Commitment.id))
    if not can_see_drafts(user):
        q = q.where(Commitment.published.is_(True))
    private = can_see_drafts(user)
    out = []
    for e in db.scalars(q):
        d = {"id": e.id, "commitment_id": e.commitment_id, "commitment_title": e.commitment.title,
             "result": e.result, "computed_result": e.computed_result, "final_value": e.final_value,
             "score": e.score, "at": jsonable(e.at), "state": e.state,
             "finalised_at": jsonable(e.finalised_at)}
        if private:
            d.update({"override_reason": e.override_reason, "by": e.by, "version": e.version})
        out.append(d)
    return out


def units(db: Session, report: Report | None, user: Principal) -> list[dict[str, Any]]:
    """Units of the report's government, each with the number of its assignments ``user`` may see."""
    if report is None:
        return []
    rows = list(db.scalars(select(Unit).where(Unit.government_id == report.government_id, Unit.active.is_(True))
                           .order_by(Unit.kind, Unit.id)))
    counts: dict[int, int] = defaultdict(int)
    q = select(Assignment.unit_id, func.count()).join(Commitment).where(Commitment.report_id == report.id)
    clause = visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    for uid, n in db.execute(q.group_by(Assignment.unit_id)):
        counts[uid] = n
    return [{"id": u.id, "name": u.name, "short_name": u.short_name, "kind": u.kind,
             "aliases": list(u.aliases or []), "parent_id": u.parent_id, "assignments": counts.get(u.id, 0)}
            for u in rows]


def history(db: Session, user: Principal, c: Commitment) -> list[dict[str, Any]]:
    """``c``'s audit trail as ``user`` may read it (see ``luoshi.ledger.services.history``)."""
    from luoshi.ledger.models import User
    from luoshi.ledger.services.history import readable_history

    account = db.get(User, user.id) if user.id is not None else None
    return readable_history(db, c, account)


def public_view(user: Principal) -> Principal:
    """The public pages show what an anonymous visitor sees, whoever is logged in."""
    from luoshi.web.auth import ANONYMOUS

    return ANONYMOUS


def commitment_detail(db: Session, user: Principal, c: Commitment, *, on: dt.date | None = None) -> dict[str, Any]:
    report = c.report
    status = st.statuses(db, report, [c], on or today())[c.id]
    by_section, _ = area_lookup(db, report.id)
    data = commitment_json(c, status, by_section.get(c.section_id or -1), full=True)
    data["report"] = {"id": report.id, "title": report.title, "year": report.year,
                      "government": report.government.name}
    data["section_title"] = c.section.title if c.section is not None else None
    data["progress"] = progress_history(db, user, c)
    data["context"] = source_context(report.source_text, c.start, c.end)
    return data


def source_context(text: str, start: int | None, end: int | None, width: int = 80) -> dict[str, str] | None:
    """The quote with a little text on each side, for showing the report's own words."""
    if start is None or end is None or not (0 <= start <= end <= len(text)):
        return None
    return {"before": text[max(0, start - width): start], "quote": text[start:end], "after": text[end: end + width]}


def evidence_path(e: Evidence) -> Any:
    from luoshi.ledger.services.evidence import path_for

    return path_for(e.sha256)
