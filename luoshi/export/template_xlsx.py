"""Progress templates (进度填报模板): one unit, one period, one sheet to fill in and send back.

The unit's commitments are listed with what the ledger expects (target, deadline, 时序进度 at the
period end, last reported progress). The yellow cells — 本期完成值, 完成进度(%), 是否完成, 进展情况 —
are unlocked and validated (decimals, 0–100, a 是/否 list, text length); everything else is
protected without a password (审阅 → 撤销工作表保护 unlocks it, by design: protection here guards
against slips, not against people). The hidden ``编号`` column and the ``_luoshi`` marker sheet tie
the file to the ledger, the unit and the period.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from luoshi.export import xlsx_style as st
from luoshi.export.cells import format_deadline, set_text
from luoshi.export.marker import TEMPLATE, Marker, write_marker
from luoshi.export.model import Template

SHEET = "进度填报"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
MAX_NARRATIVE = 2000
VALUE_MIN, VALUE_MAX = -1e12, 1e12
YES, NO = "是", "否"
# (header, width, key, filled by the unit)
COLUMNS: list[tuple[str, float, str, bool]] = [
    ("编号", 6, "id", False),
    ("序号", 6, "seq", False),
    ("重点任务", 50, "text", False),
    ("责任类型", 8, "role", False),
    ("目标值", 14, "target", False),
    ("完成时限", 14, "deadline", False),
    ("时序进度(%)", 10, "expected", False),
    ("上期进度(%)", 10, "last", False),
    ("本期完成值", 12, "value", True),
    ("完成进度(%)", 11, "percent", True),
    ("是否完成", 9, "done", True),
    ("进展情况", 40, "narrative", True),
]
HEADERS = {key: header for header, _w, key, _f in COLUMNS}
NOTE = (
    "填报说明：只需填写黄色单元格（灰色的本期完成值表示该任务不是量化指标，无需填写）。完成进度填 0—100 的数字（不带%）；是否完成选“是”或“否”；"
    "进展情况写明已完成的工作和下一步安排。工作表已保护（无密码），请勿改动其他单元格、编号和表头。"
)


def write_template_xlsx(t: Template) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ncol = len(COLUMNS)
    last = get_column_letter(ncol)

    due = f"报送截止：{t.due.year}年{t.due.month}月{t.due.day}日。" if t.due else ""
    st.title_and_note(ws, ncol, t.title, f"{due}{NOTE}", title_row=TITLE_ROW, note_row=NOTE_ROW)
    st.fit_note_height(ws, NOTE_ROW, f"{due}{NOTE}", [w for _h, w, k, _f in COLUMNS if k != "id"])

    for j, (header, width, _key, fill) in enumerate(COLUMNS, start=1):
        c = ws.cell(HEADER_ROW, j, header)
        c.font, c.alignment, c.border = st.HEADER, st.WRAP_CENTER, st.BORDER
        c.fill = st.INPUT_FILL if fill else st.HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.column_dimensions["A"].hidden = True

    first = HEADER_ROW + 1
    for i, row in enumerate(t.rows):
        r = first + i
        values = {
            "id": row.id,
            "seq": i + 1,
            "text": row.text,
            "role": row.role,
            "target": row.target,
            "deadline": format_deadline(row.deadline, row.deadline_text),
            "expected": None if row.expected_percent is None else round(row.expected_percent, 1),
            "last": None if row.last_percent is None else round(row.last_percent, 1),
            "value": None,
            "percent": None,
            "done": None,
            "narrative": None,
        }
        for j, (_h, _w, key, fill) in enumerate(COLUMNS, start=1):
            c = ws.cell(r, j)
            value = values[key]
            if isinstance(value, str):
                set_text(c, value)
            else:
                c.value = value
            c.font, c.border = st.BODY, st.BORDER
            c.alignment = st.WRAP_LEFT_TOP if key in ("text", "narrative") else st.WRAP_CENTER
            if fill and (key != "value" or row.quantified):
                c.fill = st.INPUT_FILL
                c.protection = Protection(locked=False)
            elif fill:  # not a quantified target: nothing to report as a value
                c.fill = st.HEADER_FILL
            if key in ("expected", "last"):
                c.number_format = "0.0"
            # the input cells stay General: a typed 40% then becomes 0.4 in a percent cell, which the
            # reader reads back as 40 (a fixed 0.0 format would keep 0.4 and hide the percent sign)
        st.fit_row_height(ws, r, {3: row.text, 5: row.target}, {3: COLUMNS[2][1], 5: COLUMNS[4][1]}, min_lines=2)
    end = first + max(len(t.rows), 1) - 1
    st.fit_row_height(ws, HEADER_ROW, {j: h for j, (h, _w, _k, _f) in enumerate(COLUMNS, start=1)},
                      {j: w for j, (_h, w, _k, _f) in enumerate(COLUMNS, start=1)}, min_lines=2)
    _validations(ws, first, end)

    ws.protection.sheet = True  # no password: see module docstring
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    st.setup_print(ws, header_row=HEADER_ROW, title=t.title)
    ws.print_area = f"B1:{last}{end}"

    meta = {
        "report_id": t.report_id,
        "government": t.government,
        "year": t.year,
        "unit_id": t.unit_id,
        "unit": t.unit,
        "period_id": t.period_id,
        "period": t.period,
    }
    write_marker(wb, Marker(kind=TEMPLATE, meta=meta, records={r.id: r.version or 0 for r in t.rows}))
    wb.properties.title = t.title
    wb.properties.creator = t.government
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _col(key: str) -> str:
    idx = next(i for i, c in enumerate(COLUMNS, start=1) if c[2] == key)
    return get_column_letter(idx)


def _validations(ws, first: int, end: int) -> None:  # type: ignore[no-untyped-def]
    def add(dv: DataValidation, key: str) -> None:
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.add(f"{_col(key)}{first}:{_col(key)}{end}")
        ws.add_data_validation(dv)

    add(
        DataValidation(type="decimal", operator="between", formula1=str(VALUE_MIN), formula2=str(VALUE_MAX),
                       allow_blank=True, errorTitle="本期完成值", error="请填写数字（不带单位）"),
        "value",
    )
    add(
        DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                       errorTitle="完成进度", error="请填写 0—100 之间的数字（不带%）",
                       promptTitle="完成进度", prompt="0—100，不带%"),
        "percent",
    )
    add(
        DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True,
                       errorTitle="是否完成", error="请选择“是”或“否”"),
        "done",
    )
    add(
        DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_NARRATIVE),
                       allow_blank=True, errorTitle="进展情况", error=f"不超过 {MAX_NARRATIVE} 字"),
        "narrative",
    )
