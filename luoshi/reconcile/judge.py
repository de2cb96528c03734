"""Whether an actual meets a target, by the target's comparator.

``>=`` is met when the actual is at least the value, ``<=`` when at most; a range (6%－6.5%) when
the actual lies inside it; ``左右``/约 (``~``) when it lies within the tolerance — ±0.5 percentage
points for rates by default, ±5% of the value for amounts. A plain value (增长5.5%) is met when
the actual is at least as good. An actual beyond the band on the side the indicator prefers
(失业率 lower, 生产总值 higher) still counts as met.
"""

from __future__ import annotations

from dataclasses import dataclass

from luoshi.ledger.vocabulary import PROMISE_STATUSES

MET, MISSED, NO_DATA, QUALITATIVE = "met", "missed", "no_data", "qualitative"
STATUS_LABELS = PROMISE_STATUSES  # the words every surface uses (luoshi.ledger.vocabulary)
assert set(STATUS_LABELS) == {MET, MISSED, NO_DATA, QUALITATIVE}
_EPS = 1e-9


@dataclass(frozen=True)
class Tolerance:
    """Width of a 左右 target: absolute for rates (percentage points), relative otherwise."""

    rate_pp: float = 0.5
    relative: float = 0.05

    def width(self, value: float, unit_base: str) -> float:
        return self.rate_pp if unit_base == "%" else abs(value) * self.relative


def fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.4f}".rstrip("0").rstrip(".")


def describe_target(value: float | None, value_max: float | None, unit: str | None, comparator: str | None) -> str:
    """The target as a reader would write it: ``6%–6.5%``, ``5.5%左右``, ``1100万人以上``."""
    if value is None:
        return "（定性）"
    u = unit or ""
    if value_max is not None:
        return f"{fmt(value)}{u}–{fmt(value_max)}{u}"  # a range says its own bounds (its floor is >=)
    suffix = {">=": "以上", "<=": "以内", "~": "左右"}.get(comparator or "", "")
    return f"{fmt(value)}{u}" + suffix


def judge(
    value: float, value_max: float | None, comparator: str | None, actual: float, *,
    better: str, unit_base: str, tolerance: Tolerance,
) -> tuple[str, str]:
    """(MET | MISSED, reason in Chinese) for ``actual`` against the target."""
    lo, hi = (value, value_max) if value_max is not None else (value, value)
    lo, hi = min(lo, hi), max(lo, hi)
    pp = "个百分点" if unit_base == "%" else ""
    if comparator == ">=":
        ok = actual >= lo - _EPS
        return (MET, "实际不低于目标") if ok else (MISSED, f"实际低于目标{fmt(lo - actual)}{pp}")
    if comparator == "<=":
        ok = actual <= hi + _EPS
        return (MET, "实际不高于目标") if ok else (MISSED, f"实际高于目标{fmt(actual - hi)}{pp}")
    band = ""
    if comparator == "~":
        w = tolerance.width(value, unit_base)
        lo, hi = lo - w, hi + w
        band = f"（容差±{fmt(w)}{pp or ''}）"
    if lo - _EPS <= actual <= hi + _EPS:
        return MET, ("实际在目标区间内" if value_max is not None else "实际与目标相符") + band
    if actual > hi:
        if better == "higher":
            return MET, f"实际高于目标，该指标越高越好{band}"
        return MISSED, f"实际高于目标{fmt(actual - hi)}{pp}{band}"
    if better == "lower":
        return MET, f"实际低于目标，该指标越低越好{band}"
    return MISSED, f"实际低于目标{fmt(lo - actual)}{pp}{band}"
