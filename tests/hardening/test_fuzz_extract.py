"""Fuzzing extraction: report-like text in any arrangement → an ``Extraction`` whose every span,
quote and reference is valid (or a ``LuoshiError``), never another exception.

The generator recombines real sentences of the seed report with fragments made of the things the
extractor keys on — verbs, numbers in Arabic and Chinese numerals, units, qualifiers, headings,
page footers, stray whitespace — so the rules fire on inputs nobody wrote a test for.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from luoshi.devtools.fuzz import examples
from luoshi.devtools.invariants import check_document, check_extraction
from luoshi.devtools.samples import reports_dir, samples, seed_text
from luoshi.errors import LuoshiError
from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.ingest.read import read_bytes
from luoshi.pipeline import extract_document, extract_path

SENTENCES = [s for s in re.split(r"(?<=[。；！？：])", seed_text()) if s.strip()]

VERBS = ["增长", "达到", "新增", "突破", "控制在", "下降", "提高到", "完成", "建成", "开工", "实现", "保持", "均增长",
         "分别控制在", "超过", "力争", "确保", "争取", "累计", "同比增长"]
UNITS = ["%", "％", "个百分点", "万人", "亿元", "万元", "家", "个", "公里", "万千瓦", "微克/立方米", "每立方米",
         "万吨", "平方米", "处", "条", "所", "倍", "项", "万户", "岁", "天", "年", "月"]
QUALIFIERS = ["左右", "以上", "以下", "以内", "之间", "", "", ""]
NUMBERS = st.one_of(
    st.integers(0, 10**9).map(str),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False).map(str),
    st.sampled_from(["一", "两", "三", "十", "十二", "二十三", "一百", "三千", "半", "5—6", "5-6", "2.5—3",
                     "1,200", "1 200", "0.5", ".5", "5.", "１２", "１２．５", "5%—6%", "负2", "-3", "1e5", "∞"]),
)
HEADINGS = ["一、", "二、", "（一）", "（十二）", "1.", "2．", "第一，", "一是", "二是", "今年", "2024年", "2023年",
            "主要预期目标是：", "主要预期目标为：", "2024年工作安排", "一、2023年工作回顾", "政府工作报告"]
NOISE = ["— 3 —", "\n", "\n\n", " ", "\t", "\u3000", "\r\n", "“", "”", "、", "，", "。", "；", "（", "）", "：",
         "\u200b", "\ufeff", "PM2.5", "5G", "12345", "“8010”", "“6+3”", "省道103", "第十四届", "三年行动", "过500万元"]


@st.composite
def fragment(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(HEADINGS)))
    parts.append(draw(st.text(alphabet="规上工业企业生产总值城镇新增就业居民收入粮食产量投资", max_size=6)))
    parts.append(draw(st.sampled_from(VERBS)))
    parts.append(draw(NUMBERS))
    parts.append(draw(st.sampled_from(UNITS)))
    parts.append(draw(st.sampled_from(QUALIFIERS)))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(NOISE)))
    parts.append(draw(st.sampled_from(["。", "；", "，", "", "\n"])))
    return "".join(parts)


@st.composite
def damaged_sentence(draw: st.DrawFn) -> str:
    s = draw(st.sampled_from(SENTENCES))
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(s)))
        if draw(st.booleans()):
            s = s[:pos] + draw(st.one_of(st.sampled_from(NOISE), st.text(max_size=3))) + s[pos:]
        else:
            s = s[:pos] + s[pos + draw(st.integers(1, 8)) :]
    return s


BLOCKS = st.lists(
    st.one_of(st.sampled_from(SENTENCES), fragment(), damaged_sentence(), st.sampled_from(HEADINGS + NOISE)),
    max_size=12,
).map("".join)


@st.composite
def report_text(draw: st.DrawFn) -> str:
    """Blocks under the review and plan part headings (each heading sometimes missing or damaged)."""
    review = draw(st.sampled_from(["一、2023年工作回顾\n", "一、过去一年工作回顾", "", "一、"]))
    plan = draw(st.sampled_from(["\n二、2024年工作安排\n", "二、今年工作安排", "", "\n二、2024年\n"]))
    closing = draw(st.sampled_from(["", "\n三、加强政府自身建设\n各位代表！"]))
    return review + draw(BLOCKS) + plan + draw(BLOCKS) + closing + draw(BLOCKS)


REPORT_TEXT = report_text()


def extract_and_check(raw: RawText, *, government: str | None, year: int | None) -> None:
    doc = clean(raw)
    check_document(doc)
    try:
        ex = extract_document(doc, government=government, year=year, with_text=True)
    except LuoshiError:
        return
    check_extraction(doc, ex)
    assert ex.cleaned_text == doc.text
    event(f"found targets: {bool(ex.targets)}, tasks: {bool(ex.tasks)}, sections: {bool(ex.sections)}")


@settings(settings.get_profile("hardening"), max_examples=examples(250))
@given(REPORT_TEXT, st.sampled_from([None, 2024, 2019, 1999]), st.sampled_from([None, "枣庄市", "国务院"]),
       st.sampled_from(["txt", "pdf", "docx"]))
def test_report_like_text(text: str, year: int | None, government: str | None, kind: str) -> None:
    raw = RawText(text=text, path="fuzz", sha256="0" * 64, kind=kind, encoding="utf-8" if kind == "txt" else None,
                  size=len(text.encode("utf-8", "surrogatepass")))
    extract_and_check(raw, government=government, year=year)


@settings(settings.get_profile("hardening"), max_examples=examples(100))
@given(st.text(max_size=400), st.sampled_from([None, 2024]))
def test_arbitrary_text(text: str, year: int | None) -> None:
    raw = RawText(text=text, path="fuzz", sha256="0" * 64, kind="txt", encoding="utf-8",
                  size=len(text.encode("utf-8", "surrogatepass")))
    extract_and_check(raw, government=None, year=year)


@settings(settings.get_profile("hardening"), max_examples=examples(40))
@given(st.sampled_from(sorted(samples())), st.integers(0, 10**6), st.binary(min_size=1, max_size=8))
def test_damaged_files_end_to_end(form: str, where: int, junk: bytes) -> None:
    """Read → clean → extract on a valid file with junk spliced in: an error or a sound extraction."""
    data = samples()[form]
    pos = where % len(data)
    damaged = data[:pos] + junk + data[pos + len(junk) :]
    try:
        raw = read_bytes(damaged, f"report.{form}")
    except LuoshiError:
        return
    extract_and_check(raw, government=None, year=2024)


@pytest.mark.parametrize("name", ["zaozhuang-2024.txt", "national-2019.txt", "national-2023.txt"])
def test_real_reports_keep_every_promise(name: str) -> None:
    """The full invariant check on real reports (the gold tests check quality; this checks the contract)."""
    from luoshi.ingest.read import load

    path = reports_dir() / name
    doc = load(path)
    check_document(doc)
    ex = extract_path(path, with_text=True)
    check_extraction(doc, ex)
    assert ex.targets and ex.tasks
    # every span maps back into the input bytes, and the bytes decode to the raw slice
    data = path.read_bytes()
    for t in ex.targets[:50]:
        bs, be = doc.byte_span(t.start, t.end)
        assert data[bs:be].decode(doc.raw.encoding) == doc.raw_slice(t.start, t.end)
