"""Opening an uploaded workbook without trusting it.

An .xlsx is a zip of XML parts. Before openpyxl sees the bytes we check: the size of the upload,
that it is a zip at all, the number of entries, and every entry's *declared* uncompressed size and
compression ratio (Python's zipfile never inflates past the declared size, so the declaration is a
real bound). A zip bomb, a renamed binary or 5 MB of junk is refused with a clear message instead
of a crash or a hang. XML parsing goes through defusedxml (openpyxl picks it up when installed),
which refuses entity expansion.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from luoshi.errors import InputError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 2_000
MAX_ENTRY_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 150 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for entries above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


def read_upload(source: bytes | str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of an uploaded file, refusing anything larger than ``max_bytes``."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InputError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
        if size > max_bytes:
            raise InputError(f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）：{path.name}")
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise InputError(f"文件过大（{len(data) / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）")
    return data


def check_xlsx_container(data: bytes) -> None:
    """Refuse bytes that are not a plausible, bounded .xlsx zip."""
    if not data:
        raise InputError("文件为空，不是 Excel 工作簿")
    if not data.startswith(b"PK\x03\x04"):
        raise InputError(_not_xlsx(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InputError(f"不是有效的 .xlsx 工作簿（zip 结构损坏：{exc}）") from None
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"工作簿包含 {len(infos)} 个部件，超过上限 {MAX_ENTRIES}，拒绝打开")
    total = 0
    for info in infos:
        if info.file_size > MAX_ENTRY_BYTES:
            raise InputError(f"工作簿部件 {info.filename} 解压后 {info.file_size} 字节，超过上限，拒绝打开（疑似压缩炸弹）")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(f"工作簿部件 {info.filename} 压缩比异常，拒绝打开（疑似压缩炸弹）")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise InputError(f"工作簿解压后共 {total} 字节，超过上限，拒绝打开（疑似压缩炸弹）")
    names = {i.filename for i in infos}
    if "mimetype" in names and "xl/workbook.xml" not in names:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            mime = zf.read("mimetype")[:100].decode("ascii", "replace")
        if "opendocument" in mime:
            raise InputError("这是 OpenDocument 文件（.ods），不是 Excel 工作簿：请另存为 .xlsx 后再导入")
    missing = [p for p in REQUIRED_PARTS if p not in names]
    if missing:
        raise InputError(f"不是 Excel 工作簿（缺少 {', '.join(missing)}）")


def _not_xlsx(data: bytes) -> str:
    """What an office worker should do with a file that is not a zip: usually, save it as .xlsx."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "这是旧版 Excel（.xls）或 WPS 格式的文件：请另存为 .xlsx 后再导入"
    head = data[:4096]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(sep in text for sep in (",", "\t", "，")):
            return "这是文本或 CSV 文件，不是 Excel 工作簿：请在导出的 .xlsx 上修改，或用表格软件打开本文件后请另存为 .xlsx 再导入"
        break
    return "不是 .xlsx 工作簿（文件不是 zip 格式）：请另存为 .xlsx 后再导入"


def open_workbook(source: bytes | str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Workbook:
    """A read-only, values-only openpyxl workbook from an untrusted upload (checked first)."""
    data = read_upload(source, max_bytes=max_bytes)
    check_xlsx_container(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many types (KeyError, ValueError, XML errors) on bad parts
        raise InputError(f"无法读取工作簿（文件已损坏或不是 Excel 格式）：{type(exc).__name__}: {exc}"[:300]) from None
    wb._luoshi_uncached = _find_uncached(data, wb)  # type: ignore[attr-defined]
    return wb


def uncached_formulas(wb: Workbook) -> dict[str, set[tuple[int, int]]]:
    """Formula cells (sheet → {(row, column)}, 1-based) that :func:`open_workbook` found without a result.

    A workbook written by a program (or saved with manual recalculation) may hold formulas with no
    cached value; read for values they look empty. The reader reports them instead.
    """
    return getattr(wb, "_luoshi_uncached", {})


def _find_uncached(data: bytes, values: Workbook) -> dict[str, set[tuple[int, int]]]:
    """Cells that hold a formula in ``data`` and no value in ``values`` (the same file read for values)."""
    try:
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # the values workbook opened; a second failure only loses this check
        return {}
    found: dict[str, set[tuple[int, int]]] = {}
    try:
        for name in formulas.sheetnames:
            if name.startswith("_"):
                continue
            ws, vs = formulas[name], values[name]
            for w in (ws, vs):
                if hasattr(w, "reset_dimensions"):
                    w.reset_dimensions()
            blank: tuple | None = None  # every missing row is one shared empty tuple: skip it at once
            for n, (frow, vrow) in enumerate(zip(ws.iter_rows(values_only=True, max_col=60),
                                                  vs.iter_rows(values_only=True, max_col=60), strict=False), start=1):
                if frow is blank:
                    continue
                if all(f is None for f in frow):
                    blank = frow
                    continue
                for j, f in enumerate(frow, start=1):
                    if isinstance(f, str) and f.startswith("=") and (j > len(vrow) or vrow[j - 1] is None):
                        found.setdefault(name, set()).add((n, j))
    finally:
        formulas.close()
    return found
