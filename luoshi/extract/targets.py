"""Targets: the quantities the plan part of a report promises for the plan year.

Every sentence of a ``plan`` section is read with ``clauses.read_sentence``; a statement becomes a
``Target`` with its modality (确保 binding, 力争/争取 aspirational, else 预期), its deadline (the time
the clause or sentence names, else 31 Dec of the plan year) and the section it stands in. In the
主要预期目标 sentence every clause is a headline target, and a clause there without a number
(``粮食产量和播种面积保持稳定``) is a qualitative headline target with no value.
"""

from __future__ import annotations

import re
from datetime import date

from luoshi.extract import lexicon as lx
from luoshi.extract.clauses import Statement, read_sentence
from luoshi.extract.deadlines import deadline_in
from luoshi.extract.model import Target
from luoshi.ingest.document import Document
from luoshi.text.model import Outline

_HEADLINE_INTRO = re.compile(r"^.*?(?:目标|任务)(?:为|是)?[：:]")
_HEADLINE_CLAUSE = re.compile(r"[^；;。，,]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _deadline(text: str, st_clause: str, sentence: str, year: int | None) -> str | None:
    if year is None:
        return None
    found = deadline_in(st_clause, year) or deadline_in(sentence, year)
    return (found or date(year, 12, 31)).isoformat()


def _qualitative(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    """Clauses of the headline sentence(s) with no number: (start, end, indicator, metric)."""
    seg = text[start:end]
    intro = _HEADLINE_INTRO.match(seg)
    off = intro.end() if intro else 0
    out = []
    for m in _HEADLINE_CLAUSE.finditer(seg, off):
        clause = m.group(0)
        if re.search(r"\d", clause) or len(_CJK.findall(clause)) < 4:
            continue
        lead = lx.LEAD_RE.match(clause)
        body_off = lead.end() if lead else 0
        body = clause[body_off:]
        first = lx.VERB_FIRST_RE.match(body)
        if first:
            indicator, metric = body[first.end() :], first.group(0)
        else:
            pred = lx.QUAL_PREDICATE_RE.search(body)
            if pred is None or pred.start() == 0:
                continue
            indicator, metric = body[: pred.start()], body[pred.start() :]
        out.append((start + m.start() + body_off, start + m.end(), indicator, metric))
    return out


def find_targets(doc: Document, outline: Outline) -> list[Target]:
    """Targets of the plan-role sentences of ``doc``, ids ``T001…`` in text order."""
    text = doc.text
    year = outline.year
    hl = outline.headline_span
    found: list[tuple[int, int, Target]] = []
    for sent in outline.sentences:
        if outline.role_at(sent.start) != "plan":
            continue
        in_headline = hl is not None and sent.start < hl[1] and hl[0] < sent.end
        sentence_text = text[sent.start : sent.end]
        statements: list[Statement] = read_sentence(text, sent.start, sent.end, skip_past=True)
        for st in statements:
            q = st.quantity
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
                        comparator=st.comparator,
                        modality=st.modality,
                        section=sent.section,
                        quote=text[st.start : st.end],
                        start=st.start,
                        end=st.end,
                        deadline=_deadline(text, text[st.clause_start : st.clause_end], sentence_text, year),
                        value_max=q.value_max,
                        headline=in_headline and hl is not None and hl[0] <= st.start < hl[1],
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
                            comparator="=",
                            modality="预期",
                            section=sent.section,
                            quote=text[qs:qe],
                            start=qs,
                            end=qe,
                            deadline=_deadline(text, text[qs:qe], sentence_text, year),
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
