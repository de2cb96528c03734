"""Writing and reading cell text safely.

Text that comes from people (task wording, unit names, narratives) may start with ``=``, ``+``,
``-`` or ``@``; a spreadsheet would evaluate such a cell as a formula (CSV/formula injection). On
export such text is forced to a string cell with the ``quotePrefix`` style (what a spreadsheet
sets when someone types a leading apostrophe): it shows the words as they are, and editing the
cell keeps it text. Files from older versions carried a visible apostrophe; the reader still
removes it, so a round trip keeps the words unchanged. A cell holds at most 32,767
characters and is read back stripped: :func:`read_back` says what an untouched cell reads as.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
CELL_LIMIT = 32_767  # characters a spreadsheet cell holds (Excel's limit; openpyxl cuts longer text)


def escape_formula(text: str) -> str:
    """``text`` made inert for a spreadsheet: a leading apostrophe when it could start a formula."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return ESCAPE + text
    return text


def unescape_formula(text: str) -> str:
    if len(text) > 1 and text.startswith(ESCAPE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def set_text(cell: Cell, text: str | None) -> None:
    """Put user-provided ``text`` into ``cell`` as a plain string, never a formula."""
    if text is None or text == "":
        cell.value = None
        return
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def cell_text(value: object) -> str:
    """A cell's value read back as stripped text ('' for empty); formula escapes undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unescape_formula(str(value).strip())


def read_back(text: str) -> str:
    """What :func:`cell_text` gives for a cell that :func:`set_text` filled with ``text``.

    Exported text is cut at :data:`CELL_LIMIT` and read back stripped, so an untouched cell of a
    long or whitespace-framed text differs from the ledger's; an importer compares the cell with
    this, not with ``text``, to tell an untouched cell from an edit.
    """
    return cell_text(text[:CELL_LIMIT]) if text else ""


def is_cut(text: str) -> bool:
    """Whether exporting ``text`` to one cell loses part of it."""
    return len(text) > CELL_LIMIT


def split_units(text: str) -> list[str]:
    """Unit names as offices write them in one cell: 市发展改革委、市工业和信息化局 (also ， , ； / newline)."""
    parts = re.split(r"[、，,；;/\n\r]+|\s{2,}", text)
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen


def join_units(names: list[str]) -> str:
    return "、".join(names)


YEAR_END_WORDS = ("年内", "全年", "今年", "本年度", "当年", "年底", "年末")


def format_deadline(day: dt.date | None, words: str | None = None) -> str:
    """完成时限 as a plan prints it, the same in every document.

    The report's own words when the ledger has them (上半年, 6月底前, 三季度末, 长期坚持; the
    year-end synonyms 年内/全年 read 年底前), else the date: 2024年12月底 for a month end,
    2024年6月15日 otherwise. :func:`luoshi.export.dates.parse_deadline` reads every form back.
    """
    if words:
        return "年底前" if words in YEAR_END_WORDS else words
    if day is None:
        return ""
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return f"{day.year}年{day.month}月底"
    return f"{day.year}年{day.month}月{day.day}日"
