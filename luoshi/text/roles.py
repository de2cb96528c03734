"""What a stretch of a report talks about: last year's results, this year's plan, or five-year material.

A heading says little (``牢记殷殷嘱托，在接续奋斗中…``) and many reports have none, so the role of
a part or a paragraph is read from what it says, as evidence with weights:

- the years it names against the plan year (2024年 in a 2025 report is last year; 到2030年 and
  2021—2025年 are five-year horizons);
- time words (过去一年/一年来/去年 → review; 五年来/“十四五”时期/年均 → five_year; 今年/新的一年 → plan);
- block phrases that only one kind of text uses (主要预期目标, 总体要求, 实现上述目标 → plan;
  主要做了以下工作 → review);
- the verbs of its clauses: plan verbs at a clause head (要/将/力争/确保/加快/推进…) against result
  markers (了/已/首次/获评/比上年…).

No single word decides: every hit adds to a score, and a role is *strong* only when its score is
high and clearly ahead of the others. Weak evidence leaves the decision to the context (the part a
paragraph stands in, the paragraph before it). Pure functions over the text, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("review", "plan", "five_year")

_DIGIT = "0-9０-９"
_FULL = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")

# 2021—2025年, 2021年至2025年, 2021-2025年: a span of years is a plan or review period
_YEAR_SPAN = re.compile(rf"(?:19|20)[{_DIGIT}]{{2}}年?\s?[—–\-~～至到]\s?(?:19|20)?[{_DIGIT}]{{2}}年")

_REVIEW_TIME = re.compile(
    r"过去一年|一年来|今年以来|(?<![比较同])去年|上一年|上年度|刚刚过去的(?=一年|[0-9]{4}年)|这一年[，,]|回首(?:过去的)?一年|过去的一年"
)
# five-year time frames; a plan's name alone (“十四五”规划) is weaker evidence than its period
_FIVE_TIME = re.compile(
    r"五年来|过去五年|五年间|这五年|今后五年|未来五年|"
    r"“?十[一二三四五六七八九]五”?(?:时期|期间|以来)|“?[六七八九]五”?(?:时期|期间)|“十五”(?:时期|期间)|五年内"
)
_FIVE_AVG = re.compile(r"(?:年均|年平均)(?!浓度|值|气温|降水)|平均每年")  # an average over years: five-year talk, unless it says which
_FIVE_NAME = re.compile(
    r"五年[规计]划|规划纲要|规划期|“?十[一二三四五六七八九]五”?(?:规划|计划|末)|“?[六七八九]五”?计划|“十五”计划|"
    r"“十[一二三四五六七八九]五”"
)
_PLAN_TIME = re.compile(r"新的一年|明年|下一年")
# this year: the plan year, unless the report is delivered late in it (see ``plans_next_year``)
_THIS_YEAR = re.compile(r"今年(?!以来)|本年度")
_PLAN_BLOCK = re.compile(
    r"主要预期目标|预期目标[是为]|总体要求|实现上述目标|实现这些目标|完成上述目标|做好今年|今年工作|政府工作的总体|"
    r"重点抓好|重点做好|着力做好|主要任务是"
)
_REVIEW_BLOCK = re.compile(r"取得了?(?:新的)?(?:显著|重要|明显)?成[绩效就]")

# plan verbs at the head of a clause; result markers anywhere
_PLAN_VERB = re.compile(
    r"(?<=[，,；;。：:！])(?:要|将|须|必须|力争|确保|争取|着力|务必|全力|更加|进一步|抓好|做好|谋划)|拟(?:安排|投入|发行)|"
    r"(?:左右|以上|以内|以下)(?=[，,；;。])|(?<![重需主纲只概提])要(?![求素点害闻事件务])|力争|确保|争取"
)
# a figure written as a result (增长5.2%, 达1.2万亿元) and other marks of finished work
_PAST_MARK = re.compile(
    r"了|已经|已|成功|首次|获批|获评|荣获|入选|位居|居全|排名|圆满|分别增长|"
    r"[0-9][0-9.]*(?:%|万|亿)(?![0-9.]|左右|以上|以内|以下)(?=[^，,；;。]{0,6}[，,；;。])"
)
_SENT = re.compile(r"[。！？!?]")
# a change against the year before: a year's result, whatever period the paragraph also names
_YEARLY = re.compile(r"比上年|较上年|同比")


@dataclass(frozen=True)
class Scores:
    """Evidence for each role; ``strong`` says one role clearly leads."""

    review: float = 0.0
    plan: float = 0.0
    five_year: float = 0.0

    def get(self, role: str) -> float:
        return getattr(self, role, 0.0)

    def plus(self, other: Scores, weight: float = 1.0) -> Scores:
        return Scores(
            self.review + weight * other.review,
            self.plan + weight * other.plan,
            self.five_year + weight * other.five_year,
        )

    def capped(self, cap: float) -> Scores:
        return Scores(min(self.review, cap), min(self.plan, cap), min(self.five_year, cap))

    def best(self) -> tuple[str | None, float]:
        """The leading role and its lead over the runner-up (``None`` when nothing was seen)."""
        r, p, f = self.review, self.plan, self.five_year
        if r >= p and r >= f:
            role, top, second = "review", r, max(p, f)
        elif p >= f:
            role, top, second = "plan", p, max(r, f)
        else:
            role, top, second = "five_year", f, max(r, p)
        if top <= 0:
            return None, 0.0
        return role, top - second

    @property
    def total(self) -> float:
        return self.review + self.plan + self.five_year


STRONG_SCORE = 3.0
STRONG_MARGIN = 2.0


def leading_role(text: str, start: int, end: int, plan_year: int | None, *, late: bool = False) -> str | None:
    """The time frame a paragraph opens with (五年来，… / 过去一年，… / 今年…), if any: a frame that
    opens a paragraph governs what follows it, one named in passing only its own paragraph."""
    head = text[start : min(end, start + 24)].lstrip("各位代表！!，, —\u3000")
    s = score(text, start + (min(end, start + 24) - start - len(head)), min(end, start + 24), plan_year, late=late)
    role, _ = s.best()
    return role if role is not None and s.get(role) >= 2.0 else None


def is_strong(scores: Scores) -> bool:
    role, margin = scores.best()
    return role is not None and scores.get(role) >= STRONG_SCORE and margin >= STRONG_MARGIN


def year_value(raw: str) -> int | None:
    """2024 from ``2024``, ``２０２４``, ``1 9 9 8`` or ``一九八一``."""
    s = raw.translate(_FULL).replace(" ", "")
    if s.isdigit():
        return int(s)
    s = raw.translate(_CN_YEAR_DIGITS)
    if s.isdigit() and len(s) == 4:
        return int(s)
    return None


def _named(name: str, pattern: re.Pattern[str]) -> str:
    return f"(?P<{name}>{pattern.pattern})"


# every character an item of evidence can start with (a test checks it against the patterns): most
# positions of a text fail on it at once instead of trying every alternative
_FIRST = (
    "0-9０-９“一二五六七八九十上下主了争今以位做入全分刚力务去取同圆实将居左已年必总成抓排政新明更未本"
    "比着确荣获要规谋较过这进重预首回完须拟平。！？!?"
)
# every kind of evidence in one alternation, so a paragraph (or the whole text) is read in one pass;
# the order settles overlaps: a span of years before its years, a block phrase before its time word
_EVIDENCE = re.compile(
    f"(?=[{_FIRST}])(?:"
    + "|".join(
        [
            _named("year_span", _YEAR_SPAN),
            _named("review_block", _REVIEW_BLOCK),
            _named("plan_block", _PLAN_BLOCK),
            _named("review_time", _REVIEW_TIME),
            _named("five_time", _FIVE_TIME),
            _named("five_name", _FIVE_NAME),
            _named("five_avg", _FIVE_AVG),
            _named("plan_time", _PLAN_TIME),
            _named("this_year", _THIS_YEAR),
            rf"(?P<year>(?<![{_DIGIT}])(?P<year_a>(?:19|20|１９|２０)(?:\s?[{_DIGIT}]){{2}})\s?年(?!代)"
            r"|(?P<year_b>[一二][九〇○零][〇○零一二三四五六七八九]{2})年(?!代))",
            _named("plan_verb", _PLAN_VERB),
            _named("yearly", _YEARLY),
            _named("past", _PAST_MARK),
            _named("sent", _SENT),
        ]
    )
    + ")"
)
_CAPS = {
    "review_time": 2,
    "review_block": 1,
    "five_time": 3,
    "five_name": 2,
    "five_avg": 2,
    "yearly": 2,
    "plan_time": 2,
    "this_year": 2,
    "plan_block": 2,
    "year_span": 3,
}


@dataclass
class Evidence:
    """What a stretch of text says, before it is weighed against a plan year."""

    counts: dict[str, int]
    years: list[tuple[int, bool]]  # (year, introduced by 到/至/在)


def evidence(text: str, spans: list[tuple[int, int]]) -> list[Evidence]:
    """Evidence of each of ``spans`` (ordered, not overlapping), in one pass over the text."""
    out = [Evidence({}, []) for _ in spans]
    if not spans:
        return out
    ends = [e for _, e in spans]
    i = 0
    lo, hi = spans[0][0], spans[-1][1]
    for m in _EVIDENCE.finditer(text, lo, hi):
        pos = m.start()
        while i < len(spans) and ends[i] <= pos:
            i += 1
        if i == len(spans):
            break
        if pos < spans[i][0] or m.end() > ends[i]:
            continue  # between spans, or running over a span's end
        kind = m.lastgroup
        if kind is None:
            continue
        ev = out[i]
        if kind == "year":
            y = year_value(m.group("year_a") or m.group("year_b"))
            if y is not None:
                ev.years.append((y, pos > 0 and text[pos - 1] in "到至在"))
            continue
        ev.counts[kind] = ev.counts.get(kind, 0) + 1
    return out


def weigh(ev: Evidence, plan_year: int | None, *, late: bool = False) -> Scores:
    """The scores of ``ev`` for each role, the years read against ``plan_year`` (the year the plan
    part plans); ``late``: the report is delivered in the year before it, so 今年 is reviewed."""
    c = {k: min(v, _CAPS.get(k, v)) for k, v in ev.counts.items()}
    review_time = c.get("review_time", 0)
    five_time = c.get("five_time", 0)
    this_year = 2.0 * c.get("this_year", 0)
    review = 2.0 * review_time + 2.0 * c.get("review_block", 0) + 1.0 * c.get("yearly", 0) + (this_year if late else 0.0)
    five = 2.0 * c.get("year_span", 0) + 2.0 * five_time + 0.5 * c.get("five_name", 0) + 1.5 * c.get("five_avg", 0)
    plan = 2.0 * c.get("plan_time", 0) + 2.5 * c.get("plan_block", 0) + (0.0 if late else this_year)
    last_year = 0.0
    if plan_year is not None:
        for y in {y for y, _ in ev.years}:
            if y == plan_year - 1:
                last_year = 1.5
            elif y == plan_year:
                plan += 1.5
            elif plan_year < y <= plan_year + 15:
                # 到2030年: a horizon beyond this year (next year's milestone is still near)
                far = y - plan_year >= 3 and any(t for yy, t in ev.years if yy == y)
                five += 3.0 if far else 1.0
    review += last_year
    # verbs: a balance, normalised by the number of sentences so long paragraphs do not win on size
    sentences = max(1, c.get("sent", 0))
    plan += min(2.5, 1.5 * c.get("plan_verb", 0) / sentences)
    past = min(2.5, 1.0 * c.get("past", 0) / sentences)
    reviewed = review_time or last_year or c.get("yearly") or (late and c.get("this_year"))
    if five_time and (five_time >= 2 or 3 * five_time >= sentences) and not reviewed:
        five += past  # finished work told of five years
    else:
        review += past
    return Scores(review, plan, five)


def mentions(ev: Evidence, role: str, plan_year: int | None, *, late: bool = False) -> int:
    """How many times ``ev`` names a time frame of ``role`` (its words, years and spans)."""
    c = ev.counts
    years = {y for y, _ in ev.years}
    if role == "review":
        return (
            c.get("review_time", 0)
            + c.get("review_block", 0)
            + c.get("yearly", 0)
            + (plan_year is not None and plan_year - 1 in years)
            + (c.get("this_year", 0) if late else 0)
        )
    if role == "plan":
        this_year = 0 if late else c.get("this_year", 0)
        return c.get("plan_time", 0) + this_year + c.get("plan_block", 0) + (plan_year in years)
    far = sum(1 for y in years if plan_year is not None and y > plan_year)
    return c.get("five_time", 0) + c.get("five_name", 0) + c.get("five_avg", 0) + c.get("year_span", 0) + far


def score(text: str, start: int, end: int, plan_year: int | None, *, late: bool = False) -> Scores:
    """Evidence of ``text[start:end]`` (a heading, a paragraph or a sentence) for each role."""
    if end <= start:
        return Scores()
    return weigh(evidence(text, [(start, end)])[0], plan_year, late=late)


_TITLE_REVIEW = re.compile(r"回顾|成就|总结|执行情况|工作报告")
_TITLE_PLAN = re.compile(r"安排|任务|重点工作|主要工作|建议|思路|部署|目标|要求|政策取向|自身建设")


def score_title(text: str, start: int, end: int, plan_year: int | None, *, late: bool = False) -> Scores:
    """Evidence of a heading: its years and time words, plus the words headings end with as a
    tie-breaker (a title naming 回顾 and 2024年 in a 2025 report is surely a review)."""
    s = score(text, start, end, plan_year, late=late)
    extra = Scores(
        review=1.0 if _TITLE_REVIEW.search(text, start, end) else 0.0,
        plan=1.0 if _TITLE_PLAN.search(text, start, end) else 0.0,
        # a heading that names a five-year period and no year is about it (“十五五”主要目标任务)
        five_year=2.0 if s.five_year > 0 and s.review == 0 and s.plan == 0 else 0.0,
    )
    return s.plus(extra)


_CN_DIGITS = "〇一二三四五六七八九"


def _year_forms(year: int) -> str:
    """``1981`` and ``一九八一`` (also with ○/零 for 0) as one alternation."""
    cn = "".join(_CN_DIGITS[int(d)] for d in str(year))
    cn = cn.replace("〇", "[〇○零]")
    return f"(?:{year}|{cn})"


def plans_next_year(text: str, plan_year: int | None) -> bool:
    """Whether a report delivered late in its plan year (a December or August session) reviews
    that year and plans the next: it proposes the next year's plan (明年计划…, 1981年国民经济计划,
    一九六五年的主要任务) and states the plan year's results as estimates or as done (预计全年,
    今年上半年…增长, 1980年计划正在顺利执行). Both must be said more than in passing: an ordinary
    report names next year only as a milestone (明年是…收官之年)."""
    if plan_year is None:
        return False
    cur, nxt, prev = (_year_forms(plan_year + k) for k in (0, 1, -1))
    next_plan = re.compile(
        rf"(?:{nxt}年|明年)(?:的|发展)?(?:国民经济|经济)?的?(?:计划|主要任务|任务|国家预算|预算|[要将必]|准备|争取|安排)"
        r"|(?:提前|着手)制定[^。，]{0,4}(?:" + nxt + r"年|明年)"
    )
    current_done = re.compile(
        rf"预计全年|今年上半年|今年前[一二三四五六七八九十]+个月|{cur}年[^。；]{{0,30}}预计|预计[^。；]{{0,10}}{cur}年|"
        rf"{cur}年(?:的)?计划[^。；]{{0,6}}(?:正在|执行情况)|今年[^。；]{{0,30}}(?:增长了|完成了|超额完成|[获取]得了)|"
        rf"{cur}年[^。；]{{0,40}}比{prev}年增长"
    )
    return len(next_plan.findall(text)) >= 2 and len(current_done.findall(text)) >= 2
