"""Targets: one small sentence per rule of the report language (see the convention in DESIGN.md)."""

from __future__ import annotations

import pytest

from luoshi.extract.model import Target
from luoshi.extract.targets import find_targets
from luoshi.ingest.clean import clean
from luoshi.ingest.read import read_bytes
from luoshi.text.structure import parse

_HEAD = "各位代表：现在，我代表市人民政府向大会报告工作。\n一、2023年工作回顾\n一年来，各项工作取得新成效。\n二、2024年工作安排\n"


def plan(body: str, headline: str = "") -> list[Target]:
    """Targets of ``body`` placed in the plan part of a minimal report (plan year 2024)."""
    text = _HEAD
    if headline:
        text += f"2024年全市经济社会发展主要预期目标为：{headline}\n"
    text += body + "\n三、加强政府自身建设\n我们将建设人民满意政府。\n"
    doc = clean(read_bytes(text.encode("utf-8"), "report.txt"))
    targets = find_targets(doc, parse(doc))
    for t in targets:
        assert doc.text[t.start : t.end] == t.quote
    return targets


def values(targets: list[Target]) -> list[tuple]:
    return [(t.indicator, t.value, t.unit) for t in targets]


def test_simple_growth_target() -> None:
    (t,) = plan("规上工业企业达到1400家。")
    assert (t.indicator, t.metric, t.value, t.unit, t.comparator, t.modality) == (
        "规上工业企业", "达到", 1400, "家", "=", "预期",
    )  # fmt: skip
    assert t.quote == "规上工业企业达到1400家" and t.deadline == "2024-12-31" and t.id == "T001"


def test_list_sharing_a_verb() -> None:
    ts = plan("新建改造公园游园90处、城区道路绿化节点50处、生态街巷100条。")
    assert values(ts) == [("公园游园", 90, "处"), ("城区道路绿化节点", 50, "处"), ("生态街巷", 100, "条")]
    assert {t.metric for t in ts} == {"新建改造"}
    assert [t.id for t in ts] == ["T001", "T002", "T003"]


def test_jun_distributes_one_value() -> None:
    ts = plan("力争开发区工业投资和规上工业总产值均增长12%以上。")
    assert values(ts) == [("开发区工业投资", 12, "%"), ("规上工业总产值", 12, "%")]
    assert all(t.comparator == ">=" and t.modality == "力争" for t in ts)


def test_fenbie_pairs_two_lists_and_shares_rate_unit() -> None:
    ts = plan("PM2.5、二氧化硫平均浓度分别控制在每立方米45微克、60微克以下。")
    # the measure written once on the last item (平均浓度) is shared by the earlier one
    assert values(ts) == [("PM2.5平均浓度", 45, "微克/立方米"), ("二氧化硫平均浓度", 60, "微克/立方米")]
    assert all(t.comparator == "<=" for t in ts)


def test_paired_lists_without_fenbie() -> None:
    ts = plan("确保粮食播种面积和产量稳定在426万亩、183万吨以上。")
    assert values(ts) == [("粮食播种面积", 426, "万亩"), ("粮食产量", 183, "万吨")]
    assert all(t.comparator == ">=" and t.modality == "确保" for t in ts)


def test_one_value_for_a_list_is_one_total() -> None:
    (t,) = plan("新增省级以上智能工厂、数字化车间、智能制造场景10个。")
    assert t.value == 10 and t.metric == "新增"


def test_quantity_before_noun() -> None:
    ts = plan("实施79个老旧小区改造工程，完成3座城市污水处理厂提标改造。")
    assert values(ts) == [("老旧小区改造工程", 79, "个"), ("城市污水处理厂提标改造", 3, "座")]
    assert [t.metric for t in ts] == ["实施", "完成"]


def test_quantity_before_noun_list_shares_the_verb() -> None:
    ts = plan("积极争创2个省级齐鲁样板示范区、1个省级衔接推进区。")
    assert values(ts) == [("省级齐鲁样板示范区", 2, "个"), ("省级衔接推进区", 1, "个")]
    assert all(t.modality == "争取" for t in ts)


def test_range_before_noun() -> None:
    (t,) = plan("引导各开发区重点培育2—3个特色产业。")
    assert (t.value, t.value_max, t.unit, t.indicator) == (2, 3, "个", "特色产业")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("年内实施过500万元工业技改项目400个以上。", [400]),
        ("确保集体收入20万元以上村占比达到60%、100万元以上村达到240个。", [60, 240]),
        ("力争全年签约落地10亿元及以上项目80个、50亿元及以上项目25个。", [80, 25]),
        ("力争5亿元（3000万美元）以上产业项目新开工150个。", [150]),
        ("聚焦建设四个特色产业集群，新培育专精特新企业30家。", [30]),
        ("服务保障北沿江高铁及三条过江通道建设，新建改建农村公路200公里。", [200]),
        ("不断提升22个国考断面、25个省考断面水质，新增造林5万亩。", [5]),
        ("新建3个污水处理厂，提升城市生活污水集中收集率。", [3]),
        ("确保黑臭水体动态清零、9个国省控河流断面优良水体比例达到100%。", [100]),
        ("启动实施总投资44亿元的城乡供水一体化工程。", []),
        ("启动实施“8010”工业企业登高行动，力争“6+3”产业营业收入增长12%。", [12]),
        ("完成临滕高速、省道103济枣线改建工程，新设5G基站1000个。", [1000]),
        ("畅通12345政务服务热线，办好市第十四届全民健身运动会，启动村卫生室三年提升行动。", []),
        ("2024年是中华人民共和国成立75周年。", []),
        ("重点抓好八个方面的工作，一张蓝图绘到底。", []),
        # counts that belong to a set phrase
        ("同心协力建设56个民族共同团结奋斗、共同繁荣发展的美好家园。", []),
        ("认真贯彻落实中央八项规定及其实施细则精神。", []),
        ("深刻认识两个确立的决定性意义，打好三大攻坚战，发挥中央和地方两个积极性。", []),
        ("利用两个市场两种资源，增强四个意识、坚定四个自信。", []),
        # the count of people or things in a category is no promise when a verb of state names it
        ("我国有2.9亿在校学生，要坚持把教育办好。", []),
    ],
)
def test_names_and_qualifiers_are_not_targets(sentence: str, expected: list[float]) -> None:
    assert [t.value for t in plan(sentence)] == expected


def test_modality_governs_the_rest_of_the_sentence() -> None:
    ts = plan("规上工业企业达到1400家，力争新增上市企业2家、全社会研发经费投入增长10%以上。")
    assert [t.modality for t in ts] == ["预期", "力争", "力争"]


def test_leading_time_and_modality_words_are_not_the_indicator() -> None:
    (t,) = plan("力争全年技术合同成交额突破100亿元。")
    assert (t.indicator, t.metric, t.comparator) == ("技术合同成交额", "突破", ">=")


def test_deadline_from_the_clause() -> None:
    ts = plan("6月底前新增校车60辆，三季度完成植树造林5000亩。新增学位1.3万个。")
    # a clause's own time first, then the sentence's, else the end of the plan year
    assert [t.deadline for t in ts] == ["2024-06-30", "2024-09-30", "2024-12-31"]


def test_headline_targets_including_qualitative_ones() -> None:
    ts = plan(
        "规上工业企业达到1400家。",
        headline="生产总值增长5.5%左右；进出口和实际使用外资促稳提质；粮食产量和播种面积保持稳定；"
        "全面完成节能减排降碳和环境质量改善约束性指标。",
    )
    head = [t for t in ts if t.headline]
    assert [(t.value, t.kind) for t in head] == [
        (5.5, "quantified"), (None, "qualitative"), (None, "qualitative"), (None, "qualitative"),
    ]  # fmt: skip
    assert head[2].indicator == "粮食产量和播种面积" and head[2].unit is None
    assert not ts[-1].headline


@pytest.mark.parametrize(
    ("sentence", "value", "value_max", "unit", "comparator"),
    [
        ("国内生产总值增长6%－6.5%。", 6, 6.5, "%", ">="),
        ("城镇新增就业1100万人以上。", 1100, None, "万人", ">="),
        ("城镇调查失业率5.5%左右。", 5.5, None, "%", "~"),
        ("居民消费价格涨幅3%左右。", 3, None, "%", "~"),
        ("城镇调查失业率全年控制在5.5%以内。", 5.5, None, "%", "<="),
        ("粮食产量保持在1.3万亿斤以上。", 1.3, None, "万亿斤", ">="),
    ],
)
def test_national_report_sentences(
    sentence: str, value: float, value_max: float | None, unit: str, comparator: str
) -> None:
    (t,) = plan(sentence)
    assert (t.value, t.value_max, t.unit, t.comparator) == (value, value_max, unit, comparator)


def test_facts_already_true_are_not_promises() -> None:
    assert plan("我国60岁以上人口已达2.5亿。") == []
    assert plan("从1月1日起，我国关税总水平已由15.3%降到12%。") == []


def test_qualitative_headline_targets_relative_to_another_level() -> None:
    ts = plan("", headline="地区生产总值增长6%，社会消费品零售总额增幅高于全省平均，居民消费价格涨幅不高于全省平均水平，主要经济指标增幅站稳全省第一方阵。")
    assert [(t.indicator, t.metric) for t in ts if t.kind == "qualitative"] == [
        ("社会消费品零售总额增幅", "高于全省平均"),
        ("居民消费价格涨幅", "不高于全省平均水平"),
        ("主要经济指标增幅", "站稳全省第一方阵"),
    ]


def test_zhengchuang_governs_its_own_clause_only() -> None:
    ts = plan("争创质量强国标杆城市，培育专精特新中小企业60家。争创国家级绿色工厂1-2家。")
    assert [(t.value, t.modality) for t in ts] == [(60, "预期"), (1, "争取")]


def test_modality_scope_ends_at_a_semicolon_item() -> None:
    ts = plan("力争新增上市企业2家；新增校车60辆。")
    assert [t.modality for t in ts] == ["力争", "预期"]


def test_starting_point_of_a_change_is_not_a_target() -> None:
    (t,) = plan("报销比例由50%提高到60%。")
    assert (t.indicator, t.metric, t.value) == ("报销比例", "提高到", 60)


def test_a_list_of_values_shares_the_unit_written_last() -> None:
    ts = plan("水土流失、荒漠化、沙化土地面积分别减少10.6万、3.8万、3.3万平方公里。")
    assert values(ts) == [
        ("水土流失", 10.6, "万平方公里"),
        ("荒漠化", 3.8, "万平方公里"),
        ("沙化土地面积", 3.3, "万平方公里"),
    ]


def test_negated_comparator_is_not_the_verb() -> None:
    (t,) = plan("审批时间压缩到不超过120个工作日。")
    assert (t.indicator, t.metric, t.unit, t.comparator) == ("审批时间", "压缩", "个工作日", "<=")


def test_plan_without_year_has_no_deadline() -> None:
    doc = clean(read_bytes((_HEAD + "新增校车60辆。\n").encode(), "r.txt"))
    outline = parse(doc)
    outline.year = None
    ts = find_targets(doc, outline)
    assert [(t.value, t.deadline) for t in ts] == [(60, None)]


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("细颗粒物浓度控制在35微克/立方米以内。", 35, "微克/立方米"),
        ("人均预期寿命达到79岁。", 79, "岁"),
        ("劳动年龄人口平均受教育年限达到11.5年。", 11.5, "年"),
        ("单位生产总值能耗下降至0.5吨标准煤。", 0.5, "吨标准煤"),
    ],
)
def test_units_of_other_reports(sentence: str, value: float, unit: str) -> None:
    (t,) = plan(sentence)
    assert (t.value, t.unit) == (value, unit)


def test_age_thresholds_are_qualifiers() -> None:
    assert [t.value for t in plan("3岁以下婴幼儿托位数达到1.5万个。")] == [1.5]


def test_value_before_de_is_the_promise_when_a_verb_governs_it() -> None:
    ts = plan("从失业保险基金结余中拿出1000亿元，用于1500万人次以上的职工技能提升和转岗转业培训。")
    assert values(ts) == [("失业保险基金结余", 1000, "亿元"), ("职工技能提升和转岗转业培训", 1500, "万人次")]
    assert ts[1].metric == "用于" and ts[1].comparator == ">="
    # an attribute of a project stays out
    assert plan("实施总投资44亿元的城乡供水一体化工程。") == []


def test_list_items_share_the_measure_written_on_the_last_one() -> None:
    ts = plan("居民医保和基本公共卫生服务经费人均财政补助标准分别再提高30元和5元。")
    assert values(ts) == [
        ("居民医保人均财政补助标准", 30, "元"),
        ("基本公共卫生服务经费人均财政补助标准", 5, "元"),
    ]
    # an item that already names a measure keeps its own name
    ts = plan("开发区工业投资和规上工业总产值均增长12%以上。")
    assert [t.indicator for t in ts] == ["开发区工业投资", "规上工业总产值"]


def test_words_between_verb_and_count_belong_to_the_noun() -> None:
    (t,) = plan("出台提振消费13条措施。")
    assert (t.indicator, t.metric, t.value, t.unit) == ("提振消费措施", "出台", 13, "条")


def test_a_finished_list_item_is_not_part_of_the_next_indicator() -> None:
    (t,) = plan("确保黑臭水体动态清零、9个国省控河流断面优良水体比例达到100%。")
    assert "黑臭水体" not in t.indicator and t.indicator.endswith("国省控河流断面优良水体比例")
    assert not t.quote.startswith("黑臭水体")


def test_generic_measure_noun_takes_the_name_of_what_was_just_named() -> None:
    ts = plan("中央对地方转移支付增加约1.5万亿元、规模近9.8万亿元，增长18%。")
    assert [t.indicator for t in ts] == [
        "中央对地方转移支付",
        "中央对地方转移支付规模",
        "中央对地方转移支付规模",
    ]


def test_a_fact_setting_the_scene_for_a_promise_is_not_a_target() -> None:
    assert plan("今年高校毕业生超过1000万人，要加强就业创业指导、政策支持和不断线服务。") == []
    assert plan("今年高校毕业生达874万人，要促进市场化社会化就业。") == []
    # the same verb in a sentence that promises the number stays a target
    assert [t.value for t in plan("城镇新增就业超过1100万人，确保就业形势稳定。")] == [1100]


def test_an_explanation_restating_a_headline_value_is_not_another_target() -> None:
    ts = plan(
        "经济增速是综合性指标，今年预期目标设定为6%以上，考虑了经济运行恢复情况。城乡居民收入增长6%。",
        headline="生产总值增长6%以上；城镇新增就业1.5万人。",
    )
    assert [(t.value, t.headline) for t in ts] == [(6, True), (1.5, True), (6, False)]
    assert ts[-1].indicator == "城乡居民收入"


def test_qualitative_headline_items_with_their_own_predicates_are_split() -> None:
    ts = plan(
        "新增校车60辆。", headline="城镇新增就业1.5万人；现行标准下农村贫困人口全部脱贫、贫困县全部摘帽。"
    )
    head = [(t.indicator, t.metric) for t in ts if t.headline and t.value is None]
    assert head == [("现行标准下农村贫困人口", "全部脱贫"), ("贫困县", "全部摘帽")]


def test_accounting_notes_in_the_headline_are_not_targets() -> None:
    ts = plan(
        "新增校车60辆。",
        headline="生态环境质量持续改善；能耗强度目标在规划期内统筹考核，并留有适当弹性，"
        "新增可再生能源和原料用能不纳入能源消费总量控制。",
    )
    head = [(t.indicator, t.metric) for t in ts if t.headline]
    assert head == [("生态环境质量", "持续改善"), ("能耗强度目标", "统筹考核")]


def test_qualitative_headline_verb_before_object() -> None:
    ts = plan("新增校车60辆。", headline="城镇新增就业1.5万人；重点控制化石能源消费，生态环境质量稳定改善。")
    head = [(t.quote, t.indicator) for t in ts if t.headline and t.value is None]
    assert head == [("控制化石能源消费", "化石能源消费"), ("生态环境质量稳定改善", "生态环境质量")]


def test_value_then_verb_quote_runs_through_the_verb() -> None:
    (t,) = plan("今年赤字率拟按3%安排。")
    assert (t.quote, t.indicator, t.metric, t.value) == ("赤字率拟按3%安排", "赤字率", "安排", 3)


def test_a_predicate_after_a_figure_describes_that_figure() -> None:
    ts = plan("", headline="石油产量10600万吨，保持近两年的水平；轻工业总产值增长8%，继续高于重工业的增长速度；粮食产量和播种面积保持稳定。")
    assert [(t.indicator, t.value) for t in ts] == [("石油产量", 10600), ("轻工业总产值", 8), ("粮食产量和播种面积", None)]


def test_a_restated_change_and_a_set_phrase_are_not_targets() -> None:
    ts = plan("明年计划轻工业产值的比重由今年的44%提高到45%，即提高1%。机械工业在实现四个现代化过程中肩负着重大的任务。")
    assert [(t.value, t.unit) for t in ts] == [(45, "%")]


def test_degree_words_and_adverbs_without_a_predicate_are_no_headline_targets() -> None:
    ts = plan("", headline="其他经济作物的产量和造林面积，也将有一个新的增长；基本建设，投资总额控制在550亿元左右；居民消费价格基本稳定。")
    assert [(t.indicator, t.value) for t in ts] == [("投资总额", 550), ("居民消费价格", None)]


def test_the_year_compared_with_is_not_the_indicator() -> None:
    ts = plan("", headline="粮食产量34250万吨，比1980年预计增加1000万吨。")
    assert [(t.indicator, t.metric, t.value) for t in ts] == [("粮食产量", "", 34250), ("粮食产量", "增加", 1000)]
