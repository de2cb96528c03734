"""Reading edited workbooks back (no database): row-level errors with sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from luoshi.errors import InputError
from luoshi.export.marker import read_marker
from luoshi.export.model import Plan, Template
from luoshi.export.plan_sheet import read_plan_sheet
from luoshi.export.plan_xlsx import HEADER_ROW, SHEET, write_plan_xlsx
from luoshi.export.safe_open import open_workbook
from luoshi.export.template_sheet import read_template_sheet
from luoshi.export.template_xlsx import write_template_xlsx

R = HEADER_ROW  # rows: R+1 group, R+2 id 11, R+3 id 12, R+4 group, R+5 id 21, R+6 id 22


def _edit(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    change(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read_plan(data: bytes):  # type: ignore[no-untyped-def]
    wb = open_workbook(data)
    return read_plan_sheet(wb, read_marker(wb), 2024)


def test_untouched_plan_reads_back_exactly(sample_plan: Plan) -> None:
    sheet = _read_plan(write_plan_xlsx(sample_plan))
    assert sheet.errors == []
    assert [(r.id, r.text, r.lead, r.support, r.deadline) for r in sheet.rows] == [
        (row.id, row.text, row.lead, row.support, row.deadline) for row in sample_plan.rows()
    ]
    assert sheet.rows[2].text.startswith("=HYPERLINK")  # escape undone on the way back
    assert sheet.rows[2].group == "二、聚力加快产业升级，夯实高质量发展支撑"
    assert sheet.rows[2].leader == "张三"


def test_office_edits_and_new_rows(sample_plan: Plan) -> None:
    def change(wb):  # type: ignore[no-untyped-def]
        ws = wb[SHEET]
        ws.cell(R + 2, 3).value = "市统计局，市发展改革委"
        ws.cell(R + 3, 6).value = "2024年6月底"
        ws.insert_rows(R + 7)
        ws.cell(R + 7, 2).value = "新增：建设工业互联网平台"
        ws.cell(R + 7, 3).value = "市工业和信息化局"
        ws.cell(R + 7, 6).value = "三季度"

    sheet = _read_plan(_edit(write_plan_xlsx(sample_plan), change))
    assert sheet.errors == []
    assert sheet.rows[0].lead == ["市统计局", "市发展改革委"]
    assert sheet.rows[1].deadline == dt.date(2024, 6, 30)
    new = sheet.rows[-1]
    assert new.id is None and new.row == R + 7 and new.deadline == dt.date(2024, 9, 30)
    assert new.group == "二、聚力加快产业升级，夯实高质量发展支撑"


def test_broken_rows_are_reported_row_by_row(sample_plan: Plan) -> None:
    def change(wb):  # type: ignore[no-untyped-def]
        ws = wb[SHEET]
        ws.cell(R + 2, 7).value = "第十一项"  # text in the id column
        ws.cell(R + 3, 6).value = "明年上半年再说"
        ws.cell(R + 5, 3).value = "市财政局"
        ws.cell(R + 6, 7).value = 12  # duplicate of row R+3's id
        ws.cell(R + 8, 2).value = "只有任务没有单位"
        ws.cell(R + 9, 7).value = 999  # an id that was never exported
        ws.cell(R + 9, 2).value = "x"
        ws.cell(R + 9, 3).value = "市财政局"

    sheet = _read_plan(_edit(write_plan_xlsx(sample_plan), change))
    got = {(e.row, e.column) for e in sheet.errors}
    assert got == {
        (R + 2, "G列（编号）"),
        (R + 3, "F列（完成时限）"),
        (R + 6, "G列（编号）"),
        (R + 8, "C列（牵头单位）"),
        (R + 9, "G列（编号）"),
    }
    text = "\n".join(str(e) for e in sheet.errors)
    assert "工作表“分工方案”第4行" not in text
    assert f"工作表“分工方案”第{R + 2}行 G列（编号）：“第十一项”不是任务编号" in text
    assert "无法识别的完成时限“明年上半年再说”" in text
    assert f"与第{R + 3}行重复" in text
    assert "编号 999 不是本方案导出的任务" in text


def test_wrong_sheet_and_missing_id_column(sample_plan: Plan) -> None:
    renamed = _edit(write_plan_xlsx(sample_plan), lambda wb: setattr(wb[SHEET], "title", "Sheet1"))
    sheet = _read_plan(renamed)
    assert sheet.table is None and "找不到工作表“分工方案”" in sheet.errors[0].message
    assert "Sheet1" in sheet.errors[0].message

    def drop_id(wb):  # type: ignore[no-untyped-def]
        wb[SHEET].delete_cols(7)

    sheet = _read_plan(_edit(write_plan_xlsx(sample_plan), drop_id))
    assert sheet.table is None and sheet.errors[0].row == HEADER_ROW
    assert "表头缺少“编号”列" in sheet.errors[0].message


def test_workbook_without_marker_is_refused(sample_plan: Plan) -> None:
    data = _edit(write_plan_xlsx(sample_plan), lambda wb: wb.remove(wb["_luoshi"]))
    with pytest.raises(InputError, match="缺少标记工作表"):
        read_marker(open_workbook(data))


def _read_template(data: bytes):  # type: ignore[no-untyped-def]
    wb = open_workbook(data)
    return read_template_sheet(wb, read_marker(wb))


def test_filled_template_reads_back(sample_template: Template) -> None:
    def fill(wb):  # type: ignore[no-untyped-def]
        ws = wb["进度填报"]
        ws["I4"], ws["J4"], ws["L4"] = 2.1, 26, "一季度规上工业增加值增长2.1%"
        ws["J5"], ws["K5"] = "40%", "否"
        ws["K6"], ws["L6"] = "是", "已全部完成"

    sheet = _read_template(_edit(write_template_xlsx(sample_template), fill))
    assert sheet.errors == []
    assert [(r.row, r.id, r.reported_value, r.percent, r.done, r.narrative) for r in sheet.rows] == [
        (4, 21, 2.1, 26.0, None, "一季度规上工业增加值增长2.1%"),
        (5, 22, None, 40.0, False, ""),
        (6, 23, None, 100.0, True, "已全部完成"),
    ]


def test_template_errors(sample_template: Template) -> None:
    def fill(wb):  # type: ignore[no-untyped-def]
        ws = wb["进度填报"]
        ws["I4"], ws["J4"] = "约两成", 20  # text in a number cell
        ws["J5"], ws["K5"] = 150, "也许"
        ws["J6"], ws["K6"] = 50, "是"
        ws["C7"], ws["J7"] = "自己加的一行", 10

    sheet = _read_template(_edit(write_template_xlsx(sample_template), fill))
    assert [(e.row, e.column) for e in sheet.errors] == [
        (4, "I列（本期完成值）"),
        (5, "J列（完成进度(%)）"),
        (5, "K列（是否完成）"),
        (6, "K列（是否完成）"),
        (7, "A列（编号）"),
    ]
    assert "“约两成”不是数字" in sheet.errors[0].message
    assert sheet.rows == []


def test_rows_an_office_suite_leaves_empty_are_not_counted(sample_plan: Plan) -> None:
    """A row deleted in an office suite leaves a formatted empty row 1,048,576: the table ends before it."""

    def change(wb):  # type: ignore[no-untyped-def]
        ws = wb[SHEET]
        ws.delete_rows(R + 3)
        ws.cell(1_048_576, 2).font = openpyxl.styles.Font(bold=True)  # written, but empty
        ws.row_dimensions[1_048_576].height = 12.8

    sheet = _read_plan(_edit(write_plan_xlsx(sample_plan), change))
    assert sheet.errors == []
    assert [r.id for r in sheet.rows] == [11, 21, 22]


def test_too_many_rows_with_content_are_refused(sample_plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("luoshi.export.sheet_reader.MAX_ROWS", 10)  # 9 rows are written

    def change(wb):  # type: ignore[no-untyped-def]
        for n in range(R + 7, R + 9):
            wb[SHEET].cell(n, 2).value = f"新增任务{n}"

    sheet = _read_plan(_edit(write_plan_xlsx(sample_plan), change))
    assert [str(e) for e in sheet.errors] == [f"工作表“{SHEET}”第{R + 8}行：有内容的行数超过上限 10"]


def test_percent_typed_into_a_general_cell_reads_as_percent(sample_template: Template) -> None:
    """Typing 40% stores 0.4 with a percent format; the reader goes by the format and reads 40."""

    def fill(wb):  # type: ignore[no-untyped-def]
        ws = wb["进度填报"]
        ws.cell(4, 10).value = 0.4
        ws.cell(4, 10).number_format = "0%"
        ws.cell(4, 9).value = 0.085  # 本期完成值 8.5% typed the same way
        ws.cell(4, 9).number_format = "0.00%"
        ws.cell(5, 10).value = 0.4  # a plain 0.4 stays 0.4
        ws.cell(5, 10).number_format = '0.0"%"'  # a literal percent sign is not a percent format

    sheet = _read_template(_edit(write_template_xlsx(sample_template), fill))
    assert sheet.errors == []
    assert [(r.id, r.percent, r.reported_value) for r in sheet.rows] == [(21, 40.0, 8.5), (22, 0.4, None)]


def test_formula_without_a_computed_value_is_reported(sample_template: Template) -> None:
    def fill(wb):  # type: ignore[no-untyped-def]
        wb["进度填报"].cell(4, 10).value = "=20+20"  # openpyxl stores no cached result

    sheet = _read_template(_edit(write_template_xlsx(sample_template), fill))
    assert [str(e) for e in sheet.errors] == [
        "工作表“进度填报”第4行 J列：单元格是公式但文件中没有计算结果，请在表格软件中重新计算后保存，或直接填写数值"
    ]
    assert sheet.rows == []
