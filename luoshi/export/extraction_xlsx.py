"""An extraction as an Excel workbook: one row per target (with its quote), then tasks and actuals.

Supervision offices work in spreadsheets; this is the sheet they would otherwise type up by hand
from the report. Imported only for ``--xlsx`` so that openpyxl never slows down other commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from luoshi.extract.model import Extraction

TARGET_HEADERS = [
    "编号", "指标", "动词", "数值", "上限", "单位", "比较", "约束性", "主要预期目标", "完成时限", "章节", "原文", "起", "止",
]  # fmt: skip
TASK_HEADERS = ["编号", "类型", "章节", "小标题", "任务", "关联目标", "项目", "完成时限", "起", "止"]
ACTUAL_HEADERS = ["编号", "指标", "动词", "数值", "上限", "单位", "年份", "章节", "原文", "起", "止"]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], widths: dict[int, int]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col, width in widths.items():
        ws.column_dimensions[chr(ord("A") + col)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def write_extraction_xlsx(extraction: Extraction, path: str | Path | BinaryIO) -> None:
    """Write the workbook to a path or an open binary file (the web app serves it from memory)."""
    wb = Workbook()
    wb.remove(wb.active)
    targets = [
        [t.id, t.indicator, t.metric, t.value, t.value_max, t.unit, t.comparator, t.modality,
         "是" if t.headline else "", t.deadline, t.section, t.quote, t.start, t.end]
        for t in extraction.targets
    ]  # fmt: skip
    _sheet(wb, "目标", TARGET_HEADERS, targets, {1: 24, 11: 60})
    tasks = [
        [
            k.id,
            k.kind,
            k.section,
            k.title or "",
            k.text,
            "、".join(k.targets),
            "、".join(k.projects),
            k.deadline,
            k.start,
            k.end,
        ]
        for k in extraction.tasks
    ]
    _sheet(wb, "任务", TASK_HEADERS, tasks, {3: 24, 4: 80, 6: 30})
    actuals = [
        [
            a.id,
            a.indicator,
            a.metric,
            a.value,
            a.value_max,
            a.unit,
            a.year,
            a.section,
            a.quote,
            a.start,
            a.end,
        ]
        for a in extraction.actuals
    ]
    _sheet(wb, "实绩", ACTUAL_HEADERS, actuals, {1: 24, 8: 60})
    wb.save(path if hasattr(path, "write") else str(path))
