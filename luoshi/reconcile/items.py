"""One flat record for a target or an actual, whatever it came from.

Reconciliation works the same on a fresh ``Extraction`` and on rows read back from the corpus
database, so both are turned into ``Item`` first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from luoshi.extract.model import Actual, Extraction, Target


@dataclass(frozen=True)
class Item:
    """A target (promise for ``report_year``) or an actual (result for ``year``)."""

    role: str  # "target" | "actual"
    id: str
    government: str | None
    report_year: int | None  # plan year of the report the item comes from
    indicator: str
    metric: str
    value: float | None
    unit: str | None
    quote: str
    start: int = 0
    end: int = 0
    section: str | None = None
    value_max: float | None = None
    comparator: str | None = None  # targets only
    modality: str | None = None  # targets only
    headline: bool = False  # targets only
    year: int | None = None  # actuals: the year the result describes

    @property
    def qualitative(self) -> bool:
        return self.value is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _target(t: Target, government: str | None, year: int | None) -> Item:
    return Item(
        role="target", id=t.id, government=government, report_year=year, indicator=t.indicator or "",
        metric=t.metric or "", value=t.value, unit=t.unit, quote=t.quote, start=t.start, end=t.end,
        section=t.section, value_max=t.value_max, comparator=t.comparator, modality=t.modality,
        headline=bool(t.headline), year=year,
    )


def _actual(a: Actual, government: str | None, year: int | None) -> Item:
    described = a.year if a.year is not None else (year - 1 if year is not None else None)
    return Item(
        role="actual", id=a.id, government=government, report_year=year, indicator=a.indicator or "",
        metric=a.metric or "", value=a.value, unit=a.unit, quote=a.quote, start=a.start, end=a.end,
        section=a.section, value_max=a.value_max, year=described,
    )


@dataclass(frozen=True)
class ReportItems:
    """The targets and actuals of one report."""

    government: str | None
    year: int | None  # plan year
    title: str | None
    targets: tuple[Item, ...]
    actuals: tuple[Item, ...]
    source: str | None = None  # file name or path, for display

    @classmethod
    def from_extraction(cls, ex: Extraction, *, source: str | None = None) -> ReportItems:
        gov, year = ex.report.government, ex.report.year
        return cls(
            government=gov, year=year, title=ex.report.title,
            targets=tuple(_target(t, gov, year) for t in ex.targets),
            actuals=tuple(_actual(a, gov, year) for a in ex.actuals),
            source=source or ex.report.path,
        )
