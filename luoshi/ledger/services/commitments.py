"""Reading and editing commitments (list, show, manual add, edit with optimistic locking, publish, close)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.models import (
    COMMITMENT_KINDS,
    COMPARATORS,
    MODALITIES,
    Assignment,
    Commitment,
    Report,
    Unit,
)
from luoshi.ledger.services.common import check_version, parse_date, parse_number

EDITABLE = (
    "title",
    "text",
    "indicator",
    "metric",
    "value",
    "value_max",
    "unit",
    "comparator",
    "modality",
    "deadline",
    "published",
)


def list_commitments(
    session: Session,
    report: Report,
    *,
    kind: str | None = None,
    state: str | None = None,
    unit: Unit | None = None,
    section: str | None = None,
) -> list[Commitment]:
    q = (
        select(Commitment)
        .where(Commitment.report_id == report.id)
        .options(selectinload(Commitment.assignments).selectinload(Assignment.unit))
    )
    if kind:
        q = q.where(Commitment.kind == kind)
    if state:
        q = q.where(Commitment.state == state)
    if unit is not None:
        q = q.where(Commitment.assignments.any(Assignment.unit_id == unit.id))
    rows = list(session.scalars(q.order_by(Commitment.id)))
    if section:
        rows = [
            c
            for c in rows
            if c.section and (c.section.key == section or c.section.key.startswith(section + "."))
        ]
    return rows


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k not in EDITABLE:
            raise ValidationError(f"字段 {k} 不能修改（可改：{', '.join(EDITABLE)}）")
        if k in ("value", "value_max"):
            v = parse_number(v, k)
        elif k == "deadline":
            v = parse_date(v, "完成时限")
        elif k == "comparator" and v is not None and v not in COMPARATORS:
            raise ValidationError(f"比较符应为 {' '.join(COMPARATORS)}：{v!r}")
        elif k == "modality" and v not in MODALITIES:
            raise ValidationError(f"语气应为 {'/'.join(MODALITIES)}：{v!r}")
        elif k == "published":
            v = bool(v)
        elif k in ("title", "text") and not (v and str(v).strip()):
            raise ValidationError(f"{k} 不能为空")
        out[k] = v
    return out


def update(
    session: Session, c: Commitment, fields: dict[str, Any], *, expected_version: int | None = None
) -> Commitment:
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能修改")
    for k, v in _clean(fields).items():
        if getattr(c, k) != v:
            setattr(c, k, v)
    session.flush()
    return c


def add_manual(
    session: Session, report: Report, *, kind: str, title: str, text: str | None = None, **fields: Any
) -> Commitment:
    if kind not in COMMITMENT_KINDS:
        raise ValidationError(f"类型应为 {'/'.join(COMMITMENT_KINDS)}：{kind!r}")
    clean = _clean({"title": title, "text": text or title, **fields})
    c = Commitment(report=report, kind=kind, source="manual", state="draft", **clean)
    if c.deadline is None:
        import datetime as dt

        c.deadline = dt.date(report.year, 12, 31)
    session.add(c)
    session.flush()
    return c


def close(session: Session, c: Commitment, *, expected_version: int | None = None) -> Commitment:
    """销号: the item is finished and leaves supervision."""
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号")
    c.state = "closed"
    session.flush()
    return c


def to_dict(c: Commitment) -> dict[str, Any]:
    return {
        "id": c.id,
        "code": c.code,
        "kind": c.kind,
        "title": c.title,
        "text": c.text,
        "quote": c.quote,
        "start": c.start,
        "end": c.end,
        "section": c.section.key if c.section else None,
        "indicator": c.indicator,
        "metric": c.metric,
        "value": c.value,
        "value_max": c.value_max,
        "unit": c.unit,
        "comparator": c.comparator,
        "modality": c.modality,
        "headline": c.headline,
        "deadline": c.deadline.isoformat() if c.deadline else None,
        "milestones": c.milestones,
        "published": c.published,
        "state": c.state,
        "source": c.source,
        "version": c.version,
        "targets": [t.id for t in c.targets],
        "assignments": [
            {
                "unit": a.unit.name,
                "unit_id": a.unit_id,
                "role": a.role,
                "suggested_by": a.suggested_by,
                "confirmed": a.confirmed,
            }
            for a in c.assignments
        ],
    }
