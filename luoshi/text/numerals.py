"""Small Chinese numerals as used in heading markers (一、 （十二） 二十是).

Headings only count up to a few dozen, so a table-driven parser is enough and keeps the
structure pass free of heavier imports.
"""

from __future__ import annotations

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

CN_NUMERAL = "[一二三四五六七八九十]{1,3}"


def cn_int(s: str) -> int | None:
    """Value of a Chinese numeral from 一 to 九十九; ``None`` if ``s`` is not one."""
    if not s:
        return None
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        if "十" in ones:
            return None
        t = 1 if tens == "" else _DIGITS.get(tens)
        o = 0 if ones == "" else _DIGITS.get(ones)
        if t is None or o is None:
            return None
        return t * 10 + o
    if len(s) == 1:
        return _DIGITS.get(s)
    return None
