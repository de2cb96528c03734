"""Parts, roles and the headline block on dev reports of each layout (the plan year is given, as the
identity pass finds it, so these check structure only)."""

from __future__ import annotations

import pytest

from luoshi.ingest.read import load
from luoshi.paths import reports_dir
from luoshi.text.structure import parse

DEV = reports_dir() / "dev"

CASES = [
    # unnumbered part lines, numbered 一、 areas below each (the numbering restarts)
    (
        "德阳-2024.txt",
        2024,
        [("2023年工作回顾", "review"), ("2024年主要工作", "plan")],
        "全市经济社会发展主要预期目标是：",
        "护和节能减排完成国省下达任务。",
    ),
    # one-line Word text with unnumbered titles run into the body
    (
        "泸州-2024.docx",
        2024,
        [("2023年工作回顾", "review"), ("2024年工作安排建议", "plan"), ("切实加强政府自身建设", "plan")],
        "综合各方面因素，建议2024年全市经济社会发展的主要预期目标",
        "粮食产量稳定在238万吨以上。",
    ),
    # a web page: clutter before the title, a five-year review and a 十五五 part before the year's work
    (
        "gansu-2026.txt",
        2026,
        [("“十四五”时期工作回顾", "five_year"), ("“十五五”时期的主要目标任务", "five_year"), ("2026年重点工作", "plan")],
        "经济社会发展的主要预期目标是：地区生产总值增长5.5%左右",
        "束性指标完成国家下达控制目标。",
    ),
    # unnumbered part lines in a Word file, a glossary after the report
    (
        "sichuan-2025.docx",
        2025,
        [
            ("2024年工作回顾", "review"),
            ("2025年工作安排建议", "plan"),
            ("加强政府自身建设", "plan"),
            ("名词解释", "other"),
        ],
        "今年发展主要预期目标是：地区生产总值增长5.5%以上；",
        "达的节能减排和环境保护等任务。",
    ),
    # the review part's areas are unnumbered lines with commas: they stay areas
    (
        "遂宁-2024.txt",
        2024,
        [("2023年工作回顾", "review"), ("2024年总体目标和重点任务", "plan"), ("加强政府自身建设", "plan")],
        "全市经济社会发展主要预期目标是：地区生产总值增长7%左右",
        "城镇新增就业人数3.1万人。",
    ),
]


@pytest.mark.parametrize(("name", "year", "parts", "head", "tail"), CASES, ids=[c[0] for c in CASES])
def test_parts_roles_and_headline(name: str, year: int, parts: list, head: str, tail: str) -> None:
    doc = load(DEV / name)
    outline = parse(doc, year=year)
    assert [(s.title, s.role) for s in outline.sections if s.level == 1] == parts
    s, e = outline.headline_span
    block = doc.text[s:e]
    assert block.startswith(head) and block.endswith(tail)


@pytest.mark.parametrize(
    ("name", "year", "phrase", "role"),
    [
        # last year's paragraph inside the five-year review, and the five-year material around it
        ("gansu-2026.txt", 2026, "刚刚过去的2025年", "review"),
        ("gansu-2026.txt", 2026, "全省地区生产总值达到13697.5亿元", "five_year"),
        ("gansu-2026.txt", 2026, "“十五五”时期，要努力实现以下目标任务", "five_year"),
        # a part titled for two time frames: its paragraphs say which
        ("guizhou-2026.txt", 2026, "城镇新增就业62.6万人", "review"),
        ("guizhou-2026.txt", 2026, "2025年主要目标任务的完成", "five_year"),
        ("hainan-2026.txt", 2026, "这一年，我们感恩奋进", "review"),
        ("hainan-2026.txt", 2026, "五年来，我们坚定不移贯彻新发展理念", "five_year"),
    ],
)
def test_paragraph_roles(name: str, year: int, phrase: str, role: str) -> None:
    doc = load(DEV / name)
    outline = parse(doc, year=year)
    assert outline.role_at(doc.text.index(phrase)) == role
