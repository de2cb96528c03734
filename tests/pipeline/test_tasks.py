"""Task ledger rows from the plan part."""

from __future__ import annotations

from collections import Counter

import pytest

from luoshi.extract.model import Target
from luoshi.extract.targets import find_targets
from luoshi.extract.tasks import find_tasks, projects_in
from luoshi.ingest.clean import clean
from luoshi.ingest.document import RawText
from luoshi.ingest.read import load
from luoshi.paths import reports_dir
from luoshi.text.structure import parse

REPORTS = reports_dir()


def doc_of(text: str):
    return clean(RawText(text=text, path="<test>", sha256="0" * 64, kind="txt", encoding="utf-8"))


def target_at(doc, quote: str, tid: str = "T001") -> Target:
    start = doc.text.index(quote)
    return Target(tid, "x", "增长", 1.0, "%", "=", "预期", None, quote, start, start + len(quote), None)


@pytest.fixture(scope="module")
def seed():
    doc = load(REPORTS / "zaozhuang-2024.txt")
    outline = parse(doc)
    return doc, outline, find_tasks(doc, outline, find_targets(doc, outline))


def test_seed_row_count_is_a_real_task_plan(seed) -> None:
    _, _, tasks = seed
    # a city's 分工方案 has 80–160 rows; the seed's run on without line breaks in long sentences,
    # so it sits at the low end (81), and below it when its part on the government's own work is
    # not read as plan work
    assert 70 <= len(tasks) <= 160
    assert [t.id for t in tasks[:3]] == ["K001", "K002", "K003"]


def test_seed_skips_headings_and_rhetoric(seed) -> None:
    _doc, outline, tasks = seed
    texts = [t.text for t in tasks]
    assert "一是梯次培育助企登高。" not in texts
    assert "当前，枣庄强市建设面临前所未有的历史机遇。" not in texts
    assert not any(t.startswith("今年政府工作的总体要求是") for t in texts)
    assert not any(t.startswith(("2024年是", "各位代表", "让我们", "刚刚闭幕")) for t in texts)
    assert "重点抓好八个方面的工作：" not in texts
    # only plan-role text becomes a task
    assert all(outline.role_at(t.start) == "plan" for t in tasks)
    # the headline block is not a row (its targets head the plan on their own), nor are the
    # areas' lead-in slogans
    assert not any("主要预期目标" in t for t in texts)
    assert not any(t.startswith(("坚持主攻实体经济不动摇", "坚持立足“一主一强两极多点”")) for t in texts)
    assert texts[0].startswith("启动实施“8010”工业企业登高行动")
    assert any("深化政府机构改革，进一步优化机构设置和职能配置。" in t for t in texts)
    # the run-in heading is the title of the rows under it
    assert tasks[0].title == "梯次培育助企登高"


def test_seed_milestones_name_their_projects(seed) -> None:
    _, _, tasks = seed
    by_kind = Counter(t.kind for t in tasks)
    assert by_kind["milestone"] >= 5
    row = next(t for t in tasks if "开工建设庄里抽水蓄能电站" in t.text)
    assert row.kind in ("milestone", "quantified")
    assert row.projects == ["庄里抽水蓄能电站", "中广核储能电站二期"]
    row = next(t for t in tasks if "完成临滕高速" in t.text)
    assert row.projects[:2] == ["临滕高速", "省道103济枣线改建工程"]


def test_seed_deadlines_default_to_year_end(seed) -> None:
    _, _, tasks = seed
    assert all(t.deadline == "2024-12-31" for t in tasks if "年内" in t.text or "全年" in t.text)


def test_targets_link_and_make_rows_quantified() -> None:
    text = (
        "一、2023年工作回顾\n很好。\n二、2024年工作安排\n（一）抓产业。\n"
        "实施技改工程，规上工业增加值增长8%以上。\n上半年完成化工园区整治。\n开工建设甲水库、乙大桥等项目。\n（二）抓民生。\n"
        "各位代表！\n"
    )
    doc = doc_of(text)
    outline = parse(doc)
    t1 = target_at(doc, "规上工业增加值增长8%以上")
    tasks = find_tasks(doc, outline, [t1])
    assert [(t.kind, t.targets) for t in tasks] == [
        ("quantified", ["T001"]),
        ("milestone", []),
        ("milestone", []),
    ]
    assert tasks[0].section == "2.1"
    assert tasks[1].deadline == "2024-06-30"
    assert tasks[0].deadline == "2024-12-31"
    assert tasks[2].projects == ["甲水库", "乙大桥"]


def test_target_outside_the_row_is_not_linked() -> None:
    text = "一、2023年工作回顾\n增长5%。\n二、2024年工作安排\n推进改革，增长6%。\n推进开放。\n"
    doc = doc_of(text)
    outline = parse(doc)
    tasks = find_tasks(doc, outline, [target_at(doc, "增长6%")])
    assert [t.targets for t in tasks] == [["T001"], []]


def test_projects_in() -> None:
    assert projects_in("完成3座污水处理厂提标改造") == []
    assert projects_in("启动省道513滕薛线提升、省道322齐陶路改建等工程") == [
        "省道513滕薛线提升",
        "省道322齐陶路改建",
    ]
    assert projects_in("加快推进改革") == []


def test_national_2023_rows() -> None:
    doc = load(REPORTS / "national-2023.txt")
    outline = parse(doc)
    tasks = find_tasks(doc, outline, [])
    assert 40 <= len(tasks) <= 200
    # a date within the plan year, or none for work the report calls ongoing (长期坚持, 常态化)
    assert all(t.deadline <= "2023-12-31" if t.deadline else t.deadline_text for t in tasks)


PLAN = (
    "一、2023年工作回顾\n全年地区生产总值增长5%。\n"
    "二、2024年工作安排\n"
    "今年是实现“十四五”规划目标任务的关键一年。\n"
    "做好今年政府工作的总体要求是：坚持稳中求进工作总基调。\n"
    "2024年主要预期目标是：地区生产总值增长6%左右。\n"
    "（一）扩大有效需求\n"
    "坚持把扩大内需作为战略基点，着力稳增长。\n"
    "扩大有效益的投资。实施重点项目320个，完成投资500亿元。消费一头连着民生大事，一头系着经济大局。"
    "促进房地产市场平稳健康发展。房地产开发投资增长7%以上。\n"
    "激发消费潜能。新建甲体育馆、乙图书馆、丙文化中心、丁科技馆和戊会展中心等一批公共文化设施，改善群众文化生活条件；"
    "改造提升城区主干道路30条，全面整治背街小巷、老旧管网和积水点位；开展消费季、美食节、购物节等系列促消费活动，"
    "扩大汽车、家电、家居等大宗消费。\n"
    "各位代表！让我们团结奋斗。\n"
    "（二）办好民生实事\n"
    "（1）开展就业创业扩容提质行动。（2）提升托育服务能力。（3）实施校园安全工程。\n"
    "三、加强政府自身建设\n"
)


def test_rows_are_jobs() -> None:
    doc = doc_of(PLAN)
    outline = parse(doc)
    targets = [
        target_at(doc, "地区生产总值增长6%左右", "T001"),
        target_at(doc, "实施重点项目320个", "T002"),
        target_at(doc, "房地产开发投资增长7%以上", "T003"),
    ]
    targets[0].headline = True
    tasks = find_tasks(doc, outline, targets)
    texts = [t.text for t in tasks]
    # background, 总体要求, the headline block and the area's lead-in slogan are no rows
    assert not any(("今年是" in t or "总体要求" in t or "主要预期目标" in t or "扩大内需" in t) for t in texts)
    # the run-in heading is the title, not a row; the reason between two jobs is neither
    assert texts[0] == "实施重点项目320个，完成投资500亿元。"
    assert (tasks[0].title, tasks[0].targets) == ("扩大有效益的投资", ["T002"])
    assert not any("一头连着" in t for t in texts)
    # a sentence of a figure alone joins the job it measures
    assert texts[1] == "促进房地产市场平稳健康发展。房地产开发投资增长7%以上。"
    assert tasks[1].targets == ["T003"] and tasks[1].kind == "quantified"
    # a long sentence listing separate jobs split by ； gives one row each, under the heading
    assert [t.title for t in tasks[2:5]] == ["激发消费潜能"] * 3
    assert texts[2].startswith("新建甲体育馆") and texts[2].endswith("改善群众文化生活条件")
    assert texts[3].startswith("改造提升城区主干道路30条")
    assert texts[4].startswith("开展消费季")
    # short jobs one after another are jobs, not headings; the address to the delegates is no row
    assert texts[5:] == ["（1）开展就业创业扩容提质行动。", "（2）提升托育服务能力。", "（3）实施校园安全工程。"]


def test_headings_inside_a_paragraph_run_in_series() -> None:
    text = (
        "一、2023年工作回顾\n很好。\n二、2024年工作安排\n（一）抓产业\n"
        "提升企业创新水平。集成科技、人才、财政、金融等支持政策，培育省级以上专精特新中小企业60家。"
        "提升创新载体功能。谋划建设泰州实验室，融合高校临床科教资源，打造一批高水平的公共服务平台。"
        "深化供销合作社综合改革。\n"
    )
    doc = doc_of(text)
    tasks = find_tasks(doc, parse(doc), [])
    assert [(t.title, t.text[:6]) for t in tasks[:2]] == [
        ("提升企业创新水平", "集成科技、人"),
        ("提升创新载体功能", "谋划建设泰州"),
    ]
    # a lone short sentence is a job
    assert any("深化供销合作社综合改革。" in t.text for t in tasks)
