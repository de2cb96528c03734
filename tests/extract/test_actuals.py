"""Actuals: last year's results stated in the review part."""

from __future__ import annotations

import pytest

from luoshi.extract.actuals import find_actuals
from luoshi.extract.model import Actual
from luoshi.ingest.clean import clean
from luoshi.ingest.read import read_bytes
from luoshi.text.structure import parse


def review(body: str, title: str = "2023年工作回顾") -> list[Actual]:
    text = (
        f"各位代表：现在，我代表市人民政府向大会报告工作。\n一、{title}\n{body}\n"
        "二、2024年工作安排\n2024年全市经济社会发展主要预期目标为：生产总值增长5.5%左右。\n"
    )
    doc = clean(read_bytes(text.encode("utf-8"), "report.txt"))
    actuals = find_actuals(doc, parse(doc))
    for a in actuals:
        assert doc.text[a.start : a.end] == a.quote
    return actuals


def test_growth_rates_and_year() -> None:
    acts = review("全市地区生产总值增长6.4%，一般公共预算收入增长7.2%。")
    assert [(a.indicator, a.metric, a.value, a.unit, a.year) for a in acts] == [
        ("全市地区生产总值", "增长", 6.4, "%", 2023),
        ("一般公共预算收入", "增长", 7.2, "%", 2023),
    ]
    assert [a.id for a in acts] == ["A001", "A002"]


def test_one_verb_several_values() -> None:
    acts = review("建设旅游公路11条、101公里。")
    assert [(a.indicator, a.value, a.unit) for a in acts] == [
        ("旅游公路", 11, "条"),
        ("旅游公路", 101, "公里"),
    ]


def test_jun_and_fenbie_in_review() -> None:
    acts = review(
        "国省控断面水质达标率、重点建设用地安全利用率均保持在100%，"
        "省级创新型中小企业、瞪羚企业分别达到679家、60家。"
    )
    assert [(a.indicator, a.value) for a in acts] == [
        ("国省控断面水质达标率", 100), ("重点建设用地安全利用率", 100), ("省级创新型中小企业", 679), ("瞪羚企业", 60),
    ]  # fmt: skip


def test_estimated_results_count() -> None:
    (a,) = review("预计全年外贸进出口增长16%。")
    assert (a.indicator, a.value) == ("外贸进出口", 16)


def test_honours_counted() -> None:
    acts = review("3家企业入选省“十强”产业集群领军企业，滕州市上榜综合实力等12个“全国百强县”名单。")
    assert [(a.value, a.unit, a.metric) for a in acts] == [(3, "家", "入选"), (12, "个", "上榜")]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("新老院区建设完工后床位将达到2500张。", []),
        ("连续6年提高城乡低保、特困人员供养保障标准，民生支出占比达到79.7%。", [79.7]),
        ("我市入选全国第三批“城市一刻钟便民生活圈”试点，成功举办2023枣庄国际锂电产业展览会。", []),
        ("实施500万元以上技改项目440个，其中10亿元及以上项目95个。", [440, 95]),
        ("启动实施总投资44亿元的城乡供水一体化工程。", []),
        ("高效运行12345政务服务热线，我市被列为“1131”突破工程之一。", []),
    ],
)
def test_not_actuals(sentence: str, expected: list[float]) -> None:
    assert [a.value for a in review(sentence)] == expected


def test_year_defaults_to_the_year_before_the_plan() -> None:
    (a,) = review("全市地区生产总值增长6.4%。", title="过去一年工作回顾")
    assert a.year == 2023


def test_people_counted_in_ten_thousands_with_their_verb() -> None:
    assert [
        (a.indicator, a.metric, a.value, a.unit) for a in review("3700多万学生受益。惠及500多万在校生。")
    ] == [
        ("学生", "受益", 3700, "万"),
        ("在校生", "惠及", 500, "万"),
    ]
    # a round magnitude in characters is no figure
    assert review("惠及近千万家庭。") == []


def test_ba_construction_is_not_a_future_statement() -> None:
    (a,) = review("将2.8万亿元中央财政资金纳入直达范围。")
    assert (a.indicator, a.metric, a.value, a.unit) == ("中央财政资金", "纳入", 2.8, "万亿元")


def test_value_followed_by_its_verb_after_a_list_item() -> None:
    ts = review("连续举办8届全国双创活动周、超过5.2亿人次参与。")
    assert [(a.value, a.unit) for a in ts] == [(5.2, "亿人次")]
    assert ts[0].indicator == "全国双创活动周" and ts[0].quote.endswith("5.2亿人次参与")
    assert [a.indicator for a in review("惠及2900多万家庭。")] == ["家庭"]


def test_a_year_since_which_is_kept_in_the_indicator() -> None:
    (a,) = review("2013年以来新增的涉税市场主体去年纳税达到4.76万亿元。")
    assert a.indicator.startswith("2013年以来新增的涉税市场主体")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("全年还有30万建档立卡贫困人口全部脱贫。", [("建档立卡贫困人口", "脱贫", 30, "万")]),
        (
            "8个贫困县全部摘帽，4个贫困村整体出列。",
            [("贫困县", "摘帽", 8, "个"), ("贫困村", "出列", 4, "个")],
        ),
        ("600多万考生顺利完成高考。", [("考生", "完成", 600, "万")]),
        ("12家企业实现上市。", [("企业", "实现", 12, "家")]),
        (
            "5个重点项目建成投产，3座水厂如期竣工。",
            [("重点项目", "建成", 5, "个"), ("水厂", "竣工", 3, "座")],
        ),
        ("全市18个乡镇通过省级验收。", [("乡镇", "通过", 18, "个")]),
        ("4个村先后入选省级美丽乡村。", [("村", "入选", 4, "个")]),
    ],
)
def test_counted_subject_with_a_result_predicate(sentence: str, expected: list[tuple]) -> None:
    """A count before its noun, the noun the subject of a result: the adverb is no part of the name."""
    acts = review(sentence)
    assert [(a.indicator, a.metric, a.value, a.unit) for a in acts] == expected
    for a in acts:
        assert a.quote.endswith(a.metric)


def test_result_word_heading_a_measure_is_no_predicate() -> None:
    """完成率 is a measure: the count before it only qualifies the rate that follows."""
    assert [(a.metric, a.value) for a in review("6个项目完成率达到90%。")] == [("达到", 90)]
    # a subject with no result predicate is not read: 20家企业参加展会 has no result
    assert review("20家企业参展。") == []


def test_review_before_the_first_numbered_part_carries_on() -> None:
    """Older reports number only the plan's areas: the review before them runs on through
    paragraphs that name no year (城乡人民生活继续改善。 and its figures)."""
    text = (
        "各位代表：\n现在，我代表国务院向大会作政府工作报告，请予审议。\n首先报告2001年的工作\n"
        "2001年，国民经济保持良好发展势头，国内生产总值达到95933亿元，比上年增长7.3%。\n"
        "城乡人民生活继续改善。\n城镇居民人均可支配收入实际增长8.5%。农民人均纯收入实际增长4.2%。\n"
        "2002年是非常重要的一年。今年工作的总体要求是：扩大内需，促进经济较快增长。\n"
        "一、扩大和培育内需，促进经济较快增长\n今年拟发行1500亿元长期建设国债，继续扩大投资需求。\n"
        "二、加快农业和农村经济发展\n要稳定粮食生产，努力增加农民收入。\n"
    )
    doc = clean(read_bytes(text.encode("utf-8"), "report.txt"))
    acts = find_actuals(doc, parse(doc))
    assert [(a.value, a.unit, a.year) for a in acts] == [
        (95933, "亿元", 2001), (7.3, "%", 2001), (8.5, "%", 2001), (4.2, "%", 2001),
    ]  # fmt: skip


def test_comparison_phrase_and_light_verb_leave_the_indicator() -> None:
    acts = review(
        "全年规模以上工业企业实现利润4657亿元。全国财政收入达到16371亿元，按可比口径增加2400亿元。"
        "年末国家外汇储备达到2122亿美元，比上年末增加466亿美元。"
    )
    assert [(a.indicator, a.value) for a in acts] == [
        ("规模以上工业企业利润", 4657), ("全国财政收入", 16371), ("全国财政收入", 2400),
        ("年末国家外汇储备", 2122), ("年末国家外汇储备", 466),
    ]  # fmt: skip


def test_tallies_of_indicators_and_cumulative_counts_are_not_results() -> None:
    acts = review(
        "预计20项主要经济指标中，15项增幅高于全省。累计创建绿色农产品供应基地39个，开行旅游专列10趟。"
        "累计减税降费34亿元。"
    )
    assert [(a.value, a.unit) for a in acts] == [(10, "趟"), (34, "亿元")]


def test_five_year_review_keeps_a_clause_that_names_last_year_alone() -> None:
    from luoshi.ingest.clean import clean
    from luoshi.ingest.document import RawText
    from luoshi.pipeline import extract_document

    text = (
        "各位代表：\n一、“六五”计划执行情况的回顾\n"
        "五年来，国民经济持续增长。财政收入一九八三年增加一百亿元，一九八五年增加三百六十二亿元。"
        "从一九八○年至一九八五年，原煤产量由六亿二千万吨增加到八亿五千万吨，平均每年增长百分之七。\n"
        "二、今年的任务\n今年要继续推进改革，粮食产量达到8000亿斤。\n"
    )
    doc = clean(RawText(text=text, path="t.txt", sha256="0" * 64, kind="txt", encoding="utf-8"))
    ex = extract_document(doc, government="国务院", year=1986)
    assert [(a.value, a.unit, a.year) for a in ex.actuals] == [(362, "亿元", 1985)]


def test_figures_of_part_of_a_year_are_not_results() -> None:
    acts = review(
        "全年工业总产值增长8.5%。今年上半年，工业总产值比去年同期增长13.6%。"
        "一季度，社会消费品零售总额增长6%。全年粮食产量33212万吨。"
    )
    assert [(a.indicator, a.value) for a in acts] == [("工业总产值", 8.5), ("粮食产量", 33212)]


def test_history_plans_forecasts_and_starting_values_are_not_results() -> None:
    acts = review(
        "农民每人平均收入达到83.4元，比1978年增加了9.4元，1977年为31.5元。"
        "积累率由1978年的36.5%，降为33.6%。全年工业总产值计划比上年增长6%。积累率可能进一步降到30%左右。"
        "1978、1979两年共增产粮食4900多万吨。由上年亏损9000万元转为盈利3亿多元。",
        title="1979年国民经济的情况",
    )
    assert [a.value for a in acts] == [83.4, 9.4, 33.6, 3]


def test_a_clause_does_not_end_inside_a_grouped_number() -> None:
    acts = review("粮食产量33，212万吨，比上年增加2，737万吨。")
    assert [(a.indicator, a.value, a.quote) for a in acts] == [
        ("粮食产量", 33212, "粮食产量33，212万吨"),
        ("粮食产量", 2737, "比上年增加2，737万吨"),
    ]


def test_names_that_begin_with_plan_are_results_all_the_same() -> None:
    """计划单列市 and 计划生育 are names, not a plan's figure quoted in the review."""
    acts = review("全市计划单列市考核位列第一，计划生育家庭奖励扶助1.2万人。")
    assert [(a.value, a.unit) for a in acts] == [(1.2, "万人")]


def test_a_programme_named_plan_is_counted() -> None:
    acts = review("立项国家重点研发计划项目3项、省级科技计划项目34项。")
    assert [(a.value, a.unit) for a in acts] == [(3, "项"), (34, "项")]
