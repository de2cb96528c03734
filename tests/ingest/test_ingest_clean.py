"""Cleaning: each rule, the seed report, and properties of the offset map on random texts."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.ingest.clean import clean
from luoshi.ingest.document import Document, RawText


def _doc(text: str) -> Document:
    return clean(RawText(text=text, path="t.txt", sha256="", kind="txt", encoding="utf-8"))


def _c(text: str) -> str:
    return _doc(text).text


# --- one test per rule ----------------------------------------------------------------------------


def test_footer_mid_word() -> None:
    assert _c("一 — 1 — 般公共预算收入") == "一般公共预算收入"
    assert _c("资促 — 9 — 稳") == "资促稳"
    assert _c("体就 -- 18 -- 业") == "体就业"
    assert _c("化、 — 10 — 加快") == "化、加快"


def test_footer_on_its_own_line() -> None:
    assert _c("上一页\n— 12 —\n下一页") == "上一页\n\n下一页"


def test_footer_between_latin_words_keeps_one_space() -> None:
    assert _c("Made — 3 — in China") == "Made in China"


def test_not_a_footer() -> None:
    assert _c("培育2—3个特色产业") == "培育2—3个特色产业"
    assert _c("2024—2026年") == "2024—2026年"


def test_line_break_spaces_between_chinese() -> None:
    assert _c("在全市深 入开展") == "在全市深入开展"
    assert _c("并 请各位") == "并请各位"


def test_space_between_number_and_chinese() -> None:
    assert _c("2023 年") == "2023年"
    assert _c("139.01 亿元") == "139.01亿元"
    assert _c("增长 7.2%，") == "增长7.2%，"


def test_latin_spaces_kept_and_collapsed() -> None:
    assert _c("Made in China") == "Made in China"
    assert _c("Made   in  China") == "Made in China"
    assert _c("1 000") == "1 000"


def test_spaces_at_line_ends_and_indent() -> None:
    assert _c("  首行\n次行  \n\u3000\u3000第三行") == "首行\n次行\n第三行"


def test_tab_between_cells_kept_once() -> None:
    assert _c("地区生产总值\t\t增长5.5%左右") == "地区生产总值\t增长5.5%左右"
    assert _c("\t指标\t") == "指标"


def test_line_endings() -> None:
    assert _c("甲\r\n乙\r丙\u2028丁") == "甲\n乙\n丙\n丁"


def test_invisible_junk() -> None:
    assert _c("一\u200b般\ufeff公\u00ad共\f预\x07算") == "一般公共预算"


def test_fullwidth() -> None:
    assert _c("增长１２．５％") == "增长12.5%"
    assert _c("ＧＤＰ") == "GDP"
    assert _c("第一．二") == "第一．二"  # a full-width point not between digits is punctuation


def test_raw_untouched_and_map_end() -> None:
    doc = _doc(" 一 — 1 — 般 ")
    assert doc.raw.text == " 一 — 1 — 般 "
    assert doc.offsets.origin[-1] == len(doc.raw.text)
    assert doc.raw_slice(0, 2) == "一 — 1 — 般"


# --- the seed report ------------------------------------------------------------------------------


def test_seed(seed_text: str) -> None:
    doc = _doc(seed_text)
    text = doc.text
    assert "一般公共预算收入" in text
    assert "2023年是枣庄发展史上" in text
    assert "139.01亿元" in text
    assert not re.search(r"[—-]\s*\d+\s*[—-]", text)
    assert "  " not in text and not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text)
    _check_map(doc)


def test_seed_keeps_latin_spaces(seed_text: str) -> None:
    doc = _doc(seed_text[:500] + " Made in China " + seed_text[500:])
    assert "Made in China" in doc.text


# --- properties -----------------------------------------------------------------------------------


def _normalised(raw_char: str, cleaned_char: str) -> bool:
    """``cleaned_char`` is ``raw_char`` or its normalisation (NFKC, or a line break for CR/LS/PS)."""
    if raw_char == cleaned_char:
        return True
    if raw_char in "\r\u2028\u2029":
        return cleaned_char == "\n"
    return unicodedata.normalize("NFKC", raw_char) == cleaned_char


def _check_map(doc: Document) -> None:
    raw, text, origin = doc.raw.text, doc.text, doc.offsets.origin
    assert len(origin) == len(text) + 1 and origin[-1] == len(raw)
    assert all(a < b for a, b in pairwise(origin))  # strictly increasing
    kept = set(origin[:-1])
    for i, ch in enumerate(text):
        assert _normalised(raw[origin[i]], ch), (i, raw[origin[i]], ch)
    # any span: the raw characters it came from, minus the deleted ones and normalised, are it
    step = max(1, len(text) // 50)
    for s in range(0, len(text), step):
        for e in (s + 1, s + 7, len(text)):
            if e > len(text):
                continue
            rs, re_ = doc.raw_span(s, e)
            survivors = [raw[j] for j in range(rs, re_) if j in kept]
            assert len(survivors) == e - s
            assert all(_normalised(r, c) for r, c in zip(survivors, text[s:e], strict=True))


_pieces = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6),
    st.text(alphabet="0123456789.%", min_size=1, max_size=5),
    st.text(alphabet="abcXYZ", min_size=1, max_size=5),
    st.sampled_from([" ", "  ", "\n", "\t", "\u3000", "\u00a0", "\r\n", "\r", "\u200b", "\f"]),
    st.text(alphabet="０１２３４５６７８９ＡＢａｂ％．，。、", min_size=1, max_size=4),
    st.integers(min_value=1, max_value=999).map(lambda n: f" — {n} — "),
    st.sampled_from(["—", "——", "-", "2—3", "Made in China"]),
)
_texts = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_offset_map_properties(text: str) -> None:
    doc = _doc(text)
    _check_map(doc)
    assert not re.search(r"[—-] \d{1,4} [—-]", doc.text)
    assert "\r" not in doc.text and "\u200b" not in doc.text and "\u3000" not in doc.text


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_cleaning_is_idempotent(text: str) -> None:
    once = _c(text)
    assert _c(once) == once


def test_pdf_line_breaks_inside_a_sentence_are_deleted() -> None:
    raw = RawText("一般公共预\n算收入增长7.2%。\n一、回顾\n2023年", "r.pdf", "0" * 64, "pdf")
    doc = clean(raw)
    assert doc.text == "一般公共预算收入增长7.2%。\n一、回顾2023年"
    start = doc.text.index("预算")
    assert doc.raw_slice(start, start + 2) == "预\n算"


def test_text_files_keep_their_line_breaks() -> None:
    raw = RawText("一、回顾\n2023年是", "r.txt", "0" * 64, "txt", "utf-8")
    assert clean(raw).text == "一、回顾\n2023年是"


def test_numbers_spaced_out_character_by_character_are_joined() -> None:
    raw = RawText(
        text="去年经济增长8 ．8 ％，部门从4 0 个减少到2 9 个，1 9 9 8年。人口1 000万。",
        path="<t>", sha256="0" * 64, kind="txt", encoding="utf-8",
    )
    assert clean(raw).text == "去年经济增长8.8%，部门从40个减少到29个，1998年。人口1 000万。"
