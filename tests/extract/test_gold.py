"""Score the extractor against the hand-annotated gold of the seed report.

The gold (``tests/fixtures/gold/<name>.yaml``) is an independent reference: every target of the plan
part and every actual of the review part, annotated by reading the text. This module

- validates the fixture itself (every quote is found in the cleaned text, in the right part, fields
  are well-formed),
- holds the one-to-one matcher (span overlap + equal value + equal unit) with its own unit tests on
  synthetic data,
- runs ``luoshi.pipeline.extract_path`` on the seed report and asserts precision/recall of targets and
  actuals and the accuracy of comparator, modality and indicator on matched items, printing a readable
  list of misses and false positives when a threshold is not met.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from luoshi.ingest.read import load

GOLD_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "gold"
REPORTS_DIR = Path(os.environ.get("LUOSHI_REPORTS_DIR", "/work/shared/reports"))
SEED = "zaozhuang-2024"

MIN_PRECISION = 0.97
MIN_RECALL = 0.97
MIN_ATTRIBUTE_ACCURACY = 0.90
VALUE_TOLERANCE = 1e-9

COMPARATORS = {">=", "<=", "~", "="}
MODALITIES = {"确保", "力争", "争取", "预期"}
PLAN_MARKER = "二、2024年工作安排"
REVIEW_MARKER = "一、2023年工作回顾"
HEADLINE_MARKER = "主要预期目标"


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

    Returns {prediction index: gold index}.
    """
    edges = {p: [g for g, gold in enumerate(golds) if compatible(gold, preds[p])] for p in free}
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


# --------------------------------------------------------------------------------------------------
# The fixture itself
# --------------------------------------------------------------------------------------------------


def test_every_gold_quote_is_found_once_or_by_occurrence() -> None:
    data = gold_file(SEED)
    text = cleaned_text(data["source"])
    problems = []
    for kind in ("targets", "actuals"):
        for entry in data[kind]:
            quote, occurrence = entry["quote"], entry.get("occurrence")
            count = text.count(quote)
            if count == 0:
                problems.append(f"{kind}: not found: {quote!r}")
            elif occurrence is None and count > 1:
                problems.append(f"{kind}: occurs {count} times, give `occurrence`: {quote!r}")
            elif occurrence is not None and not 1 <= occurrence <= count:
                problems.append(f"{kind}: occurrence {occurrence} of {count}: {quote!r}")
            elif occurrence is not None and count == 1:
                problems.append(f"{kind}: unique quote needs no occurrence: {quote!r}")
    assert not problems, "\n".join(problems)


def test_gold_items_lie_in_their_part_of_the_report() -> None:
    text = cleaned_text(gold_file(SEED)["source"])
    review, plan = text.index(REVIEW_MARKER), text.index(PLAN_MARKER)
    headline_start = text.index(HEADLINE_MARKER)
    headline_end = text.index("。", headline_start)
    for t in gold_items(SEED, "targets"):
        assert t.start >= plan, f"target before the plan part: {t.quote!r}"
    for a in gold_items(SEED, "actuals"):
        assert review <= a.start and a.end <= plan, f"actual outside the review part: {a.quote!r}"
    for entry, t in zip(gold_file(SEED)["targets"], gold_items(SEED, "targets"), strict=True):
        inside = headline_start <= t.start and t.end <= headline_end
        assert bool(entry.get("headline", False)) == inside, f"headline flag wrong: {t.quote!r}"


def test_gold_fields_are_well_formed() -> None:
    data = gold_file(SEED)
    assert data["plan_year"] == 2024
    assert (REPORTS_DIR / data["source"]).is_file()
    total = optional = 0
    for kind in ("targets", "actuals"):
        for entry in data[kind]:
            total += 1
            optional += bool(entry.get("optional"))
            where = f"{kind}: {entry['quote']!r}"
            assert entry["indicator"], where
            assert (entry["value"] is None) == (entry["unit"] is None), where
            if entry["value"] is not None:
                # the value is written in the quote, as written (5.5, 1.8, 139.01)
                assert f"{entry['value']:g}" in entry["quote"], where
            if entry.get("value_max") is not None:
                assert entry["value_max"] > entry["value"], where
            if entry.get("optional"):
                assert entry.get("note"), f"optional item needs a reason: {where}"
            if kind == "targets":
                assert entry["comparator"] in COMPARATORS, where
                assert entry["modality"] in MODALITIES, where
                if entry["value"] is None:
                    assert entry.get("headline"), f"a qualitative target must be a headline one: {where}"
    assert optional <= 0.05 * total, f"{optional} optional items out of {total}: mark fewer"


# --------------------------------------------------------------------------------------------------
# The matcher, on synthetic data
# --------------------------------------------------------------------------------------------------


def _item(start: int, end: int, value: float | None, unit: str | None = "%", **kw: Any) -> Item:
    return Item(start=start, end=end, value=value, unit=unit, quote=f"q{start}", **kw)


GOLD = [_item(0, 10, 5.5), _item(20, 30, 8.0, "万人"), _item(40, 50, None, None)]


def test_perfect_prediction_scores_one() -> None:
    preds = [_item(2, 9, 5.5), _item(25, 35, 8, " 万人 "), _item(40, 45, None, None)]
    score = match(GOLD, preds)
    assert (score.precision, score.recall) == (1.0, 1.0)
    assert not score.misses and not score.false_positives


def test_wrong_value_unit_or_span_lowers_precision_and_recall() -> None:
    bad_cases = [
        (0, _item(0, 10, 5.6)),  # wrong value
        (1, _item(20, 30, 8.0, "人")),  # wrong unit
        (0, _item(60, 70, 5.5)),  # right value, no overlap
        (2, _item(40, 50, 0.0)),  # a number where the gold has none
    ]
    for index, bad in bad_cases:
        preds = [_item(0, 10, 5.5), _item(20, 30, 8.0, "万人"), _item(40, 50, None, None)]
        preds[index] = bad
        score = match(GOLD, preds)
        assert score.precision == pytest.approx(2 / 3), bad
        assert score.recall == pytest.approx(2 / 3), bad
        assert score.false_positives == [bad]
        assert score.misses == [GOLD[index]]


def test_value_tolerance_is_tight() -> None:
    assert same_value(139.01, 139.01 + 1e-12)
    assert not same_value(139.01, 139.02)
    assert not same_value(None, 0.0)
    assert same_value(None, None)


def test_matching_is_one_to_one() -> None:
    preds = [_item(0, 10, 5.5), _item(3, 8, 5.5)]
    score = match([_item(0, 10, 5.5)], preds)
    assert score.recall == 1.0
    assert score.precision == 0.5
    assert len(score.false_positives) == 1


def test_matching_finds_the_assignment_that_matches_most() -> None:
    # a greedy first-come choice would pair the first prediction with the first gold and miss one
    gold = [_item(0, 10, 12.0), _item(5, 20, 12.0)]
    preds = [_item(5, 12, 12.0), _item(0, 4, 12.0)]
    score = match(gold, preds)
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_optional_gold_neither_missed_nor_false_positive() -> None:
    gold = [_item(0, 10, 100.0), _item(5, 10, 100.0, optional=True)]
    one = match(gold, [_item(0, 10, 100.0)])
    assert (one.precision, one.recall, one.gold_total) == (1.0, 1.0, 1)
    assert not one.optional_pairs  # the required item takes the only prediction
    two = match(gold, [_item(0, 10, 100.0), _item(6, 9, 100.0)])
    assert (two.precision, two.recall, two.predicted_total) == (1.0, 1.0, 1)
    assert len(two.optional_pairs) == 1
    three = match(gold, [_item(0, 10, 100.0), _item(6, 9, 100.0), _item(7, 8, 100.0)])
    assert three.precision == 0.5


def test_empty_lists() -> None:
    assert match([], [_item(0, 1, 1.0)]).precision == 0.0
    assert match([_item(0, 1, 1.0)], []).recall == 0.0


def test_attribute_accuracy_counts_disagreements() -> None:
    g = _item(0, 10, 5.5, comparator="~", modality="预期", indicator="生产总值")
    right = _item(0, 10, 5.5, comparator="~", modality="预期", indicator="地区生产总值")
    wrong = _item(0, 10, 5.5, comparator="=", modality="力争", indicator="投资")
    assert accuracy([(g, right)], "comparator") == (1.0, [])
    assert accuracy([(g, right), (g, wrong)], "comparator")[0] == 0.5
    assert accuracy([(g, right), (g, wrong)], "modality")[0] == 0.5
    assert accuracy([(g, right), (g, wrong)], "indicator")[0] == 0.5
    assert not indicator_agrees("生产总值", "")


def test_report_names_misses_and_false_positives() -> None:
    score = match(GOLD, [_item(0, 10, 5.6), _item(20, 30, 8.0, "万人")])
    text = report("targets", score)
    assert "recall 0.333" in text and "precision 0.500" in text
    assert "missed gold targets (2)" in text and "false positive targets (1)" in text
    assert "overlaps gold [0:10]" in text


# --------------------------------------------------------------------------------------------------
# The extractor against the gold
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extraction() -> Any:
    from luoshi.pipeline import extract_path

    return extract_path(REPORTS_DIR / gold_file(SEED)["source"])


@pytest.mark.parametrize("kind", ["targets", "actuals"])
def test_extractor_precision_and_recall(extraction: Any, kind: str) -> None:
    score = match(gold_items(SEED, kind), predicted_items(getattr(extraction, kind)))
    text = report(kind, score)
    print("\n" + text)
    assert score.precision >= MIN_PRECISION and score.recall >= MIN_RECALL, text


@pytest.mark.parametrize(
    ("kind", "attribute"),
    [("targets", "comparator"), ("targets", "modality"), ("targets", "indicator"), ("actuals", "indicator")],
)
def test_extractor_attribute_accuracy(extraction: Any, kind: str, attribute: str) -> None:
    score = match(gold_items(SEED, kind), predicted_items(getattr(extraction, kind)))
    rate, wrong = accuracy(score.pairs + score.optional_pairs, attribute)
    text = attribute_report(kind, attribute, wrong)
    print(f"\n{kind} {attribute} accuracy {rate:.3f}\n{text}")
    assert score.pairs, f"no {kind} matched the gold at all:\n{report(kind, score)}"
    assert rate >= MIN_ATTRIBUTE_ACCURACY, text
