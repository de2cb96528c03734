"""The 督查通报 for one period, as a .docx in official-document typography.

A4 portrait; title in 方正小标宋简体, section headings in 黑体, body in 仿宋_GB2312. Contents: the
summary figures (text and a table), the red and yellow lists grouped by responsible unit, the unit
ranking table, and chart images rendered locally (``luoshi.export.charts``). Tables repeat their
header row on every page.
"""

from __future__ import annotations

import io
from itertools import groupby

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from luoshi.export import docx_style as ds
from luoshi.export.charts import Chart, bulletin_charts
from luoshi.export.model import Bulletin, BulletinItem

BODY_SIZE = 16  # 三号
TABLE_SIZE = 10.5  # 五号


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}%".replace(".0%", "%")


def _share(n: int, total: int) -> str:
    return "—" if total == 0 else f"{100 * n / total:.1f}%"


def _heading(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, text, font=ds.HEADING_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)


def _para(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, text, font=ds.BODY_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    p.paragraph_format.line_spacing = Pt(28)


def _table(doc, headers: list[str], widths: list[float]):  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    ds.repeat_header(table.rows[0])
    for cell, title in zip(table.rows[0].cells, headers, strict=True):
        ds.set_cell_text(cell, title, font=ds.HEADING_FONT, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
        ds.shade(cell, "D9D9D9")
    return table


def _row(table, values: list[str], centered: set[int]) -> None:  # type: ignore[no-untyped-def]
    cells = table.add_row().cells
    for j, (cell, value) in enumerate(zip(cells, values, strict=True)):
        ds.set_cell_text(cell, value, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER if j in centered else None)


def _item_table(doc, items: list[BulletinItem], fill: str) -> None:  # type: ignore[no-untyped-def]
    headers = ["序号", "重点任务", "时序进度", "实际进度", "情况"]
    widths = [1.2, 7.0, 1.7, 1.7, 3.8]
    table = _table(doc, headers, widths)
    n = 0
    for unit, group in groupby(sorted(items, key=lambda i: (i.unit, i.commitment_id)), key=lambda i: i.unit):
        group_items = list(group)
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        ds.set_cell_text(merged, f"{unit}（{len(group_items)}项）", font=ds.HEADING_FONT, size=TABLE_SIZE)
        ds.shade(merged, fill)
        for item in group_items:
            n += 1
            _row(table, [str(n), item.text, _pct(item.expected_percent), _pct(item.reported_percent), item.reason],
                 {0, 2, 3})
    ds.fixed_widths(table, widths)


def _picture(doc, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    doc.add_picture(io.BytesIO(chart.png), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    ds.add_text(doc, chart.caption, font=ds.BODY_FONT, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)


def write_bulletin_docx(b: Bulletin, *, charts: list[Chart] | None = None) -> bytes:
    charts = bulletin_charts(b) if charts is None else charts
    doc = docx.Document()
    ds.a4(doc, landscape=False)
    ds.set_default_font(doc, size=BODY_SIZE)
    doc.core_properties.title = b.title
    doc.core_properties.author = "luoshi"

    ds.add_text(doc, "督查通报", font=ds.TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER)
    ds.add_text(doc, b.title, font=ds.TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    ds.add_text(
        doc,
        f"{b.government}{b.issuer}　　{b.issued.year}年{b.issued.month}月{b.issued.day}日",
        size=BODY_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _para(doc, f"为推动《{b.year}年政府工作报告》确定的重点任务落到实处，现将{b.period_title}落实情况通报如下。")

    _heading(doc, "一、总体情况")
    _para(
        doc,
        f"纳入督办的重点任务共{b.total}项，其中正常推进{b.green}项、进度滞后{b.yellow}项、严重滞后{b.red}项。"
        f"本期应报送进度{b.total}项，已报送{b.reported}项（报送率{_share(b.reported, b.total)}），"
        f"其中逾期报送{b.late}项；未报送{b.missing}项。",
    )
    summary = _table(doc, ["指标", "数量（项）", "占比"], [6.0, 4.0, 4.0])
    for label, n in (("正常推进（绿灯）", b.green), ("进度滞后（黄灯）", b.yellow), ("严重滞后（红灯）", b.red),
                     ("合计", b.total)):
        _row(summary, [label, str(n), _share(n, b.total)], {1, 2})
    _row(summary, ["本期已报送进度", str(b.reported), _share(b.reported, b.total)], {1, 2})
    _row(summary, ["其中逾期报送", str(b.late), _share(b.late, b.total)], {1, 2})
    _row(summary, ["本期未报送进度", str(b.missing), _share(b.missing, b.total)], {1, 2})
    ds.fixed_widths(summary, [6.0, 4.0, 4.0])
    if charts:
        _picture(doc, charts[0])

    _heading(doc, "二、严重滞后（红灯）任务")
    if b.red_items:
        _para(doc, f"以下{len(b.red_items)}项任务进度严重滞后于时序进度，按责任单位列示：")
        _item_table(doc, b.red_items, "F4CCCC")
    else:
        _para(doc, "本期无严重滞后任务。")

    _heading(doc, "三、进度滞后（黄灯）任务")
    if b.yellow_items:
        _para(doc, f"以下{len(b.yellow_items)}项任务进度滞后于时序进度，按责任单位列示：")
        _item_table(doc, b.yellow_items, "FFF2CC")
    else:
        _para(doc, "本期无进度滞后任务。")

    _heading(doc, "四、责任单位排名")
    widths = [1.2, 5.0, 1.5, 1.5, 1.5, 1.5, 1.6, 1.6]
    ranking = _table(doc, ["排名", "责任单位", "任务数", "绿灯", "黄灯", "红灯", "未报送", "得分"], widths)
    for r in b.ranking:
        _row(ranking, [str(r.rank), r.unit, str(r.total), str(r.green), str(r.yellow), str(r.red), str(r.missing),
                       f"{r.score:.1f}"], {0, 2, 3, 4, 5, 6, 7})
    ds.fixed_widths(ranking, widths)
    if len(charts) > 1:
        _picture(doc, charts[1])

    _heading(doc, "五、工作要求")
    _para(
        doc,
        "请红灯、黄灯任务的牵头单位认真分析滞后原因，制定整改措施，明确完成时限，在督办单规定期限内书面反馈；"
        "配合单位要主动对接、协同推进。未按时报送进度的单位，请于三个工作日内补报。",
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
