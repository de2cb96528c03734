"""What a sentence of the plan part is to a 督查室: a heading, a commitment, or neither.

A 重点任务分工方案 lists jobs a unit can own. The plan part of a report says much else on the way:
run-in headings that name a group of jobs (``推动项目建设提速。``), the reasons for them
(``消费一头连着民生大事，一头系着经济大局。``), slogans about the Party line, situation and
outlook. These predicates tell them apart; :mod:`luoshi.extract.tasks` builds rows from them.

A commitment is *concrete* when it carries something a unit can be checked against — a number or
a count, a project milestone, a deadline; otherwise it is *general* (a direction:
``全面落实创新驱动发展战略，着力提高科技创新能力。``). An area's lead-in before its first job is kept
only when it is concrete: a general one is the area's slogan.
"""

from __future__ import annotations

import re

_ACTION = (
    "实施|推进|推动|加快|建设|开展|完善|深化|支持|打造|新增|新建|改造|改建|完成|确保|力争|争取|争创|加强|"
    "坚持|落实|培育|提升|强化|健全|开工|建成|启动|引导|扩大|优化|组织|举办|办好|抓好|抓实|创建|提高|保持|"
    "稳定|严格|规范|做好|探索|促进|实现|构建|增强|巩固|鼓励|引进|整治|治理|保障|用好|筹建|深耕|依托|围绕|"
    "按照|结合|聚焦|突出|统筹|加大|解决|减少|降低|控制|压减|打击|防范|化解|兜牢|守住|畅通|改善|修复|出台|"
    "制定|设立|建立|组建|推行|推广|实行|执行|发挥|拓展|拓宽|延伸|释放|激发|放大|挖掘|盘活|清理|整合|调整|"
    "提供|增加|扩容|织密|丰富|开发|打通|引育|激活|营造|招引|承办|编制|修订|谋划|布局|帮扶|保护|监管|运用|"
    "研发|完成|遏制|维护|弘扬|传承|发展|培养|开拓|部署|下调|降|减免|延续|延长|全面|加快|大力|积极|深入|着力|"
    "持续|进一步|继续|扎实|切实"
)


def _trie(words: set[str]) -> str:
    """An alternation of ``words`` grouped by first character (re tries alternatives one by one)."""
    groups: dict[str, list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    parts = []
    for head, tails in groups.items():
        alts = "|".join(tails)
        parts.append(re.escape(head) + (f"(?:{alts})" if alts else ""))
    return "|".join(parts)


# an action verb near the head of a clause (leading adverbs and lead-ins of up to 6 characters)
_COMMIT_VERB = re.compile(rf"(?:^|[，；：,;:])[^，；：,;:]{{0,6}}?(?:{_trie(set(_ACTION.split('|')))})")
_VERB_FIRST = re.compile(rf"^(?:{_trie(set(_ACTION.split('|')))})")
# a modal anywhere; every alternative starts with a literal (the lookbehind on 要 is written after
# it) so that the regex engine can skip ahead to candidate characters: this runs on every sentence
_MODAL = re.compile(
    r"力争|确保|争取|要(?<![只需重主必纲摘]要)(?![求素点是害闻地件务])"
    r"|，(?:我们|各地|政府)?将|；(?:我们|各地|政府)?将|：(?:我们|各地|政府)?将|拟|年内|全年"
)
_MODAL_AT_START = re.compile("(?:我们|各地|政府)?将")
_STRONG_MODAL = re.compile(r"力争|确保|争取|年内|全年")
_PERFECTIVE = re.compile(r"(?<![为除])了(?![解])|近年来|一年来|多年来|日益")
_RHETORIC_START = re.compile(
    r"^(?:各位代表|当前|让我们|20\d\d年是|今年是|过去|面对|回顾|综合研判|综合分析|实践表明|事实证明|我们深知|"
    r"做好今年|做好20\d\d年|完成今年|完成上述|实现上述|实现以上|新的一年|同时，|但是|但同时|只要|从全国|从全省|"
    r"从自身|展望|站在|奋进|征程|使命|时代|必须|始终牢记|始终保持|我们正处在)"
)
_OVERALL = re.compile(r"总体要求(?:是|为|：|:)|指导思想(?:是|为|：|:)|以习近平新时代中国特色社会主义思想为指导")
# a reason or a maxim, not a job: 农民富才能乡村兴 / X一头连着…一头系着… / X是Y的关键
_RATIONALE = re.compile(
    r"才能|才会|一头连着|一头系着|^[^，；]{2,16}(?:是|就是)[^，；]{0,24}(?:关键|根本|基础|前提|保障|资源|"
    r"所在|命脉|底色|底线|生命线|动力|引擎|依托|载体|抓手)[。！]?$"
)
# a statement of what something is (高校、职业院校、科研院所是淮南创新发展的宝贵资源。
# 基础设施既是城市建设的重要内容，更是区域发展的先导支撑。发展是第一要务): its subject, then 是
_COPULA = re.compile(r"^(?P<subject>[^，；：。“”]{1,16}?)(?:既是|就是|是)(?![否不])")
# allegiance and the Party line: a 督查室 assigns no unit to these
_POLITICAL = re.compile(
    r"习近平|总书记|党中央|两个确立|两个维护|四个意识|四个自信|政治判断力|政治领悟力|政治执行力|"
    r"讲政治|对党忠诚|政治建设|政治站位|主题教育|党的创新理论|党的二十大|二十届"
)

_MILESTONE = re.compile(
    r"开工建设|开工|(?<!创)建成(?![率果效])|竣工|投产|通车|交付使用|投入使用|并网|全线贯通|"
    r"完成[^，；。]{0,40}?(?:工程|改造|改建|建设|整治)|启动[^，；。]{0,30}?(?:工程|项目|建设)"
)
_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|家|项|所|条|座|处|批|场|次|大)|年内|上半年|年底")

_LIST_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+是|其[一二三四五六七八九十]|首先|其次|最后|[0-9]+[.．、]|[（(][0-9一二三四五六七八九十]+[）)])")
_HEADING_STOP = re.compile(r"[，；：,;:、]")
_HEADING_MAX = 24
_SERIES_MAX = 12
_PAIRED_CLAUSE = 10
_MAXIM_CLAUSE = 8


def commits(s: str, *, among_jobs: bool = False) -> bool:
    """Whether ``s`` promises something (an action verb at a clause head or a modal), rather than
    describing the situation, recounting, exhorting or giving a reason. ``among_jobs``: ``s``
    stands among the jobs of an area, where a sentence is a job unless it reads as something
    else, whatever its verb (提振新能源汽车、绿色智能家电等大宗消费。)."""
    if not s or s.endswith(("：", ":", "！", "!", "！”")):
        return False
    body = _LIST_NUMBER.sub("", s)  # 四是实施… is no statement of what 四 is
    if _RHETORIC_START.match(s) or _OVERALL.search(s) or _statement(body) or _maxim(body):
        return False
    verb = _COMMIT_VERB.search(s) is not None
    modal = _MODAL_AT_START.match(s) is not None or _MODAL.search(s) is not None
    if not (verb or modal or among_jobs):
        return False
    strong = _STRONG_MODAL.search(s) is not None
    if _RATIONALE.search(s) and not strong:
        return False
    # recounting what happened (研判了…, 近年来…) promises nothing unless a firm modal says otherwise
    return not (_PERFECTIVE.search(s) and not strong)


def _statement(s: str) -> bool:
    m = _COPULA.match(s)
    if m is None or _MODAL.search(s):
        return False
    subject = m.group("subject")
    return len(subject) <= 4 or _VERB_FIRST.match(subject) is None


def _maxim(s: str) -> bool:
    """Short parallel clauses that open with their subject (企业创造财富，企业家引领发展。
    发展是第一要务，民生是第一政绩。): a saying, not a job."""
    clauses = [c for c in re.split(r"[，；。！]", s) if c]
    if len(clauses) < 2 or any(len(c) > _MAXIM_CLAUSE for c in clauses):
        return False
    return _VERB_FIRST.match(s) is None and _MODAL.search(s) is None


def political(s: str) -> bool:
    """A sentence about allegiance or the Party line (no unit can own it)."""
    return _POLITICAL.search(s) is not None


def heading_body(s: str) -> str:
    """``s`` without its list marker (一是 / 1. / （一）) and final stop."""
    s = _LIST_NUMBER.sub("", s.strip())
    return s.rstrip("。.；;！!").strip()


def run_in_heading(s: str, *, paired: bool = False) -> bool:
    """A short sentence naming a group of jobs (``推动项目建设提速。``, ``一是梯次培育助企登高。``):
    one clause, no number, at most a couple of dozen characters. ``paired``: two short clauses are
    allowed too (``坚持勤廉为重，清正廉洁树新风。`` opening a paragraph)."""
    if s.rstrip()[-1:] in ("！", "!", "？", "?", "：", ":", "；", ";"):
        return False
    body = heading_body(s)
    if not 2 <= len(body) <= _HEADING_MAX or re.search(r"\d|年内|全年", body):
        return False
    if not _HEADING_STOP.search(body):
        return True
    clauses = body.split("，")
    return paired and len(clauses) == 2 and all(2 <= len(c) <= _PAIRED_CLAUSE for c in clauses) and not _HEADING_STOP.search("".join(clauses))


_FIRM = re.compile(r"^(?:力争|确保|争取|全年|年内|今年)")


def figure_only(s: str) -> bool:
    """A sentence that states the figure of the job before it (``房地产开发投资增长7%以上。``):
    it opens with an indicator, not with an action."""
    return _COMMIT_VERB.match(_FIRM.sub("", s)) is None and _MODAL_AT_START.match(s) is None


def series_key(s: str) -> tuple[str, str] | None:
    """For a short heading-like sentence, its first and last two characters: headings run in
    parallel (提升企业创新水平。…提升创新载体功能。, 经济治理力求精益。…安全治理力求精准。)."""
    if not run_in_heading(s):
        return None
    body = heading_body(s)
    if len(body) > _SERIES_MAX:
        return None
    return body[:2], body[-2:]


def milestone(s: str) -> bool:
    return _MILESTONE.search(s) is not None


def concrete(s: str) -> bool:
    """Something checkable: a number or a count (十大工程), a milestone or a date. A quoted name
    alone is not: slogans quote too (``“一主一强两极多点”市域格局``)."""
    return _FIGURE.search(s) is not None or milestone(s)


def later_years(s: str, plan_year: int | None) -> bool:
    """``s`` aims at a year after the plan year (到2027年…): five-year material, not this year's work."""
    if plan_year is None:
        return False
    return any(int(y) > plan_year for y in re.findall(r"(?:到|至|在)(20\d\d)年", s))
