"""Reading luoshi's own tables back from an uploaded workbook, row by row.

Offices insert rows, re-order or widen columns and retype cells; the reader therefore finds the
header row by its texts and the columns by their headers, not by position. Every problem becomes a
:class:`~luoshi.export.errors.RowError` naming the sheet, row, column and what is wrong.

Files saved by office suites differ from the ones luoshi writes, and the reader takes them as they
are: a sheet whose last row was deleted in LibreOffice carries an empty row 1,048,576, so the row
limit counts rows with content and the table ends at the last one; a number typed as ``40%`` is
stored as 0.4 in a percent-formatted cell and is read by its format as 40; a formula whose result
was never computed (no cached value in the file) is reported instead of being read as empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from luoshi.export.cells import cell_text
from luoshi.export.errors import RowError
from luoshi.export.safe_open import uncached_formulas

HEADER_SCAN_ROWS = 15
MAX_ROWS = 20_000
MAX_COLUMNS = 60


@dataclass
class Table:
    sheet: str
    header_row: int
    columns: dict[str, int]  # header text → 0-based column index

    def label(self, header: str) -> str:
        return f"{get_column_letter(self.columns[header] + 1)}列（{header}）"

    def value(self, row: tuple, header: str) -> object:
        idx = self.columns.get(header)
        if idx is None or idx >= len(row):
            return None
        return row[idx]

    def text(self, row: tuple, header: str) -> str:
        return cell_text(self.value(row, header))


def find_table(
    wb: Workbook, sheet: str, required: list[str], errors: list[RowError]
) -> tuple[Table, list[tuple[int, tuple]]] | None:
    """The table on ``sheet`` and its rows after the header, or None (with errors) if unusable."""
    if sheet not in wb.sheetnames:
        visible = [s for s in wb.sheetnames if not s.startswith("_")]
        errors.append(RowError(sheet, None, None, f"找不到工作表“{sheet}”（工作簿中有：{'、'.join(visible) or '无'}），请勿重命名或删除"))
        return None
    ws = wb[sheet]
    if hasattr(ws, "reset_dimensions"):  # read-only: don't trust the <dimension> some writers leave wrong
        ws.reset_dimensions()
    uncached = uncached_formulas(wb).get(sheet, set())
    rows: list[tuple[int, tuple]] = []
    filled = 0
    blank: tuple | None = None  # read-only sheets give every missing row as one shared empty tuple
    for n, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if cells is blank:
            continue
        row = tuple(cell_value(c) for c in cells)
        if not any(v is not None and cell_text(v) for v in row):
            if all(getattr(c, "value", None) is None for c in cells):
                blank = cells
            if not any((n, j) in uncached for j in range(1, len(row) + 1)):
                continue  # empty rows (up to the 1,048,576th an office suite may write) are not counted
        filled += 1
        if filled > MAX_ROWS:
            errors.append(RowError(sheet, n, None, f"有内容的行数超过上限 {MAX_ROWS}"))
            return None
        for j in range(1, len(row) + 1):
            if (n, j) in uncached:
                errors.append(RowError(
                    sheet, n, f"{get_column_letter(j)}列", "单元格是公式但文件中没有计算结果，"
                    "请在表格软件中重新计算后保存，或直接填写数值"))
        rows.append((n, row))
    for n, row in rows[:HEADER_SCAN_ROWS]:
        texts = [cell_text(v) for v in row]
        if required[0] in texts:
            columns: dict[str, int] = {}
            for idx, t in enumerate(texts):
                if t and t not in columns:
                    columns[t] = idx
            missing = [h for h in required if h not in columns]
            if missing:
                errors.append(
                    RowError(sheet, n, None, f"表头缺少“{'”“'.join(missing)}”列（请勿删除或改名表头；编号列用于与系统中的任务对应）")
                )
                return None
            return Table(sheet, n, columns), [(m, r) for m, r in rows if m > n]
    errors.append(RowError(sheet, None, None, f"找不到表头（应有“{'”“'.join(required)}”等列）"))
    return None


def is_percent_format(number_format: str | None) -> bool:
    """Whether a number format shows a fraction as a percentage (``0%``, ``0.00%``, not ``0"%"``)."""
    if not number_format:
        return False
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)  # quoted text, escapes, [colour]
    return "%" in bare


def cell_value(cell: object) -> object:
    """A cell's value as the person sees it: a number in a percent cell (0.4 shown as 40%) → 40."""
    value = getattr(cell, "value", None)
    if isinstance(value, int | float) and not isinstance(value, bool) and is_percent_format(
        getattr(cell, "number_format", None)
    ):
        return round(value * 100, 9)
    return value


def non_empty(rows: list[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    for n, row in rows:
        if any(cell_text(v) for v in row):
            yield n, row


def parse_int(value: object) -> int | None:
    """An id cell: int, integral float or digit string → int; empty → None; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = cell_text(value)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    raise ValueError(value)
