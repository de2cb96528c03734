"""Who delivers a report and for which year, read from what the report says about itself.

A report announces itself in its first lines: a title (2025年四川省政府工作报告), a date and
meeting line (——2025年1月20日在四川省第十四届人民代表大会第四次会议上), a speaker line (四川省人民政府
省长施小琳; 我代表省人民政府 / 我代表无锡市人民政府) or, for the State Council, 我代表国务院 /
受国务院的委托 and the session of the National People's Congress. These are read first and only
names on the official list of divisions are accepted (``divisions``). A report that carries no
name at all (a city report that starts at 各位代表) is matched against the divisions of the
speaker's level that its text keeps naming — the official list and the level decide, the counts
only pick among them, and the result is flagged as inferred.

The plan year is the year the report is delivered in: a report is delivered early in its plan
year (January–March for nearly all of them; the National People's Congress of the 1950s–80s met at
other times of the same year). Without a date, a heading that reviews a named year (2023年工作回顾,
首先报告2001年的工作) or the National People's Congress session it counts from gives it; so does the
plan the report says it proposes (提出关于1980、1981年国民经济计划安排的报告 → 1980) and, for a report
delivered late in its year, the year whose results it still estimates beside what 今年 has brought.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from luoshi.text.divisions import Division, lookup, mentions
from luoshi.text.model import ReportWarning, add_warning
from luoshi.text.numerals import cn_int

STATE_COUNCIL = "国务院"

_D = "0-9０-９"
_CN_DIGIT = "〇○零Ｏ一二三四五六七八九"
_YEAR = rf"(?:1[89]|20)[{_D}]{{2}}|(?:１[８９]|２０)[{_D}]{{2}}|[一二][{_CN_DIGIT}]{{3}}"
_DATE = re.compile(rf"({_YEAR})\s*年\s*([{_D}]{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月(?:\s*([{_D}]{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日)?")
# what follows the date of delivery: 在四川省第十四届人民代表大会第四次会议上, 省长李乐成在…会议上的讲话
_DELIVERED = re.compile(r"[^。；]{0,30}?在[^。；]{0,40}?(?:会议|大会)上")
_NAME = r"[\u4e00-\u9fff]{2,14}?"
_TITLE = re.compile(
    rf"(?:^|\n)\s*(?:({_YEAR})\s*年\s*)?({_NAME})?\s*(?:({_YEAR})\s*年\s*)?(?:人民)?政府工作报告"
)
_N = r"[一二三四五六七八九十]{1,3}"
_CONGRESS = re.compile(
    rf"(?:在|向|我们|我們)\s*({_NAME})?\s*第?\s*(?<![一二三四五六七八九十])({_N})\s*届\s*(全[国國])?\s*人民\s*代表\s*大[会會]\s*(?:第\s*({_N})\s*次\s*[会會]\s*[议議])?"
)
_SPEAKER = re.compile(r"代表\s*([\u4e00-\u9fff]{0,14}?)(省|自治区|市|州|盟|地区|县|区|旗)?(?:人民政府|政府|行政公署)(?!工作)")
_OFFICIAL = re.compile(
    rf"({_NAME})?(?:人民政府)?\s*代?(省长|市长|州长|县长|区长|旗长|盟长|专员|自治区主席|主席)"
    r"\s*[\u4e00-\u9fff·]{2,8}"
)
_LEVEL_OF_TITLE = {
    "省长": "省",
    "市长": "市",
    "州长": "州",
    "县长": "县",
    "区长": "区",
    "旗长": "旗",
    "盟长": "盟",
    "专员": "地区",
    "自治区主席": "自治区",
    "主席": "自治区",
}
_NATIONAL = re.compile(
    r"(?:代表|受)\s*(?:中共中央和)?(?:中华人民共和国)?(?:国务院|國務院|中央人民政府)|(?<!副)总理|(?<!副)總理"
    r"|第?[一二三四五六七八九十]{1,3}届全[国國]人民代表大[会會]"
)
_SELF_LEVEL = re.compile(r"[我本](省|市|州|区|县|旗|盟)")
# a heading or lead-in that reviews a named year: the plan year follows it
_REVIEW_YEAR = re.compile(
    rf"({_YEAR})\s*年(?:国内|政府)?(?:的)?工作(?:的)?(?:回顾|总结)|首先报告\s*({_YEAR})\s*年的?工作"
    rf"|(?:去年|过去一年)(?:的)?工作回顾\s*({_YEAR})\s*年"
)
# 第十届全国人民代表大会第一次会议以来的五年 / 去年…八届全国人大一次会议
_SINCE_CONGRESS = re.compile(
    rf"第?({_N})届全国人民代表大会第({_N})次会议以来的(五|四|三|两|二)年"
)
# 今年是实行“七五”计划的头一年 / 今年是“十四五”规划收官之年: the first two five-year plans ran
# 1953–57 and 1958–62; after three years of readjustment the third began in 1966
_PLAN_PERIOD_YEAR = re.compile(
    r"今年是(?:实施|实行|执行|落实|完成)?[“\"]?(十[一二三四五六七八九]?|[一二三四五六七八九])五[”\"]?(?:计划|规划)?(?:的)?"
    r"(头一年|第一年|开局之年|起步之年|最后一年|收官之年)"
)
# 过去五年… 第六届全国人民代表大会期间: the report that closes a congress's term opens the next one
_PAST_CONGRESS = re.compile(rf"第({_N})届全国人民代表大会期间")
_LAST_YEAR_CONGRESS = re.compile(rf"去年[^。；]{{0,12}}?({_N})届(?:全国)?人大({_N})次会议")

# the subject the report gives itself: 提出关于1980、1981年国民经济计划安排的报告 / 关于一九五五年国家决算和
# 一九五六年国家预算的报告 — the year of the plan or budget it proposes (a 决算 or a 计划执行 is a review)
_SUBJECT = re.compile(r"(?:提出|作)[^。；]{0,6}?关于([^。；]{0,60}?)的报告")
_SUBJECT_PLAN = re.compile(
    rf"({_YEAR})(?:\s*[、和及至—-]\s*(?:{_YEAR}))*\s*年度?(?:的)?(?:国民经济|国家|财政)?(?:计划|预算)(?!执行|完成)"
)
# results of a named year given as an estimate (一九六四年全国工业总产值，预计比一九六三年增长…; 1980年计划正在
# 顺利执行，预计…可以超额完成): the year is not over yet, or only just
_ESTIMATED = re.compile(
    rf"(?<![到至])({_YEAR})\s*年(?!代|底|末)[^。；！？\n]{{0,40}}?(?:预计|据估计|估计|可以超额完成|可以完成)"
)
# what this year has already brought: 今年又获得了更好的收成, 今年粮食增产了
_PASSAGE = 1500  # characters around a statement of this year's results that speak of the same year
_THIS_YEAR_DONE = re.compile(r"(?:今年|本年)[^。；，]{0,20}?(?:获得|取得|完成|实现|达到|超过|增长|增加|增产)了")
# a clause that opens with a year and states what it brought as done (一九五九年取得了…,
# 一九五三年比一九五〇年增加了百分之七十六, 1999年…已经完成)
_RESULT_CLAUSE = re.compile(
    rf"(?:^|[。；，！\n])\s*({_YEAR})\s*年(?:底|末|全年|全国|的)?([^。；！？\n]{{0,60}}?)"
    r"(?:(?:取得|完成|实现|达到|超过|增长|增加|减少|下降|增产|突破)了|已经|实际)"
)
_NOT_DONE = re.compile(r"要|将|计划|规划|预算|规定|安排|力争|争取|拟|预计|估计|预期|目标|可以|能够|应当|如果")

# the first National People's Congresses did not keep a five-year rhythm: (congress, session) → year
_EARLY_NPC = {
    (1, 1): 1954, (1, 2): 1955, (1, 3): 1956, (1, 4): 1957, (1, 5): 1958,
    (2, 1): 1959, (2, 2): 1960, (2, 3): 1962, (2, 4): 1963,
    (3, 1): 1964,
    (4, 1): 1975,
}  # fmt: skip
_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5}


@dataclass
class Identity:
    """The reporting government (full official name, or 国务院) and the plan year."""

    government: str | None = None
    year: int | None = None
    government_warnings: list[ReportWarning] = field(default_factory=list)
    year_warnings: list[ReportWarning] = field(default_factory=list)

    def warnings_for(self, *, government: bool = True, year: bool = True) -> list[ReportWarning]:
        """The warnings about what was read from the text (not about what the caller set)."""
        return (self.government_warnings if government else []) + (self.year_warnings if year else [])


def _year(raw: str) -> int | None:
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if raw.isdigit():
        return int(raw)
    digits = "".join("0" if c in "〇○零Ｏ" else str("一二三四五六七八九".index(c) + 1) for c in raw)
    return int(digits) if len(digits) == 4 else None


def _small(raw: str) -> int | None:
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(raw) if raw.isdigit() else cn_int(raw)


def npc_session_year(congress: int, session: int) -> int | None:
    """Year of session ``session`` of the ``congress``-th National People's Congress.

    From the 5th (1978) on, each congress sits five years with one session a year.
    """
    if congress >= 5:
        return 1978 + 5 * (congress - 5) + session - 1 if 1 <= session <= 5 else None
    return _EARLY_NPC.get((congress, session))


def _head(text: str) -> str:
    """The lines before the speech proper: title, date, meeting, speaker, first sentence."""
    m = re.search(r"各位代表", text[:3000])
    if m is None:
        return text[:1500]
    return text[: m.end() + 200]


def _resolve(name: str | None, level: str | None) -> list[Division]:
    """Divisions a name of the head may stand for; the longest known tail of ``name`` is taken
    (``2025年安徽省`` → 安徽省, ``来源：省政府`` → nothing)."""
    if not name:
        return []
    for start in range(len(name) - 1):
        found = lookup(name[start:], level)
        if found:
            return found
    return []


def _level_from_body(text: str) -> str | None:
    counts = Counter(_SELF_LEVEL.findall(text))
    return counts.most_common(1)[0][0] if counts else None


def _infer_from_body(text: str, level: str) -> Division | None:
    """The division of ``level`` the text names at least three times and twice as often as any
    other (a city report names its own city throughout, its neighbours now and then)."""
    ranked = mentions(text, level).most_common(2)
    if not ranked or ranked[0][1] < 3:
        return None
    if len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return ranked[0][0]


def _government(head: str, text: str, warnings: list[ReportWarning]) -> str | None:
    if _NATIONAL.search(head):
        return STATE_COUNCIL
    named: list[tuple[str, list[Division]]] = []  # (where, candidates)
    level: str | None = None
    for m in _SPEAKER.finditer(head):
        name, lvl = m.group(1), m.group(2)
        if name and name.endswith("自治") and lvl == "区":  # 我代表自治区人民政府
            name, lvl = name[:-2] or None, "自治区"
        level = level or lvl
        if name:
            named.append(("speaker", _resolve(name + (lvl or ""), lvl)))
    for m in _OFFICIAL.finditer(head):
        lvl = _LEVEL_OF_TITLE[m.group(2)]
        level = level or lvl
        if m.group(1):
            named.append(("official", _resolve(m.group(1), lvl)))
    for m in _CONGRESS.finditer(head):
        if m.group(3):
            return STATE_COUNCIL
        named.append(("meeting", _resolve(m.group(1), level)))
    for m in _TITLE.finditer(head):
        named.append(("title", _resolve(m.group(2), level)))
    choices = [(where, found) for where, found in named if found]
    picks: list[Division] = []
    for _, found in choices:
        # a name on more than one level (吉林, 海南) is the higher one unless the level says otherwise
        picks.append(found[0] if len(found) == 1 or level else sorted(found, key=lambda d: len(d.code))[0])
    names = list(dict.fromkeys(d.name for d in picks))
    if len(names) > 1:
        add_warning(
            warnings,
            "identity_conflict",
            f"报告开头对作报告的政府说法不一（{'、'.join(names)}），按{names[0]}处理，请核对",
        )
    if names:
        return names[0]
    level = level or _level_from_body(text)
    if level is None:
        return None
    div = _infer_from_body(text, level)
    if div is None:
        return None
    add_warning(
        warnings,
        "government_inferred",
        f"报告未写明作报告的政府，按正文中反复提到的{div.name}处理，请核对",
    )
    return div.name


def _head_year(head: str, warnings: list[ReportWarning]) -> int | None:
    found: list[tuple[str, int]] = []
    for m in _TITLE.finditer(head):
        raw = m.group(1) or m.group(3)
        if raw and (y := _year(raw)):
            found.append(("title", y))
    for m in _DATE.finditer(head):
        if not _DELIVERED.match(head, m.end()):
            continue
        y = _year(m.group(1))
        month = _small(m.group(2))
        if y and month and 1 <= month <= 12:
            found.append(("date", y))
            break
    for m in _CONGRESS.finditer(head):
        # 向第五届全国人民代表大会作政府工作报告: a report to a new congress, at its first session
        to_congress = m.group(4) is None and head.startswith("作", m.end())
        if m.group(3) and (m.group(4) or to_congress):
            congress, session = cn_int(m.group(2)), cn_int(m.group(4) or "一")
            if congress and session and (y := npc_session_year(congress, session)):
                found.append(("meeting", y))
    years = list(dict.fromkeys(y for _, y in found))
    if len(years) > 1:
        add_warning(
            warnings,
            "identity_conflict",
            f"报告开头的年份不一致（{'、'.join(map(str, years))}），按{years[0]}年处理，请核对",
        )
    return years[0] if years else None


def _body_year(text: str) -> int | None:
    m = _REVIEW_YEAR.search(text)
    if m and (y := _year(m.group(1) or m.group(2) or m.group(3))):
        return y + 1
    m = _PLAN_PERIOD_YEAR.search(text)
    if m and (n := cn_int(m.group(1))):
        first = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
        return first + (4 if m.group(2) in ("最后一年", "收官之年") else 0)
    m = _SINCE_CONGRESS.search(text)
    if m:
        congress, session = cn_int(m.group(1)), cn_int(m.group(2))
        if congress and session and (y := npc_session_year(congress, session)):
            return y + _SMALL[m.group(3)]
    m = _PAST_CONGRESS.search(text)
    if m and "过去五年" in text and (congress := cn_int(m.group(1))):
        if y := npc_session_year(congress + 1, 1):
            return y
    m = _LAST_YEAR_CONGRESS.search(text)
    if m:
        congress, session = cn_int(m.group(1)), cn_int(m.group(2))
        if congress and session and (y := npc_session_year(congress, session)):
            return y + 1
    return None


def _subject_year(head: str) -> int | None:
    """The first year of the plan or budget the report says it proposes."""
    for m in _SUBJECT.finditer(head):
        plan = _SUBJECT_PLAN.search(m.group(1))
        if plan and (y := _year(plan.group(1))):
            return y
    return None


def _estimated_year(text: str) -> int | None:
    """The year whose results the report gives as an estimate, when it speaks of this year's results.

    A report delivered late in its year (the National People's Congress of the 1950s–80s met in
    autumn or winter too) estimates the current year's results; a report delivered early in its year
    may estimate last year's, so an estimate counts only in a passage that also says what this year
    (今年, 本年) has already brought. Of several such years the latest is taken.
    """
    this_year = [m.start() for m in _THIS_YEAR_DONE.finditer(text)]
    years = []
    for m in _ESTIMATED.finditer(text):
        between = m.group(0)[len(m.group(1)) :]
        if re.search(rf"(?:{_YEAR})\s*年", between) is not None:
            continue
        near = any(abs(m.start() - at) <= _PASSAGE for at in this_year)
        if near and (y := _year(m.group(1))):
            years.append(y)
    return max(years) if years else None


def latest_result_year(text: str) -> int | None:
    """The latest year whose results the report states as done (一九五九年取得了…, 增加了, 已经…).

    A last resort for the plan year (this year + 1): it is a guess, the caller must say so.
    """
    years = []
    for m in _RESULT_CLAUSE.finditer(text):
        if _NOT_DONE.search(m.group(2)) is None and (y := _year(m.group(1))):
            years.append(y)
    return max(years) if years else None


def read_identity(text: str) -> Identity:
    """Government and plan year as the report states them; ``None`` where it does not."""
    head = _head(text)
    gov_warnings: list[ReportWarning] = []
    year_warnings: list[ReportWarning] = []
    government = _government(head, text, gov_warnings)
    year = _head_year(head, year_warnings) or _subject_year(head) or _body_year(text) or _estimated_year(text)
    return Identity(government, year, gov_warnings, year_warnings)
