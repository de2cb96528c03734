"""Quantities as work reports write them: numbers, multipliers, units, ranges and comparators.

A quantity keeps its value *as written* (``1.8万人`` → value 1.8, unit ``万人``) because that is how
the report states the promise and how a ledger shows it; ``Quantity.absolute`` gives the plain
number when one is needed. Arabic numbers (``1,100``, ``800.4``) and Chinese numerals (``十二``,
``三百``, ``两``) are both read; Chinese numerals are converted with cn2an, only for the matched
strings and imported lazily because cn2an takes a while to import (the small numerals of
headings and counts, 一 to 九十九, 两, 一百, 两千, are read by table and never load it).

Comparators are read from the words around the number: ``左右/约/上下`` → ``~``,
``以上/不低于/突破/超过/至少/多/余`` → ``>=``, ``以下/以内/控制在/不超过/不高于`` → ``<=``; none → ``=``.
Rates written with ``每`` (``每立方米45微克``) get the compound unit ``微克/立方米``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from luoshi.text.numerals import cn_int

# measure words and units, longest first so that 个百分点 wins over 个 and 千瓦时 over 千瓦
_BASE_UNITS = sorted(
    """
    个百分点 百分点 吨标准煤 平方公里 平方千米 万平方米 平方米 立方米 公里 千米 千瓦时 千瓦 千克 公斤 公顷 标准箱 标箱
    微克 毫克 美元 元 人次 亩次 人 户 套（间） 条（段） 套 间 辆 张 台 次 场次 场 天 个 家 项 所 座 处 条 支 件 部 篇 名 位
    只 头 艘 架 列 趟 株 棵 斤 册 吨 亩 米 倍 年 个月 种 块 栋 孔 片 家次 户次 件次 架次 车次 班次 辆次 艘次 课时 个工作日 工作日 岁
    颗 枚 起 宗 例 门 期 方 马力
    """.split(),
    key=len,
    reverse=True,
)
# units that count things (a quantity of them may stand before the noun: 实施79个老旧小区改造工程)
COUNT_UNITS = frozenset(
    "个工作日 件次 家次 户次 个 家 项 所 座 处 条 支 件 部 篇 名 位 只 头 艘 架 列 趟 株 棵 辆 张 台 次 场 套 间 户 栋 块 孔 片 种"
    " 场次 颗 枚 起 宗 例 门 期".split()
) | {"套（间）", "条（段）"}
MEASURE_UNITS = frozenset(
    "公里 千米 平方公里 平方千米 平方米 万平方米 立方米 千瓦 千瓦时 吨 亩 亩次 米 公顷 标准箱 标箱 人 人次 元 美元 方".split()
)
_PER_UNITS = "立方米|平方米|平方公里|公里|千米|吨|亩|人|户|天|日|年|小时|公顷|千瓦时|月|小时"

_ARABIC = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CN = rf"[一二两三四五六七八九十][{_CN_DIGITS}]*"
_NUM = rf"(?:{_ARABIC}|{_CN})"
_MULT = r"(?:万亿|亿|万)"
# 家 counts firms, but not in 家庭/家属/家长…: there the magnitude counts households or people
# and the measure words that begin common words (人民, 方面, 门类, 起步, 宗旨, 例如) only as measure words
_UNIT_GUARD = {
    "家": "(?![庭属长乡园具电])",
    "台": "(?![阶账风湾区])",
    "个": "(?!体工商|体户|体经济|性化|税|别)",
    "部": "(?![门署委])",
    "名": "(?![词称单录额义誉片牌次])",
    "人": "(?![民口才员工类])",
    "方": "(?![面式案向法针略位言便舱阵])",
    "门": "(?![类户槛诊店面窗])",
    "起": "(?![步草来航点飞])",
    "宗": "(?![旨教族])",
    "例": "(?![如外])",
    "期": "(?![间限刊货盼待望])",
}
# 度 is a kilowatt-hour only after a multiplier (发电量3120亿度); alone it is a degree or a word
# (一度, 年度, 力度)
_MULT_ONLY_UNITS = ("度",)
_UNIT = "|".join(
    [re.escape(u) + _UNIT_GUARD.get(u, "") for u in _BASE_UNITS] + [rf"(?<=[万亿]){u}" for u in _MULT_ONLY_UNITS]
)
# digits grouped by threes with a full-width comma (粮食产量34，250万吨), as the indicator lists of
# older reports write them. Read as one number only where it cannot be two: the first group is bare
# (a clause never ends on a number without its unit), every later group has exactly three digits and
# the last carries a unit or multiplier; after 第 (第4，210个) the first number is an ordinal.
_GROUPED = rf"(?<!第)\d{{1,3}}(?:，\d{{3}})+(?=(?:多|余)?(?:{_MULT}|{_UNIT}))"
_RANGE_SEP = r"(?:——|—|–|－|-|~|～|至|到)"
_PREFIX = r"(?:接近|不低于|不少于|不超过|不高于|不大于|不小于|超过|突破|至少|控制在|低于|高于|约|近|过|超|逾)"
_SUFFIX = r"(?:及以上|及以下|以上|以下|以内|之内|左右|上下)"

# one quantity; the lookbehind keeps 5G, PM2.5, 省道103 and digits inside longer numbers out
QUANTITY_RE = re.compile(
    rf"(?:(?P<prefix>{_PREFIX}))?"
    rf"(?:每(?P<per>{_PER_UNITS}))?"
    rf"(?<![0-9A-Za-z.．+＋_/])(?P<num>{_GROUPED}|{_NUM})"
    rf"(?:(?P<umin>%|{_MULT}?(?:{_UNIT})?)?{_RANGE_SEP}(?P<num2>{_NUM}))?"
    rf"(?:(?P<more0>多|余)(?={_MULT}))?(?P<mult>{_MULT})?(?P<more>多|余)?(?P<unit>%|‰|{_UNIT})?(?P<perslash>(?:/|每)(?:{_PER_UNITS}))?"
    rf"(?P<suffix>{_SUFFIX})?"
)
_CMP_WORDS = {
    "左右": "~", "上下": "~", "约": "~", "近": "~", "接近": "~",
    "以上": ">=", "及以上": ">=", "不低于": ">=", "不少于": ">=", "不小于": ">=", "突破": ">=", "超过": ">=",
    "至少": ">=", "多": ">=", "余": ">=", "过": ">=", "高于": ">=", "超": ">=", "逾": ">=",
    "以下": "<=", "及以下": "<=", "以内": "<=", "之内": "<=", "控制在": "<=", "不超过": "<=", "不高于": "<=",
    "不大于": "<=", "低于": "<=",
}  # fmt: skip
_MULT_VALUE = {"万": 1e4, "亿": 1e8, "万亿": 1e12}


def comparator_of(word: str | None) -> str | None:
    """The comparator a qualifier word expresses (``以上`` → ``>=``), or ``None``."""
    if not word:
        return None
    return _CMP_WORDS.get(word)


def _small_cn(s: str) -> int | None:
    """The Chinese numerals reports use most, read by table: 一 … 九十九, 两, and a digit times
    百 or 千 (一百, 两千); ``None`` for anything else (cn2an reads those)."""
    if s == "两":
        return 2
    if len(s) == 2 and s[1] in "百千" and s[0] != "十":
        digit = 2 if s[0] == "两" else cn_int(s[0])
        if digit is not None:
            return digit * (100 if s[1] == "百" else 1000)
    return cn_int(s)


@lru_cache(maxsize=512)
def parse_number(text: str) -> float:
    """Value of one number as written: ``1,100`` and ``1，100`` → 1100, ``800.4``, ``十二`` → 12, ``两`` → 2."""
    s = text.replace(",", "").replace("，", "")
    try:
        return float(s)
    except ValueError:
        pass
    small = _small_cn(s)
    if small is not None:
        return float(small)  # 一 … 九十九, 两, 一百, 三千: read without loading cn2an
    import cn2an  # slow to import (~0.1 s): only when a larger Chinese numeral is met (三百, 一千)

    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a number: {text!r}") from exc


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, range end and comparator; ``start``/``end`` are offsets in the text
    it was found in (``start`` at the number, or at ``每`` of a rate; ``end`` after the qualifier).
    ``prefix`` is a comparator word written before the number (``超过``, ``过``), not in the span."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str | None
    comparator: str
    prefix: str | None
    suffix: str | None
    chinese: bool  # written in Chinese numerals
    unit_end: int  # offset just after the unit (before the qualifier)

    @property
    def absolute(self) -> float:
        """The plain number: ``1.8万人`` → 18000."""
        for mult, factor in sorted(_MULT_VALUE.items(), key=lambda kv: -len(kv[0])):
            if self.unit and self.unit.startswith(mult):
                return self.value * factor
        return self.value

    @property
    def base_unit(self) -> str | None:
        """The unit without its multiplier: ``万人`` → ``人``."""
        if not self.unit:
            return None
        u = self.unit
        for mult in ("万亿", "亿", "万"):
            if u.startswith(mult):
                return u[len(mult) :] or None
        return u


_GROUPS = ("prefix", "per", "num", "umin", "num2", "more0", "mult", "more", "unit", "perslash", "suffix")
_G = {name: QUANTITY_RE.groupindex[name] for name in _GROUPS}
# the groups that may end the number with its unit, last in the pattern first (each is either
# absent or non-empty, so the last present one ends the quantity before its qualifier)
_UNIT_END_GROUPS = tuple(_G[name] for name in ("perslash", "unit", "more", "mult", "num2", "num"))


def _quantity(m: re.Match[str], base: int = 0) -> Quantity | None:
    # one call for the texts and one for the spans: this runs for every number of a report
    prefix, per, num, umin, num2, more0, mult, more, unit_w, perslash, suffix = m.group(*_GROUPS)
    regs = m.regs
    chinese = not num[0].isdigit()
    mult = mult or ""
    unit = unit_w or ""
    if num2 is not None and not unit and not mult and umin:
        # 2个至3 → keep the unit written on the first number
        unit = umin
    if chinese and not unit and not mult:
        return None  # a bare Chinese numeral is a word (一是, 十大), not a quantity
    try:
        value = parse_number(num)
        value_max = parse_number(num2) if num2 is not None else None
    except ValueError:
        return None
    if value_max is not None and (value_max <= value or (not unit and not mult)):
        return None  # 2023-2024, 12-3: a dash that is not a range
    text = m.string
    m_end = regs[0][1]
    after = text[m_end : m_end + 1]
    if after and after.isascii() and after.isalpha():
        return None  # 5G, 3D: part of a name
    if prefix in ("过", "近", "超"):
        p_start = regs[_G["prefix"]][0]
        if p_start > 0 and text[p_start - 1] in "通经超越最将赶高":
            prefix = None  # 通过/经过/最近/赶超: not a comparator
    full_unit = mult + unit
    if perslash:
        full_unit += "/" + perslash[1:]  # 35微克每立方米 is written 微克/立方米
    if per:
        full_unit = f"{full_unit}/{per}" if full_unit else None
    if not more and mult:
        more = more0  # 3700多万
    comparator = _CMP_WORDS.get(suffix) or _CMP_WORDS.get(more) or _CMP_WORDS.get(prefix) or "="  # type: ignore[arg-type]
    start = regs[_G["per"]][0] - 1 if per else regs[_G["num"]][0]
    unit_end = next(e for _, e in (regs[g] for g in _UNIT_END_GROUPS) if e >= 0)
    end = regs[_G["suffix"]][1] if suffix else unit_end
    return Quantity(
        start=base + start,
        end=base + end,
        value=value,
        value_max=value_max,
        unit=full_unit or None,
        comparator=comparator,
        prefix=prefix,
        suffix=suffix,
        chinese=chinese,
        unit_end=base + unit_end,
    )


# the digit first and the lookbehind after it (on the character before), so that the scan can
# jump from candidate to candidate instead of testing the lookbehind at every position
_NUM_START = re.compile(r"[\d一二两三四五六七八九十](?<![0-9A-Za-z.．+＋_/].)")
# a Chinese numeral is a quantity only with a unit or multiplier: cheap test before the full pattern
_CN_QUANTITY = re.compile(rf"{_CN}(?:{_RANGE_SEP}{_CN})?(?:多|余)?(?:{_MULT}|{_UNIT}|%)")
# \Z, not $: $ also matches before a final line break, which hid a number at a line start
_BEFORE = re.compile(rf"(?:{_PREFIX})?(?:每(?:{_PER_UNITS}))?\Z")
# the characters a non-empty ``_BEFORE`` match ends with: any other character before a number
# means nothing is written before it
_BEFORE_LAST = frozenset(w[-1] for w in re.findall(r"[^|()?:]+", _PREFIX + "|" + _PER_UNITS))


_CN_DECIMAL = str.maketrans("零〇一二三四五六七八九", "00123456789")
_PCT_NUM = rf"(?:{_ARABIC}|{_CN}(?:点[零〇一二三四五六七八九]+)?)"
# a percentage in words (百分之六, 百分之七点五, 百分之八至百分之九, 百分之十以内), as older
# reports write every rate
PERCENT_WORDS_RE = re.compile(
    rf"(?:(?P<prefix>{_PREFIX}))?百分之(?P<num>{_PCT_NUM})"
    rf"(?:{_RANGE_SEP}(?:百分之)?(?P<num2>{_PCT_NUM}))?(?P<suffix>{_SUFFIX})?"
)


def _pct_value(s: str) -> float:
    whole, _, frac = s.partition("点")
    value = parse_number(whole)
    return float(f"{int(value)}.{frac.translate(_CN_DECIMAL)}") if frac else value


def _percent_words(text: str, base: int) -> list[Quantity]:
    out = []
    for m in PERCENT_WORDS_RE.finditer(text):
        try:
            value = _pct_value(m.group("num"))
            value_max = _pct_value(m.group("num2")) if m.group("num2") else None
        except ValueError:
            continue
        if value_max is not None and value_max <= value:
            value_max = None
        prefix, suffix = m.group("prefix"), m.group("suffix")
        comparator = _CMP_WORDS.get(suffix or "") or _CMP_WORDS.get(prefix or "") or "="
        unit_end = m.end("num2") if m.group("num2") else m.end("num")
        out.append(
            Quantity(
                start=base + m.start("num") - 3,  # at 百分之
                end=base + m.end(),
                value=value,
                value_max=value_max,
                unit="%",
                comparator=comparator,
                prefix=prefix,
                suffix=suffix,
                chinese=False,  # as unambiguous as a written %: not a word like 一是
                unit_end=base + unit_end,
            )
        )
    return out


def find_quantities(text: str, base: int = 0) -> list[Quantity]:
    """Every number-with-unit in ``text`` (offsets shifted by ``base``), in order.

    Arabic numbers are kept even without a unit (``达标率100``); Chinese numerals only with a unit
    or multiplier. Nothing here decides whether a quantity is a target: see ``targets``.
    The full pattern is only tried where a number starts, which keeps the scan cheap.
    """
    out: list[Quantity] = []
    done = 0
    for start in _NUM_START.finditer(text):
        s = start.start()
        if s < done:
            continue
        if not text[s].isdigit() and _CN_QUANTITY.match(text, s) is None:
            continue
        if s and text[s - 1] in _BEFORE_LAST:
            before = _BEFORE.search(text, max(done, s - 8), s)
            m = QUANTITY_RE.match(text, before.start() if before else s)
        else:
            m = QUANTITY_RE.match(text, s)
        if m is None:
            continue
        q = _quantity(m, base)
        if q is not None:
            out.append(q)
            done = m.end()
        else:
            done = m.end("num")
    if "百分之" in text:
        words = _percent_words(text, base)
        out = [q for q in out if not any(w.start <= q.start < w.end for w in words)]
        out = sorted(out + words, key=lambda q: q.start)
    return out


def parse_quantity(text: str) -> Quantity | None:
    """The quantity ``text`` consists of (``6%－6.5%``, ``1.8万人``, ``两到三个``), or ``None``."""
    m = QUANTITY_RE.fullmatch(text)
    if m is None:
        return None
    return _quantity(m)
