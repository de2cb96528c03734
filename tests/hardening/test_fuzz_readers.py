"""Fuzzing the readers and cleaning: any bytes in → an ``InputError`` (or another ``LuoshiError``) or
a document whose offset map is sound. Never another exception, never a hang.

Inputs: arbitrary bytes; bytes behind each magic number the reader dispatches on; and valid report
files in every supported form (UTF-8 with/without BOM, GBK, GB18030, UTF-16 with/without BOM, PDF,
DOCX) mutated by truncation, bit flips, insertions, deletions and overwrites.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.devtools.fuzz import examples
from luoshi.devtools.invariants import check_document, check_raw
from luoshi.devtools.samples import samples
from luoshi.errors import LuoshiError
from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.ingest.read import read_bytes

MAX_BYTES = 2 * 1024 * 1024

MAGICS = [
    b"%PDF-1.7\n",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x89PNG\r\n\x1a\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"{\\rtf",
    b"\x1f\x8b",
    b"",
]


def read_and_check(data: bytes, name: str = "fuzz.bin") -> None:
    """The property: a LuoshiError with a one-line message, or a sound RawText and Document."""
    try:
        raw = read_bytes(data, name, max_bytes=MAX_BYTES)
    except LuoshiError as exc:
        assert exc.message and "\n" not in exc.message, repr(exc.message)
        assert exc.message.startswith(name), exc.message
        return
    check_raw(raw, data)
    check_document(clean(raw))


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after a few random edits; each edit is a typical way files get damaged."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "overwrite", "flip_tail"]))
        n = len(data)
        pos = draw(st.integers(0, max(n - 1, 0)))
        if op == "truncate":
            del data[pos:]
        elif op == "flip" and n:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "flip_tail" and n:  # ZIP central directory / PDF xref live at the end
            tail = max(n - draw(st.integers(1, min(n, 512))), 0)
            data[tail] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[pos : pos + len(chunk)] = chunk
    return bytes(data)


@settings(settings.get_profile("hardening"), max_examples=examples(300))
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data: bytes) -> None:
    read_and_check(data)


@settings(settings.get_profile("hardening"), max_examples=examples(300))
@given(st.sampled_from(MAGICS), st.binary(max_size=2048))
def test_bytes_behind_magic_numbers(magic: bytes, rest: bytes) -> None:
    read_and_check(magic + rest)


@settings(settings.get_profile("hardening"), max_examples=examples(150))
@given(st.text(max_size=300), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]))
def test_any_text_in_any_encoding(text: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:  # lone surrogates
        data = text.encode(codec, errors="replace")
    read_and_check(data, "fuzz.txt")


TEXT_FORMS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be-bom"]


@pytest.mark.parametrize("form", TEXT_FORMS)
@settings(settings.get_profile("hardening"), max_examples=examples(40))
@given(data=st.data())
def test_mutated_text_files(form: str, data: st.DataObject) -> None:
    read_and_check(data.draw(mutated(samples()[form])), f"report-{form}.txt")


@pytest.mark.parametrize("form", ["pdf", "docx"])
@settings(settings.get_profile("hardening"), max_examples=examples(60))
@given(data=st.data())
def test_mutated_binary_files(form: str, data: st.DataObject) -> None:
    read_and_check(data.draw(mutated(samples()[form])), f"report.{form}")


@pytest.mark.parametrize("form", sorted(samples()))
def test_valid_samples_read(form: str) -> None:
    """The unmutated files are read (so the mutations start from something that works)."""
    data = samples()[form]
    raw = read_bytes(data, f"report.{form}")
    check_raw(raw, data)
    doc = clean(raw)
    check_document(doc)
    assert "生产总值" in doc.text


# Characters cleaning treats specially, mixed with ordinary report text.
CLEANING_ALPHABET = st.sampled_from(
    list("增长生产总值。，；：！？（）“”、")
    + list("0123456789.%")
    + list("０１９．％ＡＺａｚ")
    + [" ", "\t", "\n", "\r", "\r\n", "\f", "\v", "\x00", "\x1b", "\x7f"]
    + ["\u3000", "\u00a0", "\u2002", "\u2009", "\u202f", "\u2028", "\u2029"]
    + ["\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff"]
    + ["— 3 —", "—— 12 ——", "- 7 -", "–\t9\t–", "—", "－"]
    + ["Made in China", "GDP (2023)", "1 000"]
)


@settings(settings.get_profile("hardening"), max_examples=examples(300))
@given(
    st.one_of(st.lists(CLEANING_ALPHABET, max_size=80).map("".join), st.text(max_size=200)),
    st.sampled_from(["txt", "pdf", "docx"]),
)
def test_cleaning_keeps_the_offset_map_sound(text: str, kind: str) -> None:
    raw = RawText(text=text, path="fuzz", sha256="0" * 64, kind=kind, encoding=None if kind != "txt" else "utf-8",
                  size=len(text.encode("utf-8", "surrogatepass")))
    doc = clean(raw)
    check_document(doc)
    assert raw.text == text  # the raw text is left untouched
