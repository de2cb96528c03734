"""Responsible units: keyword-rule suggestions and operator confirmation.

Rules live in ``luoshi/data/assignment_rules.yaml`` (or any file with the same shape). A suggestion
is an unconfirmed ``Assignment`` whose ``suggested_by`` lists the words that triggered it; an
operator confirms or overrides it with :func:`assign`, which replaces the commitment's assignments
with confirmed ones and activates the commitment.

A short target quote (「重点培育2—3个特色产业」) rarely carries the keywords that say who is
responsible; its sentence and section do. When a commitment's own text matches no rule, the rules
are tried on its enclosing context, in order: the sentence of the report that contains its span,
then the title of its section, then the titles of the enclosing sections. The first context that
matches decides, and each trigger word is recorded with where it was found, e.g.
``特色产业（所在句）`` or ``实体经济（章节标题）``, so an operator can see how weak the evidence is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, InputError, ValidationError
from luoshi.ledger.models import Assignment, Commitment, Report, Unit
from luoshi.ledger.services.common import check_version
from luoshi.ledger.services.units import labels, resolve

MENTION_KINDS = ("区市", "园区", "企业")
SENTENCE_STOPS = "。！？!?\n"
SENTENCE_LIMIT = 300  # characters searched on each side of a span for the sentence boundary
CONTEXT_SENTENCE = "所在句"
CONTEXT_SECTION = "章节标题"
CONTEXT_PARENT = "上级章节标题"


@dataclass
class Rule:
    keywords: list[str]
    lead: str
    support: list[str] = field(default_factory=list)


@dataclass
class Suggestion:
    lead: tuple[Unit, list[str]] | None
    support: list[tuple[Unit, list[str]]]


def load_rules(path: str | Path | None = None) -> tuple[list[Rule], int]:
    """Rules and ``max_support`` from ``path`` (default: the bundled rules file)."""
    try:
        if path is None:
            raw = resources.files("luoshi.data").joinpath("assignment_rules.yaml").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
    except FileNotFoundError:
        raise InputError(f"{path}: 规则文件不存在") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: YAML 格式错误：{exc}") from None
    rules = []
    for i, r in enumerate(data.get("rules") or [], 1):
        if not r.get("keywords") or not r.get("lead"):
            raise InputError(f"规则 {i} 需要 keywords 和 lead")
        rules.append(
            Rule([str(k) for k in r["keywords"]], str(r["lead"]), [str(s) for s in r.get("support") or []])
        )
    return rules, int(data.get("max_support", 4))


def _text_of(c: Commitment) -> str:
    return " ".join(x for x in (c.indicator, c.text) if x)


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` that contains ``text[start:end]`` (bounded by 。！？ or a line break)."""
    lo = max(0, start - SENTENCE_LIMIT)
    left = max((text.rfind(ch, lo, start) for ch in SENTENCE_STOPS), default=-1)
    left = left + 1 if left >= 0 else lo
    hi = min(len(text), end + SENTENCE_LIMIT)
    rights = [i for i in (text.find(ch, max(start, end - 1), hi) for ch in SENTENCE_STOPS) if i >= 0]
    right = min(rights) + 1 if rights else hi
    return text[left:right].strip()


def context_of(c: Commitment) -> list[tuple[str, str]]:
    """The enclosing context of ``c`` as (where, text), most specific first.

    The sentence containing the commitment's span in the report text (if it says more than the
    commitment itself), then its section title, then the titles of the sections above it.
    """
    out: list[tuple[str, str]] = []
    report = c.report
    if c.start is not None and c.end is not None and report is not None and report.source_text:
        sentence = sentence_of(report.source_text, c.start, c.end)
        if sentence and sentence not in _text_of(c):
            out.append((CONTEXT_SENTENCE, sentence))
    section = c.section
    if section is not None:
        out.append((CONTEXT_SECTION, section.title))
        by_key = {s.key: s for s in section.report.sections}
        seen = {section.key}
        parent = by_key.get(section.parent_key or "")
        while parent is not None and parent.key not in seen:
            seen.add(parent.key)
            out.append((CONTEXT_PARENT, parent.title))
            parent = by_key.get(parent.parent_key or "")
    return out


def _score(rules: list[Rule], text: str) -> list[tuple[int, int, Rule, list[str]]]:
    """Matching rules, strongest first (sum of the lengths of the keywords found; ties → earlier rule)."""
    scored: list[tuple[int, int, Rule, list[str]]] = []
    for i, rule in enumerate(rules):
        hits = [k for k in rule.keywords if k in text]
        if hits:
            scored.append((sum(len(h) for h in hits), -i, rule, hits))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return scored


def suggest_for(
    c: Commitment, rules: list[Rule], units: list[Unit], by_label: dict[str, Unit], max_support: int
) -> Suggestion:
    text = _text_of(c)
    scored = _score(rules, text)
    if not scored:  # lower-priority sources: the sentence, then the section titles
        for where, context in context_of(c):
            scored = [(n, i, rule, [f"{h}（{where}）" for h in hits]) for n, i, rule, hits in _score(rules, context)]
            if scored:
                break
    lead: tuple[Unit, list[str]] | None = None
    support: dict[int, tuple[Unit, list[str]]] = {}

    def add_support(unit: Unit | None, words: list[str]) -> None:
        if unit is None or (lead and unit.id == lead[0].id):
            return
        if unit.id in support:
            support[unit.id][1].extend(w for w in words if w not in support[unit.id][1])
        elif len(support) < max_support:
            support[unit.id] = (unit, list(words))

    # units named in the text come first: they are the most specific evidence
    named: list[tuple[Unit, list[str]]] = []
    for u in units:
        if u.kind in MENTION_KINDS:
            found = [lab for lab in labels(u) if lab in text]
            if found:
                named.append((u, found[:1]))
    if scored:
        _, _, best, hits = scored[0]
        unit = by_label.get(best.lead)
        if unit is not None:
            lead = (unit, hits)
        for s in best.support:
            add_support(by_label.get(s), hits)
    for u, words in named:
        add_support(u, words)
    if scored:
        for _, _, rule, hits in scored[1:]:
            add_support(by_label.get(rule.lead), hits)
    return Suggestion(lead, list(support.values()))


def _directory(session: Session, government_id: int) -> tuple[list[Unit], dict[str, Unit]]:
    units = list(session.scalars(select(Unit).where(Unit.government_id == government_id, Unit.active)))
    by_label: dict[str, Unit] = {}
    for u in units:
        for lab in labels(u):
            by_label.setdefault(lab, u)
    return units, by_label


def suggest_assignments(
    session: Session, commitments: Iterable[Commitment], *, rules_path: str | Path | None = None
) -> dict[int, Suggestion]:
    """Add unconfirmed assignments for commitments that have no confirmed ones yet."""
    commitments = list(commitments)
    if not commitments:
        return {}
    rules, max_support = load_rules(rules_path)
    gov_id = commitments[0].report.government_id
    units, by_label = _directory(session, gov_id)
    out: dict[int, Suggestion] = {}
    for c in commitments:
        if any(a.confirmed for a in c.assignments):
            continue
        for a in list(c.assignments):
            c.assignments.remove(a)
        session.flush()
        s = suggest_for(c, rules, units, by_label, max_support)
        out[c.id] = s
        if s.lead:
            c.assignments.append(
                Assignment(unit=s.lead[0], role="lead", suggested_by=s.lead[1], confirmed=False)
            )
        for unit, words in s.support:
            c.assignments.append(Assignment(unit=unit, role="support", suggested_by=words, confirmed=False))
    session.flush()
    return out


def assign(
    session: Session,
    c: Commitment,
    *,
    lead: str | None = None,
    support: list[str] | None = None,
    expected_version: int | None = None,
) -> Commitment:
    """Confirm the suggestion (no arguments) or override it; the commitment becomes active.

    ``lead``/``support`` are unit names (full, short or alias); unknown names raise NotFoundError
    before anything changes.
    """
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能再分配")
    gov_id = c.report.government_id
    if lead is None and support is None:
        current = c.lead
        if current is None:
            raise ValidationError(f"任务 {c.id} 没有建议的牵头单位",
                                  hints={CLI: "，请用 --lead 指定", WEB: "，请在“牵头单位”中填写"})
        for a in c.assignments:
            a.confirmed = True
    else:
        lead_unit = resolve(session, gov_id, lead) if lead else (c.lead.unit if c.lead else None)
        if lead_unit is None:
            raise ValidationError(f"任务 {c.id} 需要牵头单位",
                                  hints={CLI: "（--lead）", WEB: "，请在“牵头单位”中填写"})
        support_units: list[Unit] = []
        for name in (
            support if support is not None else [a.unit.name for a in c.assignments if a.role == "support"]
        ):
            u = resolve(session, gov_id, name)
            if u.id != lead_unit.id and u.id not in {s.id for s in support_units}:
                support_units.append(u)
        old = {a.unit_id: a for a in c.assignments}
        wanted: list[tuple[Unit, str]] = [(lead_unit, "lead"), *[(u, "support") for u in support_units]]
        keep_ids = {u.id for u, _ in wanted}
        for a in list(c.assignments):
            if a.unit_id not in keep_ids:
                c.assignments.remove(a)
        session.flush()
        for unit, role in wanted:
            a = old.get(unit.id)
            if a is None:
                c.assignments.append(Assignment(unit=unit, role=role, suggested_by=[], confirmed=True))
            else:
                a.role = role
                a.confirmed = True
    if c.state == "draft":
        c.state = "active"
    session.flush()
    return c


def coverage(session: Session, report: Report) -> dict[str, Any]:
    """How many commitments of ``report`` have a lead (suggested or confirmed), by kind."""
    rows = list(session.scalars(select(Commitment).where(Commitment.report_id == report.id)))
    out: dict[str, Any] = {"total": len(rows), "with_lead": sum(1 for c in rows if c.lead)}
    for kind in ("target", "milestone", "measure"):
        ks = [c for c in rows if c.kind == kind]
        out[kind] = {"total": len(ks), "with_lead": sum(1 for c in ks if c.lead)}
    out["ratio"] = round(out["with_lead"] / out["total"], 3) if rows else 0.0
    return out
