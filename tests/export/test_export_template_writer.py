"""Progress templates: validation, protection and what the unit sees."""

from __future__ import annotations

import io

import openpyxl

from luoshi.export.marker import TEMPLATE, read_marker
from luoshi.export.model import Template
from luoshi.export.template_xlsx import HEADER_ROW, SHEET, write_template_xlsx


def test_template_layout_validation_and_protection(sample_template: Template) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(write_template_xlsx(sample_template)))
    ws = wb[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == ["编号", "序号", "重点任务", "责任类型", "目标值", "完成时限", "时序进度(%)", "上期进度(%)",
                       "本期完成值", "完成进度(%)", "是否完成", "进展情况"]
    assert ws["A1"].value == "市工业和信息化局 2024Q1 政府工作报告重点任务进度填报表"
    first = [c.value for c in ws[HEADER_ROW + 1]]
    assert first[:8] == [21, 1, "规上工业增加值增长8%", "牵头", "增长8%", "2024年12月底", 24.6, None]
    assert first[8:] == [None, None, None, None]
    cell = ws.cell(HEADER_ROW + 3, 3)
    assert cell.value.startswith("@SUM") and cell.quotePrefix and cell.data_type == "s"  # formula injection neutralised
    assert ws.row_dimensions[HEADER_ROW].height >= 2 * 12 * 1.35  # 时序进度(%) wraps: two lines, not clipped

    # protection: sheet protected without password; only the four input columns unlocked
    assert ws.protection.sheet and not ws.protection.password
    for r in range(HEADER_ROW + 1, HEADER_ROW + 4):
        locked = {ws.cell(HEADER_ROW, j).value: ws.cell(r, j).protection.locked for j in range(1, 13)}
        unlocked = [h for h, is_locked in locked.items() if not is_locked]
        if r < HEADER_ROW + 3:
            assert unlocked == ["本期完成值", "完成进度(%)", "是否完成", "进展情况"]
        else:  # not a quantified target: no value to report
            assert unlocked == ["完成进度(%)", "是否完成", "进展情况"]

    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    last = HEADER_ROW + 3
    pct = dvs[f"J{HEADER_ROW + 1}:J{last}"]
    assert (pct.type, pct.operator, pct.formula1, pct.formula2) == ("decimal", "between", "0", "100")
    assert dvs[f"I{HEADER_ROW + 1}:I{last}"].type == "decimal"
    done = dvs[f"K{HEADER_ROW + 1}:K{last}"]
    assert done.type == "list" and done.formula1 == '"是,否"'
    assert dvs[f"L{HEADER_ROW + 1}:L{last}"].type == "textLength"

    assert ws.column_dimensions["A"].hidden
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    marker = read_marker(wb)
    assert marker.kind == TEMPLATE
    assert marker.meta["unit_id"] == "5" and marker.meta["period_id"] == "3" and marker.meta["period"] == "2024Q1"
    assert marker.records == {21: 1, 22: 4, 23: 1}
