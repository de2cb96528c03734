"""Unit directory (单位名录): loading another government's YAML/CSV, renames, aliases, resolve, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from luoshi.errors import ConflictError, InputError, NotFoundError, ValidationError
from luoshi.ledger.models import AuditEvent, Unit
from luoshi.ledger.services import assign, commitments, units
from luoshi.ledger.services.common import government

from .helpers import small_ledger

YAML = """\
government: 某某市
units:
  - {name: 某某市发展和改革委员会, short_name: 市发展改革委, aliases: [发改委, 市发改委], kind: 部门}
  - {name: 某某市财政局, short_name: 市财政局, aliases: [财政局], kind: 部门}
  - {name: 东城区, short_name: 东城区, aliases: [东城], kind: 区市}
  - {name: 东城区经济开发区, aliases: [东城经开区], kind: 园区, parent: 东城区}
"""

CSV = """\
name,short_name,aliases,kind,parent,note
某某市教育局,市教育局,教育局|教体局,部门,,
西山区,西山区,西山,区市,,
西山工业园,,西山园区,园区,西山区,省级园区
"""


def unit_events(session, action: str | None = None) -> list[AuditEvent]:
    q = select(AuditEvent).where(AuditEvent.entity_type == "Unit")
    if action:
        q = q.where(AuditEvent.action == action)
    return list(session.scalars(q.order_by(AuditEvent.id)))


def test_load_yaml_directory_for_another_government(session, tmp_path):
    path = tmp_path / "mm.yaml"
    path.write_text(YAML, encoding="utf-8")
    result = units.load_directory(session, units.read_directory(path), where=str(path))
    assert (result.government, result.added, result.updated, result.unchanged) == ("某某市", 4, 0, 0)
    gov = government(session, "某某市")
    park = units.resolve(session, gov.id, "东城经开区")
    assert park.kind == "园区" and park.parent is not None and park.parent.name == "东城区"
    assert len(unit_events(session, "create")) == 4
    # loading again changes nothing and writes no event; a changed file updates in place
    again = units.load_directory(session, units.read_directory(path))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert len(unit_events(session)) == 4
    path.write_text(YAML.replace("[财政局]", "[财政局, 市财局]"), encoding="utf-8")
    changed = units.load_directory(session, units.read_directory(path))
    assert (changed.added, changed.updated) == (0, 1)
    update = unit_events(session, "update")[-1]
    assert update.before == {"aliases": ["财政局"]} and update.after == {"aliases": ["财政局", "市财局"]}
    # 某某市's directory is separate from 枣庄市's
    assert units.list_units(session, "某某市")[0].name == "某某市发展和改革委员会"
    with pytest.raises(NotFoundError):
        units.list_units(session, "枣庄市")


def test_load_csv_directory_needs_a_government(session, tmp_path):
    path = tmp_path / "mm.csv"
    path.write_text(CSV, encoding="utf-8-sig")  # Excel writes a BOM
    data = units.read_directory(path)
    with pytest.raises(ValidationError, match="没有指定政府"):
        units.load_directory(session, data)
    result = units.load_directory(session, data, "某某市")
    assert (result.added, result.updated) == (3, 0)
    gov = government(session, "某某市")
    edu = units.resolve(session, gov.id, "教体局")
    assert (edu.name, edu.short_name, edu.kind, edu.aliases) == ("某某市教育局", "市教育局", "部门", ["教育局", "教体局"])
    park = units.resolve(session, gov.id, "西山园区")
    assert park.parent.name == "西山区" and park.note == "省级园区" and park.short_name is None


def test_bad_directories_are_refused(session, tmp_path):
    bad_kind = tmp_path / "k.yaml"
    bad_kind.write_text("government: 某某市\nunits:\n  - {name: 某局, kind: 科室}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="类型“科室”无效"):
        units.load_directory(session, units.read_directory(bad_kind))
    clash = tmp_path / "c.yaml"
    clash.write_text("government: 某某市\nunits:\n  - {name: 甲局, aliases: [局]}\n  - {name: 乙局, aliases: [局]}\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="同时属于“甲局”和“乙局”"):
        units.load_directory(session, units.read_directory(clash))
    no_header = tmp_path / "h.csv"
    no_header.write_text("编号,简称\n1,某\n", encoding="utf-8")
    with pytest.raises(InputError, match="第一行应为表头，至少包含“单位名称”"):
        units.read_directory(no_header)
    with pytest.raises(InputError, match="文件不存在"):
        units.read_directory(tmp_path / "missing.yaml")


def test_resolve_full_short_and_alias(session):
    report = small_ledger(session)
    gid = report.government_id
    full = units.resolve(session, gid, "市发展和改革委员会")
    assert units.resolve(session, gid, "市发展改革委") is full
    assert units.resolve(session, gid, "发改委") is full
    assert units.resolve(session, gid, " 市发改委 ") is full
    with pytest.raises(NotFoundError, match="未知单位“发展和改革委员会”；是否指：市发展和改革委员会"):
        units.resolve(session, gid, "发展和改革委员会")


def test_rename_keeps_old_name_as_alias_and_assignments_follow(session):
    report = small_ledger(session)
    c = commitments.add_manual(session, report, kind="measure", title="推进数字政府建设")
    assign.assign(session, c, lead="大数据中心", support=["发改委"])
    data_center = units.resolve(session, report.government_id, "大数据中心")
    old_name = data_center.name
    version = data_center.version
    renamed = units.rename_unit(session, data_center.id, "市大数据局", expected_version=version)
    assert renamed.name == "市大数据局" and old_name in renamed.aliases
    # old texts and old names still resolve to the same unit; the assignment now shows the new name
    assert units.resolve(session, report.government_id, old_name) is renamed
    assert commitments.to_dict(c)["assignments"][0]["unit"] == "市大数据局"
    assert assign.assign(session, c, lead=old_name).lead.unit is renamed
    event = unit_events(session, "update")[-1]
    assert event.entity_id == str(renamed.id) and event.actor == "tester"
    assert event.before["name"] == old_name and event.after["name"] == "市大数据局"
    assert old_name in event.after["aliases"]
    with pytest.raises(ConflictError, match="已属于单位“市发展和改革委员会”"):
        units.rename_unit(session, renamed.id, "发改委")
    with pytest.raises(ConflictError, match="已被他人修改"):
        units.rename_unit(session, renamed.id, "市数据局", expected_version=version)


def test_add_alias_is_audited_and_resolves(session):
    report = small_ledger(session)
    stats = units.resolve(session, report.government_id, "统计局")
    before = len(unit_events(session))
    units.add_alias(session, stats.id, "统计部门")
    assert units.resolve(session, report.government_id, "统计部门") is stats
    events = unit_events(session)
    assert len(events) == before + 1 and events[-1].after == {"aliases": [*events[-1].before["aliases"], "统计部门"]}
    units.add_alias(session, stats.id, "统计部门")  # already there: no change, no event
    assert len(unit_events(session)) == before + 1
    with pytest.raises(ConflictError, match="已属于单位“市发展和改革委员会”"):
        units.add_alias(session, stats.id, "发改委")
    with pytest.raises(ValidationError, match="别名不能为空"):
        units.add_alias(session, stats.id, "  ")


def test_add_unit_is_audited(session):
    small_ledger(session)
    u = units.add_unit(session, "枣庄市", "市数据和政务服务局", short_name="市数据局", aliases=["数据局"], parent="市政府办")
    assert u.parent.name == "市政府办公室"
    created = unit_events(session, "create")[-1]
    assert created.entity_id == str(u.id) and created.after["name"] == "市数据和政务服务局"
    with pytest.raises(ConflictError, match="名称“数据局”已属于单位“市数据和政务服务局”"):
        units.add_unit(session, "枣庄市", "另一个局", aliases=["数据局"])
    assert session.scalar(select(Unit).where(Unit.name == "另一个局")) is None


def test_merge_folds_shared_commitments_and_moves_everything(session):
    report = small_ledger(session)
    gid = report.government_id
    both = commitments.add_manual(session, report, kind="measure", title="推进数字政府建设")
    only = commitments.add_manual(session, report, kind="measure", title="建设城市大脑")
    assign.assign(session, both, lead="大数据中心", support=["发改委"])
    assign.assign(session, only, lead="大数据中心")
    source = units.resolve(session, gid, "大数据中心")
    target = units.resolve(session, gid, "发改委")
    source_labels = units.labels(source)
    result = units.merge_units(session, source.id, target.id, expected_version=source.version)
    assert (result.moved, result.joined, result.liaisons, result.notices) == (1, 1, 0, 0)
    session.expire_all()
    # where both answered for one commitment, one assignment is left: the target, leading
    assert [(a.unit.name, a.role) for a in both.assignments] == [("市发展和改革委员会", "lead")]
    assert [(a.unit.name, a.role) for a in only.assignments] == [("市发展和改革委员会", "lead")]
    merged = session.get(Unit, source.id)
    assert merged.active is False and merged.note.startswith(f"已并入“{target.name}”")
    assert set(source_labels) <= set(units.labels(target))
    assert units.resolve(session, gid, "大数据中心") == target  # the old names resolve to the target
    rows = {r.unit.name: r for r in units.directory(session, gid)}
    assert (rows[target.name].assignments, rows[target.name].open_leads) == (2, 2)
    assert rows[merged.name].assignments == 0
    with pytest.raises(ConflictError, match="已停用，不能合并"):
        units.merge_units(session, source.id, target.id)
    with pytest.raises(ValidationError, match="不能把单位合并到它自己"):
        units.merge_units(session, target.id, target.id)
    # the merged unit's full name cannot be taken by a new unit: it is the target's alias now
    with pytest.raises(ConflictError, match=f"已属于单位“{target.name}”"):
        units.add_unit(session, "枣庄市", merged.name)


def test_deactivate_refuses_open_work_and_activate_checks_names(session):
    report = small_ledger(session)
    gid = report.government_id
    c = commitments.add_manual(session, report, kind="measure", title="推进数字政府建设")
    assign.assign(session, c, lead="大数据中心", support=["统计局"])
    stats = units.resolve(session, gid, "统计局")
    with pytest.raises(ConflictError, match=rf"“{stats.name}”仍配合 1 项（任务 {c.id}）未办结的任务，不能停用"):
        units.deactivate_unit(session, stats.id)
    c.state = "closed"
    session.flush()
    gone = units.deactivate_unit(session, stats.id)
    assert gone.active is False
    with pytest.raises(NotFoundError, match="未知单位“统计局”"):
        units.resolve(session, gid, "统计局")
    assert stats.id not in {r.unit.id for r in units.directory(session, gid, include_inactive=False)}
    with pytest.raises(ConflictError, match="名录中已有停用的单位"):
        units.add_unit(session, "枣庄市", stats.name)
    units.add_unit(session, "枣庄市", "市统计调查中心", aliases=["统计局"])  # its old alias is free
    with pytest.raises(ConflictError, match="不能重新启用：名称“统计局”已属于单位“市统计调查中心”"):
        units.activate_unit(session, stats.id)
    off = [e for e in unit_events(session, "update") if e.entity_id == str(stats.id)]
    assert [(e.before, e.after, e.actor) for e in off] == [({"active": True}, {"active": False}, "tester")]


def test_xlsx_directory_previews_a_rename_then_applies_it(session, tmp_path):
    from openpyxl import Workbook

    report = small_ledger(session)
    gid = report.government_id
    stats = units.resolve(session, gid, "统计局")
    old_name = stats.name
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "简称", "别名", "类型", "上级单位", "备注"])
    sheet.append(["市统计和调查局", "市统计调查局", f"{stats.name}、统计局", "部门", None, None])
    sheet.append(["市新设局", None, "新设局", "部门", "市统计和调查局", "2026年新设"])
    sheet.append([None, None, None, None, None, None])
    path = tmp_path / "名录.xlsx"
    book.save(path)
    data = units.read_directory(path)
    before = len(units.list_units(session, "枣庄市"))
    plan = units.plan_directory(session, data, "枣庄市")
    assert [(p.label, p.name, p.old_name) for p in plan] == [("更名", "市统计和调查局", stats.name),
                                                             ("新增", "市新设局", None)]
    assert len(units.list_units(session, "枣庄市")) == before  # the preview wrote nothing
    result = units.load_directory(session, data, "枣庄市", where="名录.xlsx")
    assert (result.added, result.renamed, result.updated, result.unchanged) == (1, 1, 0, 0)
    renamed = session.get(Unit, stats.id)
    assert renamed.name == "市统计和调查局" and old_name in renamed.aliases and "统计局" in renamed.aliases
    assert units.resolve(session, gid, old_name) is renamed
    assert units.resolve(session, gid, "新设局").parent is renamed
    again = units.plan_directory(session, data, "枣庄市")
    assert [p.action for p in again] == ["unchanged", "unchanged"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"不是有效的 \.xlsx 工作簿"):
        units.read_directory(bad)
    with pytest.raises(InputError, match=r"应为 \.xlsx、\.csv 或 \.yaml 文件"):
        units.read_directory_bytes("名录.doc", b"x")
