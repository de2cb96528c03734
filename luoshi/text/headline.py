"""The headline block: the year's 主要预期目标, from the phrase that opens it to its last target.

Reports word the opening many ways (主要预期目标是/为, 预期目标建议为, 主要目标是, 综合考虑…今年…
的主要预期目标, older 今年计划…增长) and write the block as one sentence, several sentences or one
line per target; a five-year report states its 十五五 goals in the same words. So the block is the
first opening with figures after it that is not five-year talk (preferring one in a plan
paragraph), extended while what follows is more target clauses. Everything it covers is headline
(targets.py), whatever sentence it is in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from luoshi.text.model import Outline, Sentence

# a report that lists its targets without naming them (national 2020): a plan sentence that
# enumerates employment/GDP figures in a semicolon list
_HEADLINE_LIST = re.compile(r"(?:城镇新增就业|生产总值增长)[^；;。]*\d")

_HEADLINE_OPEN = re.compile(
    r"(?:主要)?预期目标(?:建议)?(?:设定|确定|安排)?\n?(?:为|是)|主要预期目标\n?[：:]|预期目标[：:]|"
    r"主要(?:预期)?(?:目标|指标)(?:建议)?(?:为|是|包括)|主要指标安排如下|宏观调控的主要目标是|"
    r"今年(?:的)?计划(?:要求)?[，,：:]?(?=[^。；]{0,40}(?:增长|达到))"
)
_FIVE_YEAR_HINT = re.compile(r"十[一二三四五六七八九]五|五年|年均|到(?:19|20)\d\d年|规划纲要|纲要")
_HAS_NUMBER = re.compile(r"[0-9０-９]|百分之")
_EXPLAIN_LEAD = re.compile(
    r"(?:这些|上述|以上|这一|实现|提出|设定|考虑|主要考虑|之所以|做好|为此|围绕|我们|同时|今年是|要|必须|需要|"
    r"经济增速|经济增长|预期目标|把|综合)"
)
_TARGET_CLAUSE = re.compile(r"[0-9０-９][0-9.．]*\s*(?:%|％|‰|个百分点|万|亿|以上|以内|左右|人|吨|千瓦|元|斤|户|个)")
# the same in Chinese numerals with a magnitude (共四百多项, 增加四十多亿元), as older reports write
# round figures; a lone 一个 is a word, not a figure
_TARGET_CLAUSE_CN = re.compile(r"[一二两三四五六七八九十][十百千万亿][零一二两三四五六七八九十百千]*[多余]?(?:万|亿|人|吨|元|项|个|户)")
_BLOCK_MAX = 1500
_ANNOUNCED = re.compile(r"如下[。：:]?\s*$")
# a line that opens with a verb of work is a task of the plan, not one more target of the block
# (headline lines open with the indicator: 城镇新增就业…, 居民消费价格涨幅…)
_WORK_OPENING = re.compile(
    r"(?:今年|全年|年内)?[，,]?(?:分类|重点|全面|持续|积极|大力|着力|加快|推进|推动|实施|新建|建设|改造|开展|"
    r"完善|深化|支持|打造|培育|提升|强化|建成|启动|组织|落实|坚持)"
)


_YEAR = re.compile(r"(?:19|20)\d\d年")


def _five_year_hint(body: str, own_years: set[str]) -> bool:
    """``body`` speaks of several years: 十四五, 年均, 到2030年 — but not 到1981年 when 1981年 is the
    year the block's opening names (推迟到1981年寒假毕业 is within the plan year)."""
    return any(
        not (m.group().startswith("到") and m.group()[1:] in own_years) for m in _FIVE_YEAR_HINT.finditer(body)
    )


def _block(
    text: str, sentences: list[Sentence], role_at: Callable[[int], str], headings: set[int]
) -> tuple[int, int] | None:
    """The year's 主要预期目标 block, from the sentence that opens it to its last target clause.

    Opened by any of the usual phrasings, followed by figures; the five-year block (“十五五”时期
    主要目标…, 年均) is not it. The block runs on across sentences and lines while what follows
    is more target clauses (a list in ；, one target per sentence or per line) and stops at an
    explanation (上述目标…, 实现这些目标…), a heading or plan text.
    """
    found: list[tuple[int, int]] = []  # (rank, sentence index)
    for i, sent in enumerate(sentences):
        # a web page may break the line inside the phrase (主要预期目标\n是：)
        m = _HEADLINE_OPEN.search(text, sent.start, min(len(text), sent.end + 2))
        if m is None or m.start() >= sent.end:
            continue
        after = text[m.end() : m.end() + 160]
        if not _HAS_NUMBER.search(after):
            continue
        head = text[sent.start : m.end()]
        if _FIVE_YEAR_HINT.search(head) or _FIVE_YEAR_HINT.search(text, m.end(), min(sent.end, m.end() + 60)):
            continue
        role = role_at(sent.start)
        if role == "five_year":
            continue
        rank = 0 if role == "plan" else 1
        found.append((rank, i))
        if rank == 0:
            break
    if not found:
        return None
    _, i = min(found)
    start, end = sentences[i].start, sentences[i].end
    j = i + 1
    # 主要指标安排如下。: the lines after it are the list it announces, each compared with the
    # year's estimate (比1980年预计增长5.5％), so their wording of results does not end it
    announced = _ANNOUNCED.search(text, start, end) is not None
    own_years = set(_YEAR.findall(text, start, end))
    if j < len(sentences) and text.find("\n", end, sentences[j].start + 1) >= 0:
        m = _HEADLINE_OPEN.search(text, start, min(len(text), end + 2))
        if m is not None and m.end() > end:
            end = sentences[j].end
            j += 1
    while j < len(sentences) and sentences[j].start - start < _BLOCK_MAX:
        nxt = sentences[j]
        if nxt.start in headings:
            break
        body = text[nxt.start : nxt.end]
        gap = text[end : nxt.start]
        if announced and "\n" not in gap and text.find("\n", start, end) >= 0:
            end = nxt.end  # the rest of a line of the list (其他…也将有一个新的增长。)
            j += 1
            continue
        listing = announced or (text[end - 1] in "：:；;" if end > 0 else False)
        if "\n" in gap and not listing and not (len(body) <= 80 and _TARGET_CLAUSE.search(body)):
            break
        if "\n" in gap and not listing and _WORK_OPENING.match(body):
            break
        if _EXPLAIN_LEAD.match(body) or not (_TARGET_CLAUSE.search(body) or _TARGET_CLAUSE_CN.search(body)):
            break
        if _five_year_hint(body, own_years) or role_at(nxt.start) in (("five_year",) if announced else ("review", "five_year")):
            break  # the five-year goals that follow the year's
        end = nxt.end
        j += 1
    return start, end


def find_headline(text: str, outline: Outline, headings: set[int]) -> tuple[int, int] | None:
    """The headline block of ``outline`` as a span, or ``None``."""
    found = _block(text, outline.sentences, outline.role_at, headings)
    if found is not None:
        return found
    for sent in outline.sentences_with_role("plan"):
        if text.count("；", sent.start, sent.end) >= 3 and _HEADLINE_LIST.search(text, sent.start, sent.end):
            return sent.start, sent.end
    return None
