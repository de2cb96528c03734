"""Units as written (万人, 亿元, 万亿斤, %) split into a magnitude and a base unit.

Reports write the same quantity at different scales (99.1万亿元 and 990865亿元); comparisons
need both numbers on one scale and refuse to compare different base units (亩 with 公里).
"""

from __future__ import annotations

_MAGNITUDES: tuple[tuple[str, float], ...] = (
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("万", 1e4),
    ("千", 1e3),
)
# Units that start with a magnitude character but are not scaled (千克 is a base unit, 千瓦 too).
_UNSCALED = {"千克", "千米", "千瓦", "千瓦时", "千伏", "千公顷"}
_SYNONYMS = {"％": "%", "個": "个", "平方公里": "平方千米"}


def split_unit(unit: str | None) -> tuple[float, str]:
    """``万人`` → (1e4, ``人``); ``万千瓦`` → (1e4, ``千瓦``); ``%`` → (1, ``%``); None → (1, ``""``)."""
    if not unit:
        return 1.0, ""
    u = unit.strip()
    u = _SYNONYMS.get(u, u)
    if u in _UNSCALED:
        return 1.0, u
    for prefix, factor in _MAGNITUDES:
        if u.startswith(prefix):
            inner, base = split_unit(u[len(prefix):])
            return factor * inner, base
    return 1.0, u


def base_unit(unit: str | None) -> str:
    return split_unit(unit)[1]


def compatible(a: str | None, b: str | None) -> bool:
    """Whether two units measure the same thing (only the magnitude may differ)."""
    return base_unit(a) == base_unit(b)


def to_unit(value: float, unit: str | None, target_unit: str | None) -> float:
    """``value`` in ``unit`` expressed in ``target_unit`` (same base unit assumed)."""
    fa, _ = split_unit(unit)
    fb, _ = split_unit(target_unit)
    return value * fa / fb
