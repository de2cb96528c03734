"""The text of a Word (.docx) report, paragraphs and tables in document order.

A .docx is a ZIP archive, so before python-docx touches it the archive is checked here: that it
is one, that it is a Word document (an .xlsx is a ZIP too), and that its declared uncompressed
size is sane — a few kilobytes can declare gigabytes (a "zip bomb"). ``zipfile`` stops reading an
entry at its declared size, so checking the declared sizes bounds the memory used.
python-docx is imported inside the function so that ``luoshi extract`` on a text file never
pays for it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import TYPE_CHECKING

from luoshi.errors import InputError

if TYPE_CHECKING:
    from docx.table import Table

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ENTRIES = 10_000

_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("content.xml", "an OpenDocument file"),
)


def _one_line(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return text[:160] or type(exc).__name__


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def check_archive(data: bytes, name: str, *, max_bytes: int) -> None:
    """Refuse a ZIP that is damaged, is not a Word document, or would inflate too much."""
    limit = min(10 * max_bytes, MAX_UNCOMPRESSED)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            if "word/document.xml" not in names:
                kind = next((label for member, label in _OTHER_ZIPS if member in names), "a ZIP archive")
                raise InputError(
                    f"{name}: not a Word document (it is {kind}); supply the report as .docx, .pdf or .txt"
                )
            if len(infos) > MAX_ENTRIES:
                raise InputError(
                    f"{name}: the Word document has {len(infos)} parts (limit {MAX_ENTRIES}); "
                    "refusing to unpack it — save it again from Word"
                )
            declared = sum(info.file_size for info in infos)
            if declared > limit:
                raise InputError(
                    f"{name}: the Word document would unpack to {_mb(declared)} (limit {_mb(limit)}); "
                    "refusing to unpack it (possible zip bomb) — save it again from Word"
                )
            bad = zf.testzip()
            if bad is not None:
                raise InputError(
                    f"{name}: the Word document is damaged (part {bad} fails its checksum); save it again from Word"
                )
    except InputError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a damaged deflate stream inside a part
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise InputError(
            f"{name}: the Word document is damaged or truncated ({_one_line(exc)}); save it again from Word"
        ) from exc


def docx_text(data: bytes, name: str, *, max_bytes: int) -> str:
    """Body paragraphs and table rows (cells joined by a tab), one per line."""
    check_archive(data, name, max_bytes=max_bytes)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx/lxml raise many types on malformed parts
        raise InputError(
            f"{name}: the Word document cannot be read ({_one_line(exc)}); save it again from Word"
        ) from exc
    return "\n".join(lines)


def _table_lines(table: Table) -> list[str]:
    """One line per row; a merged cell (returned once per grid column it spans) counts once."""
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(re.sub(r"\s*\n\s*", " ", cell.text).strip())
        lines.append("\t".join(cells))
    return lines
