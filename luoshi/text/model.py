"""The report's structure: sections and sentences, as spans into the cleaned text."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A heading and the text it governs.

    ``level`` 1 = part (一、二、三、), 2 = area (（一）…（八）), 3 = item (一是…, 1. / （1）).
    ``role`` says what the part does: ``review`` (last year's work), ``plan`` (this year's
    work, including 主要预期目标), ``five_year`` (五年来/“十四五” reviews and “十五五” plans: neither
    last year's results nor this year's targets) or ``other`` (preamble, end matter). It is read
    from what the part says (luoshi.text.roles) and is the prior of its paragraphs, which may
    differ (``Outline.paragraphs``). Sections below a part inherit its role.
    ``title_start``/``title_end`` locate the heading.
    """

    id: str
    parent: str | None
    level: int
    title: str
    start: int
    end: int
    title_start: int
    title_end: int
    role: str = "other"

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "parent": self.parent,
            "level": self.level,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "role": self.role,
        }


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    section: str | None  # id of the innermost section containing it


@dataclass(frozen=True)
class Paragraph:
    """A run of text that speaks about one time frame: a line of the report, or, in text that runs
    everything into one line, a stretch of sentences between headings.

    ``role`` is ``review``, ``plan``, ``five_year`` or ``other``; ``strong`` says the paragraph's
    own words decided it (else it follows the part it stands in, or the paragraph before it).
    """

    start: int
    end: int
    role: str
    strong: bool = False


@dataclass(frozen=True)
class ReportWarning:
    """Something the reader of an extraction must know: a part or a block that was not found, a
    government or year that could not be read, a role decided with low confidence.

    ``code`` is stable (for scripts and tests), ``message`` is what an operator reads (Chinese).
    An extraction never comes back short without one of these (DESIGN: no silent zeros).
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def add_warning(warnings: list[ReportWarning], code: str, message: str) -> None:
    """Record a warning once per code."""
    if all(w.code != code for w in warnings):
        warnings.append(ReportWarning(code, message))


@dataclass
class Outline:
    """Everything the structure pass found."""

    sections: list[Section]
    sentences: list[Sentence]
    government: str | None
    year: int | None  # the plan year
    # delivered late in its plan year (December 1964), the report reviews that year and plans the next
    late: bool = False
    title: str | None = None
    headline_span: tuple[int, int] | None = None  # the 主要预期目标 block, if any
    warnings: list[ReportWarning] = field(default_factory=list)
    # paragraphs in text order, not overlapping; when present they decide ``role_at``
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def planned_year(self) -> int | None:
        """The year the plan part plans: the plan year, or the next one in a report delivered late."""
        return self.year + 1 if self.late and self.year is not None else self.year

    def warn(self, code: str, message: str) -> None:
        add_warning(self.warnings, code, message)

    def section(self, section_id: str | None) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    def role_at(self, offset: int) -> str:
        """Role of the paragraph containing ``offset`` (else of the part containing it; "other"
        outside any).

        Spans do not overlap, so a binary search over their starts finds it; the index is built
        once per list (extractors call this for every number they meet).
        """
        starts, spans = self._index()
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < spans[i][1]:
            return spans[i][2]
        return "other"

    def _index(self) -> tuple[list[int], list[tuple[int, int, str]]]:
        key = (id(self.paragraphs), len(self.paragraphs), id(self.sections), len(self.sections))
        index = self.__dict__.get("_role_index")
        if index is None or index[0] != key:
            if self.paragraphs:
                spans = [(p.start, p.end, p.role) for p in self.paragraphs]
            else:
                parts = sorted((s for s in self.sections if s.level == 1), key=lambda s: s.start)
                spans = [(p.start, p.end, p.role) for p in parts]
            index = (key, [s[0] for s in spans], spans)
            self.__dict__["_role_index"] = index
        return index[1], index[2]

    def sentences_with_role(self, role: str) -> list[Sentence]:
        """The sentences whose start has ``role``, in text order (what ``role_at`` says of each
        sentence start, found in one walk over both ordered lists)."""
        _, spans = self._index()
        out: list[Sentence] = []
        i = 0
        n = len(spans)
        for sent in self.sentences:
            while i < n and spans[i][1] <= sent.start:
                i += 1
            inside = i < n and spans[i][0] <= sent.start
            if (spans[i][2] if inside else "other") == role:
                out.append(sent)
        return out
