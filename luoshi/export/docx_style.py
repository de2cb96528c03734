"""python-docx helpers for official-document typography.

Chinese fonts only take effect when the East Asian slot is set (``w:eastAsia`` in ``w:rFonts``);
python-docx's ``font.name`` sets only the Latin slots, so :func:`set_font` writes all of them.
Tables get a repeated header row (``w:tblHeader``) and fixed column widths so they print the same
in Word, WPS and LibreOffice.
"""

from __future__ import annotations

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
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Cm(29.7), Cm(21.0)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = Cm(2.0 if landscape else 2.8)
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
