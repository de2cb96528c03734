"""A quantified statement of a sentence and how it is built: span, comparator and modality.

Shared by every reader of a clause (lists, counts, shares) so that a statement found by any of
them carries the same fields, quote span and modality scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luoshi.extract import lexicon as lx
from luoshi.extract.numbers import Quantity


@dataclass
class Statement:
    """One quantified statement found in a sentence (offsets into the document text)."""

    indicator: str
    metric: str
    quantity: Quantity
    comparator: str
    modality: str
    start: int
    end: int
    clause_start: int
    clause_end: int


def modality(sent: str, upto: int) -> str:
    found = "预期"
    scope = 0
    for m in lx.MODAL_SCOPE_END_RE.finditer(sent, 0, upto):
        scope = m.end()
    for m in lx.MODAL_RE.finditer(sent, scope, upto):
        if m.group(0) == "争创" and re.search("[，,：:]", sent[m.end() : upto]):
            continue  # 争创…标杆城市，培育…60家: 争创 is the verb of its own clause, the honour it seeks
        found = lx.MODALITY[m.group(0)]
    return found


def comparator(q: Quantity, metric: str) -> str:
    if q.comparator != "=":
        return q.comparator
    if metric in ("突破", "超过"):
        return ">="
    if metric in ("控制", "控制在"):
        return "<="
    if q.value_max is not None:
        return ">="  # 增长5%—5.5%, 培育2—3个: the lower end is the floor, value_max the aim
    return "="


def make_statement(
    sent: str, base: int, indicator: str, metric: str, q: Quantity, qstart: int, qend: int, cs: int, ce: int
) -> Statement:
    start = min(qstart, q.start)
    return Statement(
        indicator=indicator.strip("，、；：,;: "),
        metric=metric,
        quantity=q,
        comparator=comparator(q, metric),
        modality=modality(sent, q.start - base),
        start=start,
        end=max(qend, q.end),
        clause_start=base + cs,
        clause_end=base + ce,
    )
