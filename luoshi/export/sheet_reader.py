"""Reading luoshi's own tables back from an uploaded workbook, row by row.

Offices insert rows, re-order or widen columns and retype cells; the reader therefore finds the
header row by its texts and the columns by their headers, not by position. Every problem becomes a
:class:`~luoshi.export.errors.RowError` naming the sheet, row, column and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from luoshi.export.cells import cell_text
from luoshi.export.errors import RowError

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
    rows: list[tuple[int, tuple]] = []
    for n, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if n > MAX_ROWS:
            errors.append(RowError(sheet, n, None, f"行数超过上限 {MAX_ROWS}"))
            return None
        rows.append((n, tuple(row)))
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
