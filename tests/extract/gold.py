"""Gold annotations and the matcher that scores the extractor against them.

A gold file (``tests/fixtures/gold/<name>.yaml``) is an independent reference annotated by reading a
report: every target of its plan part and every actual of its review part. This module holds what
scoring needs and what other tests may share:

- ``Item``, ``match`` (one-to-one: span overlap + equal value + equal unit, optional gold items
  counting neither way), ``accuracy`` of an attribute on matched pairs and readable ``report``s;
- loading: ``gold_file``, ``gold_items`` (quotes located in the cleaned text), ``predicted_items``,
  ``parts`` (where the review and plan parts of a report begin and end).

Kept free of test functions so that it can be imported without collecting anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cn2an
import yaml

from luoshi.ingest.read import load
from luoshi.paths import reports_dir

GOLD_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "gold"
REPORTS_DIR = reports_dir()
VALUE_TOLERANCE = 1e-9
COMPARATORS = {">=", "<=", "~", "="}
MODALITIES = {"确保", "力争", "争取", "预期"}
HEADLINE_MARKER = "主要预期目标"

# Part headings of gold files that do not name them under `parts:` (the seed predates that key).
DEFAULT_PARTS = {
    "zaozhuang-2024": {"review": "一、2023年工作回顾", "plan": "二、2024年工作安排"},
}

# --------------------------------------------------------------------------------------------------
# Matcher
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A target or actual reduced to what scoring needs (gold or predicted alike)."""

    start: int
    end: int
    value: float | None
    unit: str | None
    quote: str = ""
    indicator: str = ""
    comparator: str | None = None
    modality: str | None = None
    optional: bool = False


@dataclass
class Score:
    """Outcome of matching one predicted list against one gold list."""

    pairs: list[tuple[Item, Item]]  # (gold, predicted), non-optional gold only
    optional_pairs: list[tuple[Item, Item]]  # (gold, predicted) where the gold item is optional
    misses: list[Item]  # non-optional gold items nobody matched
    false_positives: list[Item]  # predictions matching no gold item
    gold_total: int  # non-optional gold items
    predicted_total: int  # predictions not matched to an optional gold item
    near: dict[int, list[Item]] = field(default_factory=dict)  # id(false positive) -> overlapping gold

    @property
    def precision(self) -> float:
        return len(self.pairs) / self.predicted_total if self.predicted_total else 1.0

    @property
    def recall(self) -> float:
        return len(self.pairs) / self.gold_total if self.gold_total else 1.0


def _unit(unit: str | None) -> str:
    return "".join((unit or "").split())


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= VALUE_TOLERANCE


def overlaps(a: Item, b: Item) -> bool:
    return a.start < b.end and b.start < a.end


def compatible(gold: Item, pred: Item) -> bool:
    """The matching rule: spans overlap, values equal (both None for qualitative), units equal."""
    return (
        overlaps(gold, pred) and same_value(gold.value, pred.value) and _unit(gold.unit) == _unit(pred.unit)
    )


def _max_matching(golds: Sequence[Item], preds: Sequence[Item], free: Iterable[int]) -> dict[int, int]:
    """Maximum bipartite matching (Kuhn's augmenting paths) of the predictions in ``free``.

    Each prediction tries the gold items whose indicator agrees with its own first, so that when two
    items of one list share a value and overlap (均, 分别) they are paired by indicator rather than
    crosswise; the size of the matching, and so precision and recall, do not depend on that order.
    Returns {prediction index: gold index}.
    """
    edges = {
        p: sorted(
            (g for g, gold in enumerate(golds) if compatible(gold, preds[p])),
            key=lambda g, p=p: not indicator_agrees(golds[g].indicator, preds[p].indicator),
        )
        for p in free
    }
    gold_owner: dict[int, int] = {}

    def augment(p: int, seen: set[int]) -> bool:
        for g in edges[p]:
            if g in seen:
                continue
            seen.add(g)
            if g not in gold_owner or augment(gold_owner[g], seen):
                gold_owner[g] = p
                return True
        return False

    for p in edges:
        augment(p, set())
    return {p: g for g, p in gold_owner.items()}


def match(gold: Sequence[Item], predicted: Sequence[Item]) -> Score:
    """One-to-one matching; non-optional gold is matched first so optional items never steal a hit.

    Precision excludes predictions that matched an optional gold item; recall counts only
    non-optional gold items.
    """
    required = [g for g in gold if not g.optional]
    optional = [g for g in gold if g.optional]
    first = _max_matching(required, predicted, range(len(predicted)))
    rest = [p for p in range(len(predicted)) if p not in first]
    second = _max_matching(optional, predicted, rest)

    pairs = sorted(((required[g], predicted[p]) for p, g in first.items()), key=lambda gp: gp[0].start)
    optional_pairs = [(optional[g], predicted[p]) for p, g in second.items()]
    matched_required = set(first.values())
    misses = [g for i, g in enumerate(required) if i not in matched_required]
    false_positives = [predicted[p] for p in rest if p not in second]
    near = {id(fp): [g for g in gold if overlaps(g, fp)] for fp in false_positives}
    return Score(
        pairs=pairs,
        optional_pairs=optional_pairs,
        misses=misses,
        false_positives=false_positives,
        gold_total=len(required),
        predicted_total=len(predicted) - len(second),
        near=near,
    )


def indicator_agrees(gold: str, predicted: str) -> bool:
    """Gold indicator equal to, contained in, or containing the predicted one (whitespace ignored)."""
    g, p = "".join(gold.split()), "".join((predicted or "").split())
    return bool(g) and bool(p) and (g in p or p in g)


def accuracy(pairs: Sequence[tuple[Item, Item]], attribute: str) -> tuple[float, list[tuple[Item, Item]]]:
    """Share of matched pairs whose ``attribute`` agrees; plus the disagreeing pairs."""
    if not pairs:
        return 1.0, []
    if attribute == "indicator":
        wrong = [(g, p) for g, p in pairs if not indicator_agrees(g.indicator, p.indicator)]
    else:
        wrong = [(g, p) for g, p in pairs if getattr(g, attribute) != getattr(p, attribute)]
    return 1 - len(wrong) / len(pairs), wrong


def _fmt(item: Item) -> str:
    value = "—" if item.value is None else f"{item.value:g}"
    return f"[{item.start}:{item.end}] {item.quote!r} value={value} unit={item.unit!r}"


def report(kind: str, score: Score) -> str:
    """Readable account of what to fix: misses, false positives (with overlapping gold), scores."""
    lines = [
        f"{kind}: precision {score.precision:.3f} ({len(score.pairs)}/{score.predicted_total}), "
        f"recall {score.recall:.3f} ({len(score.pairs)}/{score.gold_total}), "
        f"{len(score.optional_pairs)} matched optional item(s)"
    ]
    if score.misses:
        lines.append(f"  missed gold {kind} ({len(score.misses)}):")
        lines += [f"    - {_fmt(g)} indicator={g.indicator!r}" for g in score.misses]
    if score.false_positives:
        lines.append(f"  false positive {kind} ({len(score.false_positives)}):")
        for fp in score.false_positives:
            lines.append(f"    + {_fmt(fp)} indicator={fp.indicator!r}")
            lines += [f"        overlaps gold {_fmt(g)}" for g in score.near.get(id(fp), [])]
    return "\n".join(lines)


def attribute_report(kind: str, attribute: str, wrong: Sequence[tuple[Item, Item]]) -> str:
    lines = [f"{kind}: {attribute} disagrees on {len(wrong)} matched item(s):"]
    lines += [
        f"    {g.quote!r}: gold {getattr(g, attribute)!r} vs predicted {getattr(p, attribute)!r}"
        for g, p in wrong
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Gold loading
# --------------------------------------------------------------------------------------------------


@cache
def cleaned_text(source: str) -> str:
    return load(REPORTS_DIR / source).text


def locate(text: str, quote: str, occurrence: int | None) -> int:
    """Offset of the ``occurrence``-th (1-based, default 1) appearance of ``quote``; -1 if absent."""
    pos = -1
    for _ in range(occurrence or 1):
        pos = text.find(quote, pos + 1)
        if pos < 0:
            return -1
    return pos


@cache
def gold_file(name: str) -> dict[str, Any]:
    with (GOLD_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def gold_names() -> list[str]:
    """Every gold file, seed first."""
    return sorted((p.stem for p in GOLD_DIR.glob("*.yaml")), key=lambda n: (n not in DEFAULT_PARTS, n))


@dataclass(frozen=True)
class Parts:
    """Offsets in the cleaned text: the review part is [review, review_end), the plan part [plan, end)."""

    review: int
    review_end: int
    plan: int
    headline_start: int
    headline_end: int


def parts(name: str) -> Parts:
    """Locate the part headings named by the gold file (or ``DEFAULT_PARTS``) in the cleaned text."""
    data = gold_file(name)
    headings = data.get("parts") or DEFAULT_PARTS[name]
    text = cleaned_text(data["source"])
    review, plan = text.index(headings["review"]), text.index(headings["plan"])
    review_end = text.index(headings["review_end"]) if headings.get("review_end") else plan
    if headings.get("headline_block") is False:
        return Parts(review, review_end, plan, plan, plan)  # no headline block: an empty span
    headline_start = text.index(HEADLINE_MARKER, plan)
    end_quote = headings.get("headline_end")
    if end_quote:
        headline_end = text.index(end_quote, headline_start) + len(end_quote)
    else:
        headline_end = text.index("。", headline_start)
    return Parts(review, review_end, plan, headline_start, headline_end)


def gold_items(name: str, kind: str) -> list[Item]:
    data = gold_file(name)
    text = cleaned_text(data["source"])
    items = []
    for entry in data[kind]:
        start = locate(text, entry["quote"], entry.get("occurrence"))
        assert start >= 0, f"gold quote not found: {entry['quote']!r}"
        items.append(
            Item(
                start=start,
                end=start + len(entry["quote"]),
                value=entry["value"],
                unit=entry["unit"],
                quote=entry["quote"],
                indicator=entry["indicator"],
                comparator=entry.get("comparator"),
                modality=entry.get("modality"),
                optional=bool(entry.get("optional", False)),
            )
        )
    return items


def predicted_items(records: Iterable[Any]) -> list[Item]:
    return [
        Item(
            start=r.start,
            end=r.end,
            value=r.value,
            unit=r.unit,
            quote=r.quote,
            indicator=r.indicator,
            comparator=getattr(r, "comparator", None),
            modality=getattr(r, "modality", None),
        )
        for r in records
    ]


_CHINESE_NUMERAL = re.compile(r"[零一二两三四五六七八九十百千万亿]+")


def value_is_written(value: float, quote: str) -> bool:
    """The value appears in the quote as written: in digits (5.5, 139.01) or in characters (两次)."""
    if f"{value:g}" in quote:
        return True
    for run in _CHINESE_NUMERAL.findall(quote):
        try:
            if same_value(float(cn2an.cn2an(run, "smart")), value):
                return True
        except ValueError:
            continue
    return False
