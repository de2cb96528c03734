"""Reading a 完成时限 cell back: a real date, an ISO date, or the words offices use.

Accepted: date cells, ``2024-06-30`` / ``2024/6/30`` / ``2024.6.30`` / ``2024年6月30日``, and the
deadline words of the report itself (``2024年12月底``, ``年底前``, ``上半年``, ``三季度``, ``9月底``) read
by :func:`luoshi.extract.deadlines.deadline_in`. ``持续推进`` / ``长期坚持`` (and an empty cell) mean no
fixed deadline. Anything else, an impossible date, or a year outside the plan's horizon is an error.
"""

from __future__ import annotations

import datetime as dt
import re

from luoshi.extract.deadlines import deadline_in

NO_DEADLINE = {"", "持续推进", "长期坚持", "长期", "持续", "常态化", "长期推进", "久久为功"}
HORIZON_YEARS = 10

_FULL = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")
_WORDS = re.compile(
    r"^(?:(?:20\d\d年)?(?:(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月(?:底|末|份)?|底|末)?(?:前|以前)?"
    r"|上半年(?:前)?|下半年|第?[一二三四1-4]季度(?:末|底)?(?:前)?|年内|全年|今年|年底前|年底|年末|本年度)$"
)


class DeadlineError(ValueError):
    pass


def deadline_words(value: object) -> str | None:
    """The words of a 完成时限 cell worth keeping as the ledger's deadline text (年底前, 上半年,
    长期坚持), or None for an empty cell or a plain date (2024-06-30, a date cell): the date alone
    says it. Call after :func:`parse_deadline` accepted the cell."""
    if value is None or isinstance(value, dt.date | int | float):
        return None
    text = re.sub(r"\s+", "", str(value))
    if not text or _FULL.match(text.replace("（", "(").replace("）", ")")):
        return None
    return text[:30]


def parse_deadline(value: object, plan_year: int) -> dt.date | None:
    """The date a 完成时限 cell means; ``None`` for no fixed deadline; DeadlineError if unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float):
        raise DeadlineError(f"“{value}”不是日期")
    else:
        text = re.sub(r"\s+", "", str(value)).replace("（", "(").replace("）", ")")
        if text in NO_DEADLINE:
            return None
        m = _FULL.match(text)
        if m:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise DeadlineError(f"“{value}”不是有效日期") from None
        elif _WORDS.match(text) and (found := deadline_in(text, plan_year)) is not None:
            day = found
        else:
            raise DeadlineError(f"无法识别的完成时限“{value}”（可写 2024-06-30、2024年6月底、年底前）")
    if not plan_year <= day.year <= plan_year + HORIZON_YEARS:
        raise DeadlineError(f"完成时限 {day.isoformat()} 不在 {plan_year}—{plan_year + HORIZON_YEARS} 年之间")
    return day
