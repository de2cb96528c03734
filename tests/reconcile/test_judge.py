from __future__ import annotations

import pytest

from luoshi.reconcile.judge import MET, MISSED, Tolerance, describe_target, judge

TOL = Tolerance()


def j(value, actual, comparator="=", value_max=None, better="higher", unit="%", tol=TOL):
    return judge(value, value_max, comparator, actual, better=better, unit_base=unit, tolerance=tol)[0]


@pytest.mark.parametrize(
    ("value", "value_max", "comparator", "actual", "better", "expected"),
    [
        (6, 6.5, "=", 6.1, "higher", MET),  # range, inside
        (6, 6.5, "=", 5.9, "higher", MISSED),  # range, below
        (6, 6.5, "=", 6.8, "higher", MET),  # above a range of a higher-is-better indicator
        (6, None, ">=", 8.1, "higher", MET),
        (6, None, ">=", 5.99, "higher", MISSED),
        (5.5, None, "<=", 5.5, "lower", MET),
        (5.5, None, "<=", 5.6, "lower", MISSED),
        (5.5, None, "~", 5.0, "higher", MET),  # edge of ±0.5
        (5.5, None, "~", 4.9, "higher", MISSED),
        (5.5, None, "~", 3.0, "higher", MISSED),
        (3, None, "~", 0.9, "lower", MET),  # CPI far below a ceiling-like target
        (3, None, "~", 3.6, "lower", MISSED),
        (5.5, None, "=", 5.5, "higher", MET),
        (5.5, None, "=", 5.4, "higher", MISSED),
    ],
)
def test_comparators(value, value_max, comparator, actual, better, expected):
    assert j(value, actual, comparator, value_max, better) == expected


def test_tolerance_is_configurable():
    assert j(5.5, 4.9, "~") == MISSED
    assert j(5.5, 4.9, "~", tol=Tolerance(rate_pp=1.0)) == MET


def test_relative_tolerance_for_amounts():
    assert j(1200, 1150, "~", unit="人") == MET  # within 5%
    assert j(1200, 1100, "~", unit="人") == MISSED


def test_describe_target():
    assert describe_target(6, 6.5, "%", "=") == "6%–6.5%"
    assert describe_target(6, 6.5, "%", ">=") == "6%–6.5%"  # a range target is read as >= its floor
    assert describe_target(5.5, None, "%", "~") == "5.5%左右"
    assert describe_target(1100, None, "万人", ">=") == "1100万人以上"
    assert describe_target(None, None, None, "=") == "（定性）"
