"""Export the seed's plan, edit it as an office would, import it back — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os

import openpyxl
import pytest
from conftest import Ledger
from sqlalchemy import func, select

from luoshi.errors import InputError
from luoshi.export.downloads import XLSX, import_upload, plan_download
from luoshi.export.errors import WorkbookRejected
from luoshi.export.plan_xlsx import HEADER_ROW, SHEET
from luoshi.ledger.models import AuditEvent, Commitment, Unit
from luoshi.ledger.services import commitments as commitment_service
from luoshi.ledger.services.history import history


def _snapshot(ledger: Ledger) -> dict[int, tuple]:
    with ledger.session() as s:
        out = {}
        for c in s.scalars(select(Commitment).where(Commitment.report_id == ledger.report_id)):
            lead = c.lead.unit_id if c.lead else None
            support = tuple(sorted(a.unit_id for a in c.assignments if a.role == "support"))
            out[c.id] = (c.text, c.title, c.deadline, lead, support, c.state, c.version)
        return out


def _audit_count(ledger: Ledger) -> int:
    with ledger.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _export(ledger: Ledger) -> bytes:
    with ledger.session() as s:
        d = plan_download(s, ledger.report_id)
    assert d.media_type == XLSX and d.filename.endswith("重点任务分工方案.xlsx")
    return d.content


def _rows(ws) -> list[tuple[int, list]]:  # type: ignore[no-untyped-def]
    return [(r[0].row, [c.value for c in r]) for r in ws.iter_rows(min_row=HEADER_ROW + 1)]


def _save(wb) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _unit_id(ledger: Ledger, name: str) -> int:
    with ledger.session() as s:
        return s.scalar(select(Unit.id).where(Unit.name == name))


def test_exported_plan_has_headline_targets_first_then_areas(ledger: Ledger) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_export(ledger)))
    ws = wb[SHEET]
    rows = _rows(ws)
    headings = [v[0] for _n, v in rows if v[0] and v[1] is None]
    assert headings[0] == "一、主要预期目标"
    assert headings[1] == "二、聚力加快产业升级，夯实高质量发展支撑"
    first = rows[1][1]
    assert first[1] == "生产总值增长5.5%左右" and first[2]  # a lead unit
    with ledger.session() as s:
        headline = s.scalar(select(func.count()).where(Commitment.report_id == ledger.report_id, Commitment.headline))
    assert sum(1 for _n, v in rows[1:] if v[1] is not None and v[0] is not None and not str(v[0]).startswith("二")) >= headline
    ids = [v[-1] for _n, v in rows if v[-1] is not None]
    assert len(ids) == len(set(ids)) > 80


def test_round_trip_applies_exactly_the_office_edits(ledger: Ledger) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_export(ledger)))
    ws = wb[SHEET]
    data_rows = [(n, v) for n, v in _rows(ws) if v[-1] is not None]
    (r_lead, v_lead), (r_deadline, v_deadline) = data_rows[0], data_rows[1]
    r_text, v_text = data_rows[20]
    id_lead, id_deadline, id_text = v_lead[-1], v_deadline[-1], v_text[-1]
    ws.cell(r_lead, 3).value = "市应急管理局"  # a unit not assigned to it so far
    ws.cell(r_deadline, 5).value = "2024年6月底"
    new_text = v_text[1] + "年底前形成可复制经验。"
    ws.cell(r_text, 2).value = new_text
    area_heading = next(n for n, v in _rows(ws) if v[0] == "三、聚力深化创新驱动，培育高维度竞争优势")
    ws.insert_rows(area_heading + 1)
    ws.cell(area_heading + 1, 2).value = "建设市级科技成果转化中试基地2处"
    ws.cell(area_heading + 1, 3).value = "市科技局"  # short name / alias
    ws.cell(area_heading + 1, 4).value = "市财政局、市工业和信息化局"
    ws.cell(area_heading + 1, 5).value = "三季度"
    edited = _save(wb)

    before, audit_before = _snapshot(ledger), _audit_count(ledger)
    with ledger.session("office") as s:
        preview = import_upload(s, edited, apply=False, author="office")
    assert _snapshot(ledger) == before and _audit_count(ledger) == audit_before  # preview changes nothing
    got = {r.commitment_id: {c.field for c in r.changes} for r in preview.updates}
    assert got == {id_lead: {"牵头单位"}, id_deadline: {"完成时限"}, id_text: {"重点任务"}}
    assert [c.after for c in preview.creations[0].changes][:2] == ["建设市级科技成果转化中试基地2处", "市科学技术局"]

    with ledger.session("office") as s:
        result = import_upload(s, edited, apply=True, author="office")
    assert result.applied and len(result.created_ids) == 1
    after = _snapshot(ledger)
    (new_id,) = set(after) - set(before)
    assert new_id == result.created_ids[0]
    changed = {cid for cid in before if before[cid] != after[cid]}
    assert changed == {id_lead, id_deadline, id_text}
    assert after[id_lead][3] == _unit_id(ledger, "市应急管理局")
    assert str(after[id_deadline][2]) == "2024-06-30"
    assert after[id_text][0] == new_text

    with ledger.session() as s:
        c = s.get_one(Commitment, new_id)
        assert (c.text, c.source, c.state, str(c.deadline)) == ("建设市级科技成果转化中试基地2处", "manual", "active", "2024-09-30")
        assert c.lead.unit.name == "市科学技术局"
        assert sorted(a.unit.name for a in c.assignments if a.role == "support") == ["市工业和信息化局", "市财政局"]
        text_events = [e for e in history(s, id_text) if e.action == "update" and e.after and "text" in e.after]
        assert text_events[-1].actor == "office" and text_events[-1].after["text"] == new_text
        assert text_events[-1].before["text"] == v_text[1]
        deadline_events = [e for e in history(s, id_deadline) if e.after and "deadline" in e.after]
        assert deadline_events[-1].before["deadline"] == "2024-12-31" and deadline_events[-1].after["deadline"] == "2024-06-30"
        lead_events = [e for e in history(s, id_lead) if e.entity_type == "Assignment" and e.actor == "office"]
        assert any(e.action == "create" and e.after["unit_id"] == _unit_id(ledger, "市应急管理局") for e in lead_events)
        assert any(e.entity_type == "Commitment" and e.action == "create" and e.actor == "office" for e in history(s, new_id))

    # importing the same edited file again: the new row would be a duplicate → refused, nothing changes
    with ledger.session("office") as s, pytest.raises(WorkbookRejected, match="是否重复导入"):
        import_upload(s, edited, apply=True, author="office")
    assert _snapshot(ledger) == after
    # a fresh export reflects the ledger and re-imports as "no change"
    with ledger.session("office") as s:
        again = import_upload(s, _export(ledger), apply=True, author="office")
    assert again.empty and again.unchanged > 80 and again.not_in_sheet == []  # the seed plan: 92 rows
    assert _snapshot(ledger) == after


def test_broken_workbook_is_rejected_row_by_row_and_changes_nothing(ledger: Ledger) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_export(ledger)))
    ws = wb[SHEET]
    data_rows = [n for n, v in _rows(ws) if v[-1] is not None]
    ws.cell(data_rows[0], 3).value = "市火星开发局"
    ws.cell(data_rows[1], 5).value = "2024-02-30"
    ws.cell(data_rows[2], 6).value = "第三项"  # text in the id column
    ws.cell(data_rows[3], 2).value = None  # task text deleted
    ws.cell(data_rows[4], 5).value = "改天再说"
    ws.cell(data_rows[5], 2).value = ws.cell(data_rows[5], 2).value + "（已修改）"  # a valid edit
    bad = _save(wb)
    before, audit_before = _snapshot(ledger), _audit_count(ledger)
    with ledger.session("office") as s, pytest.raises(WorkbookRejected) as info:
        import_upload(s, bad, apply=True, author="office")
    errors = [(e.sheet, e.row, e.column) for e in info.value.errors]
    assert errors == [
        (SHEET, data_rows[0], "C列（牵头单位）"),
        (SHEET, data_rows[1], "E列（完成时限）"),
        (SHEET, data_rows[2], "F列（编号）"),
        (SHEET, data_rows[3], "B列（重点任务）"),
        (SHEET, data_rows[4], "E列（完成时限）"),
    ]
    assert "未知单位“市火星开发局”" in info.value.message and "未导入任何数据" in info.value.message
    assert _snapshot(ledger) == before and _audit_count(ledger) == audit_before


@pytest.mark.parametrize("damage", ["wrong_sheet", "no_id_column"])
def test_wrong_sheet_or_missing_id_column(ledger: Ledger, damage: str) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_export(ledger)))
    if damage == "wrong_sheet":
        wb[SHEET].title = "Sheet1"
    else:
        wb[SHEET].delete_cols(6)
    before = _snapshot(ledger)
    with ledger.session("office") as s, pytest.raises(WorkbookRejected) as info:
        import_upload(s, _save(wb), apply=True, author="office")
    (err,) = info.value.errors
    assert err.sheet == SHEET
    assert ("找不到工作表" in err.message) if damage == "wrong_sheet" else ("表头缺少“编号”列" in err.message)
    assert _snapshot(ledger) == before


def test_junk_renamed_xlsx_is_refused(ledger: Ledger, tmp_path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "分工方案.xlsx"
    junk.write_bytes(os.urandom(5 * 1024 * 1024))
    before = _audit_count(ledger)
    with ledger.session("office") as s, pytest.raises(InputError, match="不是"):
        import_upload(s, junk, apply=True, author="office")
    assert _audit_count(ledger) == before


def test_edit_of_a_row_changed_since_export_is_a_conflict(ledger: Ledger) -> None:
    exported = _export(ledger)
    wb = openpyxl.load_workbook(io.BytesIO(exported))
    ws = wb[SHEET]
    n, v = next((n, v) for n, v in _rows(ws) if v[-1] is not None)
    with ledger.session("web") as s:
        commitment_service.update(s, s.get_one(Commitment, v[-1]), {"deadline": "2024-10-31"})
    ws.cell(n, 5).value = "2024年11月底"
    before = _snapshot(ledger)
    with ledger.session("office") as s, pytest.raises(WorkbookRejected, match="导出后已被他人修改"):
        import_upload(s, _save(wb), apply=True, author="office")
    assert _snapshot(ledger) == before
