"""When a clause says something must be done: the deadline words of a work report.

Work reports date their promises loosely: 年内/全年/今年 mean the end of the plan year, 上半年 the end
of June, 一季度 the end of March, ``6月底``/``6月`` the end of that month. ``deadline_in`` turns the
first such phrase of a text into a date; it returns ``None`` when the text names no time, so that
the caller can fall back to 31 Dec of the plan year.

:func:`deadline_phrase` also keeps the words: the plan printed for the offices says 完成时限 the way
the report does (6月底前, 上半年, 三季度末, 年底前), and work the report calls ongoing (长期坚持,
常态化) has no date at all. 持续推进 is read as ongoing only as a whole 完成时限 cell (see
``luoshi.export.dates``): inside a report sentence it is a verb (持续推进老旧小区改造), not a time.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

_CN_MONTH = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "十一": 11, "十二": 12,
}  # fmt: skip
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}

# (?<![0-9]) keeps 2023年底 / 12月 in a date from matching a bare "3月"
_PATTERN = re.compile(
    r"(?P<first_half>上半年)"
    r"|(?P<second_half>下半年)"
    r"|(?:第?(?P<quarter>[一二三四1-4])季度(?:末|底)?(?:前|以前)?)"
    r"|(?:(?P<year>20\d\d)年(?:(?P<ymonth>1[0-2]|0?[1-9])月)?(?:底|末)?(?:前|以前)?)"
    r"|(?:(?<![0-9一二三四五六七八九十年])(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月"
    r"(?:底|末|份|中旬|上旬|下旬)?(?:前|以前)?)"
    r"|(?P<year_end>年内|全年|今年|年底前|年底|年末|本年度|当年)"
)


ONGOING = ("长期坚持", "长期推进", "常态化", "久久为功")
_ONGOING = re.compile("|".join(ONGOING))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@lru_cache(maxsize=2048)
def deadline_in(text: str, plan_year: int) -> date | None:
    """The deadline the first time phrase of ``text`` names, or ``None`` if it names none.

    A named year (``2025年底前``) is the end of that year when it is the plan year or later; an
    earlier year (``2023年``) is history, not a deadline, and is skipped.
    """
    return _first(text, plan_year)[0]


def _first(text: str, plan_year: int) -> tuple[date | None, str | None]:
    for m in _PATTERN.finditer(text):
        words = m.group(0)
        if m.group("first_half"):
            return date(plan_year, 6, 30), words
        if m.group("second_half") or m.group("year_end"):
            return date(plan_year, 12, 31), words
        if m.group("quarter"):
            return _month_end(plan_year, _QUARTER[m.group("quarter")]), words
        if m.group("year"):
            y = int(m.group("year"))
            if m.group("ymonth") and y >= plan_year:
                return _month_end(y, int(m.group("ymonth"))), words
            if y >= plan_year and (words.endswith(("前", "底", "末")) or y > plan_year):
                return date(y, 12, 31), words
            continue
        if m.group("month"):
            raw = m.group("month")
            month = int(raw) if raw.isdigit() else _CN_MONTH[raw]
            return _month_end(plan_year, month), words
    return None, None


@lru_cache(maxsize=2048)
def deadline_phrase(text: str, plan_year: int) -> tuple[date | None, str | None]:
    """(date, the words as the report writes them) of the first time phrase of ``text``.

    ``(None, "长期坚持")`` for work the text calls ongoing and names no time for; ``(None, None)``
    when it says nothing about time (the caller decides the default, usually 31 Dec).
    """
    day, words = _first(text, plan_year)
    if day is not None:
        return day, words
    ongoing = _ONGOING.search(text)
    return (None, ongoing.group(0)) if ongoing else (None, None)
