"""Read-only queries behind the pages and the JSON API.

Every function returns plain JSON-ready dicts in the shapes of ``luoshi.web.serializers``, so an
HTML page, its ``?format=json`` twin and its ``/api/...`` twin show the same data. Nothing here writes: changes go through ``luoshi.ledger.services`` (audited).
Visibility is decided here too: anonymous visitors and liaisons only see published commitments
(plus, for a liaison, the unpublished ones of its own unit), and only published reports, the latest
published one by default (the ledger's rule, ``luoshi.ledger.services.publication``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import NotFoundError
from luoshi.ledger import policy
from luoshi.ledger.clock import clock as ledger_clock
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
from luoshi.ledger.rules import rules as rules_of
from luoshi.ledger.services import publication
from luoshi.ledger.services import status as st
from luoshi.web.auth import Principal
from luoshi.web.memo import MEMO, audience, share_judgements
from luoshi.web.serializers import (
    commitment_json,
    evaluation_json,
    notice_json,
    period_json,
    progress_json,
    report_json,
    unit_json,
)

MAX_LIMIT = 500


# --------------------------------------------------------------------------- reports & sections

def reports(db: Session, user: Principal) -> list[dict[str, Any]]:
    q_reports = select(Report).order_by(Report.year.desc(), Report.id.desc())
    q = select(Commitment.report_id, func.count()).group_by(Commitment.report_id)
    clause = policy.reports_clause(user)
    if clause is not None:
        q_reports = q_reports.where(clause)
        q = q.where(Commitment.published.is_(True))
    counts = dict(db.execute(q).all())  # type: ignore[arg-type]
    return [report_json(r, counts=counts) for r in db.scalars(q_reports)]


def current_report(db: Session, report_id: int | None = None, *, user: Principal) -> Report | None:
    """The report ``report_id``, or the default ledger for ``user``: the latest one for those who see
    drafts, the latest *published* one for everyone else (see ``luoshi.ledger.services.publication``).
    An explicit id is not checked here: callers showing it to the public use :func:`get_report`."""
    if report_id is not None:
        return db.get(Report, report_id)
    return publication.latest_report(db, published_only=not policy.may_see_drafts(user))


def get_report(db: Session, user: Principal, report_id: int) -> Report:
    r = db.get(Report, report_id)
    if r is None:
        raise NotFoundError(f"报告 {report_id} 不存在")
    if not policy.may_see_report(db, user, r):
        raise NotFoundError(f"报告 {report_id} 不存在或未公开")
    return r


def sections(db: Session, report_id: int) -> list[Section]:
    return list(db.scalars(select(Section).where(Section.report_id == report_id).order_by(Section.start)))


def area_key(section_key: str | None) -> str | None:
    """The 领域 (level-2 section, e.g. "2.3") a section key belongs to."""
    if not section_key:
        return None
    parts = section_key.split(".")
    return ".".join(parts[:2])


def areas(db: Session, report_id: int, user: Principal) -> list[dict[str, Any]]:
    """Areas that hold commitments ``user`` may see: level-2 sections, else the level-1 parts
    (shared until the ledger changes, see ``luoshi.web.memo``)."""
    who = audience(user)
    if who is None:
        return _areas(db, report_id, user)
    return list(MEMO.get(db, ("areas", report_id, who), lambda: _areas(db, report_id, user)))


def _areas(db: Session, report_id: int, user: Principal) -> list[dict[str, Any]]:
    secs = sections(db, report_id)
    q = select(Section.key).join(Commitment, Commitment.section_id == Section.id).where(Commitment.report_id == report_id)
    clause = policy.visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    used = set(db.scalars(q))
    used_areas = {area_key(k) for k in used}
    return [{"key": s.key, "title": short_title(s.title)} for s in secs if s.key in used_areas]


def short_title(title: str, limit: int = 24) -> str:
    t = title.strip().rstrip("。")
    return t if len(t) <= limit else t[: limit - 1] + "…"


# --------------------------------------------------------------------------- visibility
# (the rules themselves: luoshi.ledger.policy)

def get_commitment(db: Session, user: Principal, cid: int) -> Commitment:
    c = db.get(Commitment, cid, options=[selectinload(Commitment.assignments).selectinload(Assignment.unit)])
    if c is None or not policy.may_see_commitment(user, c):
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
    source: str = "extracted"  # with split_from_id and created_at: whether it existed in a period
    split_from_id: int | None = None
    created_at: dt.datetime | None = None
    section_key: str | None = None
    assignments: list[AssignmentRow] = field(default_factory=list)

    @property
    def lead(self) -> AssignmentRow | None:
        return next((a for a in self.assignments if a.role == "lead"), None)


ROW_COLUMNS = (Commitment.id, Commitment.report_id, Commitment.code, Commitment.kind, Commitment.title,
               Commitment.state, Commitment.published, Commitment.headline, Commitment.deadline,
               Commitment.milestones, Commitment.section_id, Commitment.start, Commitment.end, Commitment.version,
               Commitment.value, Commitment.unit, Commitment.source, Commitment.split_from_id,
               Commitment.created_at)


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
    clause = policy.visible_clause(user)
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


def filters_clause(user: Principal, f: Filters, report: Report) -> Any:
    """SQL condition: the commitments of ``report`` the list filters ``f`` keep (all but the light,
    which is judged, not stored) — so figures beside a filtered list count the same rows."""
    return Commitment.id.in_(_base_query(user, f, report).with_only_columns(Commitment.id))


def contains_text(column: Any, text: str) -> Any:
    """``column`` contains ``text`` literally (``%``, ``_`` and ``\\`` are not wildcards), ignoring
    case alike on SQLite and PostgreSQL."""
    return column.ilike(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def area_lookup(db: Session, report_id: int) -> tuple[dict[int, dict[str, Any]], dict[str, str]]:
    """section id → area dict, and area key → title (shared until the ledger changes)."""
    return MEMO.get(db, ("area_lookup", report_id), lambda: _area_lookup(db, report_id))


def _area_lookup(db: Session, report_id: int) -> tuple[dict[int, dict[str, Any]], dict[str, str]]:
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
    share_judgements(db)  # the lights of the period, judged once per change of the ledger
    if f.status or f.q:
        # one pass over the matching rows, only the columns the judgement needs (a text search
        # scans the texts once, not once to count and again for the page); full rows for the page.
        # The matching ids are shared until the ledger changes (per audience, filters and day).
        def matching() -> list[int]:
            found = db.execute(q.with_only_columns(Commitment.id, Commitment.state, Commitment.deadline,
                                                   Commitment.milestones)).all()
            if f.status:  # the light is computed, not stored: judge every matching row
                judged = st.on_day(db, report, found, on, reuse=True)
                found = [c for c in found if judged[c.id].light == f.status]
            return [c.id for c in found]

        who = audience(user)
        if who is None:
            matched = matching()
        else:
            day = on or rules_of(db, report).today
            key = ("matching", report.id, who, day, f.area, f.unit, f.kind, f.q, f.status, f.published, f.states)
            matched = MEMO.get(db, key, matching)
        total = len(matched)
        ids = matched[f.offset: f.offset + limit]
        by_id = {r.id: r for r in load_rows(db, select(*ROW_COLUMNS).where(Commitment.id.in_(ids)),
                                            suggestions=False)} if ids else {}
        page = [by_id[i] for i in ids]
        statuses = st.on_day(db, report, page, on, reuse=True)
    else:
        total = db.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
        page = load_rows(db, q.limit(limit).offset(f.offset), suggestions=False)
        statuses = st.on_day(db, report, page, on, reuse=True)
    by_section, _ = area_lookup(db, report.id)
    items = [commitment_json(c, statuses[c.id], by_section.get(c.section_id or -1)) for c in page]
    return {"total": total, "limit": limit, "offset": f.offset, "items": items,
            "report": report_json(report)}


# --------------------------------------------------------------------------- progress, notices, ...

def progress_history(db: Session, user: Principal, c: Commitment) -> list[dict[str, Any]]:
    private = policy.may_see_private_progress(user, c)
    q = (select(ProgressReport).join(Period).where(ProgressReport.commitment_id == c.id)
         .options(selectinload(ProgressReport.period), selectinload(ProgressReport.evidence))
         .order_by(Period.start, ProgressReport.id))
    if not private:
        q = q.where(ProgressReport.state == "accepted")
    return [progress_json(p, private=private) for p in db.scalars(q)]


def progress_list(db: Session, user: Principal, *, state: str | None = None, unit: int | None = None,
                  commitment: int | None = None, limit: int = 100, offset: int = 0,
                  report_id: int | None = None) -> dict[str, Any]:
    q = select(ProgressReport).join(Commitment).join(Period)
    clause = policy.progress_clause(user)
    if clause is not None:
        q = q.where(clause)
    if report_id is not None:
        q = q.where(Commitment.report_id == report_id)
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
    # progress_clause leaves a member only rows whose working side they may see
    private = policy.is_member(user)
    items = []
    for p in rows:
        d = progress_json(p, private=private)
        d["commitment_title"] = p.commitment.title
        items.append(d)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def notices(db: Session, user: Principal, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Notices the caller may see, each with ``can_answer`` / ``can_close``.

    Who may see, answer or close is decided by the ledger (``policy.notices_clause`` /
    ``may_answer`` / ``may_close``), the same rules the write actions enforce; a liaison sees the
    notices they may answer.
    """
    q = select(Notice).options(selectinload(Notice.commitment).selectinload(Commitment.assignments),
                               selectinload(Notice.unit), selectinload(Notice.period)
                               ).order_by(Notice.issued.desc(), Notice.id.desc())
    clause = policy.notices_clause(user)
    if clause is not None:
        q = q.where(clause)
    if open_only:
        q = q.where(Notice.closed.is_(False))
    out = []
    for n in db.scalars(q):
        d = notice_json(n)
        d["can_answer"] = policy.may_answer(user, n) and not n.closed
        d["can_close"] = policy.may_close(user, n) and not n.closed and n.answer is not None
        out.append(d)
    return out


def periods(db: Session, report_id: int) -> list[dict[str, Any]]:
    rows = db.scalars(select(Period).where(Period.report_id == report_id).order_by(Period.start))
    return [period_json(p) for p in rows]


def evaluations(db: Session, user: Principal, report_id: int) -> list[dict[str, Any]]:
    q = (select(Evaluation).join(Commitment).where(Commitment.report_id == report_id)
         .options(selectinload(Evaluation.commitment)).order_by(Commitment.id))
    if not policy.may_see_drafts(user):
        q = q.where(Commitment.published.is_(True))
    private = policy.may_see_drafts(user)
    return [evaluation_json(e, private=private) for e in db.scalars(q)]


def units(db: Session, report: Report | None, user: Principal) -> list[dict[str, Any]]:
    """Units of the report's government, each with the number of its assignments ``user`` may see
    (shared until the ledger changes, see ``luoshi.web.memo``)."""
    if report is None:
        return []
    who = audience(user)
    if who is None:
        return _units(db, report, user)
    return list(MEMO.get(db, ("units", report.id, who), lambda: _units(db, report, user)))


def _units(db: Session, report: Report, user: Principal) -> list[dict[str, Any]]:
    rows = list(db.scalars(select(Unit).where(Unit.government_id == report.government_id, Unit.active.is_(True))
                           .order_by(Unit.kind, Unit.id)))
    counts: dict[int, int] = defaultdict(int)
    q = select(Assignment.unit_id, func.count()).join(Commitment).where(Commitment.report_id == report.id)
    clause = policy.visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    for uid, n in db.execute(q.group_by(Assignment.unit_id)):
        counts[uid] = n
    return [unit_json(u, assignments=counts.get(u.id, 0)) for u in rows]


def history(db: Session, user: Principal, c: Commitment) -> list[dict[str, Any]]:
    """``c``'s audit trail as ``user`` may read it (see ``luoshi.ledger.services.history``)."""
    from luoshi.ledger.services.history import present, readable_history

    return present(db, readable_history(db, c, user))


def public_view(user: Principal) -> Principal:
    """The public pages show what an anonymous visitor sees, whoever is logged in."""
    from luoshi.web.auth import ANONYMOUS

    return ANONYMOUS


def commitment_detail(db: Session, user: Principal, c: Commitment, *, on: dt.date | None = None) -> dict[str, Any]:
    """A commitment's own page: its status on day ``on`` (default: the ledger's clock), texts, units,
    progress and the report's words around its quote. What a whole audience sees is shared until
    the ledger changes (``luoshi.web.memo``); a new dict each call."""
    who = audience(user)
    if who is None:
        return _commitment_detail(db, user, c, on=on)
    day = on or rules_of(db, c.report).today
    return dict(MEMO.get(db, ("detail", c.id, who, day), lambda: _commitment_detail(db, user, c, on=day)))


def _commitment_detail(db: Session, user: Principal, c: Commitment, *, on: dt.date | None) -> dict[str, Any]:
    report = c.report
    on = on or ledger_clock(db, report).today()  # the day judged, shown with the light (统计日期)
    status = st.on_day(db, report, [c], on, reuse=True)[c.id]
    by_section, _ = area_lookup(db, report.id)
    data = commitment_json(c, status, by_section.get(c.section_id or -1), full=True)
    data["report"] = {"id": report.id, "title": report.title, "year": report.year,
                      "government": report.government.name}
    data["section_title"] = c.section.title if c.section is not None else None
    data["on"] = on.isoformat()
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
