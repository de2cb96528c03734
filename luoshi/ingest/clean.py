"""Cleaning: undo what PDF extraction and typesetting did to the report text.

Cleaning only deletes characters or replaces one character by another, so every cleaned span
maps back to the original characters through the ``OffsetMap``. What it does:

* deletes page footers such as ``— 3 —`` wherever they fall, even mid-word
  (``一 — 1 — 般公共预算收入`` → ``一般公共预算收入``);
* deletes spaces a line break left between Chinese characters, or between a digit and a Chinese
  character (``2023 年`` → ``2023年``), keeping real spaces between Latin words and numbers;
* deletes carriage returns, form feeds, zero-width characters and spaces at line ends;
* normalises full-width digits, letters and ``％`` (and a full-width point between digits).
"""

from __future__ import annotations

import re
from array import array

from luoshi.ingest.document import Document, OffsetMap, RawText

_HSPACE = " \t\u3000\u00a0\u2002\u2003\u2009\u202f"

# one character → one character, so indices do not move
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH[ord("％")] = ord("%")
_FULLWIDTH[ord("\u3000")] = ord(" ")
_FULLWIDTH[ord("\u00a0")] = ord(" ")

_FOOTER = re.compile(
    rf"[{_HSPACE}]*[—–－―-]{{1,2}}[{_HSPACE}]+\d{{1,4}}[{_HSPACE}]+[—–－―-]{{1,2}}[{_HSPACE}]*"
)
_JUNK = re.compile("[\r\f\v\u200b\u200c\u200d\u2060\ufeff]+")
_SPACES = re.compile(rf"[{_HSPACE}]+")
_FULLWIDTH_POINT = re.compile(r"(?<=[0-9])．(?=[0-9])")
# a space is real only between two Latin letters/digits (``Made in China``, ``1 000``)
_LATIN = re.compile(r"[A-Za-z0-9.,;:%+\-/&'\")(]")


def _deletions(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` ranges of ``text`` to delete."""
    spans: list[tuple[int, int]] = [m.span() for m in _FOOTER.finditer(text)]
    spans += [m.span() for m in _JUNK.finditer(text)]
    for m in _SPACES.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s > 0 else "\n"
        after = text[e] if e < len(text) else "\n"
        if before == "\n" or after == "\n" or not (_LATIN.match(before) and _LATIN.match(after)):
            spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def clean(raw: RawText) -> Document:
    """Return the cleaned ``Document`` for ``raw``; ``raw`` itself is left untouched."""
    text = raw.text.translate(_FULLWIDTH)
    text = _FULLWIDTH_POINT.sub(".", text)
    pieces: list[str] = []
    origin = array("I")
    pos = 0
    for s, e in _deletions(text):
        pieces.append(text[pos:s])
        origin.extend(range(pos, s))
        pos = e
    pieces.append(text[pos:])
    origin.extend(range(pos, len(text)))
    origin.append(len(raw.text))
    return Document("".join(pieces), raw, OffsetMap(origin))
