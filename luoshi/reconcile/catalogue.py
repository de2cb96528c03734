"""The indicator catalogue: canonical names for what reports measure, kept as data.

``data/indicators.yaml`` lists each indicator with its synonyms, metric kind, accepted units and
which direction is better. Linking an extracted item to the catalogue lets 地区生产总值增长 in one
report meet 国内生产总值增长 in another and decides how a 左右 target is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from luoshi.errors import ValidationError
from luoshi.extract.scope import qualified
from luoshi.reconcile.units import base_unit

DATA = Path(__file__).with_name("data") / "indicators.yaml"
KINDS = {"growth", "level", "increment", "share", "cap", "reduction"}

# Words that open an indicator phrase without naming anything measured.
_PREFIX = re.compile(
    r"^(?:全市|全省|全国|全区|全县|全州|全年|年末|年内|今年|去年|当年|我市|我省|我区|我县|"
    r"力争|确保|争取|预计|计划|实现|完成|其中|同时|并|和|及|、|，|,|“|”|\s)+"
)
# a fall, also with a qualifier (微降, 小幅下降, 略有回落) or cut short by the extractor (降)
_DECREASE = re.compile(r"降|减少|回落|下滑")


def _is_decrease(metric: str | None) -> bool:
    return bool(_DECREASE.search(metric or ""))


def normalise(text: str | None) -> str:
    """Indicator text without leading scope words, quotes and spaces."""
    if not text:
        return ""
    t = re.sub(r"[\s“”\"'《》]", "", text)
    prev = None
    while prev != t:
        prev = t
        t = _PREFIX.sub("", t)
    return t


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    synonyms: tuple[str, ...]
    kind: str
    units: tuple[str, ...]
    unit: str
    better: str  # "higher" | "lower"
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueMatch:
    indicator: Indicator
    synonym: str
    confidence: float


class Catalogue:
    """Canonical indicators, matched by synonym and unit."""

    def __init__(self, indicators: list[Indicator]) -> None:
        self.indicators = indicators
        self._by_id = {i.id: i for i in indicators}

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalogue:
        p = Path(path) if path else DATA
        try:
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValidationError(f"{p}: cannot read the indicator catalogue: {exc}") from exc
        out: list[Indicator] = []
        for n, raw in enumerate((data or {}).get("indicators") or [], 1):
            try:
                ind = Indicator(
                    id=str(raw["id"]), name=str(raw["name"]),
                    synonyms=tuple(str(s) for s in raw["synonyms"]), kind=str(raw["kind"]),
                    units=tuple(str(u) for u in raw["units"]), unit=str(raw.get("unit", "")),
                    better=str(raw.get("better", "higher")),
                    metrics=tuple(str(m) for m in raw.get("metrics") or ()),
                )
            except (KeyError, TypeError) as exc:
                raise ValidationError(f"{p}: indicator #{n} lacks field {exc}") from exc
            if ind.kind not in KINDS or ind.better not in {"higher", "lower"}:
                raise ValidationError(f"{p}: indicator {ind.id}: bad kind {ind.kind!r} or better {ind.better!r}")
            out.append(ind)
        ids = [i.id for i in out]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"{p}: duplicate indicator ids")
        return cls(out)

    def get(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    def match(self, indicator: str, metric: str, unit: str | None, quote: str = "") -> CatalogueMatch | None:
        """The catalogue entry this item measures, or None.

        The indicator field is tried first (exact synonym → 1.0, synonym inside it → 0.9); when
        the extractor left it vague, the quote up to the first digit (→ 0.8). The unit must be
        one the entry accepts; the longest matching synonym wins. A figure under a qualifier that
        changes what it measures (扣除房地产开发投资后固定资产投资) is no catalogue indicator.
        """
        if qualified(indicator):
            return None
        ubase = base_unit(unit)
        candidates = [i for i in self.indicators if ubase in i.units]
        if not candidates:
            return None
        name = normalise(indicator)
        head = normalise(re.split(r"[0-9０-９]", quote or "", maxsplit=1)[0])
        for text, exact_conf, inside_conf in ((name, 1.0, 0.9), (head, 0.8, 0.8)):
            if not text:
                continue
            best: tuple[int, float, Indicator, str] | None = None
            for ind in candidates:
                if ind.metrics and not any(m in (metric or "") or m in head for m in ind.metrics):
                    continue
                for syn in ind.synonyms:
                    if syn == text:
                        conf = exact_conf
                    elif syn in text:
                        conf = inside_conf
                    else:
                        continue
                    key = (len(syn), conf)
                    if best is None or key > best[:2]:
                        best = (len(syn), conf, ind, syn)
            if best is not None:
                return CatalogueMatch(best[2], best[3], best[1])
        return None


def signed_value(value: float | None, metric: str, kind: str) -> float | None:
    """A growth written as a fall (进出口下降1%) becomes negative; reductions stay positive."""
    if value is None:
        return None
    if kind in {"growth"} and _is_decrease(metric):
        return -value
    return value


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return Catalogue.load()
