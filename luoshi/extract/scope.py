"""Qualifiers that change what a figure measures: 扣除房地产开发投资后, 除…外, 不含…, 不包括….

A figure stated under such a qualifier measures something else than the plain indicator
(investment less real-estate development is not 固定资产投资), so the qualifier belongs to the
indicator and the quote, wherever the report writes it: as a clause of its own before the figure
(``扣除房地产开发投资后，固定资产投资增长2.7%``), inside the head (``…剔除留抵退税因素后增长6%``)
or in brackets after the value (``增长14.6%（不包括村办工业）``). The normal ways of stating a
figure are no qualifiers: 按可比价格, 同口径 / 按可比口径, 扣除价格因素 (real growth), 不含农户 (the standard
scope of fixed-investment statistics).
"""

from __future__ import annotations

import re

from luoshi.extract.statement import Statement

_BODY = r"[^，。；：、（）()]"
_PHRASE = (
    rf"(?:(?<!加计)(?<!附加)(?:扣除|剔除|排除){_BODY}{{1,20}}?(?:因素|影响)?(?:后|以后|之后)?"
    rf"|(?<![\u4e00-\u9fff])除了?[^，。；：（）()]{{1,16}}?(?:以外|之外|外)"
    rf"|不含{_BODY}{{1,16}}|不包括{_BODY}{{1,16}})"
)
# a clause that is nothing but a qualifier: 扣除房地产开发投资后，/ 不含房地产，
_CLAUSE_RE = re.compile(rf"(?:如|若|在)?({_PHRASE})")
# a qualifier in brackets right after a value: 增长14.6%（不包括村办工业）
BRACKETED_RE = re.compile(rf"[（(]({_PHRASE})[）)]")
# the usual wording of a figure, not a change of what it measures
_NORMAL_RE = re.compile(r"(?:扣除|剔除|排除)(?:物价上涨|物价|价格)(?:上涨)?因素(?:后|以后|之后)?|不含农户")
# a clause after ``除…外`` that adds to it (除…外，还…) rather than excluding it
_ADDS_RE = re.compile(r"^(?:还|也|另|并|同时)")
_QUALIFIER_RE = re.compile(_PHRASE)


def _normal(phrase: str) -> bool:
    return _NORMAL_RE.fullmatch(phrase) is not None


def clause_qualifier(clause: str, following: str) -> str:
    """The qualifier that ``clause`` (a clause of its own) puts on the clause ``following``, or ""."""
    m = _CLAUSE_RE.fullmatch(clause.strip("，, "))
    if m is None or _normal(m.group(1)):
        return ""
    if m.group(1).startswith("除") and _ADDS_RE.match(following):
        return ""
    return m.group(1)


def bracketed_after(text: str, pos: int) -> re.Match[str] | None:
    """A bracketed qualifier starting at ``pos`` (right after a value), if it changes the measure."""
    m = BRACKETED_RE.match(text, pos)
    if m is None or _normal(m.group(1)):
        return None
    return m


def qualified(indicator: str) -> bool:
    """True when ``indicator`` carries a qualifier that changes what it measures."""
    return _QUALIFIER_RE.search(_NORMAL_RE.sub("", indicator or "")) is not None


def only_qualifier(indicator: str) -> bool:
    """A qualifier read as the whole indicator (``…，不含X增长2%``): it qualifies the one named before."""
    return bool(indicator) and _QUALIFIER_RE.fullmatch(indicator) is not None and not _normal(indicator)


def apply(sent: str, base: int, found: list[Statement], clause_bounds: list[tuple[int, int]]) -> None:
    """Put the qualifiers of the sentence ``sent`` (at ``base``) into the statements read from it."""
    for k, st in enumerate(found):
        if k > 0 and only_qualifier(st.indicator):
            st.indicator += found[k - 1].indicator
        cs = st.clause_start - base
        n = next((i for i, (s, _) in enumerate(clause_bounds) if s == cs), 0)
        if n > 0:
            ps, pe = clause_bounds[n - 1]
            phrase = clause_qualifier(sent[ps:pe], sent[cs : st.clause_end - base]) if sent[pe - 1] in "，," else ""
            if phrase and not st.indicator.startswith(phrase):
                st.indicator = phrase + st.indicator
                st.start = min(st.start, base + sent.index(phrase, ps))
        m = bracketed_after(sent, st.end - base)
        if m is not None:
            st.indicator += f"（{m.group(1)}）"
            st.end = base + m.end()
