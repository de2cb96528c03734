"""The 分工方案 as an .xlsx offices can print, edit and send back.

Layout of sheet ``分工方案``: a title row, a note row, the header row (repeated on every printed
page), then for each group a merged heading row (主要预期目标 first, then the report's areas)
followed by its tasks. The last column ``编号`` holds the commitment id; it is hidden, and it is how
an edited copy is matched back to the ledger (rows without it are new tasks). A very hidden
``_luoshi`` sheet marks the workbook as a plan (see ``luoshi.export.marker``).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from luoshi.export import xlsx_style as st
from luoshi.export.cells import format_deadline, join_units, set_text
from luoshi.export.marker import PLAN, Marker, write_marker
from luoshi.export.model import Plan

SHEET = "分工方案"
UNITS_SHEET = "_单位名录"  # hidden list behind the 牵头单位 dropdown
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
# (header, width, key); 责任领导 is dropped when the plan has no leaders column
COLUMNS: list[tuple[str, float, str]] = [
    ("序号", 6, "seq"),
    ("重点任务", 64, "text"),
    ("牵头单位", 18, "lead"),
    ("配合单位", 24, "support"),
    ("责任领导", 10, "leader"),
    ("完成时限", 17, "deadline"),
    ("编号", 8, "id"),
]
NOTE = "说明：“编号”列（隐藏）用于导回系统，请勿修改；新增任务请插入新行并留空编号；多个单位用顿号“、”分隔。"


def columns(plan: Plan) -> list[tuple[str, float, str]]:
    return [c for c in COLUMNS if plan.with_leader or c[2] != "leader"]


def _unit_dropdown(wb: Workbook, ws, units: list[str], cols: list[tuple[str, float, str]],  # type: ignore[no-untyped-def]
                   last_row: int) -> None:
    """A dropdown of the unit directory on 牵头单位 (and 配合单位, where several names may be typed:
    the list only proposes, a warning lets other text through; the importer checks every name)."""
    names = wb.create_sheet(UNITS_SHEET)
    for i, name in enumerate(units, start=1):
        names.cell(i, 1, name)
    names.sheet_state = "hidden"
    source = f"'{UNITS_SHEET}'!$A$1:$A${len(units)}"
    for key, strict in (("lead", True), ("support", False)):
        j = next((j for j, c in enumerate(cols, start=1) if c[2] == key), None)
        if j is None:
            continue
        dv = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                            errorStyle="warning" if strict else "information",
                            errorTitle="单位名称", error="不在单位名录中：请从下拉列表选择，或确认名称无误后继续",
                            promptTitle="单位", prompt="从下拉列表选择单位全称；多个单位用顿号“、”分隔")
        dv.add(f"{get_column_letter(j)}{HEADER_ROW + 1}:{get_column_letter(j)}{last_row + 200}")
        ws.add_data_validation(dv)


def write_plan_xlsx(plan: Plan) -> bytes:
    """The plan as .xlsx bytes (see module docstring for the layout)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cols = columns(plan)
    ncol = len(cols)
    st.title_and_note(ws, ncol, plan.title, NOTE, title_row=TITLE_ROW, note_row=NOTE_ROW)
    st.fit_note_height(ws, NOTE_ROW, NOTE, [w for _h, w, k in cols if k != "id"])

    for j, (header, width, _key) in enumerate(cols, start=1):
        cell = ws.cell(HEADER_ROW, j, header)
        cell.font, cell.alignment, cell.border, cell.fill = st.HEADER, st.WRAP_CENTER, st.BORDER, st.HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    widths = {j: width for j, (_h, width, _k) in enumerate(cols, start=1)}
    id_letter = get_column_letter(ncol)
    ws.column_dimensions[id_letter].hidden = True

    r = HEADER_ROW
    seq = 0
    for group in plan.groups:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        head = ws.cell(r, 1)
        set_text(head, group.title)
        for j in range(1, ncol + 1):
            c = ws.cell(r, j)
            c.font, c.fill, c.border, c.alignment = st.GROUP, st.GROUP_FILL, st.BORDER, st.WRAP
        for row in group.rows:
            r += 1
            seq += 1
            values = {
                "seq": seq,
                "text": row.text,
                "lead": join_units(row.lead),
                "support": join_units(row.support),
                "leader": row.leader or "",
                "deadline": format_deadline(row.deadline, row.deadline_text),
                "id": row.id,
            }
            for j, (_h, _w, key) in enumerate(cols, start=1):
                c = ws.cell(r, j)
                value = values[key]
                if isinstance(value, str):
                    set_text(c, value)
                else:
                    c.value = value
                c.font, c.border = st.BODY, st.BORDER
                c.alignment = st.WRAP_LEFT_TOP if key in ("text", "lead", "support") else st.WRAP_CENTER
            st.fit_row_height(
                ws, r,
                {j: values[key] for j, (_h, _w, key) in enumerate(cols, start=1) if key in ("text", "lead", "support")},
                widths,
            )
    st.fit_row_height(ws, HEADER_ROW, {j: h for j, (h, _w, _k) in enumerate(cols, start=1)}, widths)
    last_row = max(r, HEADER_ROW + 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncol - 1)}{last_row}"
    if plan.units:
        _unit_dropdown(wb, ws, plan.units, cols, last_row)
    st.setup_print(ws, header_row=HEADER_ROW, title=plan.title)
    ws.print_area = f"A1:{get_column_letter(ncol - 1)}{max(r, HEADER_ROW)}"

    meta = {"report_id": plan.report_id or "", "government": plan.government, "year": plan.year}
    for group in plan.groups:
        meta[f"group:{group.title}"] = "headline" if group.headline else (group.section_id or "")
    records = {row.id: row.version or 0 for row in plan.rows() if row.id is not None}
    write_marker(wb, Marker(kind=PLAN, meta=meta, records=records))
    wb.properties.title = plan.title
    wb.properties.creator = plan.issuing_office or plan.government
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
