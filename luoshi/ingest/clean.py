"""Cleaning: undo what PDF extraction and typesetting did to the report text.

Cleaning only deletes characters or replaces one character by another, so every cleaned span
maps back to the original characters through the ``OffsetMap``. It runs in two passes so that
the second pass sees the text as it reads once the first pass is done:

1. delete page footers such as ``— 3 —`` wherever they fall, even mid-word, and invisible junk
   (zero-width characters, soft hyphens, form feeds, stray control characters, the CR of CRLF);
2. delete the spaces a line break left between Chinese characters, or between a number and a
   Chinese character (``一 — 1 — 般`` → ``一般``, ``2023 年`` → ``2023年``), and spaces at line
   ends; between Latin letters/digits one space is kept (``Made in China``, ``1 000``). A tab
   between two pieces of text is kept as the one separator of that run: it separates table cells.

Before both passes, full-width digits, letters, ``％`` and spaces are replaced by their ASCII
forms, a full-width point between digits by ``.``, and a lone CR or a Unicode line separator by
``\\n``. For PDF input only, a line break inside a sentence (not after 。！？：; etc.) is deleted
too: PDF text layers break lines wherever the page did.
"""

from __future__ import annotations

import re

from luoshi.ingest.document import Document, OffsetMap, RawText

# one character → one character, so indices do not move
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH[ord("％")] = ord("%")
for _space in "\u3000\u00a0\u2002\u2003\u2009\u202f":
    _FULLWIDTH[ord(_space)] = ord(" ")
_FULLWIDTH[ord("\u2028")] = ord("\n")
_FULLWIDTH[ord("\u2029")] = ord("\n")

_TO_TRANSLATE = re.compile("[" + "".join(map(chr, _FULLWIDTH)) + "]")
_LONE_CR = re.compile(r"\r(?!\n)")
# a PDF that spaces every character out writes 8 ．8 ％: the point is still a decimal point
_FULLWIDTH_POINT = re.compile(r"(?:(?<=[0-9])|(?<=[0-9] ))．(?= ?[0-9])")
# digits that follow a single space as a group of three: a thousands separator (1 000), kept
_THOUSANDS = re.compile(r"[0-9]{3}(?![0-9])")

# after translation every horizontal space is a space or a tab
_FOOTER = re.compile(r"[—–－―-]{1,2}[ \t]+\d{1,4}[ \t]+[—–－―-]{1,2}")
_JUNK = re.compile("[\r\f\v\x00-\x08\x0e-\x1f\x7f\u00ad\u200b-\u200f\u2060\ufeff]+")
_SPACES = re.compile("[ \t]+")
# PDF text layers break lines mid-sentence; a break after one of these ends a paragraph
_PDF_BREAK = re.compile("[ \t]*\n[ \t]*")
_PARAGRAPH_END = frozenset("。！？：；!?:;”」』）)\n")
# characters between which a space is real (``Made in China``, ``1 000``, ``GDP (2023)``)
_LATIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,;:%+-/&'\")(")


def _pass1(text: str) -> list[tuple[int, int]]:
    """Footers and invisible junk."""
    return [m.span() for m in _FOOTER.finditer(text)] + [m.span() for m in _JUNK.finditer(text)]


def _pass2(text: str) -> list[tuple[int, int]]:
    """Spaces left by line breaks; surplus spaces between Latin words; separators in table rows."""
    n = len(text)
    latin = _LATIN
    spans: list[tuple[int, int]] = []
    for m in _SPACES.finditer(text):
        s, e = m.span()
        before = text[s - 1] if s else "\n"
        after = text[e] if e < n else "\n"
        if before == "\n" or after == "\n":
            spans.append((s, e))
        elif before in latin and after in latin:
            if _spaced_number(text, s, e):
                spans.append((s, e))
            elif e - s > 1:
                spans.append((s + 1, e))  # one space between Latin words
        elif "\t" in m.group():
            t = s + m.group().index("\t")  # one tab between two table cells
            spans.append((s, t))
            spans.append((t + 1, e))
        else:
            spans.append((s, e))
    return spans


def _spaced_number(text: str, s: int, e: int) -> bool:
    """Spaces inside a number spaced out character by character (``1 9 9 8``, ``8 . 8 %``,
    ``4 0 个``), not a thousands separator (``1 000``)."""
    before, after = text[s - 1], text[e]
    if before.isdigit() and after in ".%":
        return True
    if before == "." and after.isdigit():
        return s >= 2 and text[s - 2].isdigit()
    return before.isdigit() and after.isdigit() and _THOUSANDS.match(text, e) is None


def _pdf_line_breaks(text: str) -> list[tuple[int, int]]:
    """Line breaks a PDF text layer put inside a sentence (``一般公共预\n算收入``)."""
    n = len(text)
    spans: list[tuple[int, int]] = []
    for m in _PDF_BREAK.finditer(text):
        s, e = m.span()
        if s and e < n and text[s - 1] not in _PARAGRAPH_END and text[e] != "\n":
            if text[s - 1] in _LATIN and text[e] in _LATIN:
                spans.append((s, m.start() + m.group().index("\n")))
                spans.append((m.start() + m.group().index("\n") + 1, e))
            else:
                spans.append((s, e))
    return spans


# kept characters as runs: (index in the source text of the run's first character, run length);
# the runs follow each other in the result text. A run map takes a few tuples per deletion, where
# one index per character (a list of ints) took ~36 bytes a character — the bulk of the memory
# extraction needed (see bench/extract_memory.py).
Runs = list[tuple[int, int]]


def _delete(text: str, spans: list[tuple[int, int]]) -> tuple[str, Runs]:
    """``text`` without the characters in ``spans``, and the runs of kept characters."""
    spans.sort()
    pieces: list[str] = []
    runs: Runs = []
    pos = 0
    for s, e in spans:
        if s > pos:
            pieces.append(text[pos:s])
            runs.append((pos, s - pos))
        pos = max(pos, e)
    if pos < len(text):
        pieces.append(text[pos:])
        runs.append((pos, len(text) - pos))
    return "".join(pieces), runs


def _compose(outer: Runs, inner: Runs) -> Runs:
    """Runs into the original text for ``inner`` (runs into the text that ``outer`` maps)."""
    out: Runs = []
    j = 0
    begin = 0  # position, in the middle text, of the first character of outer[j]
    for s, n in inner:
        while s >= begin + outer[j][1]:
            begin += outer[j][1]
            j += 1
        while n:
            src, length = outer[j]
            off = s - begin
            take = min(n, length - off)
            out.append((src + off, take))
            s += take
            n -= take
            if off + take == length and n:
                begin += length
                j += 1
    return out


def clean(raw: RawText) -> Document:
    """Return the cleaned ``Document`` for ``raw``; ``raw`` itself is left untouched."""
    text = _TO_TRANSLATE.sub(lambda m: m.group().translate(_FULLWIDTH), raw.text)
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    if "．" in text:
        text = _FULLWIDTH_POINT.sub(".", text)

    deletions = _pass1(text)
    if raw.kind == "pdf":
        text0, runs0 = _delete(text, deletions)
        text1, runs_pdf = _delete(text0, _pdf_line_breaks(text0))
        runs1 = _compose(runs0, runs_pdf)
    else:
        text1, runs1 = _delete(text, deletions)
    del text
    cleaned, runs2 = _delete(text1, _pass2(text1))
    del text1
    return Document(cleaned, raw, OffsetMap.from_runs(_compose(runs1, runs2), len(raw.text)))
