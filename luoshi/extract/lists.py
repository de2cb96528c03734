"""Indicator lists of the report language: items, the measure or subject they share, pairs.

``居民医保和基本公共卫生服务经费人均财政补助标准`` names two indicators that share one measure;
``生产安全事故起数、死亡人数`` two that share one subject; ``城乡居民人均可支配收入`` with two values
names a pair written as one word. Kept apart from the clause reading, which decides when a list
is one indicator and when it is several.
"""

from __future__ import annotations

import re

from luoshi.extract import lexicon as lx


def quoted_spans(sent: str) -> list[tuple[int, int]]:
    """Spans of quoted names (“…”, 《…》): a separator inside one splits nothing."""
    return [m.span() for m in lx.QUOTED_RE.finditer(sent)]


def inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """``pos`` lies in one of ``spans``."""
    return any(s <= pos < e for s, e in spans)


def split_list(text: str, start: int) -> list[tuple[str, int]]:
    """Split an indicator list on 、/和/及/与 outside quotes: [(item, offset)]."""
    quoted = quoted_spans(text)
    items: list[tuple[str, int]] = []
    pos = 0
    for m in lx.LIST_SEP_RE.finditer(text):
        if inside(m.start(), quoted):
            continue
        items.append((text[pos : m.start()], start + pos))
        pos = m.end()
    items.append((text[pos:], start + pos))
    return [(t, o) for t, o in items if t]


def share_measure(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Give earlier list items the measure written once on the last one.

    ``居民医保和基本公共卫生服务经费人均财政补助标准`` → 居民医保人均财政补助标准, …; an item that
    already names a measure (``开发区工业投资``) keeps its name.
    """
    if len(items) < 2:
        return items
    last = items[-1][0]
    m = lx.MEASURE_HEAD_RE.search(last)
    if m is None or m.start() == 0:
        return items
    suffix = last[m.start() :]
    out = [
        (t + suffix, o) if not lx.MEASURE_END_RE.search(t) and not lx.MEASURE_HEAD_RE.search(t) else (t, o)
        for t, o in items[:-1]
    ]
    return [*out, items[-1]]


def split_pair_word(indicator: str, start: int) -> list[tuple[str, int]]:
    """``城乡居民人均可支配收入`` with two values → 城镇居民…, 农村居民…; ``银行存贷款增速`` → 银行存款增速, …"""
    m = lx.PAIRED_WORD_RE.search(indicator)
    if m is None:
        return []
    head, tail = indicator[: m.start()], indicator[m.end() :]
    return [(head + word + tail, start) for word in lx.PAIRED_WORDS[m.group(0)]]


def share_subject(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Give later items that are bare measures the subject written once on the first.

    ``生产安全事故起数、死亡人数`` → 生产安全事故死亡人数; ``省属企业营业收入、利润`` → 省属企业利润.
    """
    if len(items) < 2:
        return items
    first = items[0][0]
    m = lx.BARE_MEASURE_END_RE.search(first)
    if m is None or m.start() < 2:
        return items
    subject = first[: m.start()]
    return [items[0]] + [
        (subject + t, o) if lx.BARE_MEASURE_RE.match(t) and not t.startswith(subject) else (t, o)
        for t, o in items[1:]
    ]


def one_value_list(indicator: str, start: int) -> list[tuple[str, int]]:
    """A list of measures that one value is written for, without 均 or 分别: every item a measure
    (规上工业增加值、固定资产投资增长7% is two statements); ``[]`` when the list names one thing."""
    if "、" not in indicator or quoted_spans(indicator):
        return []
    items = split_list(indicator, start)
    if len(items) < 2 or any(len(t) < 2 for t, _ in items):
        return []
    items = share_subject(share_measure(items))
    if all(lx.MEASURE_END_RE.search(t) or re.search("(?:出口|进口)$", t) for t, _ in items):
        return items
    return []
