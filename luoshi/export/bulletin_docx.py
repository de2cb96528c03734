"""The 督查通报 for one period, as a .docx laid out as GB/T 9704 sets out 公文.

A4 portrait, 版心 156 × 225 mm. 版头: 「督查通报」 in red 小标宋, 「第N期」, the issuing 督查机构 at
the left and the date at the right, a red rule. Then the 标题 in 2号 小标宋 broken between words,
the body in 3号 仿宋 with 黑体 一级标题 kept with what follows, tables whose header row repeats
on every page and whose rows never split, charts kept with their captions, the 落款 (issuer and
date) at the right, and the 版记 (抄送, 印发机关 and 印发日期 between rules). Page numbers
「— N —」 in 4号 宋体 at the outside edge. Document properties come from the ledger.
"""

from __future__ import annotations

import datetime as dt
import io
from itertools import groupby

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt

from luoshi.export import docx_style as ds
from luoshi.export.charts import Chart, bulletin_charts
from luoshi.export.model import Bulletin, BulletinItem

BODY_SIZE = 16  # 三号
TABLE_SIZE = 10.5  # 五号
TEXT_WIDTH_CM = 15.6
LINE = Pt(28)  # 每行 28 磅: 22 lines of 28 characters on a page


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}%".replace(".0%", "%")


def _share(n: int, total: int) -> str:
    return "—" if total == 0 else f"{100 * n / total:.1f}%"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _heading(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, text, font=ds.HEADING_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    p.paragraph_format.line_spacing = LINE
    ds.keep_with_next(p)


def _para(doc, text: str, *, keep: bool = False) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, text, font=ds.BODY_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    p.paragraph_format.line_spacing = LINE
    if keep:
        ds.keep_with_next(p)


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


def _finish(table, widths: list[float]) -> None:  # type: ignore[no-untyped-def]
    ds.fixed_widths(table, widths)
    ds.rows_not_split(table)


def _item_table(doc, items: list[BulletinItem], fill: str) -> None:  # type: ignore[no-untyped-def]
    headers = ["序号", "重点任务", "时序进度", "实际进度", "情况"]
    widths = [1.2, 7.2, 1.7, 1.7, 3.8]
    table = _table(doc, headers, widths)
    n = 0
    for unit, group in groupby(sorted(items, key=lambda i: (i.unit, i.commitment_id)), key=lambda i: i.unit):
        group_items = list(group)
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        ds.set_cell_text(merged, f"{unit}（{len(group_items)}项）", font=ds.HEADING_FONT, size=TABLE_SIZE)
        ds.keep_with_next(merged.paragraphs[0])  # a unit's heading row stays with its first task
        ds.shade(merged, fill)
        for item in group_items:
            n += 1
            _row(table, [str(n), item.text, _pct(item.expected_percent), _pct(item.reported_percent), item.reason],
                 {0, 2, 3})
    _finish(table, widths)


def _picture(doc, chart: Chart, width_cm: float = 14.0) -> None:  # type: ignore[no-untyped-def]
    doc.add_picture(io.BytesIO(chart.png), width=Cm(width_cm))
    p = doc.paragraphs[-1]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ds.keep_with_next(p)  # the caption never stands alone on the next page
    ds.add_text(doc, chart.caption, font=ds.BODY_FONT, size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)


def masthead(doc, mark: str, number_line: str, left: str, right: str,  # type: ignore[no-untyped-def]
             *, size: float = 36) -> None:
    """版头: the red mark (督查通报 or 发文机关标志), the 期号/文号 line, issuer and date, red rule."""
    p = ds.add_text(doc, mark, font=ds.TITLE_FONT, size=size, align=WD_ALIGN_PARAGRAPH.CENTER, color=ds.RED)
    p.paragraph_format.space_after = Pt(12)
    if number_line:
        ds.add_text(doc, number_line, font=ds.BODY_FONT, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    if left or right:
        p = doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        ds.add_text(doc, f"{left}\t{right}", font=ds.BODY_FONT, size=BODY_SIZE, paragraph=p)
    ds.rule(doc, size_eighths=18, space_after=12)


def signature(doc, issuer: str, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    """落款: issuer and date at the right, four characters in from the edge, kept together."""
    doc.add_paragraph()
    for text in (issuer, cn_date(day)):
        p = ds.add_text(doc, text, font=ds.BODY_FONT, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_SIZE * 2)
        p.paragraph_format.line_spacing = LINE
        ds.keep_with_next(p)


def colophon(doc, copy_to: str, printer: str, day: dt.date,  # type: ignore[no-untyped-def]
             *, width_cm: float = TEXT_WIDTH_CM) -> None:
    """版记: 抄送 and 印发机关/印发日期 between thin rules, 4号 仿宋, at the end of the document
    (``width_cm``: the text width of the page it ends on, so the date sits at the right edge)."""
    doc.add_paragraph()
    ds.keep_with_next(ds.rule(doc, color="000000", size_eighths=8))
    if copy_to:
        p = ds.add_text(doc, f"抄送：{copy_to}。", font=ds.BODY_FONT, size=14)
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(14)
        ds.keep_with_next(p)
        ds.keep_with_next(ds.rule(doc, color="000000", size_eighths=4))
    p = doc.add_paragraph()
    p.paragraph_format.tab_stops.add_tab_stop(Cm(width_cm - 0.5), WD_TAB_ALIGNMENT.RIGHT)
    p.paragraph_format.left_indent = Pt(14)
    ds.add_text(doc, f"{printer}\t{cn_date(day)}印发", font=ds.BODY_FONT, size=14, paragraph=p)
    ds.keep_with_next(p)
    ds.rule(doc, color="000000", size_eighths=8)


def write_bulletin_docx(b: Bulletin, *, charts: list[Chart] | None = None) -> bytes:
    charts = bulletin_charts(b) if charts is None else charts
    doc = docx.Document()
    ds.a4(doc, landscape=False)
    ds.set_default_font(doc, size=BODY_SIZE)
    ds.properties(doc, title=b.title, author=b.issuer)
    ds.page_numbers(doc)

    masthead(doc, "督查通报", f"第{b.number}期" if b.number else "", b.issuer, cn_date(b.issued))
    ds.add_title(doc, b.title, text_width_cm=TEXT_WIDTH_CM)
    doc.add_paragraph()
    _para(doc, f"为推动《{b.year}年政府工作报告》确定的重点任务落到实处，现将{b.period_title}落实情况通报如下。")

    _heading(doc, "一、总体情况")
    _para(
        doc,
        f"纳入督办的重点任务共{b.total}项，其中正常推进{b.green}项、进度滞后{b.yellow}项、严重滞后{b.red}项。"
        f"本期应报送进度{b.total}项，已报送{b.reported}项（报送率{_share(b.reported, b.total)}），"
        f"其中逾期报送{b.late}项；未报送{b.missing}项。",
    )
    widths = [6.0, 4.0, 4.0]
    summary = _table(doc, ["指标", "数量（项）", "占比"], widths)
    for label, n in (("正常推进（绿灯）", b.green), ("进度滞后（黄灯）", b.yellow), ("严重滞后（红灯）", b.red),
                     ("合计", b.total)):
        _row(summary, [label, str(n), _share(n, b.total)], {1, 2})
    _row(summary, ["本期已报送进度", str(b.reported), _share(b.reported, b.total)], {1, 2})
    _row(summary, ["其中逾期报送", str(b.late), _share(b.late, b.total)], {1, 2})
    _row(summary, ["本期未报送进度", str(b.missing), _share(b.missing, b.total)], {1, 2})
    _finish(summary, widths)
    if charts:  # after the short table: page 1 holds the table, the chart follows whole with its caption
        _picture(doc, charts[0], width_cm=13.0)

    _heading(doc, "二、严重滞后（红灯）任务")
    if b.red_items:
        _para(doc, f"以下{len(b.red_items)}项任务进度严重滞后于时序进度，按责任单位列示：", keep=True)
        _item_table(doc, b.red_items, "F4CCCC")
    else:
        _para(doc, "本期无严重滞后任务。")

    _heading(doc, "三、进度滞后（黄灯）任务")
    if b.yellow_items:
        _para(doc, f"以下{len(b.yellow_items)}项任务进度滞后于时序进度，按责任单位列示：", keep=True)
        _item_table(doc, b.yellow_items, "FFF2CC")
    else:
        _para(doc, "本期无进度滞后任务。")

    _heading(doc, "四、责任单位排名")
    if b.ranking and b.ranking[0].basis:  # what the ranking rests on (lights, or official evaluations)
        _para(doc, b.ranking[0].basis + "；任务数含牵头和配合任务（牵头/配合），得分按同一口径计算。", keep=True)
    widths = [1.2, 5.4, 1.5, 1.5, 1.5, 1.5, 1.6, 1.4]
    ranking = _table(doc, ["排名", "责任单位", "任务数", "绿灯", "黄灯", "红灯", "未报送", "得分"], widths)
    for r in b.ranking:
        tasks = f"{r.total}（{r.lead}/{r.support}）" if r.lead or r.support else str(r.total)
        _row(ranking, [str(r.rank), r.unit, tasks, str(r.green), str(r.yellow), str(r.red), str(r.missing),
                       f"{r.score:.1f}"], {0, 2, 3, 4, 5, 6, 7})
    _finish(ranking, widths)
    if len(charts) > 1:
        _picture(doc, charts[1])

    _heading(doc, "五、工作要求")
    _para(
        doc,
        "请红灯、黄灯任务的牵头单位认真分析滞后原因，制定整改措施，明确完成时限，在督办单规定期限内书面反馈；"
        "配合单位要主动对接、协同推进。未按时报送进度的单位，请于三个工作日内补报。",
    )
    signature(doc, b.issuer, b.issued)
    colophon(doc, b.copy_to, b.issuer, b.issued)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
