"""python-docx helpers for official-document typography.

Chinese fonts only take effect when the East Asian slot is set (``w:eastAsia`` in ``w:rFonts``);
python-docx's ``font.name`` sets only the Latin slots, so :func:`set_font` writes all of them.
Tables get a repeated header row (``w:tblHeader``) and fixed column widths so they print the same
in Word, WPS and LibreOffice.
"""

from __future__ import annotations

import itertools

from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"


def set_font(
    run: Run, east_asia: str, *, size: float | None = None, bold: bool | None = None, latin: str = LATIN_FONT
) -> None:
    run.font.name = latin
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def set_default_font(doc: DocxDocument, east_asia: str = BODY_FONT, size: float = 12) -> None:
    """The Normal style: body font in both slots, so empty cells and new text look right too."""
    style = doc.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def a4(doc: DocxDocument, *, landscape: bool) -> None:
    a4_section(doc.sections[0], landscape=landscape)


def a4_section(section, *, landscape: bool) -> None:  # type: ignore[no-untyped-def]
    """A4 page of one section: portrait with the GB/T 9704 margins (版心 156 × 225 mm), or landscape."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = Cm(2.0 if landscape else 2.8)
    section.right_margin = Cm(2.0 if landscape else 2.6)
    section.top_margin = Cm(2.0 if landscape else 3.7)
    section.bottom_margin = Cm(2.0 if landscape else 3.5)


def add_text(
    doc_or_cell: DocxDocument | _Cell,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 12,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    paragraph: Paragraph | None = None,
    color: RGBColor | None = None,
) -> Paragraph:
    p = paragraph if paragraph is not None else doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    set_font(run, font, size=size, bold=bold)
    if color is not None:
        run.font.color.rgb = color
    return p


def set_cell_text(cell: _Cell, text: str, *, font: str = BODY_FONT, size: float = 10.5, bold: bool = False,
                  align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    p = cell.paragraphs[0]
    for run in list(p.runs):
        run._element.getparent().remove(run._element)
    add_text(cell, text, font=font, size=size, bold=bold, align=align, paragraph=p)


def repeat_header(row: _Row) -> None:
    """Mark ``row`` as a header row, repeated at the top of every page the table spans."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def keep_row_together(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def fixed_widths(table: Table, widths_cm: list[float]) -> None:
    """Fixed layout with the given column widths (Word honours cell widths, LibreOffice the grid)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


# --- 公文 (GB/T 9704) layout helpers ---

RED = RGBColor(0xE6, 0x00, 0x12)
PAGE_NUMBER_FONT = "宋体"


def _field(paragraph: Paragraph, instruction: str, *, font: str, size: float) -> None:
    """A Word field (PAGE, NUMPAGES) as begin/instr/separate/result/end runs, which Word, WPS and
    LibreOffice all update when they lay out the page."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        set_font(run, font, size=size)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)


def page_numbers(doc: DocxDocument, section_index: int | None = None) -> None:
    """页码 as GB/T 9704 prints it: 「— N —」 in 4号 宋体, odd pages at the right, even at the left
    (the outside edge), on every section (or one section when ``section_index`` is given)."""
    doc.settings.odd_and_even_pages_header_footer = True
    sections = doc.sections if section_index is None else [doc.sections[section_index]]
    for section in sections:
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            for run in list(p.runs):
                run._element.getparent().remove(run._element)
            p.alignment = align
            p.paragraph_format.left_indent = p.paragraph_format.right_indent = Pt(14)  # 一字 in from the edge
            set_font(p.add_run("— "), PAGE_NUMBER_FONT, size=14)
            _field(p, "PAGE", font=PAGE_NUMBER_FONT, size=14)
            set_font(p.add_run(" —"), PAGE_NUMBER_FONT, size=14)


def keep_with_next(paragraph: Paragraph) -> Paragraph:
    """Keep a heading or a picture on the same page as what follows it."""
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def rows_not_split(table: Table) -> None:
    """No row of ``table`` is broken across two pages."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:cantSplit")) is None:
            el = OxmlElement("w:cantSplit")
            el.set(qn("w:val"), "true")
            tr_pr.append(el)


def rule(doc: DocxDocument, *, color: str = "E60012", size_eighths: int = 12, space_after: float = 0) -> Paragraph:
    """A full-width horizontal rule (the red 分隔线 under the 版头, or the black lines of the 版记),
    drawn as the bottom border of an empty paragraph so every office suite prints it."""
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(space_after)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", str(size_eighths)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{k}"), v)
    borders.append(bottom)
    p_pr.append(borders)
    run = p.add_run()
    run.font.size = Pt(2)
    return p


def properties(doc: DocxDocument, *, title: str, author: str) -> None:
    """Document properties from the ledger (python-docx's template would say 2013 and python-docx)."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = title, author, author
    cp.created = cp.modified = now
    cp.revision = 1
    cp.comments = cp.keywords = cp.subject = cp.category = ""


BREAK_BEFORE = ("《", "重点任务", "落实情况", "分工方案", "的通报", "的通知")
BREAK_AFTER = ("》", "关于")


def title_lines(title: str, max_units: float) -> list[str]:
    """``title`` broken into lines of at most ``max_units`` (a CJK character is 1, a digit 0.5) only
    between words (before 《 or 重点任务, after 》 …), never inside one; a word longer than a line
    stays whole on its own line."""
    cuts = {0, len(title)}
    for word in BREAK_BEFORE:
        cuts |= {i for i in range(1, len(title)) if title.startswith(word, i)}
    for word in BREAK_AFTER:
        cuts |= {i + len(word) for i in range(len(title)) if title.startswith(word, i)}
    points = sorted(cuts)
    pieces = [title[a:b] for a, b in itertools.pairwise(points)]

    def width(text: str) -> float:
        return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)

    greedy: list[str] = []
    for piece in pieces:
        if greedy and width(greedy[-1] + piece) <= max_units:
            greedy[-1] += piece
        else:
            greedy.append(piece)
    # as many lines as needed, but balanced (梯形/菱形 rather than a long line and a stub)
    best, best_width = greedy, max(width(line) for line in greedy)
    inner = points[1:-1]
    for cut in itertools.combinations(inner, len(greedy) - 1) if len(inner) <= 16 else ():
        bounds = [0, *cut, len(title)]
        lines = [title[a:b] for a, b in itertools.pairwise(bounds)]
        widest = max(width(line) for line in lines)
        if widest <= max_units and widest < best_width:
            best, best_width = lines, widest
    return best


def add_title(doc: DocxDocument, title: str, *, size: float = 22, text_width_cm: float = 15.6) -> Paragraph:
    """The 标题 in 2号 小标宋, centred, broken between words (line breaks inside one paragraph)."""
    per_line = text_width_cm / (size * 2.54 / 72) - 0.5
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(title_lines(title, per_line)):
        run = p.add_run()
        if i:
            run.add_break()
        run.add_text(line)
        set_font(run, TITLE_FONT, size=size)
    return p
