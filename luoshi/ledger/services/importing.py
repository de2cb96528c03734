"""Loading an extraction into the ledger: new report, unchanged re-import, or a revision diff.

Mapping (extraction → commitments):

- each ``Target`` → a commitment of kind ``target`` (indicator, metric, value, unit, comparator,
  modality, headline, deadline and the exact quote + span are kept);
- each ``Task`` of kind ``milestone`` → kind ``milestone``; every other task (``measure`` and
  ``quantified``) → kind ``measure``; its title is its run-in heading followed by the opening of
  its text, when it stands under one; a quantified task is linked (``Commitment.targets``) to the
  target commitments whose spans it contains, so the measure and the number it delivers travel together;
- ``Actual`` s (last year's results) are not commitments and are not imported.
- one promise, one row: a task that only restates headline targets (主要预期目标为：生产总值增长
  5.5%左右…) is not created — the targets are the rows, each with its own lead unit and light; a
  task that contains a headline target but also says more is kept and linked under it
  (:func:`restates_headline`).

A second import of the same government and year compares by sha256: same bytes → nothing to do;
different bytes → a :class:`ImportPlan` with added / removed / changed commitments, matched by
quote similarity (targets also by indicator), that :func:`apply_plan` carries out. Removed
commitments that already have progress, notices or an evaluation are closed (销号) rather than
deleted, so no reported work is lost. Manual commitments are never touched by an import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, ValidationError
from luoshi.extract.model import Extraction, Target, Task
from luoshi.ledger.conflicts import retrying
from luoshi.ledger.limits import clean, fit, length
from luoshi.ledger.models import (
    Comment,
    Commitment,
    Evaluation,
    Government,
    Notice,
    ProgressReport,
    Report,
    Section,
)
from luoshi.ledger.services.units import ensure_directory

CONTENT_FIELDS = (
    "kind", "text", "quote", "indicator", "metric", "value", "value_max", "unit",
    "comparator", "modality", "headline", "deadline", "deadline_text",
)  # fmt: skip
MATCH_THRESHOLD = 0.6


@dataclass
class Candidate:
    """A commitment as the extraction describes it (not yet in the database)."""

    code: str
    fields: dict[str, Any]
    section_key: str | None
    target_codes: list[str] = field(default_factory=list)

    @property
    def quote(self) -> str:
        return str(self.fields.get("quote") or self.fields["text"])


@dataclass
class Change:
    commitment_id: int
    code: str | None
    candidate: Candidate
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class ImportPlan:
    government: str
    year: int
    sha256: str
    title: str | None
    status: str  # "new" | "unchanged" | "revised"
    report_id: int | None
    candidates: list[Candidate]
    sections: list[dict[str, Any]]
    source_text: str
    source_name: str | None
    added: list[Candidate] = field(default_factory=list)
    removed: list[Commitment] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    matched: dict[str, int] = field(default_factory=dict)  # candidate code → commitment id (kept)

    def summary(self) -> dict[str, Any]:
        return {
            "government": self.government,
            "year": self.year,
            "sha256": self.sha256,
            "status": self.status,
            "report_id": self.report_id,
            "commitments": len(self.candidates),
            "added": [{"code": c.code, "kind": c.fields["kind"], "quote": c.quote} for c in self.added],
            "removed": [
                {"id": c.id, "code": c.code, "kind": c.kind, "quote": c.quote or c.text} for c in self.removed
            ],
            "changed": [
                {"id": ch.commitment_id, "code": ch.code, "before": ch.before, "after": ch.after}
                for ch in self.changed
            ],
        }


def _title(text: str, limit: int = 60) -> str:
    text = text.strip()
    for stop in "。；":
        if stop in text[:limit]:
            text = text[: text.index(stop)]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _task_title(k: Task) -> str:
    """The row's run-in heading and the opening of its text (推动项目建设提速：实施省市重点项目…):
    rows under one heading stay apart, and each says which group of jobs it belongs to."""
    if not k.title:
        return _title(k.text)
    return _title(f"{k.title}：{k.text}", 80)


def _deadline(value: str | None, year: int, words: str | None = None) -> dt.date | None:
    """The extraction's deadline as a date; 31 Dec of the plan year when it names none, and no
    date at all for work the report calls ongoing (a deadline text with no date: 长期坚持)."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if words:
        return None
    return dt.date(year, 12, 31)


def _target_candidate(t: Target, year: int) -> Candidate:
    return Candidate(
        code=t.id,
        section_key=t.section,
        fields={
            "kind": "target",
            "title": fit("commitment.title", _title(t.quote, length("commitment.title"))),
            "text": t.quote,
            "quote": t.quote,
            "start": t.start,
            "end": t.end,
            "indicator": fit("commitment.indicator", t.indicator),
            "metric": fit("commitment.metric", t.metric),
            "value": t.value,
            "value_max": t.value_max,
            "unit": fit("commitment.unit", t.unit),
            "comparator": t.comparator,
            "modality": t.modality or "预期",
            "headline": bool(t.headline),
            "deadline": _deadline(t.deadline, year),
            "deadline_text": fit("commitment.deadline_text", t.deadline_text),
        },
    )


def _task_candidate(k: Task, year: int) -> Candidate:
    return Candidate(
        code=k.id,
        section_key=k.section,
        target_codes=list(k.targets),
        fields={
            "kind": "milestone" if k.kind == "milestone" else "measure",
            "title": fit("commitment.title", _task_title(k)),
            "text": k.text,
            "quote": k.text,
            "start": k.start,
            "end": k.end,
            "indicator": None,
            "metric": None,
            "value": None,
            "value_max": None,
            "unit": None,
            "comparator": None,
            "modality": _modality(k.text),
            "headline": False,
            "deadline": _deadline(k.deadline, year, k.deadline_text),
            "deadline_text": fit("commitment.deadline_text", k.deadline_text),
        },
    )


def _modality(text: str) -> str:
    if "确保" in text:
        return "确保"
    if "力争" in text:
        return "力争"
    if "争取" in text or "争创" in text:
        return "争取"
    return "预期"


# the lead-in of the headline list (今年全市经济社会发展的主要预期目标是) — not a job of its own
_HEADLINE_LEAD = re.compile(
    r"(?:(?:今年|明年|全年|\d{4}年)?(?:全市|全省|全区|全县|全州|全盟|我市|我省|我区|我县)?"
    r"(?:经济社会发展的?|发展的?)?主要(?:预期)?目标(?:任务)?(?:是|为)?)"
)
_NOT_WORDS = re.compile(r"[\W\d_A-Za-z]+")
_FILLER = re.compile(r"左右|以上|以内|以下|和|及|等|同步|基本")
RESTATEMENT_REST = 4  # CJK characters a task may say besides the targets and still only restate them


def restates_headline(k: Task, headlines: list[Target]) -> list[str]:
    """The headline targets task ``k`` merely restates (empty when it says more than them).

    A task restates when its span (or its target links) covers at least one headline target and,
    once those targets' quotes, the list's lead-in, punctuation, numbers and filler words are taken
    out, next to nothing of its own is left.
    """
    inside = [t for t in headlines if (k.start <= t.start and t.end <= k.end) or t.id in k.targets]
    if not inside:
        return []
    rest = k.text
    for t in sorted(inside, key=lambda t: -len(t.quote)):
        rest = rest.replace(t.quote, "")
    rest = _FILLER.sub("", _NOT_WORDS.sub("", _HEADLINE_LEAD.sub("", rest)))
    return [t.id for t in inside] if len(rest) <= RESTATEMENT_REST else []


def candidates_from(extraction: Extraction, year: int) -> list[Candidate]:
    """Commitments as the extraction describes them — one row per promise: tasks that only restate
    headline targets are left out (:func:`restates_headline`)."""
    headlines = [t for t in extraction.targets if t.headline]
    return [_target_candidate(t, year) for t in extraction.targets] + [
        _task_candidate(k, year) for k in extraction.tasks if not restates_headline(k, headlines)
    ]


def restatements(extraction: Extraction) -> list[tuple[str, list[str]]]:
    """(task id, [headline target ids]) of every task left out as a restatement."""
    headlines = [t for t in extraction.targets if t.headline]
    return [(k.id, ids) for k in extraction.tasks if (ids := restates_headline(k, headlines))]


def _similarity(a: str, b: str) -> float:
    sm = SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < MATCH_THRESHOLD or sm.quick_ratio() < MATCH_THRESHOLD:
        return 0.0
    return sm.ratio()


def _match(cands: list[Candidate], olds: list[Commitment]) -> list[tuple[Candidate, Commitment]]:
    """One-to-one matching: identical quotes first, then best similarity (same kind group)."""
    pairs: list[tuple[Candidate, Commitment]] = []
    free_old = {c.id: c for c in olds}
    rest: list[Candidate] = []
    by_quote: dict[tuple[bool, str], list[Commitment]] = {}
    for c in olds:
        by_quote.setdefault((c.kind == "target", c.quote or c.text), []).append(c)
    for cand in cands:
        bucket = by_quote.get((cand.fields["kind"] == "target", cand.quote), [])
        hit = next((c for c in bucket if c.id in free_old), None)
        if hit is not None:
            pairs.append((cand, hit))
            del free_old[hit.id]
        else:
            rest.append(cand)
    scored: list[tuple[float, int, int]] = []
    for i, cand in enumerate(rest):
        is_target = cand.fields["kind"] == "target"
        for old in free_old.values():
            if (old.kind == "target") != is_target:
                continue
            score = _similarity(cand.quote, old.quote or old.text)
            if is_target and cand.fields["indicator"] and cand.fields["indicator"] == old.indicator:
                score = max(score, 0.5) + 0.2
            if score >= MATCH_THRESHOLD:
                scored.append((score, i, old.id))
    used_c: set[int] = set()
    for _score, i, old_id in sorted(scored, key=lambda s: -s[0]):
        if i in used_c or old_id not in free_old:
            continue
        used_c.add(i)
        pairs.append((rest[i], free_old.pop(old_id)))
    return pairs


def plan_import(
    session: Session,
    extraction: Extraction,
    *,
    government: str | None = None,
    year: int | None = None,
    source_text: str | None = None,
    source_name: str | None = None,
) -> ImportPlan:
    """Work out what importing ``extraction`` would change, without changing anything."""
    gov_name = clean("government.name", government or extraction.report.government)
    plan_year = year or extraction.report.year
    if not gov_name:
        raise ValidationError("无法从报告判断政府名称", hints={
            CLI: "，请用 --government 指定", WEB: "，请确认上传的是报告全文（含标题或署名中的政府名称）"})
    if not plan_year:
        raise ValidationError("无法从报告判断年份", hints={
            CLI: "，请用 --year 指定", WEB: "，请确认上传的是报告全文（含标题或日期）"})
    text = source_text if source_text is not None else extraction.cleaned_text
    if text is None:
        raise ValidationError("导入需要清洗后的原文（extract_document(..., with_text=True)）")
    sha = extraction.report.sha256
    cands = candidates_from(extraction, plan_year)
    plan = ImportPlan(
        government=gov_name,
        year=plan_year,
        sha256=sha,
        title=fit("report.title", extraction.report.title),
        status="new",
        report_id=None,
        candidates=cands,
        sections=list(extraction.sections),
        source_text=text,
        source_name=fit("report.source_name", str(source_name or extraction.report.path or "")) or None,
    )
    other = session.scalars(select(Report).where(Report.sha256 == sha)).first()
    existing = session.scalar(
        select(Report).join(Government).where(Government.name == gov_name, Report.year == plan_year)
    )
    if other is not None and other is not existing:
        raise ConflictError(
            f"这份文件（sha256 {sha[:12]}…）已作为 {other.government.name} {other.year} 年报告导入（报告 {other.id}），不能重复导入"
        )
    if existing is None:
        plan.added = list(cands)
        return plan
    plan.report_id = existing.id
    if existing.sha256 == sha:
        plan.status = "unchanged"
        return plan
    plan.status = "revised"
    olds = list(
        session.scalars(
            select(Commitment).where(Commitment.report_id == existing.id, Commitment.source == "extracted")
        )
    )
    pairs = _match(cands, olds)
    matched_ids = {old.id for _, old in pairs}
    matched_codes = {cand.code for cand, _ in pairs}
    plan.added = [c for c in cands if c.code not in matched_codes]
    plan.removed = [c for c in olds if c.id not in matched_ids and c.state != "closed"]
    for cand, old in pairs:
        plan.matched[cand.code] = old.id
        before = {f: getattr(old, f) for f in CONTENT_FIELDS if getattr(old, f) != cand.fields[f]}
        if before:
            plan.changed.append(Change(old.id, old.code, cand, before, {f: cand.fields[f] for f in before}))
    return plan


def import_extraction(
    session: Session,
    extraction: Extraction,
    *,
    government: str | None = None,
    year: int | None = None,
    source_text: str | None = None,
    source_name: str | None = None,
    dry_run: bool = False,
    suggest: bool = True,
) -> tuple[ImportPlan, Report | None]:
    """Plan and (unless ``dry_run`` or unchanged) apply an import, as one retried unit.

    Two imports of the same report at once (two uploads, two ``luoshi import``) collide on the
    government or the report row; the loser runs again on fresh data and finds the report already
    there (``unchanged``) instead of failing (see ``luoshi.ledger.conflicts.retrying``).
    """

    def work() -> tuple[ImportPlan, Report | None]:
        plan = plan_import(session, extraction, government=government, year=year, source_text=source_text,
                           source_name=source_name)
        if dry_run or plan.status == "unchanged":
            return plan, None
        return plan, apply_plan(session, plan, suggest=suggest)

    if dry_run:
        return work()
    return retrying(session, work)


def apply_plan(session: Session, plan: ImportPlan, *, suggest: bool = True) -> Report:
    """Carry out ``plan`` inside the caller's transaction."""
    from luoshi.ledger.services.assign import suggest_assignments

    if plan.status == "unchanged":
        return session.get_one(Report, plan.report_id)
    gov = ensure_directory(session, plan.government)
    if plan.status == "new":
        report = Report(
            government=gov,
            year=plan.year,
            title=plan.title,
            sha256=plan.sha256,
            source_text=plan.source_text,
            source_name=plan.source_name,
        )
        session.add(report)
        session.flush()
    else:
        report = session.get_one(Report, plan.report_id)
        report.sha256 = plan.sha256
        report.source_text = plan.source_text
        report.title = plan.title or report.title
        report.source_name = plan.source_name or report.source_name
        report.revision = report.revision + 1
    sections = _sync_sections(session, report, plan.sections)

    by_code: dict[str, Commitment] = {}
    for cand in plan.candidates:
        cid = plan.matched.get(cand.code)
        if cid is None:
            continue
        c = session.get_one(Commitment, cid)
        for k, v in cand.fields.items():
            if getattr(c, k) != v:
                setattr(c, k, v)
        c.code = cand.code
        c.section = sections.get(cand.section_key or "")
        by_code[cand.code] = c
    new: list[Commitment] = []
    for cand in plan.added:
        c = Commitment(report=report, code=cand.code, source="extracted", state="draft", **cand.fields)
        c.section = sections.get(cand.section_key or "")
        session.add(c)
        by_code[cand.code] = c
        new.append(c)
    session.flush()
    for cand in plan.candidates:
        c = by_code[cand.code]
        links = [by_code[t] for t in cand.target_codes if t in by_code and by_code[t].kind == "target"]
        if [t.id for t in c.targets] != [t.id for t in links]:
            c.targets = links
    for old in plan.removed:
        if _has_history(session, old.id):
            old.state = "closed"
        else:
            session.delete(old)
    session.flush()
    if suggest and new:
        suggest_assignments(session, new)
    return report


def _has_history(session: Session, commitment_id: int) -> bool:
    for model in (ProgressReport, Notice, Evaluation, Comment):
        if session.scalar(select(model.id).where(model.commitment_id == commitment_id).limit(1)):
            return True
    return False


def _sync_sections(session: Session, report: Report, sections: list[dict[str, Any]]) -> dict[str, Section]:
    current = {s.key: s for s in session.scalars(select(Section).where(Section.report_id == report.id))}
    wanted: dict[str, Section] = {}
    for s in sections:
        key = str(s["id"])
        values = {
            "parent_key": None if s.get("parent") is None else str(s["parent"]),
            "level": int(s.get("level") or 0),
            "title": str(s.get("title") or ""),
            "start": int(s["start"]),
            "end": int(s["end"]),
        }
        sec = current.get(key)
        if sec is None:
            sec = Section(report_id=report.id, key=key, **values)
            session.add(sec)
        else:
            for k, v in values.items():
                if getattr(sec, k) != v:
                    setattr(sec, k, v)
        wanted[key] = sec
    for key, sec in current.items():
        if key not in wanted:
            for c in session.scalars(select(Commitment).where(Commitment.section_id == sec.id)):
                c.section = None
            session.delete(sec)
    session.flush()
    return wanted


def extract_for_import(
    path: str | Path, *, government: str | None, year: int | None
) -> tuple[Extraction, str]:
    """Run the extraction pipeline on ``path`` and return it with the cleaned text."""
    from luoshi.ingest.read import load
    from luoshi.pipeline import extract_document

    doc = load(path)
    extraction = extract_document(doc, government=government, year=year, with_text=True)
    text = extraction.cleaned_text if extraction.cleaned_text is not None else doc.text
    return extraction, text
