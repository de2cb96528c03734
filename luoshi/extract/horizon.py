"""The time span a statement covers: one year, or several (five-year, cumulative, average per year).

A review states last year's results, but its sentences also carry figures over several years
(五年来累计…, “十四五”以来…, 年均增长…, 近3年提升…, 3年增长…); a plan states this year's targets,
but also five-year goals (年均增长5%以上, 到2030年…, “十五五”期间…). Those figures are neither last
year's actuals nor this year's targets. Whole paragraphs of such material get their own role from
the structure; here a single statement is judged by the words of its own sentence up to its value,
so that a multi-year figure inside a paragraph about last year is still kept out; the span is read
in the statement's own clause and in a short opening adverbial of its sentence. A year-marker
in the statement's own clause (去年, 全年, 2024年, 今年, 年内) wins over a multi-year marker earlier in
the sentence: ``五年来，…，2024年达到1.3万亿元`` keeps the 2024 figure.
"""

from __future__ import annotations

import re

from luoshi.extract.clauses import Statement
from luoshi.extract.numbers import COUNT_UNITS

_N = r"(?<!连续)(?:[两二三四五六七八九十]|(?<![\d.])\d{1,2})"
# several years of review: 五年来, 这五年, 近3年, “十四五”以来/时期, 年均, 3年增长, 2013—2024年
_REVIEW_SPAN_RE = re.compile(
    rf"{_N}年(?:来|间|以来)|这{_N}年|过去{_N}年|近{_N}年|“?十[一二三四五六七八九]五”?(?:以来|期间|时期)"
    rf"|年均|{_N}年(?:累计|共|增长|提高|提升|下降|翻)|(?:19|20)\d\d年?(?:—|-|－|至|到)(?:19|20)?\d\d年"
)
# several years of plan: 年均, 到2030年, “十五五”期间/时期/末, 今后五年, 五年内
_PLAN_SPAN_RE = re.compile(
    rf"年均|“?十[一二三四五六七八九]五”?(?:期间|时期|末|规划期)|(?:今后|未来){_N}年|{_N}年内"
)
_TO_YEAR_RE = re.compile(r"(?:到|至)((?:19|20)\d\d)年")
_SINCE_YEAR_RE = re.compile(r"((?:19|20)\d\d)年以来")
# the statement's own clause names one year: it is that year's figure after all
_ONE_YEAR_REVIEW_RE = re.compile(r"去年|上年|全年|当年|过去一年|一年来")
_ONE_YEAR_PLAN_RE = re.compile(r"今年|年内|全年|当年|本年")


_OPENING_MAX = 12
_CLAUSE_END_RE = re.compile(r"[，,；;：:]")


def _one_year(text: str, start: int, end: int, year: int | None, words: re.Pattern[str]) -> bool:
    """The clause ``text[start:end]`` names a single year: 去年/今年/全年…, or the year itself."""
    if words.search(text, start, end):
        return True
    if year is None:
        return False
    at = text.find(f"{year}年", start, end)
    return at >= 0 and not text.startswith("以来", at + 5)


def _spans(text: str, sent_start: int, st: Statement, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """A time span named in the statement's clause up to its value, or in the sentence's opening
    clause when that is a short time adverbial (五年来，…; “十四五”以来，…); a span named in another
    clause (近3年提升21个百分点，超过全国平均水平0.28个百分点) stays there."""
    found = pattern.search(text, st.clause_start, st.quantity.start)
    if found is None and st.clause_start > sent_start:
        m = _CLAUSE_END_RE.search(text, sent_start, min(st.clause_start, sent_start + _OPENING_MAX + 1))
        if m is not None:
            found = pattern.search(text, sent_start, m.start())
    return found


def may_span_review(text: str, start: int, end: int) -> bool:
    """Cheap test of a whole review sentence: does it name a time span at all?"""
    return (
        _REVIEW_SPAN_RE.search(text, start, end) is not None
        or _SINCE_YEAR_RE.search(text, start, end) is not None
        or text.find("累计", start, end) >= 0
    )


def may_span_plan(text: str, start: int, end: int) -> bool:
    """Cheap test of a whole plan sentence: does it name a time span at all?"""
    return _PLAN_SPAN_RE.search(text, start, end) is not None or _TO_YEAR_RE.search(text, start, end) is not None


def multi_year_actual(text: str, sent_start: int, st: Statement, review_year: int | None) -> bool:
    """The review statement ``st`` is a figure over several years (kept out of last year's actuals)."""
    if _one_year(text, st.clause_start, st.quantity.start, review_year, _ONE_YEAR_REVIEW_RE):
        return False
    if _spans(text, sent_start, st, _REVIEW_SPAN_RE) is not None:
        return True
    if st.quantity.base_unit in COUNT_UNITS and text.find("累计", st.clause_start, st.quantity.start) >= 0:
        return True  # 累计创建…基地39个: the things made so far, not last year's (累计减税34亿元 is)
    since = _spans(text, sent_start, st, _SINCE_YEAR_RE)
    return since is not None and review_year is not None and int(since.group(1)) < review_year


# part of a year: 上半年, 一季度, 前三季度, 1—6月, and any comparison with 去年同期 (the same months of
# the year before), which only a figure of part of a year makes
_PART_YEAR_RE = re.compile(
    r"同期|[上下]半年|前三季度|[一二三四1-4]季度|(?:1|一)(?:—|-|－|至|到)(?:\d{1,2}|[二三四五六七八九十]|十[一二])月"
    r"|前(?:\d{1,2}|[两二三四五六七八九十]|十[一二])个月"
)


def part_year_actual(text: str, sent_start: int, st: Statement) -> bool:
    """The review statement ``st`` is a figure of part of a year (今年上半年又比去年同期增长24.2%):
    a report delivered late in its year reviews the months just past beside last year, and those
    partial figures are not the results of a year. The months named earlier in the sentence hold
    for the clauses after them (上半年产值比去年同期增长14.1%，上缴国家的利润增长16.3%) unless a
    clause names a whole year again (全年, 去年)."""
    if _spans(text, sent_start, st, _PART_YEAR_RE) is not None:
        return True
    if _ONE_YEAR_REVIEW_RE.search(text, st.clause_start, st.quantity.start):
        return False
    return _PART_YEAR_RE.search(text, sent_start, st.clause_start) is not None


# a year the figure is of: not the base of a comparison (比1978年) nor the start of a span (2013年以来)
_YEAR_RE = re.compile(r"(?<![比较])((?:19|20)\d\d)年(?!以来|来)")


def earlier_year_actual(text: str, st: Statement, review_year: int | None) -> bool:
    """The clause of ``st`` names only years two or more before the review's (1977年为31.5元): a
    figure of history quoted for comparison, not a result of the year reviewed."""
    if review_year is None or _ONE_YEAR_REVIEW_RE.search(text, st.clause_start, st.quantity.start):
        return False
    years = [int(y) for y in _YEAR_RE.findall(text, st.clause_start, st.quantity.start)]
    return bool(years) and max(years) < review_year - 1


_CN_DIGIT = "〇一二三四五六七八九"
_ANY_YEAR_RE = re.compile(r"(?:19|20)\d\d年|[一二][九〇○零][〇○零一二三四五六七八九]{2}年")


def names_only_year(text: str, st: Statement, year: int | None) -> bool:
    """The clause of ``st`` up to its value names ``year`` (2024年, 一九八五年) and no other year
    nor a span: in five-year material, ``一九八五年增加三百六十二亿元`` is that year's result."""
    if year is None:
        return False
    named = _ANY_YEAR_RE.findall(text, st.clause_start, st.quantity.start)
    cn = "".join(_CN_DIGIT[int(d)] for d in str(year))
    own = {f"{year}年", f"{cn}年", f"{cn.replace('〇', '○')}年", f"{cn.replace('〇', '零')}年"}
    if not named or any(y not in own for y in named):
        return False
    return _REVIEW_SPAN_RE.search(text, st.clause_start, st.quantity.start) is None and "以来" not in text[
        st.clause_start : st.quantity.start
    ]


def multi_year_target(text: str, sent_start: int, st: Statement, plan_year: int | None) -> bool:
    """The plan statement ``st`` is a goal over several years (not a target of the plan year)."""
    if _one_year(text, st.clause_start, st.quantity.start, plan_year, _ONE_YEAR_PLAN_RE):
        return False
    if _spans(text, sent_start, st, _PLAN_SPAN_RE) is not None:
        return True
    to_year = _spans(text, sent_start, st, _TO_YEAR_RE)
    return to_year is not None and plan_year is not None and int(to_year.group(1)) > plan_year
