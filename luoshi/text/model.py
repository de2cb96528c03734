"""The report's structure: sections and sentences, as spans into the cleaned text."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A heading and the text it governs.

    ``level`` 1 = part (一、二、三、), 2 = area (（一）…（八）), 3 = item (一是…, 1. / （1）).
    ``role`` says what the part does: ``review`` (last year's work), ``plan`` (this year's
    work, including 主要预期目标), or ``other`` (preamble, self-building of government, closing).
    Sections below a part inherit its role. ``title_start``/``title_end`` locate the heading.
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
    title: str | None = None
    headline_span: tuple[int, int] | None = None  # the 主要预期目标 sentence group, if any
    warnings: list[ReportWarning] = field(default_factory=list)

    def warn(self, code: str, message: str) -> None:
        add_warning(self.warnings, code, message)

    def section(self, section_id: str | None) -> Section | None:
        for s in self.sections:
            if s.id == section_id:
                return s
        return None

    def role_at(self, offset: int) -> str:
        """Role of the part containing ``offset`` ("other" outside any part).

        Parts do not overlap, so a binary search over their starts finds it; the index is built
        once per sections list (extractors call this for every number they meet).
        """
        key = (id(self.sections), len(self.sections))
        index = self.__dict__.get("_part_index")
        if index is None or index[0] != key:
            parts = sorted((s for s in self.sections if s.level == 1), key=lambda s: s.start)
            index = (key, [p.start for p in parts], parts)
            self.__dict__["_part_index"] = index
        _, starts, parts = index
        i = bisect_right(starts, offset) - 1
        if i >= 0 and offset < parts[i].end:
            return parts[i].role
        return "other"

    def sentences_with_role(self, role: str) -> list[Sentence]:
        """The sentences that start in a part of ``role``, in text order (what ``role_at`` says
        of each sentence start, found in one walk instead of a lookup per sentence)."""
        if role == "other":
            return [s for s in self.sentences if self.role_at(s.start) == "other"]
        parts = sorted((p for p in self.sections if p.level == 1 and p.role == role), key=lambda p: p.start)
        out: list[Sentence] = []
        if not parts:
            return out
        starts = [p.start for p in parts]
        for sent in self.sentences:
            i = bisect_right(starts, sent.start) - 1
            if i >= 0 and sent.start < parts[i].end:  # parts do not overlap
                out.append(sent)
        return out
