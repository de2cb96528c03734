"""Actuals: the results the review part of a report states for the previous year.

Same reading as targets (``clauses.read_sentence``) over the sentences whose paragraph has the
``review`` role (five-year material has its own role and is not read here), minus statements about
the future (``完工后床位将达到2500张``) and figures over several years inside a sentence
(``五年来累计…``, ``年均增长…``: see ``horizon``). The year is the one the review part
names in its title (``2023年工作回顾``), else the year before the plan year.
"""

from __future__ import annotations

import re

from luoshi.extract.clauses import Statement, read_sentence
from luoshi.extract.counts import names_scope, tallies_indicators
from luoshi.extract.horizon import (
    earlier_year_actual,
    may_span_review,
    multi_year_actual,
    names_only_year,
    part_year_actual,
)
from luoshi.extract.model import Actual
from luoshi.ingest.document import Document
from luoshi.text.model import Outline

_TITLE_YEAR = re.compile(r"(20\d\d)年")


# the starting value of a change written over a comma or before 转为 (积累率由1978年的36.5%，降为33.6%)
_FROM_BEFORE = re.compile(r"[由从][^，；。]*$")
_CHANGE_AFTER = re.compile(r"[，,]?(?:进一步)?(?:提高|降低|下降|上升|增加|增长|减少|扩大|缩小|转|降|升|提|增|减)?(?:为|到|至)")
# a plan's figure or a forecast quoted in the review: 计划比上年增长6%, 计划建成投产…118个, 可能降到30%
# — 计划 as the verb of the clause, not inside a name (计划单列市, 计划生育, 重点研发计划项目)
_NOT_RESULT_BEFORE = re.compile(
    r"(?:^|[，,；;])[^，,；;]{0,8}?计划(?=比|增长|增加|新增|建成|投产|完成|达到|安排|生产|要求|为|是|在)|可能"
)


def _not_a_result(text: str, st: Statement) -> bool:
    """``st`` is the starting value of a change, a plan's figure or a forecast, not a result."""
    before = text[st.clause_start : st.quantity.start]
    if _NOT_RESULT_BEFORE.search(before):
        return True
    return _FROM_BEFORE.search(before) is not None and _CHANGE_AFTER.match(text, st.quantity.end) is not None


def _part_years(outline: Outline) -> list[tuple[int, int, int]]:
    """(start, end, year) of every part whose title names a year (``2023年工作回顾``)."""
    out = []
    for s in outline.sections:
        if s.level == 1:
            m = _TITLE_YEAR.search(s.title)
            if m:
                out.append((s.start, s.end, int(m.group(1))))
    return out


def _part_year(parts: list[tuple[int, int, int]], outline: Outline, offset: int) -> int | None:
    # the year planned: in a report delivered late in its year (December 1964) the next one
    planned = outline.planned_year
    for start, end, year in parts:
        if start <= offset < end and (planned is None or year < planned):
            return year  # a result quoted in the plan part (titled 2025年…) is still last year's
    return planned - 1 if planned is not None else None


def find_actuals(doc: Document, outline: Outline) -> list[Actual]:
    """Actuals of the review-role sentences of ``doc``, ids ``A001…`` in text order."""
    text = doc.text
    out: list[Actual] = []
    parts = _part_years(outline)
    # five-year material also states last year's result where a clause names that year alone
    # (六五 review: 一九八五年增加三百六十二亿元)
    last = outline.planned_year - 1 if outline.planned_year is not None else None
    sents = [(s, False) for s in outline.sentences_with_role("review")]
    sents += [(s, True) for s in outline.sentences_with_role("five_year")]
    for sent, five in sorted(sents, key=lambda x: x[0].start):
        year = last if five else _part_year(parts, outline, sent.start)
        spans = may_span_review(text, sent.start, sent.end)
        for st in read_sentence(text, sent.start, sent.end, skip_future=True):
            if five and not names_only_year(text, st, year):
                continue
            if spans and multi_year_actual(text, sent.start, st, year):
                continue  # 五年来累计…, 年均增长…: not last year's result
            if part_year_actual(text, sent.start, st) or earlier_year_actual(text, st, year):
                continue  # 今年上半年…比去年同期增长, 1977年为31.5元: months of a year, or history
            if _not_a_result(text, st):
                continue  # 由上年亏损9000万元转为盈利, 计划比上年增长6%, 可能降到30%
            if names_scope(text, st) or tallies_indicators(text, st):
                continue  # 围绕三个产业集群, 15项增幅高于全省: the set the work was about, a tally
            q = st.quantity
            out.append(
                Actual(
                    id="",
                    indicator=st.indicator,
                    metric=st.metric,
                    value=q.value,
                    unit=q.unit,
                    section=sent.section,
                    quote=text[st.start : st.end],
                    start=st.start,
                    end=st.end,
                    year=year,
                    value_max=q.value_max,
                )
            )
    out.sort(key=lambda a: (a.start, a.end))
    for n, a in enumerate(out, 1):
        a.id = f"A{n:03d}"
    return out
