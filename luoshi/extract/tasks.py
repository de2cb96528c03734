"""Task ledger rows: the jobs of this year's work, as a 督查室 drafts a 重点任务分工方案.

A 分工方案 assigns each job of the report to a lead unit. A job is rarely one sentence and never a
paragraph: the plan part groups its jobs under run-in headings (``推动项目建设提速。实施…``), opens
a job with a sentence of direction and closes it with the figure or the project that makes it
checkable, and sometimes lists separate jobs in one sentence, split by ``；``. So rows are built
per paragraph (per item where a report runs on without line breaks):

* the run-in heading is not a row but the ``title`` of the rows under it (so is an item's
  heading ``一是…``, a heading standing on a line of its own, and short headings running in
  series inside a paragraph); an item that is all title (``（1）开展…行动。``) is a job;
* sentences that promise nothing (reasons, situation, exhortation, allegiance, five-year aims)
  are not rows; nor is what precedes the first area of the plan part — background, 总体要求,
  the 主要预期目标 block and its lead-in — nor an area's lead-in slogan before its first job;
* sentences of one job form one row: the first sentence of a paragraph (its direction) and
  the sentences that share a subject with the row (a bigram few sentences of the plan use:
  房地产, 养老) join it, and a sentence holding a target closes it — the figure is what the job
  is checked against, and a sentence that only states a figure (``房地产开发投资增长7%以上。``)
  joins the job before it; rows stay short (at most three sentences, about 150 characters) so that
  one unit can own them;
* a long sentence that lists separate jobs split by ``；`` gives one row per job.

The 主要预期目标 block is not a row: its targets are headline targets (``Target.headline``),
imported as commitments of their own that head the 分工方案, so a measure row repeating the
sentence would list them twice. Every other target is linked to the row whose span holds it.

``kind``: ``quantified`` when a target lies inside the row, ``milestone`` when it commits to a
project milestone (开工建设, 建成, 竣工, 投产, 通车, 完成…工程, 启动…项目), else ``measure``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from luoshi.extract.deadlines import deadline_phrase
from luoshi.extract.model import Target, Task
from luoshi.extract.task_sentences import (
    _MILESTONE,
    commits,
    concrete,
    figure_only,
    heading_body,
    later_years,
    political,
    run_in_heading,
    series_key,
)
from luoshi.ingest.document import Document
from luoshi.text.model import Outline, Section, Sentence

_PROJECT_VERB = re.compile(r"开工建设|开工|建成|竣工|投产|通车|完成|启动(?:实施|建设)?")
_PROJECT_TAIL = re.compile(
    r"等(?:\d+个)?(?:重大|重点)?(?:交通|产业|民生)?(?:项目|工程)(?:建设)?$|(?:项目)?建设$"
)
# a row gathers sentences up to about this many characters (two sentences of a city report);
# a single sentence may be longer, and one longer than _SPLIT listing jobs split by ； is split
_ROW_CHARS = 150
_SPLIT = 100
_CLAUSE_MIN = 15
_ROW_UNITS = 3
_FULL_JOB = 60  # two sentences this long are two jobs, whatever they share
_LEAD = 50
_ELABORATION = 30  # a heading inside a paragraph is followed by a sentence at least this long
_FIGURE_CHARS = 40  # a sentence of a figure alone (房地产开发投资增长7%以上。) joins the job before
_WORK_TITLE = re.compile(r"总体要求|指导思想|预期目标|主要目标")
_JOBS_TITLE = re.compile(r"工作|任务|安排|举措")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
# a bigram names the subject of a job when few sentences of the plan part use it
_RARE_SHARE = 0.04


def _pairs(s: str) -> set[str]:
    """The bigrams of Chinese characters in ``s`` (none across punctuation or digits)."""
    out: set[str] = set()
    for run in _NOT_HAN.split(s):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


class _Subjects:
    """Whether two pieces of the plan share a subject: a bigram that at most a few percent of the
    plan's sentences use (and two at least): 消费, 房地产, 养老 rather than the verbs and nouns of
    every job (推进, 建设, 体系). Counted on demand in the plan's text, which is far cheaper than
    the bigrams of every sentence."""

    def __init__(self, plan_text: str, sentences: int) -> None:
        self.plan_text = plan_text
        self.top = max(2, int(sentences * _RARE_SHARE))
        self.counts: dict[str, int] = {}

    def rare(self, word: str) -> bool:
        n = self.counts.get(word)
        if n is None:
            n = self.counts[word] = self.plan_text.count(word)
        return 2 <= n <= self.top

    def shared(self, a: str, b: str) -> bool:
        return any(self.rare(w) for w in _pairs(a) & _pairs(b))


def projects_in(text: str) -> list[str]:
    """Named projects a milestone clause commits to (开工建设A、B等项目 → [A, B])."""
    out: list[str] = []
    for clause in re.split(r"[，；。,;]", text):
        m = _MILESTONE.search(clause)
        if m is None:
            continue
        v = _PROJECT_VERB.search(clause, m.start())
        if v is None:
            continue
        obj = clause[v.end() :].strip()
        obj = _PROJECT_TAIL.sub("", obj)
        if not obj or re.match(r"[\d一二三四五六七八九十百千]+[个座条处项]|一批|全部|所有", obj):
            continue
        for name in obj.split("、"):
            name = name.strip()
            if len(name) >= 2 and name not in out:
                out.append(name)
    return out


@dataclass
class _Unit:
    """A sentence, or a clause of one split at ；, that promises something."""

    start: int
    end: int
    quantified: bool  # holds a target


@dataclass
class _Row:
    section: str | None
    title: str | None
    units: list[_Unit] = field(default_factory=list)
    lead: bool = False  # opened by the first sentence of a paragraph

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end


@dataclass
class _Block:
    """The sentences of one paragraph within one section (titles excluded)."""

    section: str | None
    sentences: list[Sentence]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into separate jobs at ；, when it is long and lists them: every piece
    that is a job becomes its own unit, a piece that is not stays with the one before."""
    if end - start <= _SPLIT or "；" not in text[start:end]:
        return [(start, end)]
    cuts = [m.start() for m in re.finditer("；", text[start:end])]
    pieces: list[tuple[int, int]] = []
    a = start
    for c in cuts:
        pieces.append((a, start + c + 1))
        a = start + c + 1
    pieces.append((a, end))
    jobs: list[tuple[int, int]] = []
    for a, b in pieces:
        body = text[a:b].rstrip("；。")
        if jobs and (len(body) < _CLAUSE_MIN or not commits(body + "。")):
            jobs[-1] = (jobs[-1][0], b)
        else:
            jobs.append((a, b))
    if len(jobs) < 2:
        return [(start, end)]
    # a row ends before its ；
    return [(a, b - 1 if text[b - 1] == "；" else b) for a, b in jobs]


def _blocks(text: str, outline: Outline, sentences: list[Sentence], skip: set[int]) -> list[_Block]:
    breaks = [m.start() for m in re.finditer("\n", text)]
    blocks: list[_Block] = []
    key: tuple[str | None, int] | None = None
    for sent in sentences:
        if sent.start in skip:
            continue
        k = (sent.section, bisect_right(breaks, sent.start))
        if k != key:
            blocks.append(_Block(sent.section, []))
            key = k
        blocks[-1].sentences.append(sent)
    return blocks


def _work_start(outline: Outline, part: Section, headline: tuple[int, int] | None) -> int:
    """Where the jobs of a plan part begin: at its first area that is not the 总体要求 or the
    targets, else after the headline block; background, 总体要求 and the targets come before."""
    areas = [s for s in outline.sections if s.parent == part.id]
    work = [a for a in areas if not _WORK_TITLE.search(a.title)]
    if work:
        return work[0].start
    if _WORK_TITLE.search(part.title) and not _JOBS_TITLE.search(part.title):
        return part.end  # a part of its own for the 总体要求 and the targets (…总体要求和主要目标)
    if headline is not None and part.start <= headline[0] < part.end:
        return headline[1]
    return part.start


def b_len(sent: Sentence) -> int:
    return sent.end - sent.start


def _inner_headings(text: str, blocks: list[_Block], by_id: dict[str, Section]) -> set[int]:
    """Run-in headings inside a paragraph (泰州: ``做活推进机制。结合…``): short sentences, each
    followed by a longer one that elaborates it, apart from each other, and running in parallel
    within one area (a bigram at the same place: 提升企业创新水平 / 提升创新载体功能, 经济治理力求精益 /
    安全治理力求精准). A lone short sentence is a job (深化供销合作社综合改革。), and so is a run
    of short sentences one after another (the numbered 民生实事)."""

    def area(section: str | None) -> str | None:
        sec = by_id.get(section or "")
        while sec is not None and sec.level > 2 and sec.parent:
            sec = by_id.get(sec.parent)
        return sec.id if sec else None

    found: dict[tuple[str | None, int, str], list[int]] = {}
    for block in blocks:
        sents = block.sentences
        last = -2
        for i, sent in enumerate(sents[:-1]):
            body = text[sent.start : sent.end]
            key = series_key(body)
            after = sents[i + 1]
            if key is None or after.end - after.start < _ELABORATION or i - last < 2:
                continue
            last = i
            a = area(block.section)
            words = heading_body(body)
            for k in range(len(words) - 1):
                found.setdefault((a, k, words[k : k + 2]), []).append(sent.start)
    out: set[int] = set()
    for starts in found.values():
        if len(starts) >= 2:
            out.update(starts)
    return out


def find_tasks(doc: Document, outline: Outline, targets: list[Target]) -> list[Task]:
    """The ledger rows of ``doc`` (ids K001… in text order)."""
    text = doc.text
    by_id = {s.id: s for s in outline.sections}
    headline = outline.headline_span
    plan_year = outline.planned_year  # the year the plan part plans
    ordered = sorted(targets, key=lambda t: (t.start, t.end))
    starts = [t.start for t in ordered]

    def linked(a: int, b: int) -> list[str]:
        out = []
        i = bisect_left(starts, a)
        while i < len(ordered) and ordered[i].start < b:
            if ordered[i].end <= b:
                out.append(ordered[i].id)
            i += 1
        return out

    plan = outline.sentences_with_role("plan")
    # headings of sections are not rows (a sentence that is, or lies inside, a section title),
    # except an item that is all title: （1）开展就业创业扩容提质行动。 is a job of its own
    titles = sorted((s.start, s.title_end, s.level, s.id) for s in outline.sections)
    title_starts = [t[0] for t in titles]
    in_section = Counter(sent.section for sent in plan)
    skip: set[int] = set()
    for sent in plan:
        i = bisect_right(title_starts, sent.start) - 1
        if i >= 0 and sent.start < max(titles[i][1], titles[i][0] + 1):
            _, _, level, sid = titles[i]
            if not (level >= 3 and sent.section == sid and in_section[sid] == 1):
                skip.add(sent.start)
        elif headline is not None and sent.start < headline[1] and headline[0] < sent.end:
            skip.add(sent.start)
    # what precedes the jobs of each plan part
    parts = [p for p in outline.sections if p.level == 1 and p.role == "plan"]
    fences = [(p.start, _work_start(outline, p, headline)) for p in parts]
    for sent in plan:
        if any(a <= sent.start < b for a, b in fences):
            skip.add(sent.start)

    rows: list[_Row] = []
    blocks = _blocks(text, outline, plan, skip)
    # an area's lead-in: its paragraphs before the first one opened by a run-in heading, or its
    # sentences before its first item
    lead: set[int] = set()
    by_area: dict[str, list[_Block]] = {}
    for b in blocks:
        sec = by_id.get(b.section or "")
        if sec is not None and sec.level == 2:
            by_area.setdefault(sec.id, []).append(b)
    for area_blocks in by_area.values():
        opened = [i for i, b in enumerate(area_blocks) if run_in_heading(text[b.sentences[0].start : b.sentences[0].end])]
        has_items = any(s.parent == area_blocks[0].section for s in outline.sections)
        first = opened[0] if opened else (len(area_blocks) if has_items else 0)
        for b in area_blocks[:first]:
            lead.update(s.start for s in b.sentences)

    in_rows = [x for b in blocks for x in b.sentences]
    subjects = _Subjects(text[in_rows[0].start : in_rows[-1].end] if in_rows else "", len(in_rows))
    inner = _inner_headings(text, blocks, by_id)
    current_title: str | None = None
    current_section: str | None = None
    for block in blocks:
        sec = by_id.get(block.section or "")
        if block.section != current_section:
            current_section = block.section
            item = sec is not None and sec.level >= 3 and in_section[sec.id] > 1
            current_title = heading_body(sec.title) if item else None
        sents = block.sentences
        first = text[sents[0].start : sents[0].end]
        if first.startswith("各位代表"):
            continue  # an address to the delegates: a transition or the close
        line_start = text.rfind("\n", 0, sents[0].start) + 1
        at_line_start = sents[0].start - line_start < 8 and not text[line_start : sents[0].start].strip()
        if at_line_start and run_in_heading(first, paired=len(sents) > 1):
            if len(sents) == 1 and first[-1] not in "。；;！!":
                current_title = heading_body(first)  # a heading on a line of its own
                continue
            if len(sents) > 1:
                title = heading_body(first)
                sents = sents[1:]
            else:
                title = current_title
        else:
            title = current_title
        row: _Row | None = None
        last: _Row | None = None  # the row just closed, while nothing lies between it and here
        opening = True
        for sent in sents:
            s = text[sent.start : sent.end]
            if sent.start in inner:
                title = heading_body(s)
                row = last = None
                opening = True
                continue
            has_target = bool(linked(sent.start, sent.end))
            keep = has_target or (
                commits(s, among_jobs=sent.start not in lead)
                and not political(s)
                and not later_years(s, plan_year)
                and not (sent.start in lead and not concrete(s))
            )
            if not keep:
                row = last = None  # a reason or a slogan between two jobs ends the first
                opening = False
                continue
            if (
                has_target
                and last is not None
                and sent.end - last.start <= _ROW_CHARS + _FIGURE_CHARS
                and b_len(sent) <= _FIGURE_CHARS
                and figure_only(s)
            ):
                last.units.append(_Unit(sent.start, sent.end, True))  # the figure of the job before
                row = None
                continue
            clauses = _clauses(text, sent.start, sent.end)
            for a, b in clauses:
                piece = text[a:b]
                unit = _Unit(a, b, bool(linked(a, b)))
                if len(clauses) > 1:
                    row = None  # the jobs of a list split at ； stay apart
                if row is not None and (
                    unit.end - row.start > _ROW_CHARS
                    or len(row.units) >= _ROW_UNITS
                    or min(b - a, row.end - row.start) > _FULL_JOB
                    or not (
                        (row.lead and len(row.units) == 1)
                        or subjects.shared(text[row.start : row.end], piece)
                    )
                ):
                    row = None
                if row is None:
                    # a paragraph's opening direction leads its first job when it is short
                    row = _Row(block.section, title, lead=opening and b - a <= _LEAD)
                    rows.append(row)
                row.units.append(unit)
                opening = False
                last = row
                if unit.quantified or len(clauses) > 1:
                    row = None  # the figure a job is checked against closes it
    return [_task(i, r, text, linked, plan_year) for i, r in enumerate(rows, start=1)]


def _task(n: int, row: _Row, text: str, linked, plan_year: int | None) -> Task:
    s = text[row.start : row.end]
    ids = linked(row.start, row.end)
    if ids:
        kind = "quantified"
    elif _MILESTONE.search(s):
        kind = "milestone"
    else:
        kind = "measure"
    due: date | None = None
    words: str | None = None
    if plan_year is not None:
        due, words = deadline_phrase(s, plan_year)
        if due is None and words is None:
            due = date(plan_year, 12, 31)
    return Task(
        id=f"K{n:03d}",
        section=row.section,
        text=s,
        start=row.start,
        end=row.end,
        targets=ids,
        kind=kind,
        deadline=due.isoformat() if due else None,
        projects=projects_in(s),
        title=row.title,
        deadline_text=words,
    )
