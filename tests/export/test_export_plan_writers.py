"""The 分工方案 writers: open the generated files and check structure, fonts and print settings."""

from __future__ import annotations

import io

import docx
import openpyxl
from docx.oxml.ns import qn

from luoshi.export.marker import PLAN, read_marker
from luoshi.export.model import Plan
from luoshi.export.plan_docx import write_plan_docx
from luoshi.export.plan_xlsx import HEADER_ROW, SHEET, write_plan_xlsx


def _sheet(plan: Plan):  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(io.BytesIO(write_plan_xlsx(plan)))
    return wb, wb[SHEET]


def test_xlsx_headers_groups_and_rows(sample_plan: Plan) -> None:
    _wb, ws = _sheet(sample_plan)
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == ["序号", "重点任务", "牵头单位", "配合单位", "责任领导", "完成时限", "编号"]
    assert ws["A1"].value == "《2024年政府工作报告》重点任务分工方案"
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    # heading rows: title alone, merged across all columns; headline targets come first
    assert rows[0][0] == "一、主要预期目标" and not any(rows[0][1:])
    assert rows[3][0] == "二、聚力加快产业升级，夯实高质量发展支撑"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{HEADER_ROW + 1}:G{HEADER_ROW + 1}" in merged and f"A{HEADER_ROW + 4}:G{HEADER_ROW + 4}" in merged
    assert rows[1][:4] == (1, "地区生产总值增长5.5%左右", "市发展改革委", "市统计局")
    assert rows[1][5] == "2024年12月底" and rows[1][6] == 11  # one date format in every document
    assert rows[5][3] == "市科技局、市财政局" and rows[5][0] == 4  # numbering runs across groups


def test_xlsx_formula_injection_is_neutralised(sample_plan: Plan) -> None:
    _wb, ws = _sheet(sample_plan)
    cell = ws.cell(HEADER_ROW + 5, 2)
    assert cell.data_type == "s"
    # text, shown as written (no visible apostrophe), marked quotePrefix so editing keeps it text
    assert cell.value.startswith("=HYPERLINK") and cell.quotePrefix
    assert not ws.cell(HEADER_ROW + 2, 2).quotePrefix  # ordinary text is left alone


def test_xlsx_comfort_autofilter_unit_dropdown_and_header_height(sample_plan: Plan) -> None:
    sample_plan.units = ["市发展改革委", "市工业和信息化局", "市财政局"]
    wb, ws = _sheet(sample_plan)
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:F{HEADER_ROW + 6}"  # every column but the hidden 编号
    names = wb["_单位名录"]
    assert names.sheet_state == "hidden" and [c.value for c in names["A"]] == sample_plan.units
    lists = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    lead = lists[f"C{HEADER_ROW + 1}:C{HEADER_ROW + 206}"]
    assert (lead.type, lead.formula1, lead.errorStyle) == ("list", "'_单位名录'!$A$1:$A$3", "warning")
    assert ws.row_dimensions[HEADER_ROW].height >= 20


def test_xlsx_fonts_print_settings_and_hidden_id(sample_plan: Plan) -> None:
    wb, ws = _sheet(sample_plan)
    assert ws["A1"].font.name == "方正小标宋简体"
    assert ws.cell(HEADER_ROW, 2).font.name == "黑体"
    assert ws.cell(HEADER_ROW + 1, 1).font.name == "黑体"
    body = ws.cell(HEADER_ROW + 2, 2)
    assert body.font.name == "仿宋_GB2312" and body.alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.column_dimensions["G"].hidden
    assert ws.column_dimensions["B"].width >= 50
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    marker = read_marker(wb)
    assert marker.kind == PLAN and marker.records == {11: 1, 12: 2, 21: 1, 22: 1}
    assert marker.meta["group:二、聚力加快产业升级，夯实高质量发展支撑"] == "7"
    assert wb["_luoshi"].sheet_state == "veryHidden"


def test_xlsx_without_leader_column(sample_plan: Plan) -> None:
    sample_plan.with_leader = False
    _wb, ws = _sheet(sample_plan)
    assert [c.value for c in ws[HEADER_ROW]] == ["序号", "重点任务", "牵头单位", "配合单位", "完成时限", "编号"]


def _east_asia(run) -> str | None:  # type: ignore[no-untyped-def]
    rfonts = run._element.rPr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def test_docx_structure_fonts_and_repeated_header(sample_plan: Plan) -> None:
    doc = docx.Document(io.BytesIO(write_plan_docx(sample_plan)))
    section = doc.sections[0]
    assert section.orientation == 1  # landscape
    assert abs(section.page_width.cm - 29.7) < 0.05 and abs(section.page_height.cm - 21.0) < 0.05
    title = doc.paragraphs[0]
    assert title.text == "《2024年政府工作报告》重点任务分工方案"
    assert _east_asia(title.runs[0]) == "方正小标宋简体"
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"

    (table,) = doc.tables
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["序号", "重点任务", "牵头单位", "配合单位", "责任领导", "完成时限"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert _east_asia(header.cells[1].paragraphs[0].runs[0]) == "黑体"
    group = table.rows[1]
    assert len({id(c._tc) for c in group.cells}) == 1  # merged across the row
    assert group.cells[0].text == "一、主要预期目标"
    first = table.rows[2]
    assert [c.text for c in first.cells] == ["1", "地区生产总值增长5.5%左右", "市发展改革委", "市统计局", "", "2024年12月底"]
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)  # no row split across pages
    assert _east_asia(first.cells[1].paragraphs[0].runs[0]) == "仿宋_GB2312"
    last = table.rows[-1]
    assert last.cells[5].text == "2024年9月15日" and last.cells[3].text == "市科技局、市财政局"
    assert len(table.rows) == 1 + 2 + 4
