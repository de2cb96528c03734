"""Reading and editing commitments (list, show, manual add, edit with optimistic locking, publish, close).

Every edit goes through :func:`update` / :func:`add_manual`, so the audit hook records it. Besides the
plain fields in ``EDITABLE`` a commitment can be moved to another section of its report
(``section``: a key such as ``"2.3"`` or a Section id), e.g. when a row added to an edited plan
belongs under one of the report's areas.

:func:`split` and :func:`merge` re-cut the plan without losing the link to the report: every part
of a split gets its own span into the report text (a part is a piece of the original's quote, or
explicit character offsets inside its span), and a merge of commitments of one report covers
[min start, max end] with the report text of that span as its quote. Both close (销号) and unpublish
the originals, copy units and measure↔target links, and are audited like any other edit.

Split keeps the history: each part points to its original (``split_from``; the original's
``parts`` point back), carries a copy of the original's submitted and accepted progress reports
(so it starts where the original stood in the period, not red and unreported), and waits in review
(draft, unpublished) until the office publishes it. Merge keeps the target fields (indicator,
value, comparator …) of the first merged item that has them when the kept item has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.limits import clean
from luoshi.ledger.models import (
    COMMITMENT_KINDS,
    COMPARATORS,
    MODALITIES,
    Assignment,
    Commitment,
    ProgressReport,
    Report,
    Section,
    Unit,
    utcnow,
)
from luoshi.ledger.services.common import check_version, parse_date, parse_number
from luoshi.ledger.vocabulary import field_label

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
    "deadline_text",
    "leader",
    "published",
)
SECTION_FIELD = "section"  # accepted by update() next to EDITABLE; resolved against the report


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


def clean_leader(value: Any) -> str | None:
    """责任领导 as stored: free text, stripped, empty → None, at most ``LEADER_MAX_LENGTH`` characters."""
    if isinstance(value, str):
        value = " ".join(value.split())  # line breaks from a wrapped cell become single spaces
    return clean("commitment.leader", value)


# free-text fields a person edits → (limit key, multi-line)
TEXT_FIELDS = {
    "title": ("commitment.title", False),
    "text": ("commitment.text", True),
    "indicator": ("commitment.indicator", False),
    "metric": ("commitment.metric", False),
    "unit": ("commitment.unit", False),
    "deadline_text": ("commitment.deadline_text", False),
}


def resolve_section(session: Session, report: Report, value: Section | int | str | None) -> Section | None:
    """The section of ``report`` named by ``value``: a Section, its id (int) or its key (str, e.g. "2.3")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Section):
        section: Section | None = value
    elif isinstance(value, bool):
        raise ValidationError(f"章节应为章节编号（如 2.3）或章节 id：{value!r}")
    elif isinstance(value, int):
        section = session.get(Section, value)
    elif isinstance(value, str):
        section = session.scalar(select(Section).where(Section.report_id == report.id, Section.key == value.strip()))
    else:
        raise ValidationError(f"章节应为章节编号（如 2.3）或章节 id：{value!r}")
    if section is None or section.report_id != report.id:
        raise ValidationError(f"章节 {value} 不在 {report.year} 年报告中")
    return section


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k not in EDITABLE:
            raise ValidationError(f"“{k}”不能修改（可改：{', '.join((*EDITABLE, SECTION_FIELD))}）")
        if k in ("value", "value_max"):
            v = parse_number(v, field_label("Commitment", k))
        elif k == "deadline":
            v = parse_date(v, "完成时限")
        elif k == "comparator" and v is not None and v not in COMPARATORS:
            raise ValidationError(f"比较符应为 {' '.join(COMPARATORS)}：{v!r}")
        elif k == "modality" and v not in MODALITIES:
            raise ValidationError(f"语气应为 {'/'.join(MODALITIES)}：{v!r}")
        elif k == "published":
            v = bool(v)
        elif k == "leader":
            v = clean_leader(v)
        elif k in TEXT_FIELDS:
            key, multiline = TEXT_FIELDS[k]
            v = clean(key, v, multiline=multiline)
            if k in ("title", "text") and v is None:
                raise ValidationError(f"{field_label('Commitment', k)}不能为空")
        out[k] = v
    return out


def _set_section(c: Commitment, section: Section | None) -> None:
    if c.section_id != (section.id if section else None):
        c.section = section
        c.section_id = section.id if section else None  # the audited column changes in this same flush


def update(
    session: Session, c: Commitment, fields: dict[str, Any], *, expected_version: int | None = None
) -> Commitment:
    """Change fields of ``c`` (``EDITABLE`` plus ``section``); every change lands in the audit trail."""
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能修改")
    fields = dict(fields)
    move = SECTION_FIELD in fields
    section = resolve_section(session, c.report, fields.pop(SECTION_FIELD)) if move else None
    clean = _clean(fields)
    if "deadline" in clean and "deadline_text" not in clean and clean["deadline"] != c.deadline:
        clean["deadline_text"] = None  # a date set by hand replaces the report's words (上半年 …)
    for k, v in clean.items():
        if getattr(c, k) != v:
            setattr(c, k, v)
    if move:
        _set_section(c, section)
    session.flush()
    return c


def add_manual(
    session: Session,
    report: Report,
    *,
    kind: str,
    title: str,
    text: str | None = None,
    section: Section | int | str | None = None,
    headline: bool = False,
    now: dt.datetime | None = None,
    **fields: Any,
) -> Commitment:
    """A commitment added by hand (draft); ``section`` places it in an area of the report (key or id),
    ``headline`` among the 主要预期目标. ``now`` (the ledger's clock) dates it: periods that ended
    before it was added do not judge it."""
    if kind not in COMMITMENT_KINDS:
        raise ValidationError(f"类型应为 {'/'.join(COMMITMENT_KINDS)}：{kind!r}")
    clean = _clean({"title": title, "text": text or title, **fields})
    sec = resolve_section(session, report, section)
    c = Commitment(report=report, kind=kind, source="manual", state="draft", section=sec, headline=bool(headline),
                   created_at=now or ledger_clock(session, report).now(), **clean)
    if c.deadline is None and not c.deadline_text:  # 长期坚持 and the like keep no date
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
        "deadline_text": c.deadline_text,
        "leader": c.leader,
        "milestones": c.milestones,
        "published": c.published,
        "state": c.state,
        "source": c.source,
        "version": c.version,
        "targets": [t.id for t in c.targets],
        "split_from": c.split_from_id,
        "parts": [p.id for p in c.parts],
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


SplitPart = str | tuple[int, int]
# what makes a commitment a measurable target; kept by a merge when any merged item has them
TARGET_FIELDS = ("indicator", "metric", "value", "value_max", "unit", "comparator")


def _short_title(text: str, limit: int = 60) -> str:
    t = " ".join(text.split()).rstrip("。；;，,")
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _retire(c: Commitment) -> None:
    """The original of a split / the absorbed items of a merge: unpublished and closed (销号)."""
    c.published = False
    c.state = "closed"


def _part_spans(c: Commitment, parts: Sequence[SplitPart]) -> list[tuple[str, int | None, int | None]]:
    """(text, start, end) of each part; spans only when ``c`` itself has one into the report text."""
    source = c.report.source_text
    has_span = c.start is not None and c.end is not None and 0 <= c.start < c.end <= len(source)
    base = source[c.start : c.end] if has_span else None
    out: list[tuple[str, int | None, int | None]] = []
    cursor = 0  # search after the previous part, so repeated words get distinct spans
    for part in parts:
        if isinstance(part, tuple):
            if base is None:
                raise ValidationError(f"任务 {c.id} 没有报告原文位置，不能按字符位置拆分")
            start, end = part
            if not (c.start <= start < end <= c.end):  # type: ignore[operator]
                raise ValidationError(f"位置 {start}–{end} 不在任务 {c.id} 的原文范围 {c.start}–{c.end} 内")
            out.append((source[start:end], start, end))
            continue
        text = part.strip()
        if not text:
            continue
        haystack = base if base is not None else c.text
        at = haystack.find(text, cursor)
        if at < 0:
            at = haystack.find(text)
        if at < 0:
            where = "报告原文" if base is not None else "任务文字"
            raise ValidationError(f"拆分的每一段都应摘自{where}；“{_short_title(text, 30)}”不在任务 {c.id} 的{where}中")
        cursor = at + len(text)
        if base is not None:
            out.append((text, c.start + at, c.start + at + len(text)))  # type: ignore[operator]
        else:
            out.append((text, None, None))
    return out


def _inherit_progress(session: Session, original: Commitment, part: Commitment) -> None:
    """Copy ``original``'s submitted/accepted progress reports to ``part`` (percent, dates, author,
    state); the reported value is not copied (it measured the whole), the narrative says where the
    report came from. Evidence files stay with the original's reports."""
    rows = session.scalars(
        select(ProgressReport)
        .where(ProgressReport.commitment_id == original.id, ProgressReport.state.in_(("submitted", "accepted")))
        .order_by(ProgressReport.period_id)
    )
    for pr in rows:
        session.add(
            ProgressReport(
                commitment=part,
                period_id=pr.period_id,
                percent=pr.percent,
                narrative=f"（承接原任务 {original.id} 的报送）{pr.narrative}",
                author=pr.author,
                state=pr.state,
                submitted_at=pr.submitted_at,
                late=pr.late,
                created_at=pr.created_at,
            )
        )


def split(
    session: Session,
    c: Commitment,
    parts: Sequence[SplitPart],
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> list[Commitment]:
    """Replace ``c`` by one commitment per part; ``c`` is closed (销号) and unpublished.

    A part is a substring of ``c``'s quote (searched in order) or a ``(start, end)`` pair of offsets
    into the report text inside ``c``'s span; each new commitment quotes exactly its span. The new
    items keep ``c``'s kind, section, deadline, modality, leader, units and targets, point to ``c``
    (``split_from``) and carry its progress history; they are drafts, unpublished, until the office
    confirms and publishes them. Numbers (indicator/value/…) are not copied, since they described the
    whole. ``now`` (the ledger's clock) dates the parts, so a period that ended before the split does
    not judge them.
    """
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能拆分")
    pieces = _part_spans(c, parts)
    if len(pieces) < 2:
        raise ValidationError("拆分至少需要两段文字")
    new: list[Commitment] = []
    targets = list(c.targets)
    for text, start, end in pieces:
        n = Commitment(report=c.report, section=c.section, kind=c.kind, title=_short_title(text), text=text,
                       quote=text if start is not None else None, start=start, end=end, modality=c.modality,
                       headline=c.headline, deadline=c.deadline, leader=c.leader, published=False,
                       state="draft", source="manual", split_from=c, created_at=now or utcnow())
        session.add(n)
        with session.no_autoflush:
            n.assignments = [Assignment(unit_id=a.unit_id, role=a.role, suggested_by=list(a.suggested_by),
                                        confirmed=a.confirmed) for a in c.assignments]
            n.targets = list(targets)
        new.append(n)
    session.flush()
    for n in new:
        _inherit_progress(session, c, n)
    _retire(c)
    session.flush()
    return new


def merge(
    session: Session, items: Sequence[Commitment], *, expected_versions: Mapping[int, int] | None = None
) -> Commitment:
    """Merge commitments of one report into the first; the others are closed and unpublished.

    The kept item covers [min start, max end] of the spans and quotes the report text of that span;
    its text joins the texts in report order, its deadline is the latest, and it takes over the
    other items' units (as 配合 where it already has a lead) and measure↔target links.
    """
    items = list({id(c): c for c in items}.values())
    if len(items) < 2:
        raise ValidationError("合并至少需要选择两项任务")
    for c in items:
        check_version(c, (expected_versions or {}).get(c.id))
    keep, rest = items[0], items[1:]
    if any(c.report_id != keep.report_id for c in rest):
        raise ValidationError("只能合并同一报告中的任务")
    closed = [str(c.id) for c in items if c.state == "closed"]
    if closed:
        raise ConflictError(f"已销号的任务不能合并：{'、'.join(closed)}")
    source = keep.report.source_text
    ordered = sorted(items, key=lambda c: (c.start is None, c.start or 0, c.id))
    spans = [(c.start, c.end) for c in items if c.start is not None and c.end is not None]
    keep.text = "".join(c.text for c in ordered)
    if spans:
        keep.start = min(s for s, _ in spans)
        keep.end = max(e for _, e in spans)
        keep.quote = source[keep.start : keep.end]
    keep.deadline = max((c.deadline for c in items if c.deadline), default=None)
    if keep.value is None and keep.indicator is None:
        donor = next((c for c in rest if c.value is not None or c.indicator is not None), None)
        if donor is not None:
            for name in TARGET_FIELDS:
                setattr(keep, name, getattr(donor, name))
            if donor.kind == "target":
                keep.kind = "target"
    units = {a.unit_id for a in keep.assignments}
    has_lead = keep.lead is not None
    for c in rest:
        for a in c.assignments:
            if a.unit_id in units:
                continue
            role = "lead" if a.role == "lead" and not has_lead else "support"
            has_lead = has_lead or role == "lead"
            keep.assignments.append(Assignment(unit_id=a.unit_id, role=role, suggested_by=list(a.suggested_by),
                                               confirmed=a.confirmed))
            units.add(a.unit_id)
        for t in c.targets:
            if t not in keep.targets and t is not keep:
                keep.targets.append(t)
        _retire(c)
    session.flush()
    return keep
