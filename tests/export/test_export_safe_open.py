"""Untrusted uploads: junk, zip bombs and oversize files get a clear InputError, quickly."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest

from luoshi.errors import InputError
from luoshi.export.model import Plan
from luoshi.export.plan_xlsx import write_plan_xlsx
from luoshi.export.safe_open import MAX_UPLOAD_BYTES, open_workbook


def test_five_megabytes_of_junk_renamed_xlsx(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "分工方案.xlsx"
    path.write_bytes(os.urandom(5 * 1024 * 1024))
    with pytest.raises(InputError, match=r"不是 \.xlsx 工作簿"):
        open_workbook(path)


def test_oversize_file_is_refused_before_reading(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES)
    with pytest.raises(InputError, match="文件过大"):
        open_workbook(path)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_by_declared_size() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 200_000
    start = time.monotonic()
    with pytest.raises(InputError, match="压缩炸弹"):
        open_workbook(bomb)
    assert time.monotonic() - start < 2


def test_high_ratio_entry_is_refused() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>", "xl/sharedStrings.xml": b"a" * (8 * 1024 * 1024)})
    with pytest.raises(InputError, match="压缩比异常"):
        open_workbook(bomb)


def test_zip_that_is_not_a_workbook() -> None:
    with pytest.raises(InputError, match="不是 Excel 工作簿"):
        open_workbook(_zip({"word/document.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}))


def test_broken_workbook_parts() -> None:
    with pytest.raises(InputError, match="无法读取工作簿"):
        open_workbook(_zip({"[Content_Types].xml": b"not xml", "xl/workbook.xml": b"<<<"}))


def test_legacy_xls_gets_a_hint() -> None:
    with pytest.raises(InputError, match=r"另存为 \.xlsx"):
        open_workbook(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)


def test_empty_file() -> None:
    with pytest.raises(InputError, match="文件为空"):
        open_workbook(b"")


def test_good_workbook_opens_read_only(sample_plan: Plan) -> None:
    wb = open_workbook(write_plan_xlsx(sample_plan))
    assert wb.read_only and "分工方案" in wb.sheetnames


def test_xml_entity_expansion_is_refused(sample_plan: Plan) -> None:
    src = zipfile.ZipFile(io.BytesIO(write_plan_xlsx(sample_plan)))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    entries = {}
    for name in src.namelist():
        data = src.read(name)
        if name == "xl/workbook.xml":
            body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
            data = laughs + body.replace(b"<sheets>", b"<sheets>&lol3;", 1)
        entries[name] = data
    with pytest.raises(InputError, match="无法读取工作簿"):
        open_workbook(_zip(entries))
