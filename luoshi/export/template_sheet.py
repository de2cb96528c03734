"""Reading a filled progress template back into plain rows (no database).

Rows whose four input cells are all empty are skipped (nothing reported for that task this time);
every other row must carry a valid 完成进度 (or 是否完成 = 是, meaning 100) and numbers where numbers
belong. Problems are collected row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook

from luoshi.export.cells import cell_text
from luoshi.export.errors import RowError
from luoshi.export.marker import Marker
from luoshi.export.sheet_reader import Table, find_table, non_empty, parse_int
from luoshi.export.template_xlsx import HEADERS, MAX_NARRATIVE, NO, SHEET, YES
from luoshi.ledger.numbers import typed_number

REQUIRED = [HEADERS["text"], HEADERS["id"], HEADERS["value"], HEADERS["percent"], HEADERS["narrative"]]


@dataclass
class FilledRow:
    row: int
    id: int
    reported_value: float | None
    percent: float
    done: bool | None
    narrative: str


@dataclass
class TemplateSheet:
    table: Table | None
    rows: list[FilledRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_number(value: object) -> float | None:
    """A number cell as a person may have typed it (12, '12%', '1,200', '１２．５'): the ledger's
    reading of typed numbers (:func:`luoshi.ledger.numbers.typed_number`) after the cell's formula
    escape is undone; ValueError for text."""
    return typed_number(cell_text(value) if isinstance(value, str) else value)


def read_template_sheet(wb: Workbook, marker: Marker) -> TemplateSheet:
    errors: list[RowError] = []
    found = find_table(wb, SHEET, REQUIRED, errors)
    if found is None:
        return TemplateSheet(None, errors=errors)
    table, rows = found
    result = TemplateSheet(table, errors=errors)
    seen: dict[int, int] = {}
    h_value, h_pct, h_done, h_text = HEADERS["value"], HEADERS["percent"], HEADERS["done"], HEADERS["narrative"]
    for n, row in non_empty(rows):
        inputs = [table.text(row, h) for h in (h_value, h_pct, h_done, h_text) if h in table.columns]
        bad = False

        def err(header: str | None, message: str, n: int = n) -> None:
            nonlocal bad
            bad = True
            errors.append(RowError(SHEET, n, table.label(header) if header else None, message))

        try:
            ident = parse_int(table.value(row, HEADERS["id"]))
        except ValueError:
            err(HEADERS["id"], f"“{table.text(row, HEADERS['id'])}”不是任务编号（请勿修改编号列）")
            continue
        if ident is None:
            if any(inputs):
                err(HEADERS["id"], "缺少编号：模板中不能新增任务行（新增任务请在分工方案中添加）")
            continue
        if ident not in marker.records:
            err(HEADERS["id"], f"编号 {ident} 不在本模板导出的任务中（请勿修改编号）")
            continue
        if ident in seen:
            err(HEADERS["id"], f"编号 {ident} 与第{seen[ident]}行重复")
            continue
        seen[ident] = n
        if not any(inputs):
            continue
        value = percent = None
        try:
            value = parse_number(table.value(row, h_value))
        except ValueError:
            err(h_value, f"“{table.text(row, h_value)}”不是数字（只填数字，不带单位）")
        try:
            percent = parse_number(table.value(row, h_pct))
        except ValueError:
            err(h_pct, f"“{table.text(row, h_pct)}”不是数字（填 0—100，不带%）")
        if percent is not None and not 0 <= percent <= 100:
            err(h_pct, f"完成进度 {percent:g} 不在 0—100 之间")
        done_text = table.text(row, h_done) if h_done in table.columns else ""
        done: bool | None = None
        if done_text == YES:
            done = True
            if percent is None:
                percent = 100.0
            elif percent < 100:
                err(h_done, f"是否完成为“是”，但完成进度为 {percent:g}（已完成应为 100）")
        elif done_text == NO:
            done = False
        elif done_text:
            err(h_done, f"“{done_text}”无效，应为“{YES}”或“{NO}”")
        if percent is None and not bad:
            err(h_pct, "已填写本行，但完成进度为空")
        narrative = table.text(row, h_text)
        if len(narrative) > MAX_NARRATIVE:
            err(h_text, f"进展情况 {len(narrative)} 字，超过 {MAX_NARRATIVE} 字")
        if not bad and percent is not None:
            result.rows.append(FilledRow(n, ident, value, percent, done, narrative))
    return result
