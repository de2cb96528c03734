"""Immutable texts and the offset map between them.

Like spaCy's ``Doc``: the cleaned text never changes after cleaning, every annotation is a
``(start, end)`` pair into it, and the offset map answers "which characters of the original did
this come from" for any span. The raw text in turn knows its encoding, so a character offset in it
maps to a byte offset in the input file.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class RawText:
    """Text as read from the file, before any cleaning.

    ``encoding`` is the codec used to decode a text file (``None`` for PDF and DOCX, whose text is
    extracted rather than decoded); ``bom`` is the byte length of a byte-order mark that was
    skipped. Byte offsets are only meaningful for text files.
    """

    text: str
    path: str
    sha256: str
    kind: str  # "txt" | "pdf" | "docx"
    encoding: str | None = None
    bom: int = 0
    size: int = 0

    def byte_offset(self, char_offset: int) -> int | None:
        """Byte offset in the input file of the character at ``char_offset`` (text files only)."""
        if self.encoding is None:
            return None
        if not 0 <= char_offset <= len(self.text):
            raise IndexError(char_offset)
        return self.bom + len(self.text[:char_offset].encode(self.encoding))


@dataclass(frozen=True)
class OffsetMap:
    """For each cleaned character, the index of the raw character it came from.

    ``origin[i]`` is the raw index of cleaned character ``i``; ``origin[len(clean)]`` is
    ``len(raw)``. A cleaned span ``[s, e)`` comes from raw ``[origin[s], origin[e - 1] + 1)``.
    Cleaning only deletes characters or replaces one character by one character, so ``origin`` is
    strictly increasing: it is made of runs of consecutive raw indices, one run per stretch of text
    between two deletions. The map keeps only the runs — where each starts in the cleaned text
    (``starts``) and in the raw text (``raws``) — a few bytes per deletion instead of four per
    character; ``origin`` spells the whole array out on demand (checks and tests).
    """

    starts: array = field(repr=False)  # cleaned index of each run's first character, increasing
    raws: array = field(repr=False)  # raw index of each run's first character
    length: int  # length of the cleaned text
    raw_length: int

    @classmethod
    def from_runs(cls, runs: list[tuple[int, int]], raw_length: int) -> OffsetMap:
        """The map of kept ``(raw start, length)`` runs, in cleaned-text order."""
        starts, raws = array("I"), array("I")
        at = 0
        for src, n in runs:
            if raws and starts and src == raws[-1] + (at - starts[-1]):
                at += n  # continues the previous run
                continue
            starts.append(at)
            raws.append(src)
            at += n
        return cls(starts, raws, at, raw_length)

    def at(self, i: int) -> int:
        """``origin[i]``: the raw index of cleaned character ``i`` (``raw_length`` at the end)."""
        if i == self.length:
            return self.raw_length
        k = bisect_right(self.starts, i) - 1
        return self.raws[k] + (i - self.starts[k])

    @cached_property
    def origin(self) -> array:
        out = array("I")
        bounds = [*self.starts[1:], self.length] if self.starts else []
        for start, end, raw in zip(self.starts, bounds, self.raws, strict=True):
            out.extend(range(raw, raw + end - start))
        out.append(self.raw_length)
        return out

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        n = self.length
        if not 0 <= start <= end <= n:
            raise IndexError(f"span {start}:{end} outside 0:{n}")
        if start == end:
            return self.at(start), self.at(start)
        return self.at(start), self.at(end - 1) + 1


@dataclass(frozen=True)
class Document:
    """The cleaned report text, the raw text it came from, and the map between the two."""

    text: str
    raw: RawText
    offsets: OffsetMap

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.to_raw(start, end)

    def raw_slice(self, start: int, end: int) -> str:
        rs, re_ = self.raw_span(start, end)
        return self.raw.text[rs:re_]

    def byte_span(self, start: int, end: int) -> tuple[int, int] | None:
        rs, re_ = self.raw_span(start, end)
        bs = self.raw.byte_offset(rs)
        if bs is None:
            return None
        be = self.raw.byte_offset(re_)
        assert be is not None
        return bs, be

    @cached_property
    def sha256(self) -> str:
        return self.raw.sha256
