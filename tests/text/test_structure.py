"""The structure pass on the shared reports and on small texts for each heading form."""

from __future__ import annotations

import pytest

from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.ingest.read import load
from luoshi.paths import reports_dir
from luoshi.text.structure import parse

REPORTS = reports_dir()


def doc_of(text: str):
    return clean(RawText(text=text, path="<test>", sha256="0" * 64, kind="txt", encoding="utf-8"))


@pytest.fixture(scope="module")
def seed():
    doc = load(REPORTS / "zaozhuang-2024.txt")
    return doc, parse(doc)


def test_seed_parts_and_roles(seed) -> None:
    doc, outline = seed
    parts = [s for s in outline.sections if s.level == 1]
    assert [(p.id, p.title, p.role) for p in parts] == [
        ("1", "2023年工作回顾", "review"),
        ("2", "2024年工作安排", "plan"),
        ("3", "加强政府自身建设", "plan"),
    ]
    assert doc.text[parts[1].start : parts[1].title_end] == "二、2024年工作安排"
    assert parts[0].end == parts[1].start and parts[-1].end == len(doc.text)
    # the preamble belongs to no part
    assert outline.role_at(10) == "other"


def test_seed_areas_under_part_two(seed) -> None:
    _, outline = seed
    areas = [s for s in outline.sections if s.level == 2 and s.parent == "2"]
    assert [a.id for a in areas] == [f"2.{i}" for i in range(1, 9)]
    assert areas[0].title == "聚力加快产业升级，夯实高质量发展支撑"
    assert areas[7].title == "聚力防控风险挑战，筑牢高标准安全屏障"
    assert all(a.role == "plan" for a in areas)
    items = [s for s in outline.sections if s.parent == "2.1"]
    assert [i.title for i in items] == [
        "梯次培育助企登高",
        "建圈强链壮大集群",
        "蓄势赋能建强园区",
        "数实融合催生活力",
    ]
    review_items = [s for s in outline.sections if s.parent == "1"]
    assert review_items[0].title == "综合实力稳步提升" and review_items[0].level == 3


def test_seed_report_facts(seed) -> None:
    doc, outline = seed
    assert outline.government == "枣庄市"
    assert outline.year == 2024
    assert outline.title == "2024年枣庄市政府工作报告"
    s, e = outline.headline_span
    headline = doc.text[s:e]
    assert headline.startswith("2024年全市经济社会发展主要预期目标为：生产总值增长5.5%左右")
    assert headline.endswith("。")


def test_seed_sentences(seed) -> None:
    doc, outline = seed
    texts = [doc.text[s.start : s.end] for s in outline.sentences]
    assert "一是梯次培育助企登高。" in texts
    assert "二、2024年工作安排" in texts  # the inline heading is its own sentence
    # every sentence has its innermost section
    by_text = {doc.text[s.start : s.end]: s for s in outline.sentences}
    assert by_text["一是梯次培育助企登高。"].section == "2.1.1"
    # sentences are ordered, disjoint and never cross a section start
    starts = {s.start for s in outline.sections}
    for a, b in zip(outline.sentences, outline.sentences[1:], strict=False):
        assert a.end <= b.start
    for sent in outline.sentences:
        assert not any(sent.start < x < sent.end for x in starts)


@pytest.mark.parametrize(
    ("name", "year", "review", "plan"),
    [
        (
            "national-2019.txt",
            2019,
            "2018年工作回顾",
            ["2019年经济社会发展总体要求和政策取向", "2019年政府工作任务"],
        ),
        ("national-2020.txt", 2020, "2019年和今年以来工作回顾", ["今年发展主要目标和下一阶段工作总体部署"]),
        ("national-2021.txt", 2021, "2020年工作回顾", ["2021年重点工作"]),
        (
            "national-2022.txt",
            2022,
            "2021年工作回顾",
            ["2022年经济社会发展总体要求和政策取向", "2022年政府工作任务"],
        ),
        ("national-2023.txt", 2023, "过去一年和五年工作回顾", ["对今年政府工作的建议"]),
    ],
)
def test_national_reports(name: str, year: int, review: str, plan: list[str]) -> None:
    doc = load(REPORTS / name)
    outline = parse(doc)
    parts = [s for s in outline.sections if s.level == 1]
    assert [p.title for p in parts if p.role == "review"] == [review]
    assert [p.title for p in parts if p.role == "plan"][: len(plan)] == plan
    assert outline.year == year
    assert outline.government == "国务院"
    assert outline.headline_span is not None


def test_national_2021_five_year_part_is_five_year() -> None:
    outline = parse(load(REPORTS / "national-2021.txt"))
    part2 = outline.section("2")
    assert part2 is not None and part2.role == "five_year"
    assert outline.role_at(part2.title_end + 10) == "five_year"


def test_national_2020_later_parts_follow_plan() -> None:
    outline = parse(load(REPORTS / "national-2020.txt"))
    assert [p.role for p in outline.sections if p.level == 1] == ["review"] + ["plan"] * 7


def test_line_headings_and_arabic_items() -> None:
    text = (
        "各位代表：\n现在，我代表县人民政府向大会报告工作。\n一、2023年工作回顾\n一年来，成绩很大。\n"
        "二、2024年工作安排\n（一）抓产业。\n1.建设园区。开工建设甲项目。\n2.培育企业。新增企业10家。\n"
        "（二）抓民生。\n（1）办好学校。\n（2）办好医院。\n"
    )
    outline = parse(doc_of(text), government="某某县")
    got = [(s.id, s.level, s.title, s.role) for s in outline.sections]
    assert got == [
        ("1", 1, "2023年工作回顾", "review"),
        ("2", 1, "2024年工作安排", "plan"),
        ("2.1", 2, "抓产业", "plan"),
        ("2.1.1", 3, "建设园区", "plan"),
        ("2.1.2", 3, "培育企业", "plan"),
        ("2.2", 2, "抓民生", "plan"),
        ("2.2.1", 3, "办好学校", "plan"),
        ("2.2.2", 3, "办好医院", "plan"),
    ]
    assert outline.year == 2024 and outline.government == "某某县"


def test_inline_headings_need_a_sequence() -> None:
    # 一、 inside a run of text counts only when 二、 follows; 一是 without 二是 is no heading
    text = "我们提出三点要求。一是要实干。今年任务很重。"
    outline = parse(doc_of(text), year=2024)
    assert outline.sections == []
    assert outline.year == 2024
    text2 = "开场白。一、回顾去年工作回顾过去一年，我们做了很多。二、今年工作安排今年要做的事。"
    outline2 = parse(doc_of(text2))
    assert [(s.title, s.role) for s in outline2.sections] == [
        ("回顾去年工作回顾", "review"),
        ("今年工作安排", "plan"),
    ]


def test_quotes_are_not_split() -> None:
    text = "提出“要干。要快”的要求。他说：“要干！”我们照办。"
    outline = parse(doc_of(text))
    d = doc_of(text).text
    # no split inside “…”; a sentence end closing a quote ends the sentence
    assert [d[s.start : s.end] for s in outline.sentences] == [
        "提出“要干。要快”的要求。",
        "他说：“要干！”",
        "我们照办。",
    ]


def test_year_from_review_title_and_overrides() -> None:
    text = "一、2022年工作回顾\n做了很多。\n二、主要任务\n（一）抓产业。\n（二）抓民生。\n"
    outline = parse(doc_of(text))
    assert outline.year == 2023
    assert parse(doc_of(text), year=2030).year == 2030


@pytest.mark.parametrize("name", ["zaozhuang-2024.txt", "national-2023.txt"])
def test_sentences_with_role_agree_with_role_at(name: str) -> None:
    outline = parse(load(REPORTS / name))
    for role in ("review", "plan", "other"):
        expected = [s for s in outline.sentences if outline.role_at(s.start) == role]
        assert outline.sentences_with_role(role) == expected
        assert expected or role == "other"
