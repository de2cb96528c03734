"""Invariants every read, cleaned and extracted document must satisfy, whatever the input.

The fuzz tests (and ``bench/fuzz.py``) feed arbitrary bytes through the pipeline and call these on
every result; each check raises ``AssertionError`` with a message saying which promise broke.
The promises are the ones DESIGN.md makes: offsets refer to the cleaned text, quotes are exact
substrings, and the offset map takes every span back into the raw text (and, for text files, into
the input bytes).
"""

from __future__ import annotations

import datetime as dt
import re

from luoshi.extract.model import Extraction
from luoshi.ingest.document import Document, RawText

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# what cleaning may turn a raw character into (besides itself)
_WIDE_POINT = "．"
_NEWLINES = "\r\u2028\u2029"


def _fullwidth_ascii(ch: str) -> str | None:
    code = ord(ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)
    if ch == "％":
        return "%"
    if ch in "\u3000\u00a0\u2002\u2003\u2009\u202f":
        return " "
    return None


def check_raw(raw: RawText, data: bytes | None = None) -> None:
    """A decoded text file re-encodes with its codec to exactly the input bytes."""
    assert isinstance(raw.text, str)
    assert raw.kind in {"txt", "pdf", "docx"}, raw.kind
    if data is not None:
        assert raw.size == len(data), (raw.size, len(data))
    if raw.kind == "txt":
        assert raw.encoding is not None
        if data is not None:
            assert raw.text.encode(raw.encoding) == data[raw.bom :], "codec does not round-trip the input bytes"
            assert raw.byte_offset(len(raw.text)) == len(data)
        assert raw.byte_offset(0) == raw.bom


def check_document(doc: Document) -> None:
    """The offset map is total, strictly increasing, in range, and maps each character to its source."""
    raw = doc.raw.text
    text = doc.text
    origin = doc.offsets.origin
    assert len(origin) == len(text) + 1, (len(origin), len(text))
    assert origin[-1] == len(raw)
    prev = -1
    for i, o in enumerate(origin[:-1]):
        assert prev < o < len(raw), f"origin[{i}]={o} (previous {prev}, raw length {len(raw)})"
        prev = o
        c, r = text[i], raw[o]
        if c != r:
            allowed = {_fullwidth_ascii(r)}
            if r == _WIDE_POINT:
                allowed.add(".")
            if r in _NEWLINES:
                allowed.add("\n")
            assert c in allowed, f"cleaned {c!r} at {i} came from raw {r!r} at {o}"
    n = len(text)
    for s, e in {(0, 0), (0, n), (n, n), (n // 3, n // 2), (max(n - 1, 0), n)}:
        rs, re_ = doc.raw_span(s, e)
        assert 0 <= rs <= re_ <= len(raw), (s, e, rs, re_)
        if doc.raw.kind == "txt":
            span = doc.byte_span(s, e)
            assert span is not None
            assert 0 <= span[0] <= span[1] <= doc.raw.size


def _check_span(doc: Document, what: str, start: int, end: int) -> None:
    n = len(doc.text)
    assert isinstance(start, int) and isinstance(end, int), (what, start, end)
    assert 0 <= start <= end <= n, f"{what}: span {start}:{end} outside 0:{n}"
    rs, re_ = doc.raw_span(start, end)
    assert 0 <= rs <= re_ <= len(doc.raw.text), f"{what}: raw span {rs}:{re_}"


def _check_date(what: str, value: str | None) -> None:
    if value is not None:
        assert _ISO_DATE.match(value), (what, value)
        dt.date.fromisoformat(value)


def check_extraction(doc: Document, ex: Extraction) -> None:
    """Every span is valid, every quote is exact, ids are unique and references resolve."""
    text = doc.text
    section_ids = set()
    for s in ex.sections:
        _check_span(doc, f"section {s['id']}", s["start"], s["end"])
        assert s["id"] not in section_ids, f"duplicate section id {s['id']}"
        section_ids.add(s["id"])
    for s in ex.sections:
        assert s["parent"] is None or s["parent"] in section_ids, f"section {s['id']} parent {s['parent']}"
    target_ids = set()
    for t in ex.targets:
        _check_span(doc, f"target {t.id}", t.start, t.end)
        assert t.quote == text[t.start : t.end], f"target {t.id}: quote {t.quote!r} != text[{t.start}:{t.end}]"
        assert t.id not in target_ids
        target_ids.add(t.id)
        assert t.section is None or t.section in section_ids, (t.id, t.section)
        assert t.comparator in {">=", "<=", "~", "="}, (t.id, t.comparator)
        _check_date(f"target {t.id}", t.deadline)
    actual_ids = set()
    for a in ex.actuals:
        _check_span(doc, f"actual {a.id}", a.start, a.end)
        assert a.quote == text[a.start : a.end], f"actual {a.id}: quote {a.quote!r} != text[{a.start}:{a.end}]"
        assert a.id not in actual_ids
        actual_ids.add(a.id)
        assert a.section is None or a.section in section_ids, (a.id, a.section)
    task_ids = set()
    for k in ex.tasks:
        _check_span(doc, f"task {k.id}", k.start, k.end)
        assert k.text == text[k.start : k.end], f"task {k.id}: text differs from text[{k.start}:{k.end}]"
        assert k.id not in task_ids
        task_ids.add(k.id)
        assert set(k.targets) <= target_ids, (k.id, k.targets)
        assert k.kind in {"quantified", "milestone", "measure"}, (k.id, k.kind)
        _check_date(f"task {k.id}", k.deadline)
    ex.to_dict(with_text=True)  # the JSON contract serialises
