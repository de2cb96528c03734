"""Print-ready look shared by luoshi's workbooks: fonts, borders, A4 landscape, repeated header."""

from __future__ import annotations

import math
import unicodedata

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT_TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")

TITLE = Font(name=TITLE_FONT, size=18)
HEADER = Font(name=HEADING_FONT, size=12)
GROUP = Font(name=HEADING_FONT, size=12)
BODY = Font(name=BODY_FONT, size=12)
NOTE = Font(name=BODY_FONT, size=10, italic=False, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")


def setup_print(ws: Worksheet, *, header_row: int, title: str) -> None:
    """A4 landscape, fit to one page wide, header row repeated on every page, page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.right.text = title[:60]
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)


def text_units(text: str) -> float:
    """Width of ``text`` in Excel column units: wide (CJK) characters count about two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def fit_row_height(ws: Worksheet, row: int, texts: dict[int, str], widths: dict[int, float],
                   *, font_size: float = 12, min_lines: int = 1) -> None:
    """Set the row's height for its wrapped texts (LibreOffice and WPS do not grow rows on opening)."""
    scale = font_size / 11  # column units are measured with the 11 pt default font
    lines = min_lines
    for col, text in texts.items():
        usable = max(widths[col] - 1.0, 1.0)
        for part in str(text).split("\n"):
            lines = max(lines, math.ceil(text_units(part) * scale / usable) or 1)
    ws.row_dimensions[row].height = round(lines * font_size * 1.35 + 4, 1)


def fit_note_height(ws: Worksheet, row: int, note: str, widths: list[float]) -> None:
    """Height of a merged note row over columns of ``widths``, with room to spare: office suites
    substitute fonts, and a clipped note is worse than a blank line."""
    fit_row_height(ws, row, {1: note}, {1: sum(widths) * 0.8}, font_size=10)


def title_and_note(ws: Worksheet, ncol: int, title: str, note: str, *, title_row: int, note_row: int) -> None:
    """The merged title row and the merged note row both workbooks open with."""
    last = get_column_letter(ncol)
    ws.merge_cells(f"A{title_row}:{last}{title_row}")
    cell = ws.cell(title_row, 1, title)
    cell.font, cell.alignment = TITLE, WRAP_CENTER
    ws.row_dimensions[title_row].height = 36
    ws.merge_cells(f"A{note_row}:{last}{note_row}")
    cell = ws.cell(note_row, 1, note)
    cell.font, cell.alignment = NOTE, WRAP
