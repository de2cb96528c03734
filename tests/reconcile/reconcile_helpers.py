"""Builders of hand-made targets and actuals for reconciliation tests."""

from __future__ import annotations

from luoshi.reconcile.items import Item, ReportItems


def target(indicator: str, value: float | None, unit: str | None = "%", comparator: str = "=", *,
           metric: str = "增长", value_max: float | None = None, headline: bool = True, year: int = 2019,
           quote: str | None = None, tid: str = "T001") -> Item:
    q = quote or f"{indicator}{metric}{value}{unit or ''}"
    return Item(role="target", id=tid, government="某市", report_year=year, indicator=indicator, metric=metric,
                value=value, unit=unit, quote=q, value_max=value_max, comparator=comparator, modality="预期",
                headline=headline, year=year)


def actual(indicator: str, value: float, unit: str | None = "%", *, metric: str = "增长", year: int = 2019,
           quote: str | None = None, aid: str = "A001", start: int = 0) -> Item:
    q = quote or f"{indicator}{metric}{value}{unit or ''}"
    return Item(role="actual", id=aid, government="某市", report_year=year + 1, indicator=indicator, metric=metric,
                value=value, unit=unit, quote=q, start=start, year=year)


def items(year: int, targets: list[Item] = (), actuals: list[Item] = ()) -> ReportItems:  # type: ignore[assignment]
    return ReportItems("某市", year, None, tuple(targets), tuple(actuals))
