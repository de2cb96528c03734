"""What extraction produces: targets, actuals and tasks, each pointing into the cleaned text.

Field names follow the JSON contract in DESIGN.md (``luoshi extract FILE --json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Target:
    """A quantified (or headline) promise for the plan year."""

    id: str
    indicator: str  # noun phrase naming what is measured, e.g. 规上工业企业
    metric: str  # verb as written: 增长, 达到, 新增, 突破, 控制, ...
    value: float | None  # number as written (1.8 for 1.8万人); None for a headline with no number
    unit: str | None  # as written: 万人, %, 万千瓦, 微克/立方米
    comparator: str  # ">=", "<=", "~", "="
    modality: str  # "确保" | "力争" | "争取" | "预期"
    section: str | None
    quote: str
    start: int
    end: int
    deadline: str | None  # ISO date
    value_max: float | None = None  # upper end of a range (2—3个 → value 2, value_max 3)
    headline: bool = False  # one of the 主要预期目标
    kind: str = "quantified"  # "quantified" | "qualitative" (headline target with no number)
    deadline_text: str | None = None  # the time words as written (上半年, 6月底前, 长期坚持), if any


@dataclass
class Actual:
    """A result the review part states for the previous year."""

    id: str
    indicator: str
    metric: str
    value: float | None
    unit: str | None
    section: str | None
    quote: str
    start: int
    end: int
    year: int | None
    value_max: float | None = None


@dataclass
class Task:
    """One row of the task ledger (分工方案): the sentences of one job, which one unit could own."""

    id: str
    section: str | None
    text: str
    start: int
    end: int
    targets: list[str] = field(default_factory=list)
    kind: str = "measure"  # "quantified" | "milestone" | "measure"
    deadline: str | None = None
    projects: list[str] = field(default_factory=list)  # named projects of a milestone
    title: str | None = None  # the run-in heading the row stands under (推动项目建设提速)
    deadline_text: str | None = None  # the time words as written (上半年, 6月底前, 长期坚持), if any


@dataclass
class ReportInfo:
    government: str | None
    year: int | None
    title: str | None
    sha256: str
    path: str | None = None
    encoding: str | None = None
    kind: str | None = None
    # what the reader must know (code + Chinese message); never an empty result without one
    warnings: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Extraction:
    report: ReportInfo
    sections: list[dict]
    targets: list[Target]
    actuals: list[Actual]
    tasks: list[Task]
    cleaned_text: str | None = None

    def to_dict(self, *, with_text: bool = False) -> dict:
        out = {
            "report": _as_dict(self.report),
            "sections": self.sections,
            "targets": [_as_dict(t) for t in self.targets],
            "actuals": [_as_dict(a) for a in self.actuals],
            "tasks": [_as_dict(t) for t in self.tasks],
        }
        if with_text and self.cleaned_text is not None:
            out["cleaned_text"] = self.cleaned_text
        return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _as_dict(record: Any) -> dict[str, Any]:
    """``dataclasses.asdict`` for these flat records, without its deep copy (a batch serialises
    thousands of them): the same keys in field order, lists copied."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in fields(record))
    out = {}
    for name in names:
        value = getattr(record, name)
        out[name] = list(value) if isinstance(value, list) else value
    return out
