"""The 分工方案 as a .docx, sent as a real office sends it: a 印发通知 with the plan as its 附件.

Section 1 (A4 portrait, GB/T 9704 版心): the red 发文机关标志 「…办公室文件」, the 文号
(枣政办字〔2024〕3号), a red rule, the 标题 「…关于印发《…》重点任务分工方案的通知」 broken between
words, the 主送机关, the opening paragraph, the closing requirements, and the 落款 (issuing office
and date). Section 2 (A4 landscape): 「附件」, the plan's title, and one table whose header row
repeats on every page, whose rows never split across pages, and whose group heading rows stay with
their first task; the ledger's internal ids are not printed. The 版记 (抄送, 印发) closes the
document; page numbers 「— N —」 run through both sections at the outside edge. A plan with no
issuing office (``Plan.issuing_office`` empty) prints the 附件 part alone.
"""

from __future__ import annotations

import io

import docx
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from luoshi.export import docx_style as ds
from luoshi.export.bulletin_docx import BODY_SIZE, LINE, TEXT_WIDTH_CM, colophon, masthead, signature
from luoshi.export.cells import format_deadline, join_units
from luoshi.export.model import Plan

ANNEX_WIDTH_CM = 25.7  # landscape A4 less 2 cm margins
# (header, width in cm, key)
COLUMNS: list[tuple[str, float, str]] = [
    ("序号", 1.2, "seq"),
    ("重点任务", 11.6, "text"),
    ("牵头单位", 3.4, "lead"),
    ("配合单位", 4.2, "support"),
    ("责任领导", 1.9, "leader"),
    ("完成时限", 3.4, "deadline"),
]


def _recipients(government: str) -> str:
    """主送机关 of a government office's notice, by the government's level."""
    name = government.removesuffix("人民政府")
    if name.endswith("省") or name.endswith("自治区"):
        return "各市人民政府，省政府各部门、各直属机构："
    if name.endswith("市") or name.endswith("州") or name.endswith("盟"):
        return "各区（市）、县人民政府，市政府各部门，各有关单位："
    return "各乡镇人民政府、街道办事处，政府各部门，各有关单位："


def _body(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, text, font=ds.BODY_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    p.paragraph_format.line_spacing = LINE


def _requirement(doc, heading: str, text: str) -> None:  # type: ignore[no-untyped-def]
    p = ds.add_text(doc, heading, font=ds.HEADING_FONT, size=BODY_SIZE)
    ds.add_text(doc, text, font=ds.BODY_FONT, size=BODY_SIZE, paragraph=p)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
    p.paragraph_format.line_spacing = LINE


def _notice(doc, plan: Plan) -> None:  # type: ignore[no-untyped-def]
    office = plan.issuing_office
    masthead(doc, f"{office}文件", plan.doc_number, "", "", size=min(36.0, 15.0 / (len(office) + 2) / 2.54 * 72))
    ds.add_title(doc, f"{office}关于印发{plan.title}的通知", text_width_cm=TEXT_WIDTH_CM)
    doc.add_paragraph()
    p = ds.add_text(doc, _recipients(plan.government), font=ds.BODY_FONT, size=BODY_SIZE)
    p.paragraph_format.line_spacing = LINE
    government = plan.government if plan.government.endswith("政府") else f"{plan.government}人民政府"
    _body(doc, f"经{government}同意，现将{plan.title}印发给你们，请结合实际，认真抓好贯彻落实。")
    n = len(plan.rows())
    _requirement(doc, "一、压实工作责任。", f"分工方案确定的{n}项重点任务，牵头单位要逐项制定推进措施，明确责任人和时间节点；"
                 "配合单位要主动对接、密切协作，形成工作合力。")
    _requirement(doc, "二、按时报送进展。", "各牵头单位要按期通过系统报送任务进展情况，如实填写完成进度和工作成效，"
                 "对进度滞后的任务说明原因和下一步措施。")
    _requirement(doc, "三、强化督查问效。", f"{plan.supervision_office or '督查机构'}将对重点任务落实情况定期调度、通报，"
                 "对进度滞后的任务下发督办单，年底组织评估。")
    if plan.issued:
        signature(doc, office, plan.issued)
    p = ds.add_text(doc, "（此件公开发布）", font=ds.BODY_FONT, size=BODY_SIZE)
    p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)


def write_plan_docx(plan: Plan) -> bytes:
    doc = docx.Document()
    ds.set_default_font(doc)
    author = plan.issuing_office or plan.government
    ds.properties(doc, title=plan.title, author=author)
    if plan.issuing_office:
        ds.a4(doc, landscape=False)
        _notice(doc, plan)
        doc.add_section(WD_SECTION.NEW_PAGE)
        section = doc.sections[-1]
        ds.a4_section(section, landscape=True)
        ds.add_text(doc, "附件", font=ds.HEADING_FONT, size=BODY_SIZE)
    else:
        ds.a4(doc, landscape=True)
    ds.add_title(doc, plan.title, text_width_cm=25.0)
    ds.add_text(doc, "" if plan.issuing_office else plan.government, font=ds.BODY_FONT, size=14,
                align=WD_ALIGN_PARAGRAPH.CENTER)

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
        ds.keep_with_next(merged.paragraphs[0])  # a group heading never ends a page
        ds.shade(merged, "F2F2F2")
        for item in group.rows:
            seq += 1
            values = {
                "seq": str(seq),
                "text": item.text,
                "lead": join_units(item.lead),
                "support": join_units(item.support),
                "leader": item.leader or "",
                "deadline": format_deadline(item.deadline, item.deadline_text),
            }
            cells = table.add_row().cells
            for cell, (_h, _w, key) in zip(cells, cols, strict=True):
                center = key in ("seq", "deadline", "leader")
                ds.set_cell_text(cell, values[key], size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER if center else None)
    ds.fixed_widths(table, [w for _h, w, _k in cols])
    ds.rows_not_split(table)
    if plan.issuing_office and plan.issued:
        colophon(doc, plan.copy_to, plan.issuing_office, plan.issued, width_cm=ANNEX_WIDTH_CM)
    ds.page_numbers(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

