"""Parts in every layout, roles of parts and paragraphs from what they say, the headline block."""

from __future__ import annotations

from luoshi.extract.actuals import find_actuals
from luoshi.extract.targets import find_targets
from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.pipeline import extract_document
from luoshi.text import roles
from luoshi.text.structure import parse


def doc_of(text: str):
    return clean(RawText(text=text, path="<test>", sha256="0" * 64, kind="txt", encoding="utf-8"))


def parts_of(outline) -> list[tuple[str, str]]:
    return [(s.title, s.role) for s in outline.sections if s.level == 1]


def role_of(doc, outline, phrase: str) -> str:
    return outline.role_at(doc.text.index(phrase))


OPENING = "各位代表：\n现在，我代表市人民政府向大会报告工作，请予审议。\n"
REVIEW_BODY = "过去一年，全市地区生产总值增长5.2%，一般公共预算收入增长6.1%，新增城镇就业2.1万人。\n"
PLAN_BODY = (
    "今年是“十四五”规划收官之年。今年经济社会发展的主要预期目标是：地区生产总值增长5.5%左右，"
    "一般公共预算收入增长5%。\n"
)


# --- scoring ---------------------------------------------------------------------------------


def test_years_count_against_the_plan_year() -> None:
    text = "2024年，我们实现了新突破，全市生产总值增长5.2%。"
    s = roles.score(text, 0, len(text), 2025)
    assert s.best()[0] == "review" and roles.is_strong(s)
    # the same sentence in a 2024 report speaks of the plan year
    assert roles.score(text, 0, len(text), 2024).plan > 0


def test_time_words_and_five_year_words() -> None:
    for text, want in [
        ("过去一年，全市生产总值增长5.6%，完成了年度目标。", "review"),
        ("五年来，全省地区生产总值年均增长6%。", "five_year"),
        ("“十五五”时期，要努力实现以下目标，到2030年基本建成现代化强市。", "five_year"),
        ("今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。", "plan"),
    ]:
        s = roles.score(text, 0, len(text), 2025)
        assert s.best()[0] == want, (text, s)
        assert roles.is_strong(s), (text, s)


def test_plan_verbs_alone_are_weak_evidence() -> None:
    text = "要加快推进产业升级，力争新增规上企业10家。"
    s = roles.score(text, 0, len(text), 2025)
    assert s.best()[0] == "plan" and not roles.is_strong(s)


def test_chinese_and_full_width_years() -> None:
    assert roles.year_value("一九八一") == 1981
    assert roles.year_value("１９５５") == 1955
    assert roles.year_value("1 9 9 8") == 1998


# --- layouts ---------------------------------------------------------------------------------


def test_unnumbered_line_headings_with_numbered_areas_below() -> None:
    text = (
        OPENING
        + "2024年工作回顾\n"
        + REVIEW_BODY
        + "一、综合施策稳增长，经济回升向好\n全年完成固定资产投资增长8.3%。\n"
        + "二、坚定不移促转型，产业结构优化\n新增规上工业企业120家。\n"
        + "2025年主要工作\n"
        + PLAN_BODY
        + "一、聚力产业升级\n力争新增规上工业企业100家。\n"
        + "二、聚力城市更新\n改造老旧小区50个。\n"
        + "加强政府自身建设\n我们要坚持依法行政，建设人民满意的政府。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某市")
    assert parts_of(outline) == [
        ("2024年工作回顾", "review"),
        ("2025年主要工作", "plan"),
        ("加强政府自身建设", "plan"),
    ]
    areas = [s.title for s in outline.sections if s.level == 2 and s.parent == "2"]
    assert areas == ["聚力产业升级", "聚力城市更新"]
    assert outline.year == 2025
    assert role_of(doc, outline, "新增规上工业企业120家") == "review"
    assert role_of(doc, outline, "改造老旧小区50个") == "plan"
    targets = find_targets(doc, outline)
    assert [(t.indicator, t.value) for t in targets if not t.headline] == [("规上工业企业", 100), ("老旧小区", 50)]


def test_slogan_headings_get_their_roles_from_their_paragraphs() -> None:
    text = (
        OPENING
        + "牢记殷殷嘱托，在接续奋斗中交出高分答卷\n"
        + REVIEW_BODY
        + "一年来，我们建成5G基站3200个，城镇老旧小区改造完成了126个。\n"
        + "锚定目标任务，在真抓实干中奋力开创新局面\n"
        + PLAN_BODY
        + "要加快建设5G基站，力争新建2000个。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某市", year=2025)
    assert parts_of(outline) == [
        ("牢记殷殷嘱托，在接续奋斗中交出高分答卷", "review"),
        ("锚定目标任务，在真抓实干中奋力开创新局面", "plan"),
    ]
    assert [a.value for a in find_actuals(doc, outline)] == [5.2, 6.1, 2.1, 3200, 126]
    assert 2000 in [t.value for t in find_targets(doc, outline)]


def test_inline_parts_without_numbers() -> None:
    text = (
        "各位代表：现在，我代表市人民政府向大会报告工作，请予审议。2023年工作回顾2023年是不平凡的一年。"
        "全市地区生产总值增长6.1%，新增城镇就业1.8万人。2024年工作安排建议2024年是实施“十四五”规划的关键一年。"
        "全市经济社会发展的主要预期目标是：地区生产总值增长6%左右；城镇新增就业1.5万人。要加快产业升级。"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某市")
    assert parts_of(outline) == [("2023年工作回顾", "review"), ("2024年工作安排建议", "plan")]
    assert outline.year == 2024
    assert [a.value for a in find_actuals(doc, outline)] == [6.1, 1.8]
    assert [t.value for t in find_targets(doc, outline) if t.headline] == [6, 1.5]


def test_no_parts_roles_come_from_paragraphs() -> None:
    text = (
        "各位代表：\n"
        "一九七九年，我们在调整国民经济方面取得了很大成绩。全年工业总产值比上年增长8.5%，粮食产量达到6642亿斤。\n"
        "这一年，农业生产获得了好收成，职工人数增加了570万人。\n"
        "一九八〇年，我们要继续贯彻调整的方针。今年工业总产值要求增长6%，粮食产量力争达到6700亿斤。\n"
        "要继续压缩基本建设规模，确保重点建设。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="国务院", year=1980)
    assert [w.code for w in outline.warnings if w.code == "no_parts"] == ["no_parts"]
    assert role_of(doc, outline, "全年工业总产值比上年增长8.5%") == "review"
    assert role_of(doc, outline, "职工人数增加了570万人") == "review"  # follows the paragraph before
    assert role_of(doc, outline, "今年工业总产值要求增长6%") == "plan"
    assert role_of(doc, outline, "要继续压缩基本建设规模") == "plan"
    assert [t.value for t in find_targets(doc, outline)] == [6, 6700]
    assert [a.value for a in find_actuals(doc, outline)] == [8.5, 6642, 570]


def test_five_year_paragraph_inside_the_review_part() -> None:
    text = (
        OPENING
        + "一、2025年和“十四五”时期工作回顾\n"
        + "2025年，全省地区生产总值增长5.4%，城镇新增就业45万人。\n"
        + "五年来，全省地区生产总值年均增长5.8%，累计新增城镇就业230万人。\n"
        + "这五年，我们建成高速公路1200公里。\n"
        + "二、2026年工作安排\n"
        + "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。\n"
        + "“十五五”时期的主要目标是：地区生产总值年均增长5%左右，到2030年人均地区生产总值达到10万元。\n"
        + "要加快建设现代化产业体系，新建5G基站1万个。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某省", year=2026)
    assert role_of(doc, outline, "城镇新增就业45万人") == "review"
    assert role_of(doc, outline, "年均增长5.8%") == "five_year"
    assert role_of(doc, outline, "建成高速公路1200公里") == "five_year"
    assert role_of(doc, outline, "到2030年") == "five_year"
    assert role_of(doc, outline, "新建5G基站1万个") == "plan"
    actuals = find_actuals(doc, outline)
    assert [(a.value, a.year) for a in actuals] == [(5.4, 2025), (45, 2025)]
    targets = find_targets(doc, outline)
    assert [t.value for t in targets] == [5, 1]
    s, e = outline.headline_span
    assert doc.text[s:e] == "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右。"


# --- the headline block ------------------------------------------------------------------------


def test_headline_block_across_lines_with_ranges_and_two_levels() -> None:
    text = (
        OPENING
        + "一、2024年工作回顾\n"
        + REVIEW_BODY
        + "二、2025年工作安排\n"
        + "今年经济社会发展的主要预期目标是：\n"
        + "地区生产总值增长5%—5.5%；\n"
        + "一般公共预算收入增长5%-5.5%；\n"
        + "固定资产投资增长5%至6%；\n"
        + "规上工业增加值确保增长6.5%、力争7%；\n"
        + "城镇新增就业3万人以上。\n"
        + "实现上述目标，要付出艰苦努力，新建标准厂房20万平方米。\n"
    )
    doc = doc_of(text)
    ex = extract_document(doc, government="某市", year=2025)
    s, e = parse(doc, government="某市", year=2025).headline_span
    block = doc.text[s:e]
    assert block.startswith("今年经济社会发展的主要预期目标是：") and block.endswith("城镇新增就业3万人以上。")
    got = [(t.indicator, t.value, t.value_max, t.comparator, t.modality) for t in ex.targets if t.headline]
    assert got == [
        ("地区生产总值", 5, 5.5, ">=", "预期"),
        ("一般公共预算收入", 5, 5.5, ">=", "预期"),
        ("固定资产投资", 5, 6, ">=", "预期"),
        ("规上工业增加值", 6.5, None, "=", "确保"),
        ("规上工业增加值", 7, None, "=", "力争"),
        ("城镇新增就业", 3, None, ">=", "预期"),
    ]
    # the sentence after the block is plan text, not a headline target
    assert [(t.value, t.headline) for t in ex.targets if t.value == 20] == [(20, False)]


def test_headline_block_of_several_sentences_in_other_wording() -> None:
    text = (
        OPENING
        + "一、2023年工作回顾\n"
        + REVIEW_BODY
        + "二、2024年工作安排\n"
        + "综合考虑各方面因素，建议今年全市经济社会发展预期目标为：地区生产总值增长6%左右。"
        + "一般公共预算收入增长5%。城镇调查失业率控制在5.5%以内。"
        + "这些目标，体现了稳中求进的要求。我们要新建学校3所。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某市", year=2024)
    s, e = outline.headline_span
    assert doc.text[s:e].endswith("城镇调查失业率控制在5.5%以内。")
    headline = [t.value for t in find_targets(doc, outline) if t.headline]
    assert headline == [6, 5, 5.5]


def test_five_year_goals_are_not_the_headline_block() -> None:
    text = (
        OPENING
        + "一、2025年和“十四五”时期工作回顾\n"
        + "2025年，全省地区生产总值增长5.4%。\n"
        + "二、“十五五”时期主要目标任务\n"
        + "“十五五”时期经济社会发展的主要目标是：地区生产总值年均增长5%左右，到2030年城镇化率达到70%。\n"
        + "三、2026年工作安排\n"
        + "全省经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业40万人以上。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某省", year=2026)
    assert parts_of(outline) == [
        ("2025年和“十四五”时期工作回顾", "review"),
        ("“十五五”时期主要目标任务", "five_year"),
        ("2026年工作安排", "plan"),
    ]
    s, e = outline.headline_span
    assert doc.text[s:e].startswith("全省经济社会发展的主要预期目标是")
    assert [t.value for t in find_targets(doc, outline)] == [5, 40]
    assert [a.value for a in find_actuals(doc, outline)] == [5.4]


def test_low_confidence_roles_are_reported() -> None:
    text = (
        OPENING
        + "一、坚持稳中求进\n我们推动各项工作，取得积极进展。\n"
        + "二、坚持改革创新\n推动改革，建设各类园区12个。\n"
    )
    outline = parse(doc_of(text), government="某市", year=2024)
    codes = [w.code for w in outline.warnings]
    assert "low_confidence_roles" in codes
    message = next(w.message for w in outline.warnings if w.code == "low_confidence_roles")
    assert "坚持稳中求进" in message


def test_first_character_filter_loses_no_evidence() -> None:
    import re

    from luoshi.ingest.read import load
    from luoshi.paths import reports_dir

    pattern = roles._EVIDENCE.pattern
    unfiltered = re.compile(pattern[pattern.index("(?:") + 3 : -1])
    for name in ("zaozhuang-2024.txt", "national-2021.txt", "national-2023.txt"):
        text = load(reports_dir() / name).text
        got = [(m.span(), m.lastgroup) for m in roles._EVIDENCE.finditer(text)]
        assert got == [(m.span(), m.lastgroup) for m in unfiltered.finditer(text)]
        assert len(got) > 300


def test_review_paragraph_after_the_plan_opening() -> None:
    text = (
        OPENING
        + "一、2024年工作回顾\n"
        + REVIEW_BODY
        + "二、2025年工作安排\n"
        + PLAN_BODY
        + "过去一年，全市新增高新技术企业320家，研发投入增长了12.5%，成绩来之不易。\n"
        + "要加快科技创新，力争新增高新技术企业350家。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="某市", year=2025)
    assert role_of(doc, outline, "新增高新技术企业320家") == "review"
    assert role_of(doc, outline, "力争新增高新技术企业350家") == "plan"
    actuals = {a.value: a.year for a in find_actuals(doc, outline)}
    assert actuals[320] == 2024 and actuals[12.5] == 2024
    assert 320 not in [t.value for t in find_targets(doc, outline)]
    assert 350 in [t.value for t in find_targets(doc, outline)]


def test_title_lines_are_no_parts() -> None:
    text = (
        "2025年某某市政府工作报告\n——2025年1月10日在某某市第十七届人民代表大会第四次会议上\n市长 某某某\n"
        "一、2024年工作回顾\n" + REVIEW_BODY + "二、2025年工作安排\n" + PLAN_BODY
    )
    outline = parse(doc_of(text), government="某某市")
    assert parts_of(outline) == [("2024年工作回顾", "review"), ("2025年工作安排", "plan")]


def test_older_headline_wording_and_figures_in_words() -> None:
    text = (
        "各位代表：\n一、1993年国内工作的回顾\n1993年，国内生产总值比上年增长13.4%。\n"
        "二、保持国民经济持续快速健康发展\n根据这个要求，今年计划国内生产总值增长百分之九。要加快改革步伐。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="国务院", year=1994)
    s, e = outline.headline_span
    assert doc.text[s:e] == "根据这个要求，今年计划国内生产总值增长百分之九。"
    # a figure in words is no qualitative target (reading 百分之九 as 9% is the numbers' job)
    assert [t for t in find_targets(doc, outline) if t.headline and t.kind == "qualitative"] == []


def test_a_report_delivered_late_in_its_year_reviews_it_and_plans_the_next() -> None:
    text = (
        "各位代表：\n现在，我代表国务院向大会报告工作。\n"
        "一、1980年国民经济的情况\n"
        "1980年计划正在顺利执行，预计工农业总产值可以超额完成。今年上半年，工业总产值比去年同期增长了13.5%。"
        "预计全年粮食产量可以接近去年水平，钢产量达到3700万吨。\n"
        "二、1981年国民经济计划的任务和主要指标\n"
        "国务院确定，今年提前制定1981年国民经济计划。明年计划工农业总产值增长5.5%，"
        "明年要继续调整国民经济，争取明年新增发电装机300万千瓦以上。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="国务院", year=1980)
    assert parts_of(outline) == [
        ("1980年国民经济的情况", "review"),
        ("1981年国民经济计划的任务和主要指标", "plan"),
    ]
    assert outline.year == 1980 and outline.planned_year == 1981
    ex = extract_document(doc, government="国务院", year=1980)
    assert [(a.value, a.year) for a in ex.actuals if a.value == 3700] == [(3700, 1980)]
    assert [(t.value, t.deadline) for t in ex.targets if t.value == 5.5] == [(5.5, "1981-12-31")]


def test_naming_next_year_in_passing_does_not_make_a_report_late() -> None:
    text = OPENING + "一、2024年工作回顾\n" + REVIEW_BODY + "二、2025年工作安排\n" + PLAN_BODY
    text += "明年是“十五五”开局之年，要提前谋划。今年要完成全年目标任务。\n"
    outline = parse(doc_of(text), government="某市", year=2025)
    assert outline.planned_year == 2025 and not outline.late


def test_headline_list_announced_with_ru_xia() -> None:
    text = (
        OPENING
        + "一、1980年的工作回顾\n"
        + "1980年计划正在顺利执行。今年上半年工业总产值比去年同期增长了13.5%。预计全年工业总产值增长7%。\n"
        + "二、1981年国民经济计划\n"
        + "明年要继续调整国民经济。明年计划的安排，要量力而行。根据上述要求，1981年国民经济计划主要指标安排如下。\n"
        + "工农业总产值，比1980年预计增长5.5%，其中，农业总产值增长4%。\n"
        + "农业，粮食产量34250万吨，比1980年预计增加1000万吨。其他经济作物的产量也将有一个新的增长。\n"
        + "能源工业，煤炭产量62000万吨；发电量3120亿度。\n"
        + "科学技术，列入全国科技计划的重大项目共四百多项。\n"
        + "教育，高等学校新生要推迟到1981年寒假毕业，1981年招生数仍然安排27万人。\n"
        + "在1981年计划安排中，要注意解决以下问题。这些年经济作物发展缓慢。\n"
    )
    doc = doc_of(text)
    outline = parse(doc, government="国务院", year=1980)
    s, e = outline.headline_span
    # a line in Chinese numerals (四百多项) and one that names the plan year (推迟到1981年) are
    # still lines of the list
    assert doc.text[s:e].endswith("1981年招生数仍然安排27万人。")
    ex = extract_document(doc, government="国务院", year=1980)
    assert [t.value for t in ex.targets if t.headline][:3] == [5.5, 4, 34250]
