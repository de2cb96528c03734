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
    assert all(t.deadline == "2023-12-31" or t.deadline < "2023-12-31" for t in tasks)
