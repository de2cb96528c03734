"""Linking a target or actual to the same quantity in another report.

First the catalogue (a canonical indicator: certain up to the match confidence); otherwise
similarity of the indicator names (character bigrams, difflib and containment) between items
with the same base unit and the same kind of verb (a 新增 count is never compared with a total).
Every link carries its confidence so the UI can show how sure it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from luoshi.extract.scope import qualified
from luoshi.reconcile.catalogue import Catalogue, default_catalogue, normalise
from luoshi.reconcile.items import Item
from luoshi.reconcile.units import base_unit

SIMILARITY_THRESHOLD = 0.76

# Verbs of something done during the year (a flow) versus a total reached (a stock).
_FLOW = ("新增", "新建", "新改建", "新开工", "建设", "建成", "完成", "实施", "打通", "创建", "创成",
         "争创", "引进", "购置", "改造", "签约", "落地", "培育", "举办", "开通", "提供", "修复",
         "植树", "造林", "打造", "减少", "新开", "开工", "招引", "认定", "入选", "获评", "发放")
_STOCK = ("达到", "突破", "总数", "总量", "发展到", "保持", "稳定在", "累计", "超过", "增加到", "提高到", "降至", "降到")
_RATE = ("增长", "下降", "降低", "上涨", "提高", "涨幅")


@dataclass(frozen=True)
class Link:
    """How an item is identified across reports."""

    key: str  # catalogue id, or "~" + normalised indicator for uncatalogued items
    name: str
    method: str  # "catalogue" | "similarity"
    confidence: float
    better: str = "higher"
    kind: str | None = None


def verb_class(item: Item) -> str | None:
    """"flow", "stock", "rate" or None when the verb says nothing."""
    m = item.metric or ""
    if base_unit(item.unit) == "%":
        return "rate"
    for words, cls in ((_STOCK, "stock"), (_FLOW, "flow"), (_RATE, "rate")):
        if any(w in m for w in words):
            return cls
    return None


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def similarity(a: str, b: str) -> float:
    """0..1 likeness of two indicator names (after removing scope words)."""
    a, b = normalise(a), normalise(b)
    if not a or not b or qualified(a) != qualified(b):
        return 0.0  # a figure under 扣除…后 measures something else than the plain one
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    ga, gb = _bigrams(a), _bigrams(b)
    dice = 2 * len(ga & gb) / (len(ga) + len(gb))
    short, long_ = sorted((a, b), key=len)
    contain = 0.6 + 0.4 * len(short) / len(long_) if len(short) >= 3 and short in long_ else 0.0
    return round(max(ratio, dice, contain), 3)


def link_item(item: Item, catalogue: Catalogue | None = None) -> Link:
    """The catalogue link of ``item`` or, failing that, its own name as a similarity key."""
    cat = catalogue or default_catalogue()
    m = cat.match(item.indicator, item.metric, item.unit, item.quote)
    if m is not None:
        ind = m.indicator
        return Link(ind.id, ind.name, "catalogue", m.confidence, ind.better, ind.kind)
    name = normalise(item.indicator) or item.indicator
    better = "lower" if item.comparator == "<=" else "higher"
    return Link("~" + name, name, "similarity", 1.0, better, None)


def comparable(a: Item, b: Item) -> bool:
    """Same base unit and no clash between flow and stock verbs."""
    if base_unit(a.unit) != base_unit(b.unit):
        return False
    ca, cb = verb_class(a), verb_class(b)
    return ca is None or cb is None or ca == cb


def best_counterpart(
    item: Item, link: Link, others: Sequence[tuple[Item, Link]], *, threshold: float = SIMILARITY_THRESHOLD
) -> tuple[Item, Link] | None:
    """The item in ``others`` measuring the same thing as ``item`` (first in text order on ties).

    Returns the counterpart with a ``Link`` whose confidence is that of the pairing.
    """
    if link.method == "catalogue":
        for other, olink in others:
            if olink.method == "catalogue" and olink.key == link.key:
                conf = round(min(link.confidence, olink.confidence), 3)
                return other, Link(link.key, link.name, "catalogue", conf, link.better, link.kind)
        return None
    best: tuple[float, int, Item] | None = None
    for n, (other, olink) in enumerate(others):
        if olink.method == "catalogue" or not comparable(item, other):
            continue
        score = similarity(item.indicator, other.indicator)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, n, other)
    if best is None:
        return None
    return best[2], Link(link.key, link.name, "similarity", best[0], link.better, link.kind)
