"""Report N's targets against report N+1's actuals, and the promise scorecard.

A target with no number is ``qualitative``; a quantified target whose counterpart the next report
does not state (or the next report is missing, or extraction did not find it) is ``no_data`` —
never guessed. Only results for year N count: five-year averages (年均) and cumulative figures
in the next report's review are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from luoshi.reconcile.catalogue import Catalogue, default_catalogue, signed_value
from luoshi.reconcile.items import Item, ReportItems
from luoshi.reconcile.judge import (
    MET,
    MISSED,
    NO_DATA,
    QUALITATIVE,
    STATUS_LABELS,
    Tolerance,
    describe_target,
    fmt,
    judge,
)
from luoshi.reconcile.linking import SIMILARITY_THRESHOLD, Link, best_counterpart, link_item
from luoshi.reconcile.units import base_unit, to_unit

# Review statements that are not a single year's result.
_NOT_ONE_YEAR = re.compile(r"年均|五年|十年|累计|连续\d*年|近\d+年|多年来")


@dataclass(frozen=True)
class Outcome:
    """One target of report N, with what report N+1 says about it."""

    target: Item
    link: Link
    status: str
    reason: str
    actual: Item | None = None
    actual_value: float | None = None  # in the target's unit, sign applied
    match: Link | None = None  # how the actual was paired (confidence)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        t, a = self.target, self.actual
        return {
            "government": t.government, "year": t.report_year, "target_id": t.id,
            "indicator": t.indicator, "indicator_key": self.link.key, "indicator_name": self.link.name,
            "headline": t.headline, "metric": t.metric, "value": t.value, "value_max": t.value_max,
            "unit": t.unit, "comparator": t.comparator, "modality": t.modality,
            "target_text": describe_target(t.value, t.value_max, t.unit, t.comparator),
            "target_quote": t.quote, "status": self.status, "status_label": self.label, "reason": self.reason,
            "actual_id": a.id if a else None, "actual_indicator": a.indicator if a else None,
            "actual_value": self.actual_value, "actual_unit": t.unit if a else None,
            "actual_quote": a.quote if a else None,
            "link_method": self.match.method if self.match else None,
            "link_confidence": self.match.confidence if self.match else None,
        }


def usable_actual(a: Item, year: int | None) -> bool:
    if a.value is None or _NOT_ONE_YEAR.search(a.quote or ""):
        return False
    return year is None or a.year is None or a.year == year


def linked(items: Iterable[Item], catalogue: Catalogue) -> list[tuple[Item, Link]]:
    return [(i, link_item(i, catalogue)) for i in items]


def reconcile_report(
    plan: ReportItems, review: ReportItems | None, *, tolerance: Tolerance | None = None,
    catalogue: Catalogue | None = None, threshold: float = SIMILARITY_THRESHOLD,
) -> list[Outcome]:
    """Each target of ``plan`` judged against the actuals of ``review`` (the next year's report)."""
    cat = catalogue or default_catalogue()
    tol = tolerance or Tolerance()
    actuals = linked(
        (a for a in (review.actuals if review else ()) if usable_actual(a, plan.year)), cat
    )
    out: list[Outcome] = []
    for target, link in linked(plan.targets, cat):
        if target.value is None:
            out.append(Outcome(target, link, QUALITATIVE, "目标没有量化数值"))
            continue
        if review is None:
            out.append(Outcome(target, link, NO_DATA, f"尚无{(plan.year or 0) + 1}年报告" if plan.year else "无下一年报告"))
            continue
        pair = best_counterpart(target, link, actuals, threshold=threshold)
        if pair is None:
            out.append(Outcome(target, link, NO_DATA, f"{review.year}年报告未给出该指标的实绩"))
            continue
        actual, match = pair
        kind = link.kind or ""
        av = signed_value(to_unit(actual.value, actual.unit, target.unit), actual.metric, kind)  # type: ignore[arg-type]
        status, reason = judge(
            target.value, target.value_max, target.comparator, av, better=link.better,
            unit_base=base_unit(target.unit), tolerance=tol,
        )
        reason = f"实际{fmt(av)}{target.unit or ''}，目标{describe_target(target.value, target.value_max, target.unit, target.comparator)}：{reason}"
        out.append(Outcome(target, link, status, reason, actual, av, match))
    return out


@dataclass
class Scorecard:
    """Counts of kept / missed / unverifiable promises of one government for one year."""

    government: str | None
    year: int | None
    kept: int = 0
    missed: int = 0
    no_data: int = 0
    qualitative: int = 0
    headline: dict[str, int] = field(default_factory=lambda: {"kept": 0, "missed": 0, "no_data": 0, "qualitative": 0})

    @property
    def unverifiable(self) -> int:
        return self.no_data + self.qualitative

    @property
    def total(self) -> int:
        return self.kept + self.missed + self.unverifiable

    def to_dict(self) -> dict[str, Any]:
        h = self.headline
        return {
            "government": self.government, "year": self.year, "total": self.total, "kept": self.kept,
            "missed": self.missed, "unverifiable": self.unverifiable, "no_data": self.no_data,
            "qualitative": self.qualitative,
            "headline_total": sum(h.values()), "headline_kept": h["kept"], "headline_missed": h["missed"],
            "headline_unverifiable": h["no_data"] + h["qualitative"],
            "headline_no_data": h["no_data"], "headline_qualitative": h["qualitative"],
        }


_KEY = {MET: "kept", MISSED: "missed", NO_DATA: "no_data", QUALITATIVE: "qualitative"}


def scorecard(outcomes: Sequence[Outcome], government: str | None = None, year: int | None = None) -> Scorecard:
    card = Scorecard(government, year)
    for o in outcomes:
        key = _KEY[o.status]
        setattr(card, key, getattr(card, key) + 1)
        if o.target.headline:
            card.headline[key] += 1
    return card


def reconcile_history(
    reports: Iterable[ReportItems], government: str | None = None, *, tolerance: Tolerance | None = None,
    catalogue: Catalogue | None = None,
) -> dict[int, list[Outcome]]:
    """Outcomes per plan year for one government's reports (each against the next year's)."""
    mine = {r.year: r for r in reports if r.year is not None and (government is None or r.government == government)}
    return {
        y: reconcile_report(mine[y], mine.get(y + 1), tolerance=tolerance, catalogue=catalogue)
        for y in sorted(mine)
    }


__all__ = ["MET", "MISSED", "NO_DATA", "QUALITATIVE", "Outcome", "Scorecard", "reconcile_history",
           "reconcile_report", "scorecard"]
