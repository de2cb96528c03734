"""The structure pass: parts, areas, items, sentences, roles, government and plan year.

A government work report is a tree of numbered headings: parts ``一、``, areas ``（一）`` and items
``一是`` / ``（1）`` / ``1.``. Text extracted from a PDF often runs everything into one line
(``…重托！二、2024年工作安排2024年是…``), so headings are found by pattern *and* context: a marker
must follow a sentence end (or a colon for areas), carry a plausible title, and belong to an
unbroken numbering sequence (一, 二, 三 …) inside its parent. Everything else in the pipeline
hangs off the spans found here, so the pass is pure and never changes the text.

Not every report numbers its parts: many put ``2024年工作回顾`` or a slogan on a line of its own and
number only the areas below, PDF text runs unnumbered titles into the body, and older reports have
no parts at all. So unnumbered line titles (and inline titles) become the parts when they come
before any numbering, and with no parts the document is one body. Roles are never read from
heading words alone: every part and every paragraph is scored on what it says (luoshi.text.roles);
a part's role is the prior of its paragraphs, and a paragraph with strong evidence of its own (a
five-year summary inside the review, last year's results quoted in the plan) overrides it.

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
from luoshi.text import roles
from luoshi.text.headline import find_headline
from luoshi.text.identity import latest_result_year, read_identity
from luoshi.text.model import Outline, Paragraph, ReportWarning, Section, Sentence, add_warning
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

_YEAR = re.compile(r"(20\d\d)年")
_YEAR_IS = re.compile(r"(20\d\d)年是")
_DELIVERED = re.compile(r"——\s*(20\d\d)年\d{1,2}月\d{1,2}日")


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

    appendix = _APPENDIX.search(text)
    body_end = appendix.start() if appendix else len(text)
    parts = _children(text, 0, body_end, part_marks, 1, _part_title)
    for titles in (_line_parts(text), _inline_parts(text)):
        if len(titles) >= 2 and (not parts or titles[0][0] < parts[0].start):
            # unnumbered part titles (on their own lines, or run into the text) that come before
            # the numbering: the numbered 一、 below them are their areas
            ends = [x[0] for x in titles[1:]] + [len(text)]
            parts = [_Node(1, a, end, a, te, []) for (a, te), end in zip(titles, ends, strict=True)]
            for part in parts:
                part.children = (
                    _children(text, part.title_end, part.end, part_marks, 2, _part_title)
                    or areas(part.title_end, part.end)
                    or items(part.title_end, part.end)
                )
                for area in part.children:
                    if area.level == 2 and not area.children:
                        area.children = items(area.title_end, area.end)
            return parts
    if parts and appendix is not None:
        # the appendices (附件1 2026年省十件民生实事) are parts of their own: their numbering does not
        # continue the report's, and their content says whether they are plan or review
        labels = [m for m in _APPENDIX.finditer(text, body_end)]
        ends = [m.start() for m in labels[1:]] + [len(text)]
        parts[-1].end = body_end
        for m, end in zip(labels, ends, strict=True):
            title_end = text.find("\n", m.end() + 1)
            title_end = end if title_end < 0 or title_end > end else title_end
            parts.append(_Node(1, m.start(), end, m.start(), title_end, []))
    for part in parts:
        part.children = areas(part.title_end, part.end) or items(part.title_end, part.end)
    if parts:
        return parts
    return areas(0, len(text)) or items(0, len(text))


# a heading line: no sentence punctuation at its end, no numbering marker at its start
_LINE = re.compile(r"^[ \t\u3000]*([^\n]{4,40}?)[ \t\u3000]*$", re.M)
_LINE_END_BAD = "。！？!?；;：:，,、》《（(—-…"
_LINE_START_BAD = re.compile(rf"[（(]?(?:{CN_NUMERAL}|\d{{1,2}})[、)）.．]|{CN_NUMERAL}是|第{CN_NUMERAL}[，,、]|[》”，,、。）)]")
# the label of an appendix on a line of its own (附件1, 附件, 附表2)
_APPENDIX = re.compile(r"(?m)^[ \t\u3000]*(?:附件|附表|附录)[ \t\u3000]*\d{0,2}[ \t\u3000]*$")
_MASTHEAD = re.compile(r"工作报告|会议上|^——|[省市州县区]长|主席|总理|来源|时间|记者")
_SALUTATION = re.compile(r"各位代表[：:！!]?")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]")


def _line_parts(text: str) -> list[tuple[int, int]]:
    """Unnumbered part headings that stand on a line of their own (``2024年工作回顾``,
    ``“十五五”时期主要目标任务``, slogan titles), as (start, title_end).

    A heading line follows a line that ends a sentence (or a heading), leads into body text, and
    comes after the salutation (page clutter and title lines before it are no parts). When lines
    without a comma and lines with one both qualify, the comma lines are the areas of a part
    (``一年来，我们坚持扩内需、保主体…``) and only the plain ones are parts.
    """
    sal = _SALUTATION.search(text, 0, 4000)
    lo = sal.end() if sal else 0
    found: list[tuple[int, int, bool]] = []
    for m in _LINE.finditer(text, lo):
        title = m.group(1)
        a, b = m.start(1), m.end(1)
        if title[-1] in _LINE_END_BAD or _LINE_START_BAD.match(title) or len(_CJK_RUN.findall(title)) < 4:
            continue
        if _MASTHEAD.search(title):
            continue  # the report's own title, date or speaker line
        prev = text[max(0, a - 400) : a].rstrip()
        if prev and prev[-1] not in "。！？!?：:”』」）)" and not _is_heading_line(text, prev):
            continue
        nxt = text[b : b + 200].lstrip()
        if not nxt or nxt[0] in "》，,、。；;）)":
            continue
        body_line = nxt.split("\n", 1)[0]
        if len(body_line) < 20 and not _LINE_START_BAD.match(body_line):
            continue  # a heading split over two lines, or a list of names
        found.append((a, b, "，" in title or "," in title))
    plain = [(a, b) for a, b, comma in found if not comma]
    if len(plain) >= 2:
        return plain
    return [(a, b) for a, b, _ in found]


def _is_heading_line(text: str, before: str) -> bool:
    """The last line of ``before`` is itself a short heading (a title line, a part heading)."""
    last = before.rsplit("\n", 1)[-1].strip()
    return 0 < len(last) <= 40 and last[-1] not in _LINE_END_BAD


_INLINE_PART = re.compile(
    r"(?<=[。！？!?])((?:(?:19|20)\d\d年|“?十[一二三四五六七八九]五”?时期|过去五年|今年)?[^。！？!?，,；;：:“”\s]{0,16}?"
    r"(?:工作回顾|工作安排(?:建议)?|主要工作|重点工作|目标任务|工作任务|发展思路|政府自身建设))"
    r"(?=[^。！？!?，,；;：:\s])"
)


def _inline_parts(text: str) -> list[tuple[int, int]]:
    """Unnumbered part headings run into one-line text (``…提出意见。2023年工作回顾2023年是…``):
    a short title ending in a part word, right after a sentence end and right before body text."""
    return [(m.start(1), m.end(1)) for m in _INLINE_PART.finditer(text)]


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
    done = latest_result_year(text)
    if done is not None:
        warn("year_guessed", "计划年度是从报告已写明结果的最近年份推断的，请核对")
        return done + 1
    return None


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


# the label of end matter on a line of its own: glossary, notes, links of a web page
_END_MATTER = re.compile(r"(?m)^[ \t\u3000]*(?:名词解释|注释|注解|相关报道|相关链接|相关新闻)[：:]?[ \t\u3000]*$")
_PASSING = 8  # sentences per mention of a time frame below which the mentions are in passing
_LONG_RUN = 1500  # a line longer than this is PDF text run together: cut it at sentence ends
_CHUNK = 200


def _paragraph_spans(text: str, sections: list[Section]) -> list[tuple[int, int]]:
    """Lines, cut again at every heading; long runs cut into chunks of a few sentences."""
    cuts = sorted({s.start for s in sections} | {s.title_end for s in sections})
    out: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        a, b = line.span()
        i = bisect_right(cuts, a)
        pieces = [a]
        while i < len(cuts) and cuts[i] < b:
            pieces.append(cuts[i])
            i += 1
        pieces.append(b)
        for x, y in pairwise(pieces):
            if y - x > _LONG_RUN:
                out.extend(_chunks(text, x, y))
            elif text[x:y].strip():
                out.append((x, y))
    return out


def _chunks(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    pos = a
    for m in re.finditer(r"[。！？!?]”?", text[a:b]):
        end = a + m.end()
        if end - pos >= _CHUNK:
            out.append((pos, end))
            pos = end
    if pos < b:
        out.append((pos, b))
    return out


@dataclass
class _RoleResult:
    part_roles: list[str]
    paragraphs: list[Paragraph]
    unsure_parts: list[int]  # indices of parts whose role had little evidence


def _decide_roles(
    text: str,
    tree: list[_Node],
    spans: list[tuple[int, int]],
    evs: list[roles.Evidence],
    plan_year: int | None,
    *,
    paragraphs_too: bool = True,
    late: bool = False,
) -> _RoleResult:
    """Roles of the parts and of every paragraph, from what they say.

    A part's role is the sum of its heading's evidence (weighted) and its paragraphs' mean
    evidence; it is the prior of its paragraphs. A paragraph whose own evidence is strong
    overrides the prior; when it also opens with that time frame (五年来，… / 刚刚过去的2025年…)
    it carries its role to the weak paragraphs after it — to the end of its area, or, said
    before the part's first area, across the areas. Weak evidence decides where nothing else
    does: with no parts, and in parts named for two time frames; weak plan evidence in a plan
    part ends an aside. In doubt, a part after the plan is plan (政府自身建设, 外交).
    """
    parts = [n for n in tree if n.level == 1]
    starts = [p.start for p in parts]
    area_starts = {c.start for p in parts for c in p.children} | {n.start for n in tree if n.level > 1}
    para_scores = [roles.weigh(ev, plan_year, late=late) for ev in evs]
    part_of = []
    for a, _ in spans:
        i = bisect_right(starts, a) - 1
        part_of.append(i if i >= 0 and a < parts[i].end else None)

    # the heading weighs as much as three paragraphs
    totals = [roles.score_title(text, p.title_start, p.title_end, plan_year, late=late) for p in parts]
    totals = [t.plus(t, 2.0) for t in totals]
    # the body counts by its mean paragraph (long parts must not drown their heading), weighing
    # as much as two headings
    body = [roles.Scores() for _ in parts]
    count = [0] * len(parts)
    for sc, pi in zip(para_scores, part_of, strict=True):
        if pi is not None:
            body[pi] = body[pi].plus(sc.capped(4.0))
            count[pi] += 1
    totals = [t.plus(b, 6.0 / max(1, n)) for t, b, n in zip(totals, body, count, strict=True)]
    # parts whose heading names two time frames (2025年和“十四五”时期工作回顾): their paragraphs
    # say which, so a doubt about the part's own role is not worth reporting
    mixed = set()
    for i, p in enumerate(parts):
        head = roles.score(text, p.title_start, p.title_end, plan_year, late=late)
        if sum(1 for r in roles.ROLES if head.get(r) > 0) >= 2:
            mixed.add(i)
    part_roles: list[str] = []
    unsure: list[int] = []
    for i, total in enumerate(totals):
        role, margin = total.best()
        if role is None or margin < max(2.0, 0.2 * total.get(role)):
            if "plan" in part_roles:
                role = "plan"  # in doubt, what follows the plan is more plan (政府自身建设, 外交)
            else:
                role = role or "other"
                if i not in mixed:
                    unsure.append(i)
        part_roles.append(role)

    if not paragraphs_too:
        return _RoleResult(part_roles, [], unsure)
    paragraphs: list[Paragraph] = []
    running: str | None = None  # what weak paragraphs follow
    outer: str | None = None  # the same, set outside any area: it carries across the areas
    current: int | None = -1
    for (a, b), sc, pi, ev in zip(spans, para_scores, part_of, evs, strict=True):
        if pi != current:
            current = pi
            outer = running = part_roles[pi] if pi is not None else ("other" if parts else None)
            in_area = False
        if a in area_starts:
            running = outer
            in_area = True
        if pi is not None and a == parts[pi].start:
            paragraphs.append(Paragraph(a, b, part_roles[pi], False))
            continue
        best, margin = sc.best()
        if roles.is_strong(sc) and best is not None:
            prior = part_roles[pi] if pi is not None else None
            leads = roles.leading_role(text, a, b, plan_year, late=late) == best
            # a long paragraph that names another time frame only in passing keeps its part's role
            sparse = roles.mentions(ev, best, plan_year, late=late) * _PASSING < ev.counts.get("sent", 0)
            if parts and best != prior and not leads and sparse:
                paragraphs.append(Paragraph(a, b, running or "other", False))
                continue
            # before the first part (older reports number only the plan's areas) what a paragraph
            # says carries on to the weak ones after it
            if not parts or best == prior or leads or pi is None:
                running = best
                if not in_area:
                    outer = best
            paragraphs.append(Paragraph(a, b, best, True))
            continue
        if pi is None and not parts and best is not None and sc.get(best) >= 1.5 and margin >= 1.0:
            running = best  # no parts: weak evidence is all there is
        elif pi is not None and pi in mixed and best is not None and sc.get(best) >= 1.0 and margin >= 0.5:
            running = best  # 2025年和“十四五”时期工作回顾: the paragraph says which
        elif pi is not None and best == "plan" == part_roles[pi] and sc.plan >= 1.0:
            # plan verbs are distinctive: after a five-year or review aside, the plan resumes (results
            # of last year and of five years read alike, so there the aside carries on)
            running = "plan"
        paragraphs.append(Paragraph(a, b, running or "other", False))
    return _RoleResult(part_roles, paragraphs, unsure)


def parse(doc: Document, *, government: str | None = None, year: int | None = None) -> Outline:
    """Find the outline of ``doc``; ``government``/``year`` override what the text says."""
    text = doc.text
    warnings: list[ReportWarning] = []
    warn = partial(add_warning, warnings)
    tree = _tree(text)
    top_is_part = bool(tree) and tree[0].level == 1
    bare = _flatten(tree, None, None, text)
    spans = _paragraph_spans(text, bare)
    evs = roles.evidence(text, spans)
    # the plan year: what the document says about itself (title, date, meeting and speaker lines)
    # first; failing that, read from roles decided without a year; then roles with the year
    identity = read_identity(text)
    for w in identity.warnings_for(government=government is None, year=year is None):
        warn(w.code, w.message)
    if year is None and identity.year is not None:
        plan_year: int | None = identity.year
    elif year is None:
        first = _decide_roles(text, tree, spans, evs, None, paragraphs_too=False)
        prelim = _flatten(tree, None, first.part_roles if top_is_part else None, text)
        plan_year = _plan_year(text, [s for s in prelim if s.level == 1], warn)
    else:
        plan_year = year
    # a report delivered late in its year (December 1964) reviews that year and plans the next
    late = roles.plans_next_year(text, plan_year)
    planned = plan_year + 1 if late and plan_year is not None else plan_year
    result = _decide_roles(text, tree, spans, evs, planned, late=late)
    tail = _END_MATTER.search(text)
    if tail is not None:
        # notes and links after the report speak of nothing the report promises or reports
        parts_top = [n for n in tree if n.level == 1]
        result.part_roles = [
            "other" if n.start >= tail.start() else r for n, r in zip(parts_top, result.part_roles, strict=True)
        ]
        result.paragraphs = _force_role(result.paragraphs, (tail.start(), len(text)), "other")
    sections = _flatten(tree, None, result.part_roles if top_is_part else None, text)
    parts = [s for s in sections if s.level == 1]
    if not top_is_part:
        warn("no_parts", "未找到报告的各部分（一、二、……），按全文处理，各段的角色由其内容判断")

    gov = government if government is not None else identity.government
    if gov is None:
        warn("government_unknown", "未能识别作报告的政府，请手动指定（如 枣庄市）")
    if plan_year is None:
        warn("year_unknown", "未能识别报告的计划年度，请手动指定")

    sentences = _sentences(text, sections)
    paragraphs = result.paragraphs
    outline = Outline(
        sections=sections,
        sentences=sentences,
        government=gov,
        year=plan_year,
        late=late,
        headline_span=None,
        warnings=warnings,
        paragraphs=paragraphs,
    )
    headings = {s.start for s in sections}
    headline = find_headline(text, outline, headings)
    if headline is not None:
        # the block is this year's plan whatever its neighbours say
        outline.paragraphs = _force_role(paragraphs, headline, "plan")
    outline.headline_span = headline

    roles_seen = {p.role for p in outline.paragraphs}
    if "plan" not in roles_seen:
        warn("no_plan_part", "未找到安排今年工作的部分，今年的目标可能不全")
    if headline is None and "plan" in roles_seen:
        warn("no_headline", "未找到今年的主要预期目标段落")
    if "review" not in roles_seen:
        warn("no_review_part", "未找到回顾上一年工作的部分，上年实绩可能不全")
    if result.unsure_parts:
        names = "、".join(f"“{parts[i].title[:20]}”" for i in result.unsure_parts if i < len(parts))
        warn("low_confidence_roles", f"以下部分讲的是上年回顾、今年安排还是五年规划，依据不足，请核对：{names}")
    elif not top_is_part and paragraphs:
        decided = sum(1 for p in paragraphs if p.strong)
        if decided < max(3, len(paragraphs) // 10):
            warn("low_confidence_roles", "报告没有分部分，多数段落的角色只能从上下文推断，请核对")

    if plan_year and gov:
        title = f"{plan_year}年{gov}政府工作报告"
    elif gov:
        title = f"{gov}政府工作报告"
    elif plan_year:
        title = f"{plan_year}年政府工作报告"
    else:
        title = None
    outline.title = title
    return outline


def _force_role(paragraphs: list[Paragraph], span: tuple[int, int], role: str) -> list[Paragraph]:
    """``paragraphs`` with those overlapping ``span`` given ``role`` (cut at the span's edges)."""
    out: list[Paragraph] = []
    a, b = span
    for p in paragraphs:
        if p.end <= a or p.start >= b:
            out.append(p)
            continue
        if p.start < a:
            out.append(Paragraph(p.start, a, p.role, p.strong))
        out.append(Paragraph(max(p.start, a), min(p.end, b), role, True))
        if p.end > b:
            out.append(Paragraph(b, p.end, p.role, p.strong))
    return out
