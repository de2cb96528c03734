"""Scorecards of the State Council reports 2019–2022 against values read by hand from the texts.

``tests/fixtures/national/headline.yaml`` holds, per plan year, every headline target and what the
next year's report says about it. A failure here names the sentence: either extraction missed or
misread it (fix extraction), or reconciliation judged it wrongly.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import FIXTURES, report

from luoshi.reconcile.reconcile import Outcome, reconcile_report, scorecard

HEADLINE = yaml.safe_load((FIXTURES / "headline.yaml").read_text(encoding="utf-8"))
CASES = [(year, t) for year, entry in HEADLINE.items() for t in entry["targets"]]
QUAL = [(year, q) for year, entry in HEADLINE.items() for q in entry["qualitative"]]


def outcomes(year: int) -> list[Outcome]:
    entry = HEADLINE[year]
    return reconcile_report(report(entry["source"]), report(entry["review"]))


def overlaps(a: str, b: str) -> bool:
    return a in b or b in a


@pytest.mark.parametrize(("year", "case"), CASES, ids=[f"{y}-{t['indicator']}" for y, t in CASES])
def test_headline_target_outcome(year, case):
    src = HEADLINE[year]["source"]
    found = [o for o in outcomes(year) if overlaps(o.target.quote, case["target_quote"])]
    assert found, f"{src}: no target extracted from「{case['target_quote']}」"
    o = found[0]
    t = o.target
    assert t.headline, f"{src}:「{case['target_quote']}」is in the 主要预期目标 sentence but not marked headline"
    assert t.value == pytest.approx(case["value"]), f"{src}:「{case['target_quote']}」value {t.value}"
    assert t.value_max == (pytest.approx(case["value_max"]) if case.get("value_max") is not None else None)
    assert t.unit == case["unit"] and t.comparator == case["comparator"], (t.unit, t.comparator)
    assert o.link.key == case["indicator"], f"{src}:「{t.quote}」(indicator {t.indicator!r}) linked to {o.link.key}"
    review = HEADLINE[year]["review"]
    if case["actual"] is None:
        assert o.actual is None, f"{review} states no {year} figure, but linked「{o.actual.quote if o.actual else ''}」"
    else:
        assert o.actual is not None, (
            f"{review}: no actual matched for「{case['actual_quote']}」(expected {case['actual']}{case['unit']})")
        assert overlaps(o.actual.quote, case["actual_quote"]), (o.actual.quote, case["actual_quote"])
        assert o.actual_value == pytest.approx(case["actual"])
    assert o.status == case["outcome"], o.reason


@pytest.mark.parametrize(("year", "quote"), QUAL, ids=[f"{y}-{q[:8]}" for y, q in QUAL])
def test_qualitative_headline_targets_are_listed(year, quote):
    src = HEADLINE[year]["source"]
    found = [o for o in outcomes(year) if o.target.headline and overlaps(o.target.quote, quote)]
    assert found, f"{src}: qualitative headline target「{quote}」not extracted"
    assert all(o.status == "qualitative" for o in found)


@pytest.mark.parametrize("year", sorted(HEADLINE))
def test_scorecard_matches_hand_count(year):
    entry = HEADLINE[year]
    card = scorecard(outcomes(year)).to_dict()
    expected = [t["outcome"] for t in entry["targets"]]
    assert card["headline_kept"] == expected.count("met")
    assert card["headline_missed"] == expected.count("missed")
    assert card["headline_no_data"] == expected.count("no_data")
    assert card["headline_qualitative"] >= len(entry["qualitative"])


def test_2020_set_no_gdp_target():
    assert not [o for o in outcomes(2020) if o.target.headline and o.link.key in HEADLINE[2020]["absent"]]
