"""Ambition check: is this year's target below what was already achieved last year?

A report's review states last year's results; its plan sets this year's targets. A target of
100 new 生态街巷 after 119 were built is lower than last year's result, and a supervisor wants to
see that list.

Which indicators are better lower (居民消费价格涨幅, 城镇调查失业率, 赤字率, PM2.5 …) is written
once, as ``better: lower`` in the indicator catalogue (``data/indicators.yaml``); an item the
catalogue does not know is better lower when it is written as a ceiling (以内/以下, ``<=``). Such a
target is a ceiling, not an amount to beat: CPI 3%左右 after 2% last year, or unemployment within
5.5% after 5.1%, is not "below last year's result" and is never in that list. A ceiling looser
than last year's result is flagged separately (``looser``), so it can still be looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from luoshi.reconcile.catalogue import Catalogue, default_catalogue, signed_value
from luoshi.reconcile.items import Item, ReportItems
from luoshi.reconcile.judge import describe_target, fmt
from luoshi.reconcile.linking import SIMILARITY_THRESHOLD, Link, best_counterpart, link_item
from luoshi.reconcile.reconcile import linked, usable_actual
from luoshi.reconcile.units import to_unit


@dataclass(frozen=True)
class AmbitionRow:
    target: Item
    link: Link
    actual: Item
    actual_value: float  # last year's result in the target's unit
    match: Link
    below: bool  # target less ambitious than last year's result (never for a better-lower indicator)
    looser: bool = False  # a ceiling (better lower) above last year's result

    @property
    def note(self) -> str:
        t = self.target
        text = describe_target(t.value, t.value_max, t.unit, t.comparator)
        last = f"{fmt(self.actual_value)}{t.unit or ''}"
        if self.link.better == "lower":
            verdict = "宽于" if self.looser else "不宽于"
            return f"上限目标{text}{verdict}上年实绩{last}（该指标越低越好，不计入低于上年实绩）"
        if not self.below:
            return f"目标{text}，不低于上年实绩{last}"
        return f"目标{text}低于上年实绩{last}"

    def to_dict(self) -> dict[str, Any]:
        t, a = self.target, self.actual
        return {
            "government": t.government, "year": t.report_year, "target_id": t.id, "indicator": t.indicator,
            "indicator_key": self.link.key, "indicator_name": self.link.name, "headline": t.headline,
            "value": t.value, "value_max": t.value_max, "unit": t.unit, "comparator": t.comparator,
            "target_text": describe_target(t.value, t.value_max, t.unit, t.comparator),
            "target_quote": t.quote, "last_year": a.year, "last_year_value": self.actual_value,
            "actual_id": a.id, "actual_indicator": a.indicator, "actual_quote": a.quote,
            "below_last_year": self.below, "better": self.link.better, "looser_ceiling": self.looser,
            "note": self.note,
            "link_method": self.match.method, "link_confidence": self.match.confidence,
        }


def ambition_check(
    report: ReportItems, *, catalogue: Catalogue | None = None, threshold: float = SIMILARITY_THRESHOLD
) -> list[AmbitionRow]:
    """Every quantified target of ``report`` that has a counterpart among last year's results."""
    cat = catalogue or default_catalogue()
    last_year = report.year - 1 if report.year is not None else None
    actuals = linked((a for a in report.actuals if usable_actual(a, last_year)), cat)
    rows: list[AmbitionRow] = []
    for target in report.targets:
        if target.value is None:
            continue
        link = link_item(target, cat)
        pair = best_counterpart(target, link, actuals, threshold=threshold)
        if pair is None:
            continue
        actual, match = pair
        av = signed_value(to_unit(actual.value, actual.unit, target.unit), actual.metric, link.kind or "")  # type: ignore[arg-type]
        assert av is not None
        top = max(target.value, target.value_max) if target.value_max is not None else target.value
        low = min(target.value, target.value_max) if target.value_max is not None else target.value
        if link.better == "lower":
            rows.append(AmbitionRow(target, link, actual, av, match, False, low > av + 1e-9))
        else:
            rows.append(AmbitionRow(target, link, actual, av, match, top < av - 1e-9))
    return rows


def below_last_year(report: ReportItems, **kw: Any) -> list[AmbitionRow]:
    return [r for r in ambition_check(report, **kw) if r.below]
