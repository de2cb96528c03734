"""The 分工方案 as a .docx to print or paste into an official document.

A4 landscape; the title in 方正小标宋简体, headings and the table header in 黑体, body in 仿宋_GB2312
(East Asian font slot set); one table whose header row repeats on every page; a merged heading row
per group (主要预期目标 first, then the report's areas); a narrow 编号 column ties each row to the
ledger.
"""

from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from luoshi.export import docx_style as ds
from luoshi.export.cells import format_deadline, join_units
from luoshi.export.model import Plan

# (header, width in cm, key)
COLUMNS: list[tuple[str, float, str]] = [
    ("序号", 1.2, "seq"),
    ("重点任务", 10.4, "text"),
    ("牵头单位", 3.4, "lead"),
    ("配合单位", 4.2, "support"),
    ("责任领导", 1.9, "leader"),
    ("完成时限", 3.4, "deadline"),
    ("编号", 1.2, "id"),
]


def write_plan_docx(plan: Plan) -> bytes:
    doc = docx.Document()
    ds.a4(doc, landscape=True)
    ds.set_default_font(doc)
    doc.core_properties.title = plan.title
    doc.core_properties.author = "luoshi"
    ds.add_text(doc, plan.title, font=ds.TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    ds.add_text(doc, plan.government, font=ds.BODY_FONT, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)

    cols = [c for c in COLUMNS if plan.with_leader or c[2] != "leader"]
    if not plan.with_leader:  # give the leader column's width to the task text
        cols = [(h, w + 1.9 if k == "text" else w, k) for h, w, k in cols]
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    header = table.rows[0]
    ds.repeat_header(header)
    for cell, (title, _w, _k) in zip(header.cells, cols, strict=True):
        ds.set_cell_text(cell, title, font=ds.HEADING_FONT, size=11, align=WD_ALIGN_PARAGRAPH.CENTER)
        ds.shade(cell, "D9D9D9")

    seq = 0
    for group in plan.groups:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        ds.set_cell_text(merged, group.title, font=ds.HEADING_FONT, size=11)
        ds.shade(merged, "F2F2F2")
        ds.keep_row_together(row)
        for item in group.rows:
            seq += 1
            values = {
                "seq": str(seq),
                "text": item.text,
                "lead": join_units(item.lead),
                "support": join_units(item.support),
                "leader": item.leader or "",
                "deadline": format_deadline(item.deadline, item.deadline_text),
                "id": "" if item.id is None else str(item.id),
            }
            cells = table.add_row().cells
            for cell, (_h, _w, key) in zip(cells, cols, strict=True):
                center = key in ("seq", "deadline", "id", "leader")
                ds.set_cell_text(
                    cell,
                    values[key],
                    size=8 if key == "id" else 10.5,
                    align=WD_ALIGN_PARAGRAPH.CENTER if center else None,
                )
    ds.fixed_widths(table, [w for _h, w, _k in cols])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
