"""Round trips through a real office suite: files exported, edited and saved in LibreOffice, imported.

Every file imported here was written by LibreOffice (headless, driven through UNO the way its user
interface edits: rows deleted, inserted, moved and sorted, ``40%`` typed at the keyboard), not by
openpyxl, so the importers meet what offices really send back.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from conftest import Ledger, LibreOffice
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from luoshi.export.downloads import import_upload, plan_download, template_download
from luoshi.export.errors import WorkbookRejected
from luoshi.export.plan_import import PlanDiff
from luoshi.export.template_import import TemplateDiff
from luoshi.ledger.models import Assignment, Commitment, ProgressReport, Unit

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

UNIT = "市工业和信息化局"


def _layout(data: bytes, sheet: str, header_row: int = 3) -> tuple[dict[str, str], dict[int, int]]:
    """Column letter of each header, and the row of each 编号 in ``data``."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    letters = {str(c.value): get_column_letter(c.column) for c in ws[header_row] if c.value}
    id_col = openpyxl.utils.column_index_from_string(letters["编号"])
    rows = {int(r[id_col - 1].value): r[0].row for r in ws.iter_rows(min_row=header_row + 1)
            if isinstance(r[id_col - 1].value, int | float)}
    return letters, rows


def _import(ledger: Ledger, data: bytes, *, apply: bool, actor: str = "tester") -> PlanDiff | TemplateDiff:
    with ledger.session(actor) as s:
        return import_upload(s, data, apply=apply, author=actor)


def _plan(ledger: Ledger) -> bytes:
    with ledger.session() as s:
        return plan_download(s, ledger.report_id, fmt="xlsx").content


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name).decode()


def _sheet_xml(data: bytes, index: int = 1) -> str:
    return _part(data, f"xl/worksheets/sheet{index}.xml")


def test_plan_saved_by_libreoffice_imports_as_no_change(ledger: Ledger, libreoffice: LibreOffice) -> None:
    original = _plan(ledger)
    exported = len(_layout(original, "分工方案")[1])
    saved = libreoffice.edit(original, [])
    assert "LibreOffice" in _part(saved, "docProps/app.xml")  # the file imported is one LibreOffice wrote
    assert openpyxl.load_workbook(io.BytesIO(saved))["_luoshi"].sheet_state == "hidden"  # no longer veryHidden
    diff = _import(ledger, saved, apply=False)
    assert isinstance(diff, PlanDiff)
    assert (len(diff.updates), len(diff.creations), diff.not_in_sheet, diff.unchanged) == (0, 0, [], exported)


def test_plan_rows_deleted_inserted_and_edited_in_libreoffice(ledger: Ledger, libreoffice: LibreOffice) -> None:
    original = _plan(ledger)
    letters, rows = _layout(original, "分工方案")
    ids = sorted(rows, key=rows.get)  # ids in sheet order
    gone, edited = ids[-3], ids[-1]  # two tasks of the last group
    with ledger.session() as s:
        current = s.scalar(select(Unit.name).join(Assignment).where(
            Assignment.commitment_id == edited, Assignment.role == "lead"))
    other = "市审计局" if current == "市财政局" else "市财政局"
    r_gone, r_edited = rows[gone], rows[edited]
    ops = [
        {"op": "set", "cell": f"{letters['牵头单位']}{r_edited}", "text": other},
        {"op": "insert_row", "row": r_edited},  # a new task just above the edited one
        {"op": "set", "cell": f"{letters['重点任务']}{r_edited}", "text": "新增：建设全市统一的政务数据共享平台"},
        {"op": "set", "cell": f"{letters['牵头单位']}{r_edited}", "text": "市财政局"},
        {"op": "set", "cell": f"{letters['完成时限']}{r_edited}", "text": "三季度末"},
        {"op": "delete_row", "row": r_gone},
    ]
    saved = libreoffice.edit(original, ops)
    assert '<row r="1048576"' in _sheet_xml(saved)  # what LibreOffice leaves after a deleted row

    diff = _import(ledger, saved, apply=True)
    assert isinstance(diff, PlanDiff) and diff.applied
    assert diff.not_in_sheet == [gone]
    assert [(r.commitment_id, [(c.field, c.after) for c in r.changes]) for r in diff.updates] == [
        (edited, [("牵头单位", other)])
    ]
    assert [r.text for r in diff.creations] == ["新增：建设全市统一的政务数据共享平台"]
    assert diff.creations[0].row == r_edited - 1  # row numbers as LibreOffice saved them (one deleted above)
    with ledger.session() as s:
        new = s.get_one(Commitment, diff.created_ids[0])
        assert (new.text, new.deadline.isoformat() if new.deadline else None) == (
            "新增：建设全市统一的政务数据共享平台", "2024-09-30")
        leads = set(s.scalars(select(Unit.name).join(Assignment).where(
            Assignment.commitment_id == edited, Assignment.role == "lead")))
        assert leads == {other}


def test_plan_rows_moved_and_sorted_in_libreoffice_change_nothing(ledger: Ledger, libreoffice: LibreOffice) -> None:
    original = _plan(ledger)
    letters, rows = _layout(original, "分工方案")
    ids = sorted(rows, key=rows.get)
    last_group = [i for i in ids if rows[i] > rows[ids[-1]] - 5]  # the last five tasks are in one group
    top, bottom = rows[last_group[0]], rows[last_group[-1]]
    last_col = max(letters.values(), key=openpyxl.utils.column_index_from_string)
    ops = [
        {"op": "move_row", "row": rows[ids[-1]], "before": rows[ids[0]]},  # last task to the top of the plan
        {"op": "sort", "range": f"A{top + 1}:{last_col}{bottom}", "column": 1, "descending": True},
    ]
    saved = libreoffice.edit(original, ops)
    _letters, moved = _layout(saved, "分工方案")
    assert moved[ids[-1]] == rows[ids[0]] and moved != rows  # LibreOffice really re-ordered the rows
    diff = _import(ledger, saved, apply=False)
    assert isinstance(diff, PlanDiff)
    assert (len(diff.updates), len(diff.creations), diff.not_in_sheet, diff.unchanged) == (0, 0, [], len(rows))


def _template(ledger: Ledger) -> tuple[bytes, dict[str, str], dict[int, int], int, int]:
    with ledger.session() as s:
        content = template_download(s, UNIT, "2024Q1", report=ledger.report_id).content
        letters, rows = _layout(content, "进度填报")
        kinds = {c.id: c.kind for c in s.scalars(select(Commitment).where(Commitment.id.in_(rows)))}
    target = min((i for i in rows if kinds[i] == "target"), key=rows.get)
    measure = min((i for i in rows if kinds[i] != "target"), key=rows.get)
    return content, letters, rows, target, measure


def test_template_typed_in_libreoffice_and_sent_twice(ledger: Ledger, libreoffice: LibreOffice) -> None:
    content, col, rows, target, measure = _template(ledger)
    pct, done, text = col["完成进度(%)"], col["是否完成"], col["进展情况"]
    ops = [
        {"op": "type", "cell": f"{pct}{rows[target]}", "input": "40%"},
        {"op": "type", "cell": f"{text}{rows[target]}", "input": "一季度完成全年任务的四成"},
        {"op": "type", "cell": f"{done}{rows[measure]}", "input": "是"},
        {"op": "type", "cell": f"{text}{rows[measure]}", "input": "已全部完成"},
    ]
    filled = libreoffice.edit(content, ops)
    cell = openpyxl.load_workbook(io.BytesIO(filled))["进度填报"][f"{pct}{rows[target]}"]
    assert (cell.value, "%" in cell.number_format) == (0.4, True)  # LibreOffice stored the typed 40% as 0.4

    diff = _import(ledger, filled, apply=True, actor="liaison")
    assert isinstance(diff, TemplateDiff)
    assert sorted((r.commitment_id, r.percent, r.narrative) for r in diff.rows) == sorted(
        [(target, 40.0, "一季度完成全年任务的四成"), (measure, 100.0, "已全部完成")])

    again = _import(ledger, filled, apply=True, actor="liaison")
    assert isinstance(again, TemplateDiff) and (again.rows, again.unchanged) == ([], 2)

    changed = libreoffice.edit(filled, [{"op": "type", "cell": f"{pct}{rows[target]}", "input": "50%"}])
    with pytest.raises(WorkbookRejected) as exc:
        _import(ledger, changed, apply=True, actor="liaison")
    assert [(e.row, e.message) for e in exc.value.errors] == [(
        rows[target],
        f"任务 {target} 本期进度已提交（完成进度 40%），本表填写的不同（完成进度 50%）：如需修改，请督查室先退回该报告再重新报送",
    )]
    with ledger.session() as s:
        got = {pr.commitment_id: pr.percent for pr in s.scalars(select(ProgressReport))}
    assert got == {target: 40.0, measure: 100.0}


def test_template_with_a_row_deleted_in_libreoffice(ledger: Ledger, libreoffice: LibreOffice) -> None:
    content, col, rows, _target, _measure = _template(ledger)
    first, later = sorted(rows, key=rows.get)[:2]
    ops = [
        {"op": "unprotect"},  # the sheet is protected without a password, as the note says
        {"op": "delete_row", "row": rows[first]},
        {"op": "type", "cell": f"{col['完成进度(%)']}{rows[later] - 1}", "input": "25"},
    ]
    filled = libreoffice.edit(content, ops)
    assert '<row r="1048576"' in _sheet_xml(filled)
    diff = _import(ledger, filled, apply=False, actor="liaison")
    assert isinstance(diff, TemplateDiff)
    assert [(r.row, r.commitment_id, r.percent) for r in diff.rows] == [(rows[later] - 1, later, 25.0)]


def test_csv_and_ods_get_a_save_as_xlsx_message(ledger: Ledger, libreoffice: LibreOffice) -> None:
    content, *_ = _template(ledger)
    for suffix in (".ods", ".csv"):
        other = libreoffice.edit(content, [], save_as=suffix)
        with pytest.raises(Exception) as exc:
            _import(ledger, other, apply=False)
        assert "请另存为 .xlsx" in str(exc.value), suffix
