"""One JSON shape per resource, used by every read and every write of the web app.

A client that reads ``GET /api/commitments/7`` and then edits it with ``PATCH`` gets the same
record back, so it can replace what it holds instead of reconciling two vocabularies; an HTML page
and its ``?format=json`` twin are built from these same dicts. Functions here only reshape what
they are given: which rows a caller may see is decided before (``luoshi.web.queries``) and the
light by the status judge, never here.
"""

from __future__ import annotations

from typing import Any, Protocol

from luoshi.ledger.audit import jsonable
from luoshi.ledger.models import (
    Comment,
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
from luoshi.ledger.notify_models import InboxMessage
from luoshi.ledger.services import comments as comment_service
from luoshi.ledger.services.notices import reason_labels


class Judged(Protocol):
    """What a commitment's record shows of its status (``luoshi.ledger.services.status.Status``)."""

    light: str
    percent: float | None
    expected: float | None
    reason: str | None


def report_json(r: Report, *, counts: dict[int, int] | None = None) -> dict[str, Any]:
    """A report; ``commitments`` is the number of its commitments the caller may see, when counted."""
    return {
        "id": r.id, "government": r.government.name, "year": r.year, "title": r.title,
        "sha256": r.sha256, "source_name": r.source_name, "revision": r.revision,
        "imported_at": jsonable(r.imported_at), "commitments": (counts or {}).get(r.id),
    }


def section_json(s: Section) -> dict[str, Any]:
    return {"id": s.id, "key": s.key, "parent": s.parent_key, "level": s.level, "title": s.title,
            "start": s.start, "end": s.end}


def commitment_json(c: Any, s: Judged | None, area: dict[str, Any] | None = None,
                    *, full: bool = False) -> dict[str, Any]:
    """A commitment as lists show it; ``full=True`` adds what its own page shows (texts, numbers,
    suggestions). ``c`` is an ORM ``Commitment`` or a list row (``luoshi.web.queries.Row``), which
    carries its section key instead of the section."""
    section = (c.section.key if c.section is not None else None) if isinstance(c, Commitment) else c.section_key
    out: dict[str, Any] = {
        "id": c.id, "code": c.code, "kind": c.kind, "title": c.title, "state": c.state,
        "published": c.published, "headline": c.headline, "deadline": jsonable(c.deadline),
        "section": section,
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
            "report_id": c.report_id, "milestones": c.milestones, "leader": c.leader,
            "suggestions": [{"unit_id": a.unit_id, "name": a.unit.name, "role": a.role,
                             "triggers": a.suggested_by, "confirmed": a.confirmed} for a in c.assignments],
            "targets": [t.id for t in c.targets],
            "deadline_text": c.deadline_text, "split_from": c.split_from_id,
        })
    return out


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {"id": e.id, "filename": e.filename, "size": e.size, "content_type": e.content_type,
            "url": f"/evidence/{e.id}"}


def progress_json(p: ProgressReport, *, private: bool) -> dict[str, Any]:
    """A progress report; ``private`` adds author, return reason and evidence (not for the public)."""
    out = {
        "id": p.id, "commitment_id": p.commitment_id, "period": p.period.label, "period_id": p.period_id,
        "percent": p.percent, "reported_value": p.reported_value, "narrative": p.narrative,
        "state": p.state, "submitted_at": jsonable(p.submitted_at), "late": p.late, "version": p.version,
    }
    if private:
        out.update({"author": p.author, "return_reason": p.return_reason,
                    "evidence": [evidence_json(e) for e in p.evidence]})
    return out


def notice_json(n: Notice) -> dict[str, Any]:
    """A 督办单 with its number, period (and its due date) and every reason, in words too."""
    return {"id": n.id, "number": n.number, "commitment_id": n.commitment_id, "commitment_title": n.commitment.title,
            "unit_id": n.unit_id, "unit": n.unit.name if n.unit else None,
            "period": n.period.label if n.period else None, "period_due": jsonable(n.period.due) if n.period else None,
            "reason": n.reason, "reasons": list(n.reasons or []), "reason_labels": reason_labels(n.reasons or [n.reason]),
            "detail": n.detail,
            "issued": jsonable(n.issued), "due": jsonable(n.due), "answered_at": jsonable(n.answered_at),
            "answer": n.answer, "closed": n.closed, "version": n.version}


def period_json(p: Period) -> dict[str, Any]:
    return {"id": p.id, "label": p.label, "start": jsonable(p.start), "end": jsonable(p.end),
            "due": jsonable(p.due), "closed": p.closed}


def evaluation_json(e: Evaluation, *, private: bool) -> dict[str, Any]:
    """A year-end evaluation; ``private`` adds the override reason, who and the version (office, leaders)."""
    out = {"id": e.id, "commitment_id": e.commitment_id, "commitment_title": e.commitment.title,
           "result": e.result, "computed_result": e.computed_result, "final_value": e.final_value,
           "score": e.score, "at": jsonable(e.at), "state": e.state, "finalised_at": jsonable(e.finalised_at)}
    if private:
        out.update({"override_reason": e.override_reason, "by": e.by, "final_reason": e.final_reason,
                    "version": e.version})
    return out


def unit_json(u: Unit, *, assignments: int) -> dict[str, Any]:
    """A unit of the directory with the number of its assignments the caller may see."""
    return {"id": u.id, "name": u.name, "short_name": u.short_name, "kind": u.kind,
            "aliases": list(u.aliases or []), "parent_id": u.parent_id, "assignments": assignments}


def comment_json(c: Comment) -> dict[str, Any]:
    """A comment, in the ledger's own shape (the CLI prints the same record)."""
    return comment_service.to_dict(c)


def message_json(m: InboxMessage) -> dict[str, Any]:
    """A message of the in-app inbox (times as datetimes for the page; ISO text in the JSON twin)."""
    return {"id": m.id, "kind": m.kind, "title": m.title, "body": m.body, "link": m.link,
            "created_at": m.created_at, "read_at": m.read_at}
