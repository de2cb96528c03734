"""Decoding a text file whose encoding nobody wrote down.

Reports arrive as UTF-8 (with or without BOM), as GBK/GB18030 saved by older Windows tools, and
now and then as UTF-16 from Word's "Unicode text" export. The codec chosen here is also what maps
a character offset back to a byte offset in the file (``RawText.byte_offset``), so it must be the
exact codec, and the byte-order mark must be counted rather than decoded.

Decisions are made by strict decoding plus a plausibility score (share of characters a Chinese
report is made of), never by the file extension and never with ``errors="replace"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from luoshi.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Characters no report contains: C0/C1 controls other than tab/newline/CR/FF/VT, DEL, the
# replacement character, surrogates, private use and non-characters.
_BAD = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff\ud800-\udfff\ue000-\uf8ff]")
# What a Chinese report is made of: CJK ideographs, CJK and full-width punctuation, ASCII, spaces.
_PLAUSIBLE = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\u2000-\u206f\x09-\x0d\x20-\x7e\u00b7\u00d7\u2160-\u217f\u2460-\u24ff\u00a0]"
)
_COMMON_NON_HANZI = re.compile("[\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e]")
# Texts longer than this are judged on their beginning.
_SAMPLE = 20_000

# A decoded text may have at most this share of implausible characters.
_MAX_BAD_SHARE = 0.005
# UTF-16 without BOM is accepted only when it reads like a report.
_MIN_UTF16_PLAUSIBLE = 0.97
_MIN_UTF16_NUL_PLAUSIBLE = 0.9


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name that re-encodes ``text`` to the same bytes
    bom: int  # byte length of the skipped byte-order mark


def _bad_share(text: str) -> float:
    if not text:
        return 0.0
    return len(_BAD.findall(text)) / len(text)


def _plausible_share(text: str) -> float:
    if not text:
        return 1.0
    return len(_PLAUSIBLE.findall(text)) / len(text)


@cache
def _common_hanzi() -> frozenset[str]:
    """The 3755 level-1 characters of GB 2312: the everyday hanzi, by construction of the standard."""
    chars = bytes(b for lead in range(0xB0, 0xD8) for trail in range(0xA1, 0xFF) for b in (lead, trail))
    return frozenset(chars.decode("gb2312", errors="ignore"))


def _commonness(text: str) -> float:
    """Share of non-space characters that are everyday hanzi, ASCII or common punctuation.

    A text decoded with the wrong codec turns into rare or traditional characters (UTF-8 ``增长``
    read as GBK is ``澧為暱``), which this separates from the right reading.
    """
    sample = "".join(text[:_SAMPLE].split())
    if not sample:
        return 1.0
    common = _common_hanzi()
    hanzi = sum(1 for ch in sample if ch in common)
    return (hanzi + len(_COMMON_NON_HANZI.findall(sample))) / len(sample)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf16(data: bytes, min_plausible: float) -> Decoded | None:
    """Read ``data`` as BOM-less UTF-16 if one byte order gives a text that reads like a report."""
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if text is None or "\x00" in text or _bad_share(text) > _MAX_BAD_SHARE:
            continue
        share = _plausible_share(text)
        if share >= min_plausible and (best is None or share > best[0]):
            best = (share, codec, text)
    return None if best is None else Decoded(best[2], best[1], 0)


def _not_text(name: str) -> InputError:
    return InputError(
        f"{name}: not a text file in a supported encoding (UTF-8, GB18030/GBK, UTF-16) and not a "
        "PDF or Word document; it looks binary — convert it to .txt, .pdf or .docx"
    )


def decode(data: bytes, name: str) -> Decoded:
    """Decode ``data`` (a text file's bytes) or raise ``InputError`` naming ``name``."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], codec)
            if text is None or _bad_share(text) > _MAX_BAD_SHARE or "\x00" in text:
                raise InputError(
                    f"{name}: starts with a {codec.upper()} byte-order mark but does not decode as "
                    f"{codec.upper()}; re-save it as UTF-8"
                )
            return Decoded(text, codec, len(bom))

    if b"\x00" in data:
        # NUL bytes: UTF-16 without BOM (ASCII is ``xx 00`` there), or binary.
        decoded = _utf16(data, _MIN_UTF16_NUL_PLAUSIBLE)
        if decoded is None:
            raise _not_text(name)
        return decoded

    utf8 = _strict(data, "utf-8")
    if utf8 is not None and utf8.isascii():
        if _bad_share(utf8) > _MAX_BAD_SHARE:
            raise _not_text(name)
        return Decoded(utf8, "utf-8", 0)

    gb_codec = "gbk"
    gb = _strict(data, "gbk")
    if gb is None:
        gb_codec = "gb18030"
        gb = _strict(data, "gb18030")

    if utf8 is not None and gb is None:
        if _bad_share(utf8) > _MAX_BAD_SHARE:
            raise _not_text(name)
        return Decoded(utf8, "utf-8", 0)
    if gb is not None and utf8 is None:
        if _bad_share(gb) > _MAX_BAD_SHARE:
            raise _not_text(name)
        return Decoded(gb, gb_codec, 0)
    if utf8 is not None and gb is not None:
        # Both decode (short texts can): keep the reading made of everyday characters.
        scored = [
            (_commonness(text), -rank, codec, text)
            for rank, (text, codec) in enumerate(((utf8, "utf-8"), (gb, gb_codec)))
            if _bad_share(text) <= _MAX_BAD_SHARE
        ]
        if scored:
            _, _, codec, text = max(scored)
            return Decoded(text, codec, 0)
        raise _not_text(name)

    # Last resort: UTF-16 without BOM and without ASCII (pure Chinese text has no NUL bytes).
    decoded = _utf16(data, _MIN_UTF16_PLAUSIBLE)
    if decoded is None:
        raise _not_text(name)
    return decoded
