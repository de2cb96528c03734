"""The head of a value: the text before it, read as indicator and metric (生产总值 增长 5%).

A clause names what it measures before the value, in report wording: lead words to skip
(力争, 全年), an indicator with its verb after it (规上工业企业达到) or a verb before it (新增城镇就业),
list items that are clauses of their own, and the starting point of a change (由…提高到).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luoshi.extract import lexicon as lx
from luoshi.extract import lists as ls

# a number with its measure word inside a list item (9个, 8届), not a digit of a name (PM2.5)
OWN_COUNT_RE = re.compile(r"(?<![A-Za-z.\d])\d+(?:\.\d+)?[\u4e00-\u9fff]")


def continues(head: str) -> bool:
    """The text before a value opens with a list separator: the list goes on (``、城区道路绿化节点``)."""
    return head[:1] in ("、", "和", "及", "与")


def strip_lead(text: str, start: int) -> tuple[str, int]:
    m = lx.LEAD_RE.match(text)
    if m:
        return text[m.end() :], start + m.end()
    return text, start


def strip_trail(text: str) -> str:
    text = lx.FROM_RE.sub("", text)
    text = re.sub(r"(?:(?:较|比)[^，、；]{0,5}前|(?:[一二三四五六七八九十]+|\d+)年)$", "", text)
    text = re.sub(r"[、，,和及与等]+$", "", text)
    text = lx.TRAIL_RE.sub("", text)
    # 比1980年预计增长5.5%, 比1978年增加: the base of the comparison, like 比上年
    return lx.TRAIL_RE.sub("", _COMPARED_YEAR_RE.sub("", text))


_COMPARED_YEAR_RE = re.compile(r"(?:较|比)(?:19|20)\d\d年(?:同期)?$")


@dataclass
class Head:
    indicator: str
    ind_start: int
    metric: str
    quote_start: int
    distribute: bool


def read_head(head: str, start: int, prev: Head | None) -> Head:
    """Indicator and metric from the text before a value (``start`` = its offset)."""
    text, pos = strip_lead(head, start)
    text = lx.NEGATED_CMP_RE.sub("", text)
    text_np = lx.NUM_PREFIX_RE.sub("", text) if not lx.VERB_AFTER_END_RE.search(text) else text
    # indicator first: 生产总值增长, 规上工业企业达到, 城镇调查失业率全年控制在
    m_after = lx.VERB_AFTER_END_RE.search(text_np)
    m_first = lx.VERB_FIRST_RE.match(text_np)
    if m_first and (not m_after or m_after.start() < m_first.end() or m_first.end() == m_after.end()):
        rest = text_np[m_first.end() :]
        ind = strip_trail(rest)
        ind_off = pos + m_first.end()
        if not ind and prev is not None:
            return Head(prev.indicator, prev.ind_start, m_first.group(0), pos, False)
        return Head(ind or rest, ind_off, m_first.group(0), pos, False)
    if m_after:
        before = text_np[: m_after.start()]
        m_light = lx.LIGHT_VERB_RE.match(before)
        if m_light:
            before, pos = before[m_light.end() :], pos + m_light.end()  # 实现有效发明专利增长
        distribute = bool(lx.DISTRIBUTE_RE.search(before))
        cut = finished_items_end(before)
        if cut and not strip_trail(before[cut:]):
            # nothing left: what the finished item counted names it (举办8届全国双创活动周、超过…)
            last = list(OWN_COUNT_RE.finditer(before, 0, cut))
            if last:
                cut = last[-1].end()
        before, pos = before[cut:], pos + cut
        ind = strip_trail(before)
        verb = m_after.group("verb")
        if not ind:
            if prev is not None:
                return Head(prev.indicator, prev.ind_start, verb, pos, False)
            return Head("", pos, verb, pos, False)
        return Head(ind, pos, verb, pos, distribute)
    m_end = lx.VERB_FIRST_END_RE.search(text_np)
    if m_end and m_end.start() > 0:
        # 从失业保险基金结余中拿出1000亿元: what the money comes from names it
        source = re.sub(r"^(?:从|由)(.+?)(?:中|里)?$", r"\1", text_np[: m_end.start()])
        return Head(strip_trail(source), pos, m_end.group(0), pos, False)
    m_any = lx.VERB_FIRST_ANY_RE.search(text_np)
    goes_on = prev is not None and continues(head)
    if (
        m_any
        and m_any.end() < len(text_np)
        and not goes_on
        and not ls.inside(m_any.start(), ls.quoted_spans(text_np))
    ):
        # 城镇新增就业1100万人: the verb sits inside the indicator
        ind = text_np
        if m_any.group(0) == "实现" and m_any.start() > 0:
            ind = text_np[: m_any.start()] + text_np[m_any.end() :]  # 工业企业实现利润 → 工业企业利润
        return Head(strip_trail(ind), pos, m_any.group(0), pos, False)
    ind = strip_trail(text_np)
    metric = prev.metric if prev is not None and continues(head) else ""
    if not ind and prev is not None:
        return Head(prev.indicator, prev.ind_start, metric, pos, False)
    return Head(ind, pos, metric, pos, False)


def finished_items_end(text: str) -> int:
    """Where the indicator starts after list items that are clauses of their own.

    ``黑臭水体动态清零、9个国省控河流断面优良水体比例``: the item before 、 has its own predicate
    (清零) or its own number, so it is no part of the indicator that follows.
    """
    cut = 0
    for m in re.finditer("、", text):
        piece = text[cut : m.start()]
        if lx.PREDICATE_END_RE.search(piece) or OWN_COUNT_RE.search(piece):
            cut = m.end()
    return cut
