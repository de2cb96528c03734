"""The structure pass: parts, areas, items, sentences, roles, government and plan year.

A government work report is a tree of numbered headings: parts ``一、``, areas ``（一）`` and items
``一是`` / ``（1）`` / ``1.``. Text extracted from a PDF often runs everything into one line
(``…重托！二、2024年工作安排2024年是…``), so headings are found by pattern *and* context: a marker
must follow a sentence end (or a colon for areas), carry a plausible title, and belong to an
unbroken numbering sequence (一, 二, 三 …) inside its parent. Everything else in the pipeline
hangs off the spans found here, so the pass is pure and never changes the text.

Section ids are hierarchical by actual parent: part ``"2"``, area ``"2.3"``, item ``"2.3.1"``;
an item directly under a part (``一是`` in a review part without areas) is ``"1.2"`` with
``level`` 3 — ``level`` always says what kind of heading it is, the id says where it hangs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

from luoshi.ingest.document import Document
from luoshi.text.identity import read_identity
from luoshi.text.model import Outline, ReportWarning, Section, Sentence, add_warning
from luoshi.text.numerals import CN_NUMERAL, cn_int

_ENDS = "。！？!?"


@dataclass(frozen=True)
class _Marker:
    """A heading marker that stands at the text start or right after one of ``after``.

    ``scan`` finds it by the character before it (a character class first lets the regex engine
    jump from candidate to candidate, where a lookbehind would be tried at every position);
    ``body`` is tried at the text start.
    """

    body: re.Pattern[str]
    scan: re.Pattern[str]


def _marker(body: str, after: str) -> _Marker:
    return _Marker(re.compile(body), re.compile(f"[{after}](?:{body})"))


_PART = _marker(rf"({CN_NUMERAL})、", "。！？!?\n")
_AREA = _marker(rf"（({CN_NUMERAL})）", "。！？!?：:\n")
_ITEM_CN = _marker(rf"({CN_NUMERAL})是(?=[^，,。；;：:\s])", "。！？!?\n")
_ITEM_AR = _marker(r"(?:（(\d{1,2})）|(\d{1,2})[.．、](?!\d))", "。！？!?：:\n")

_TITLE_STOP = re.compile(r"[。！？!?\n]")
# where the body of a part starts when the title runs straight into it (PDF text)
_BODY_START = re.compile(r"各位代表|20\d\d年是|今年是|一年来|过去一年[，,是]|过去五年[，,是]")
# words a part title ends with
_TITLE_END = re.compile(
    r"工作回顾|工作安排|工作任务|重点工作|政策取向|总体要求|总体部署|政府自身建设|工作的建议|主要任务|目标任务"
)

_REVIEW = re.compile(r"回顾|工作总结")
_PLAN = re.compile(
    r"今年|本年|工作安排|工作任务|重点工作|总体要求|政策取向|工作的建议|政府自身建设|总体部署|主要任务|重点任务"
)

_YEAR = re.compile(r"(20\d\d)年")
_YEAR_IS = re.compile(r"(20\d\d)年是")
_DELIVERED = re.compile(r"——\s*(20\d\d)年\d{1,2}月\d{1,2}日")
_HEADLINE = re.compile(r"主要预期目标(?:为|是|：|:)|主要目标(?:为|是)[：:]")
# a report that lists its targets without naming them (national 2020): a plan sentence that
# enumerates employment/GDP figures in a semicolon list
_HEADLINE_LIST = re.compile(r"(?:城镇新增就业|生产总值增长)[^；;。]*\d")

_SPEAKER = re.compile(
    r"我代表(国务院|省人民政府|市人民政府|县人民政府|区人民政府|自治区人民政府|州人民政府|旗人民政府)"
)
_LEVEL_CHAR = {
    "省人民政府": "省",
    "市人民政府": "市",
    "县人民政府": "县",
    "区人民政府": "区",
    "自治区人民政府": "自治区",
    "州人民政府": "州",
    "旗人民政府": "旗",
}
# contexts a place name of the reporting government shows up in
_PLACE_AFTER = (
    "市",
    "省",
    "县",
    "区",
    "高新区",
    "经济开发区",
    "港",
    "籍",
    "段",
    "人民",
    "国际",
    "大地",
    "发展",
)
_PLACE_BEFORE = (
    "健康",
    "平安",
    "美丽",
    "魅力",
    "匠心",
    "数字",
    "法治",
    "幸福",
    "智慧",
    "文明",
    "活力",
    "品质",
    "现代化",
)
_PLACE_AFTER_RE = re.compile(rf"([\u4e00-\u9fff]{{2}})(?=({'|'.join(_PLACE_AFTER)}))")
_PLACE_BEFORE_RE = re.compile(rf"({'|'.join(_PLACE_BEFORE)})([\u4e00-\u9fff]{{2}})")
_NOT_PLACE = frozenset(
    "全市 我市 本市 各市 城市 全省 我省 本省 各省 全县 我县 本县 全区 我区 本区 园区 社区 城区 景区 片区 "
    "示范 代表 人民 发展 建设 推进 推动 加快 实施 经济 社会 工作 政府 国家 全国 地区 中心 重点 产业 "
    "省市 县区 区市 市区 上市 超市 都市 夜市 集市 股市 楼市 交易".split()
)


@dataclass(frozen=True)
class _Mark:
    start: int  # where the marker starts
    body: int  # where the title starts (after the marker)
    n: int


@dataclass
class _Node:
    level: int
    start: int
    end: int
    title_start: int
    title_end: int
    children: list[_Node]


def _marks(marker: _Marker, text: str) -> list[_Mark]:
    out: list[_Mark] = []
    first = marker.body.match(text)
    found = [(first, 0)] if first else []
    # a scan match starts with the character before the marker (a marker holds none of those
    # characters, so matches never overlap and none is lost to a neighbour)
    found.extend((m, 1) for m in marker.scan.finditer(text))
    for m, skip in found:
        raw = next(g for g in m.groups() if g is not None)
        n = int(raw) if raw.isdigit() else cn_int(raw)
        if n is None:
            continue
        out.append(_Mark(m.start() + skip, m.end(), n))
    return out


def _chain(marks: list[_Mark], lo: int, hi: int) -> list[_Mark]:
    """The numbering sequence 1, 2, 3 … found in ``[lo, hi)`` (empty unless it has ≥ 2 links)."""
    out: list[_Mark] = []
    want = 1
    for mark in marks:
        if mark.start < lo:
            continue
        if mark.start >= hi:
            break
        if mark.n == want:
            out.append(mark)
            want += 1
    return out if len(out) >= 2 else []


def _sentence_title(text: str, body: int, limit: int = 60) -> int | None:
    """End of a heading title that runs to the sentence end; ``None`` if it is no heading."""
    m = _TITLE_STOP.search(text, body, body + limit + 1)
    if m is None or m.start() == body:
        return None
    return m.start()


def _part_title(text: str, body: int) -> int | None:
    """End of a part title; handles titles that run into the body text with no punctuation."""
    m = _TITLE_STOP.search(text, body, body + 120)
    hard = m.start() if m else min(len(text), body + 120)
    if hard == body:
        return None
    if m is not None and m.group() == "\n" and hard - body <= 60:
        return hard  # one heading per line
    seg = text[body:hard]
    cut = len(seg)
    b = _BODY_START.search(seg, 1)
    if b is not None:
        cut = b.start()
    kws = [k for k in _TITLE_END.finditer(seg, 0, cut)]
    if kws and (b is None or cut - kws[-1].end() > 0):
        cut = kws[-1].end()
    if b is None and not kws:
        comma = seg.find("，")
        if comma > 0:
            cut = comma
    if cut > 40 or cut <= 0:
        return None
    return body + cut


def _children(text: str, lo: int, hi: int, marks: list[_Mark], level: int, title_end_of) -> list[_Node]:
    usable = [m for m in marks if lo <= m.start < hi]
    titled: list[tuple[_Mark, int]] = []
    for m in usable:
        te = title_end_of(text, m.body)
        if te is not None and te <= hi:
            titled.append((m, te))
    ends = {m: te for m, te in titled}
    chain = _chain([m for m, _ in titled], lo, hi)
    nodes: list[_Node] = []
    for i, m in enumerate(chain):
        end = chain[i + 1].start if i + 1 < len(chain) else hi
        nodes.append(_Node(level, m.start, end, m.body, ends[m], []))
    return nodes


def _tree(text: str) -> list[_Node]:
    part_marks = _marks(_PART, text)
    area_marks = _marks(_AREA, text)
    item_cn = _marks(_ITEM_CN, text)
    item_ar = _marks(_ITEM_AR, text)

    def items(lo: int, hi: int) -> list[_Node]:
        found = _children(text, lo, hi, item_cn, 3, _sentence_title)
        return found or _children(text, lo, hi, item_ar, 3, _sentence_title)

    def areas(lo: int, hi: int) -> list[_Node]:
        nodes = _children(text, lo, hi, area_marks, 2, _sentence_title)
        for node in nodes:
            node.children = items(node.title_end, node.end)
        return nodes

    parts = _children(text, 0, len(text), part_marks, 1, _part_title)
    for part in parts:
        part.children = areas(part.title_end, part.end) or items(part.title_end, part.end)
    if parts:
        return parts
    return areas(0, len(text)) or items(0, len(text))


def _roles(titles: list[str]) -> list[str]:
    roles: list[str] = []
    seen_plan = False
    for title in titles:
        if _REVIEW.search(title) and not seen_plan:
            roles.append("review")
        elif _PLAN.search(title) or seen_plan:
            roles.append("plan")
            seen_plan = True
        else:
            roles.append("other")
    return roles


def _plan_year(text: str, parts: list[Section], warn: Callable[[str, str], None]) -> int | None:
    plans = [p for p in parts if p.role == "plan"]
    reviews = [p for p in parts if p.role == "review"]
    for p in plans:
        m = _YEAR.search(p.title)
        if m:
            return int(m.group(1))
    first = parts[0].start if parts else len(text)
    m = _DELIVERED.search(text, 0, min(first, 400))
    if m:
        return int(m.group(1))
    for p in plans:
        m = _YEAR_IS.search(text, p.title_end, min(p.end, p.title_end + 200))
        if m:
            return int(m.group(1))
    for p in reviews:
        m = _YEAR.search(p.title)
        if m:
            return int(m.group(1)) + 1
    if reviews:
        years = Counter(int(y) for p in reviews for y in _YEAR.findall(text, p.start, p.end))
        if years:
            warn("year_guessed", "计划年度是从回顾部分提到的年份推断的，请核对")
            year = max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]
            return year + 1
    m = _YEAR_IS.search(text)
    if m:
        return int(m.group(1))
    return None


def _place_name(text: str) -> str | None:
    """The two-character place name the report keeps mentioning (枣庄 in 平安枣庄, 枣庄高新区 …)."""
    # how many different contexts each name is seen in (distinct (name, context) pairs only)
    contexts: Counter[str] = Counter(name for name, _ in set(_PLACE_AFTER_RE.findall(text)))
    contexts.update(name for _, name in set(_PLACE_BEFORE_RE.findall(text)))
    names = [n for n in contexts if n not in _NOT_PLACE]
    # a name seen in two different contexts beats one seen in a single context
    strong = [n for n in names if contexts[n] >= 2] or names
    if not strong:
        return None
    return max(strong, key=lambda n: (text.count(n), n))


def detect_government(text: str) -> str | None:
    """The reporting government: 国务院, or the place named most often plus its level (枣庄市)."""
    m = _SPEAKER.search(text)
    if m is None:
        return None
    who = m.group(1)
    if who == "国务院":
        return who
    name = _place_name(text)
    return None if name is None else name + _LEVEL_CHAR[who]


def _sentence_breaks(text: str) -> list[tuple[int, int]]:
    """Sentences as ``(start, end)``: split at 。！？ outside “…” and at every line break."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for m in re.finditer(r"[。！？!?]+”?|\n|“|”", text):
        tok = m.group()
        if tok == "“":
            depth += 1
        elif tok == "”":
            depth = max(0, depth - 1)
        elif tok == "\n":
            spans.append((start, m.start()))
            start = m.end()
            depth = 0
        elif depth == 0 or tok.endswith("”"):
            if tok.endswith("”"):
                depth = max(0, depth - 1)
            if depth == 0:
                spans.append((start, m.end()))
                start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentences(text: str, sections: list[Section]) -> list[Sentence]:
    cuts = sorted(
        {s.start for s in sections}
        | {s.title_end for s in sections if s.title_end < len(text) and text[s.title_end] not in _ENDS}
    )
    by_start = sorted(sections, key=lambda s: (s.start, s.level))
    starts = [s.start for s in by_start]
    by_id = {s.id: s for s in sections}

    def innermost(pos: int) -> str | None:
        i = bisect_right(starts, pos) - 1
        sec = by_start[i] if i >= 0 else None
        while sec is not None and not (sec.start <= pos < sec.end):
            sec = by_id.get(sec.parent) if sec.parent else None
        return sec.id if sec else None

    out: list[Sentence] = []
    for s, e in _sentence_breaks(text):
        pieces = [s]
        i = bisect_right(cuts, s)
        while i < len(cuts) and cuts[i] < e:
            pieces.append(cuts[i])
            i += 1
        pieces.append(e)
        for a, b in pairwise(pieces):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                out.append(Sentence(a, b, innermost(a)))
    return out


def _flatten(nodes: list[_Node], parent: Section | None, roles: list[str] | None, text: str) -> list[Section]:
    out: list[Section] = []
    for i, node in enumerate(nodes, start=1):
        sid = f"{parent.id}.{i}" if parent else str(i)
        role = roles[i - 1] if roles is not None else (parent.role if parent else "other")
        sec = Section(
            id=sid,
            parent=parent.id if parent else None,
            level=node.level,
            title=text[node.title_start : node.title_end],
            start=node.start,
            end=node.end,
            title_start=node.title_start,
            title_end=node.title_end,
            role=role,
        )
        out.append(sec)
        out.extend(_flatten(node.children, sec, None, text))
    return out


def parse(doc: Document, *, government: str | None = None, year: int | None = None) -> Outline:
    """Find the outline of ``doc``; ``government``/``year`` override what the text says."""
    text = doc.text
    warnings: list[ReportWarning] = []
    warn = partial(add_warning, warnings)
    tree = _tree(text)
    top_is_part = bool(tree) and tree[0].level == 1
    roles = _roles([text[n.title_start : n.title_end] for n in tree]) if top_is_part else None
    sections = _flatten(tree, None, roles, text)
    if not top_is_part:
        warn("no_parts", "未找到报告的各部分（一、二、……），按全文处理")
    parts = [s for s in sections if s.level == 1]
    if top_is_part and not any(p.role == "plan" for p in parts):
        warn("no_plan_part", "未找到安排今年工作的部分，今年的目标可能不全")

    identity = read_identity(text)
    for w in identity.warnings_for(government=government is None, year=year is None):
        warn(w.code, w.message)
    plan_year = year if year is not None else (identity.year or _plan_year(text, parts, warn))
    gov = government if government is not None else identity.government
    if gov is None:
        warn("government_unknown", "未能识别作报告的政府，请手动指定（如 枣庄市）")
    if plan_year is None:
        warn("year_unknown", "未能识别报告的计划年度，请手动指定")

    sentences = _sentences(text, sections)
    role_of = {s.id: s.role for s in sections}
    headline: tuple[int, int] | None = None
    for want_plan in (True, False):
        for sent in sentences:
            if want_plan and role_of.get(sent.section or "", "other") != "plan":
                continue
            if _HEADLINE.search(text, sent.start, sent.end):
                headline = (sent.start, sent.end)
                break
        if headline is not None:
            break
    if headline is None:
        for sent in sentences:
            if role_of.get(sent.section or "", "other") != "plan":
                continue
            if text.count("；", sent.start, sent.end) >= 3 and _HEADLINE_LIST.search(
                text, sent.start, sent.end
            ):
                headline = (sent.start, sent.end)
                break

    if headline is None and any(p.role == "plan" for p in parts):
        warn("no_headline", "未找到今年的主要预期目标段落")
    if top_is_part and not any(p.role == "review" for p in parts):
        warn("no_review_part", "未找到回顾上一年工作的部分，上年实绩可能不全")

    if plan_year and gov:
        title = f"{plan_year}年{gov}政府工作报告"
    elif gov:
        title = f"{gov}政府工作报告"
    elif plan_year:
        title = f"{plan_year}年政府工作报告"
    else:
        title = None
    return Outline(
        sections=sections,
        sentences=sentences,
        government=gov,
        year=plan_year,
        title=title,
        headline_span=headline,
        warnings=warnings,
    )
