"""Targets: the quantities the plan part of a report promises for the plan year.

Every sentence whose paragraph has the ``plan`` role (``Outline.sentences_with_role``) is read
with ``clauses.read_sentence``; a statement becomes a ``Target`` with its modality (确保 binding,
力争/争取 aspirational, else 预期), its deadline (the time the clause or sentence names, else 31 Dec
of the plan year) and the section it stands in. In the 主要预期目标 block (one or several sentences
or lines) every clause is a headline target; a range (增长5%—5.5%) promises at least its lower end
(comparator ``>=``, ``value_max`` its upper end), and a clause there without a number
(``粮食产量和播种面积保持稳定``) is a qualitative headline target with no value.
"""

from __future__ import annotations

import re
from datetime import date

from luoshi.extract import counts as ct
from luoshi.extract import lexicon as lx
from luoshi.extract.clauses import Statement, read_sentence
from luoshi.extract.deadlines import deadline_phrase
from luoshi.extract.horizon import may_span_plan, multi_year_target
from luoshi.extract.model import Target
from luoshi.extract.numbers import comparator_of
from luoshi.ingest.document import Document
from luoshi.text.model import Outline

_HEADLINE_INTRO = re.compile(r"^.*?(?:目标|任务)(?:为|是)?[：:]")
_HEADLINE_CLAUSE = re.compile(r"[^；;。，,]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FIGURE = re.compile(r"\d|百分之")
_NO_SUBJECT_RE = re.compile(r"^(?:也|都|将|还|仍|继续)*有")
_CONDITION = re.compile(r"\s*在.*(?:基础上|前提下|条件下)\s*$")


def _deadline(text: str, st_clause: str, sentence: str, year: int | None) -> dict[str, str | None]:
    """``deadline`` (ISO) and ``deadline_text`` (the words, if any) of a target: a number promised
    for the plan year always has a date, 31 Dec when neither clause nor sentence names a time."""
    if year is None:
        return {"deadline": None, "deadline_text": None}
    for part in (st_clause, sentence):
        day, words = deadline_phrase(part, year)
        if day is not None:
            return {"deadline": day.isoformat(), "deadline_text": words}
    return {"deadline": date(year, 12, 31).isoformat(), "deadline_text": None}


def _qualitative(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    """Clauses of the headline sentence(s) with no number: (start, end, indicator, metric)."""
    seg = text[start:end]
    intro = _HEADLINE_INTRO.match(seg)
    off = intro.end() if intro else 0
    out = []
    figure_before = False  # the clause before, in the same sentence after a comma, holds a figure
    for m in _HEADLINE_CLAUSE.finditer(seg, off):
        clause = m.group(0)
        after_figure = figure_before and m.start() > 0 and seg[m.start() - 1] in "，,"
        figure_before = _FIGURE.search(clause) is not None
        if figure_before or len(_CJK.findall(clause)) < 4:
            continue  # a figure (also one in words: 增长百分之六) makes a quantified target
        if _CONDITION.match(clause):
            continue  # 在保持总需求与总供给基本平衡的基础上: the condition, not a target
        if lx.ACCOUNTING_NOTE_RE.search(clause):
            continue  # 新增可再生能源和原料用能不纳入能源消费总量控制: how to count, not a target
        for ps, pe in _own_predicate_items(clause):
            piece = clause[ps:pe]
            lead = lx.LEAD_RE.match(piece)
            body_off = ps + (lead.end() if lead else 0)
            read = _qualitative_clause(clause[body_off:pe])
            if read is not None and _NO_SUBJECT_RE.match(read[0]):
                # 其他经济作物的产量，也将有一个新的增长; …，将继续有所改善: a degree word (有所,
                # 有一个新的) where the subject would be; the clause names nothing to measure
                continue
            if read is not None and after_figure and clause.startswith(read[1], body_off):
                # 石油产量10600万吨，保持近两年的水平; 总产值增长8%，继续高于重工业的增长速度: a
                # predicate without a subject of its own describes the figure just stated
                continue
            if read is not None:
                out.append((start + m.start() + body_off, start + m.start() + pe, *read))
    return out


# predicates of a headline clause that are adverbs: they need a verb after them (基本平衡, 稳步提升)
_ADVERB_PREDICATES = frozenset("基本 稳步 继续 进一步 持续 有效 明显 不断 显著 全部".split())


def _qualitative_clause(body: str) -> tuple[str, str] | None:
    """(indicator, metric) of a headline clause without a number, or ``None``."""
    first = lx.VERB_FIRST_RE.match(body)
    if first:
        return body[first.end() :], first.group(0)
    pred = lx.QUAL_PREDICATE_RE.search(body)
    if pred is None:
        return None
    if pred.start() == 0 and pred.group(0) in _ADVERB_PREDICATES and lx.QUAL_PREDICATE_RE.search(body, pred.end()) is None:
        return None  # 基本建设: an adverb with no predicate after it is part of a name
    if pred.start() == 0:
        # verb before its object: 重点控制化石能源消费
        obj = body[pred.end() :]
        return (obj, pred.group(0)) if len(_CJK.findall(obj)) >= 2 else None
    indicator = body[: pred.start()]
    # 能耗强度目标在“十四五”规划期内统筹考核: the time frame is not part of the name
    indicator = re.sub(r"在[^，；。]*(?:内|期间|中)$", "", indicator) or indicator
    return indicator, body[pred.start() :]


def _qualitative_comparator(clause: str) -> str:
    """增速保持在全国平均水平以上: a level stated without a number still has its direction."""
    m = re.search(r"(以上|以下|以内|左右)$", clause.rstrip("，。；,;"))
    return (comparator_of(m.group(1)) or "=") if m else "="


def _own_predicate_items(clause: str) -> list[tuple[int, int]]:
    """Split ``clause`` at 、 when every item has its own predicate (农村贫困人口全部脱贫、贫困县全部摘帽);
    else the whole clause is one item."""
    spans = []
    pos = 0
    for m in re.finditer("、", clause):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(clause)))
    if len(spans) > 1 and all(
        (p := lx.QUAL_PREDICATE_RE.search(clause, a, b)) is not None and p.start() > a for a, b in spans
    ):
        return spans
    return [(0, len(clause))]


def _context_fact(text: str, st: Statement, sent_start: int) -> bool:
    """A fact the government does not control, stated as the setting of the promise after it.

    ``今年高校毕业生超过1000万人，要加强就业创业指导``: the first clause of the sentence states a
    level with a verb of state (超过/达/有), no modality word, and the next clause says what must be
    done about it.
    """
    if st.modality != "预期" or not lx.STATE_VERB_RE.match(st.metric or ""):
        return False
    head = text[sent_start : st.clause_start]
    if head.strip("，,；; "):
        return False  # not the sentence's first clause
    return lx.PROMISE_FOLLOWS_RE.match(text, st.clause_end - 1) is not None


def _restated(text: str, st: Statement, headline_values: set[tuple[float, str | None]]) -> bool:
    """``预期目标设定为6%以上，考虑了…``: a sentence explaining a headline target restates its value."""
    q = st.quantity
    if (q.value, q.unit) not in headline_values:
        return False
    return lx.TARGET_RESTATED_RE.search(text, st.clause_start, st.start + (q.start - st.start)) is not None


def find_targets(doc: Document, outline: Outline) -> list[Target]:
    """Targets of the plan-role sentences of ``doc``, ids ``T001…`` in text order."""
    text = doc.text
    year = outline.planned_year  # the year the plan part plans
    hl = outline.headline_span
    found: list[tuple[int, int, Target]] = []
    headline_values: set[tuple[float, str | None]] = set()
    if hl is not None:
        for st in read_sentence(text, hl[0], hl[1]):
            headline_values.add((st.quantity.value, st.quantity.unit))
    for sent in outline.sentences_with_role("plan"):
        in_headline = hl is not None and sent.start < hl[1] and hl[0] < sent.end
        sentence_text = text[sent.start : sent.end]
        statements: list[Statement] = read_sentence(text, sent.start, sent.end, skip_past=True)
        spans = bool(statements) and may_span_plan(text, sent.start, sent.end)
        for st in statements:
            q = st.quantity
            headline = in_headline and hl is not None and hl[0] <= st.start < hl[1]
            if not headline and (
                text.startswith("即", st.clause_start)  # 由44%提高到45%，即提高1%: the same change restated
                or _context_fact(text, st, sent.start)
                or _restated(text, st, headline_values)
                or ct.names_scope(text, st)
                or ct.tallies_indicators(text, st)
                or (spans and multi_year_target(text, sent.start, st, year))
            ):
                continue  # a setting, a restated headline value, a scope, or a goal over several years
            found.append(
                (
                    st.start,
                    st.end,
                    Target(
                        id="",
                        indicator=st.indicator,
                        metric=st.metric,
                        value=q.value,
                        unit=q.unit,
                        # a range (增长5%—5.5%) promises at least its lower end
                        comparator=">=" if q.value_max is not None and st.comparator == "=" else st.comparator,
                        modality=st.modality,
                        section=sent.section,
                        quote=text[st.start : st.end],
                        start=st.start,
                        end=st.end,
                        **_deadline(text, text[st.clause_start : st.clause_end], sentence_text, year),
                        value_max=q.value_max,
                        headline=headline,
                    ),
                )
            )
        if in_headline and hl is not None:
            s, e = max(sent.start, hl[0]), min(sent.end, hl[1])
            for qs, qe, indicator, metric in _qualitative(text, s, e):
                if any(st.start < qe and qs < st.end for st in statements):
                    continue  # the clause has a number after all (written in Chinese numerals)
                found.append(
                    (
                        qs,
                        qe,
                        Target(
                            id="",
                            indicator=indicator,
                            metric=metric,
                            value=None,
                            unit=None,
                            comparator=_qualitative_comparator(text[qs:qe]),
                            modality="预期",
                            section=sent.section,
                            quote=text[qs:qe],
                            start=qs,
                            end=qe,
                            **_deadline(text, text[qs:qe], sentence_text, year),
                            headline=True,
                            kind="qualitative",
                        ),
                    )
                )
    found.sort(key=lambda f: (f[0], f[1]))
    out = []
    for n, (_, _, t) in enumerate(found, 1):
        t.id = f"T{n:03d}"
        out.append(t)
    return out
