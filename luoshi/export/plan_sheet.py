"""Reading an edited 分工方案 workbook into plain rows (no database).

Heading rows (a group title alone in the row) set the group that the following new rows belong to;
rows with an 编号 are existing tasks, rows without one are new tasks. Unit names stay names here:
matching them to the directory is the importer's job, so it can report unknown names by row.
责任领导 is free text (any wording is accepted); only its length is checked here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook

from luoshi.errors import ValidationError
from luoshi.export.cells import cell_text, split_units
from luoshi.export.dates import DeadlineError, deadline_words, parse_deadline
from luoshi.export.errors import RowError
from luoshi.export.marker import Marker
from luoshi.export.plan_xlsx import SHEET
from luoshi.export.sheet_reader import Table, find_table, non_empty, parse_int
from luoshi.ledger.services.commitments import clean_leader

REQUIRED = ["重点任务", "牵头单位", "完成时限", "编号"]


@dataclass
class SheetRow:
    row: int  # Excel row number
    id: int | None
    text: str
    lead: list[str]
    support: list[str]
    deadline: dt.date | None
    leader: str | None
    group: str | None  # title of the heading row above it
    has_support: bool = True  # the 配合单位 column exists
    has_leader: bool = False
    deadline_text: str | None = None  # the cell's words (上半年, 长期坚持), None for a plain date


@dataclass
class PlanSheet:
    table: Table | None
    rows: list[SheetRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_plan_sheet(wb: Workbook, marker: Marker, plan_year: int) -> PlanSheet:
    errors: list[RowError] = []
    found = find_table(wb, SHEET, REQUIRED, errors)
    if found is None:
        return PlanSheet(None, errors=errors)
    table, rows = found
    result = PlanSheet(table, errors=errors)
    group_titles = {k.removeprefix("group:") for k in marker.meta if k.startswith("group:")}
    exported = set(marker.records)
    seen: dict[int, int] = {}
    group: str | None = None
    data_headers = [h for h in ("重点任务", "牵头单位", "配合单位", "责任领导", "完成时限", "编号") if h in table.columns]
    for n, row in non_empty(rows):
        filled = [cell_text(v) for v in row if cell_text(v)]
        if not any(table.text(row, h) for h in data_headers) or (len(filled) == 1 and filled[0] in group_titles):
            group = filled[0]
            continue
        bad = False

        def err(header: str | None, message: str, n: int = n) -> None:
            nonlocal bad
            bad = True
            errors.append(RowError(SHEET, n, table.label(header) if header else None, message))

        try:
            ident = parse_int(table.value(row, "编号"))
        except ValueError:
            ident = None
            err("编号", f"“{table.text(row, '编号')}”不是任务编号（应为数字；新增任务请留空）")
        if ident is not None:
            if ident not in exported:
                err("编号", f"编号 {ident} 不是本方案导出的任务（请勿修改编号；新增任务请留空编号）")
            elif ident in seen:
                err("编号", f"编号 {ident} 与第{seen[ident]}行重复")
            else:
                seen[ident] = n
        text = table.text(row, "重点任务")
        if not text:
            err("重点任务", "重点任务为空")
        lead = split_units(table.text(row, "牵头单位"))
        if not lead and ident is None:
            err("牵头单位", "新增任务的牵头单位为空")
        support = split_units(table.text(row, "配合单位")) if "配合单位" in table.columns else []
        try:
            deadline = parse_deadline(table.value(row, "完成时限"), plan_year)
        except DeadlineError as exc:
            deadline = None
            err("完成时限", str(exc))
        has_leader = "责任领导" in table.columns
        leader: str | None = None
        if has_leader:
            try:
                leader = clean_leader(table.text(row, "责任领导"))
            except ValidationError as exc:
                err("责任领导", exc.message)
        if not bad:
            result.rows.append(
                SheetRow(
                    row=n,
                    id=ident,
                    text=text,
                    lead=lead,
                    support=support,
                    deadline=deadline,
                    leader=leader,
                    group=group,
                    has_support="配合单位" in table.columns,
                    has_leader=has_leader,
                    deadline_text=deadline_words(table.value(row, "完成时限")),
                )
            )
    return result
