"""The marker that tells luoshi which kind of workbook it exported.

Every workbook luoshi writes carries a very hidden sheet ``_luoshi``: row 1 is
``luoshi | <kind> | <format version>``, then ``key | value`` rows (report id, unit, period...) and,
after a ``#records`` row, one row per exported record (commitment id and its version, used to spot
records changed by someone else since the export). ``luoshi import-xlsx`` reads it to decide
between a plan and a progress template, and refuses workbooks without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook

from luoshi.errors import InputError

SHEET = "_luoshi"
PLAN = "plan"
TEMPLATE = "progress-template"
FORMAT_VERSION = 1
KINDS = {PLAN: "重点任务分工方案", TEMPLATE: "进度填报模板"}


@dataclass
class Marker:
    kind: str
    version: int = FORMAT_VERSION
    meta: dict[str, str] = field(default_factory=dict)
    records: dict[int, int] = field(default_factory=dict)  # commitment id → version at export


def write_marker(wb: Workbook, marker: Marker) -> None:
    ws = wb.create_sheet(SHEET)
    ws.append(["luoshi", marker.kind, marker.version])
    for key, value in marker.meta.items():
        ws.append([key, str(value)])
    ws.append(["#records"])
    for cid, version in marker.records.items():
        ws.append([cid, version])
    ws.sheet_state = "veryHidden"


def read_marker(wb: Workbook) -> Marker:
    """The marker of an uploaded workbook; InputError if it is not a luoshi workbook."""
    if SHEET not in wb.sheetnames:
        raise InputError(
            "这不是 luoshi 导出的工作簿（缺少标记工作表 _luoshi）：请先用“导出分工方案”或“导出填报模板”下载，"
            "在下载的文件上修改后再导入"
        )
    rows = [tuple(c for c in row) for row in wb[SHEET].iter_rows(values_only=True)]
    if not rows or len(rows[0]) < 3 or rows[0][0] != "luoshi" or rows[0][1] not in KINDS:
        raise InputError("工作簿标记 _luoshi 已损坏，无法判断是分工方案还是填报模板")
    try:
        version = int(rows[0][2])
    except (TypeError, ValueError):
        raise InputError("工作簿标记 _luoshi 的格式版本无法识别") from None
    if version > FORMAT_VERSION:
        raise InputError(f"工作簿格式版本 {version} 比本程序支持的 {FORMAT_VERSION} 新，请升级 luoshi")
    marker = Marker(kind=str(rows[0][1]), version=version)
    in_records = False
    for row in rows[1:]:
        if not row or row[0] is None:
            continue
        if row[0] == "#records":
            in_records = True
            continue
        if in_records:
            try:
                marker.records[int(row[0])] = int(row[1])
            except (TypeError, ValueError, IndexError):
                raise InputError("工作簿标记 _luoshi 的记录表已损坏") from None
        elif len(row) > 1:
            marker.meta[str(row[0])] = "" if row[1] is None else str(row[1])
    return marker
