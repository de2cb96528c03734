"""Headline targets side by side: many governments in one year, or one government over years."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from luoshi.reconcile.catalogue import Catalogue, default_catalogue
from luoshi.reconcile.items import ReportItems
from luoshi.reconcile.judge import describe_target, fmt
from luoshi.reconcile.linking import link_item
from luoshi.reconcile.reconcile import Outcome


@dataclass
class Table:
    """Rows are indicators, columns governments or years; a cell is a short text."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"key", "indicator", "cells": {col: {...}}}

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


def _order(cat: Catalogue) -> dict[str, int]:
    return {ind.id: n for n, ind in enumerate(cat.indicators)}


def _sorted_rows(rows: dict[str, dict[str, Any]], cat: Catalogue) -> list[dict[str, Any]]:
    order = _order(cat)
    return sorted(rows.values(), key=lambda r: (order.get(r["key"], len(order)), r["first"]))


def year_table(reports: Iterable[ReportItems], year: int, *, catalogue: Catalogue | None = None) -> Table:
    """Headline targets of every government's report for ``year``."""
    cat = catalogue or default_catalogue()
    mine = [r for r in reports if r.year == year]
    columns = [r.government or "（未知政府）" for r in mine]
    rows: dict[str, dict[str, Any]] = {}
    seen = 0
    for rep, col in zip(mine, columns, strict=True):
        for t in rep.targets:
            if not t.headline:
                continue
            link = link_item(t, cat)
            row = rows.setdefault(link.key, {"key": link.key, "indicator": link.name, "first": seen, "cells": {}})
            seen += 1
            text = describe_target(t.value, t.value_max, t.unit, t.comparator)
            if t.value is None:
                text = t.quote
            cell = row["cells"].setdefault(col, {"target": text, "quote": t.quote})
            if cell["quote"] != t.quote:
                cell["target"] += "；" + text
    return Table(f"{year}年各地主要预期目标", columns, _sorted_rows(rows, cat))


def history_table(
    outcomes: Mapping[int, Sequence[Outcome]], government: str | None, *, headline_only: bool = True,
    catalogue: Catalogue | None = None,
) -> Table:
    """One government's (headline) targets over the years, with each year's outcome."""
    cat = catalogue or default_catalogue()
    years = sorted(outcomes)
    rows: dict[str, dict[str, Any]] = {}
    seen = 0
    for y in years:
        for o in outcomes[y]:
            if headline_only and not o.target.headline:
                continue
            row = rows.setdefault(o.link.key, {"key": o.link.key, "indicator": o.link.name, "first": seen, "cells": {}})
            seen += 1
            t = o.target
            text = describe_target(t.value, t.value_max, t.unit, t.comparator) if t.value is not None else t.quote
            row["cells"].setdefault(str(y), {
                "target": text, "actual": (f"{fmt(o.actual_value)}{t.unit or ''}" if o.actual is not None else None),
                "status": o.status, "status_label": o.label, "target_quote": t.quote,
                "actual_quote": o.actual.quote if o.actual else None,
            })
    return Table(f"{government or ''}历年{'主要预期目标' if headline_only else '目标'}", [str(y) for y in years],
                 _sorted_rows(rows, cat))
