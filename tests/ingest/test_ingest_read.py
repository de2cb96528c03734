"""Reading files: type from content, encodings, PDF, DOCX, and every way a file can be bad."""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from pathlib import Path

import pytest
from conftest import make_docx, make_drawing_pdf, make_pdf

from luoshi.errors import InputError, LuoshiError
from luoshi.ingest.read import DEFAULT_MAX_BYTES, load, read_bytes, read_file
from luoshi.paths import seed_report


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(path: Path, pattern: str, **kwargs: int) -> str:
    """Reading ``path`` fails with a one-line InputError that starts with its name and matches."""
    with pytest.raises(InputError) as info:
        read_file(path, **kwargs)
    message = info.value.message
    assert isinstance(info.value, LuoshiError) and info.value.exit_code == 2
    assert message.startswith(str(path) + ":"), message
    assert "\n" not in message and "\r" not in message
    assert re.search(pattern, message, re.IGNORECASE), message
    return message


# --- text encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "expected", "bom"),
    [
        ("utf-8", "utf-8", 0),
        ("utf-8-sig", "utf-8", 3),
        ("gbk", "gbk", 0),
        ("gb18030", "gbk", 0),  # the seed uses no character outside GBK
        ("utf-16", "utf-16-le", 2),  # Python writes a little-endian BOM
        ("utf-16-le", "utf-16-le", 0),
        ("utf-16-be", "utf-16-be", 0),
    ],
)
def test_seed_in_every_encoding_reads_the_same(
    tmp_path: Path, seed_text: str, codec: str, expected: str, bom: int
) -> None:
    path = _write(tmp_path, "report.bin", seed_text.encode(codec))
    raw = read_file(path)
    assert raw.text == seed_text
    assert (raw.kind, raw.encoding, raw.bom) == ("txt", expected, bom)
    assert raw.size == path.stat().st_size


def test_utf16_big_endian_with_bom(tmp_path: Path, seed_text: str) -> None:
    path = _write(tmp_path, "report.txt", b"\xfe\xff" + seed_text.encode("utf-16-be"))
    raw = read_file(path)
    assert (raw.text, raw.encoding, raw.bom) == (seed_text, "utf-16-be", 2)


def test_gb18030_only_characters(tmp_path: Path) -> None:
    # 𠮷 (U+20BB7) and € are not in GBK: only GB18030 four-byte sequences carry them.
    text = "枣庄市𠮷祥路改造工程投资3.5亿元，€计价项目1个。"
    raw = read_file(_write(tmp_path, "r.txt", text.encode("gb18030")))
    assert (raw.text, raw.encoding) == (text, "gb18030")


def test_short_texts_are_not_misread(tmp_path: Path) -> None:
    for text in ["中文", "报告", "增长5%", "ab"]:
        for codec in ("utf-8", "gbk"):
            assert read_bytes(text.encode(codec), "x.txt").text == text


@pytest.mark.parametrize("codec", ["gbk", "utf-16", "utf-16-be", "utf-8-sig"])
def test_byte_offsets_point_at_the_same_text(tmp_path: Path, seed_text: str, codec: str) -> None:
    data = seed_text.encode(codec)
    doc = load(_write(tmp_path, "r.txt", data))
    for quote in ["一般公共预算收入增长7.2%", "139.01亿元", "2023年是枣庄发展史上"]:
        start = doc.text.index(quote)
        span = doc.byte_span(start, start + len(quote))
        assert span is not None
        bs, be = span
        raw_piece = data[bs:be].decode(doc.raw.encoding)  # type: ignore[arg-type]
        assert raw_piece == doc.raw_slice(start, start + len(quote))
        # the raw bytes, once cleaned, are the quote (footers and line-break spaces aside)
        assert re.sub(r"\s*— \d+ —\s*| ", "", raw_piece) == quote


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_text_layer(tmp_path: Path, seed_text: str) -> None:
    line1 = "全市地区生产总值增长6.4%，一般公共预算收入增长7.2%，"
    line2 = "争取新增专项债券额度139.01亿元、同比增长54.7%。"
    assert line1[:10] in seed_text and line2[:10] in seed_text
    path = _write(tmp_path, "report.txt", make_pdf([line1, line2]))  # extension lies
    raw = read_file(path)
    assert raw.kind == "pdf" and raw.encoding is None and raw.byte_offset(0) is None
    assert line1 in raw.text and line2 in raw.text
    assert raw.text.index(line1) < raw.text.index(line2)
    assert "\n" in raw.text[raw.text.index(line1) + len(line1) : raw.text.index(line2)]


def test_pdf_without_text_is_scanned(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "scan.pdf", make_drawing_pdf()), r"scanned.*OCR")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = make_pdf(["一般公共预算收入增长7.2%"])
    _refused(_write(tmp_path, "cut.pdf", data[: len(data) // 2]), r"truncated")


def test_damaged_pdf(tmp_path: Path) -> None:
    data = b"%PDF-1.4\n" + os.urandom(2000) + b"\n%%EOF\n"
    _refused(_write(tmp_path, "bad.pdf", data), r"damaged|no text layer")


def test_encrypted_pdf(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(make_pdf(["一般公共预算收入增长7.2%"])))
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    _refused(_write(tmp_path, "locked.pdf", buf.getvalue()), r"password")


# --- DOCX -----------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    data = make_docx(
        [
            "一、2024年主要预期目标",
            [["指标", "目标"], ["地区生产总值", "增长5.5%左右"], ["城镇新增就业", "3.5万人以上"]],
            "二、重点任务",
        ]
    )
    raw = read_file(_write(tmp_path, "report.pdf", data))  # extension lies
    assert raw.kind == "docx"
    assert raw.text.split("\n") == [
        "一、2024年主要预期目标",
        "指标\t目标",
        "地区生产总值\t增长5.5%左右",
        "城镇新增就业\t3.5万人以上",
        "二、重点任务",
    ]
    doc = load(_write(tmp_path, "report.docx", data))
    assert "地区生产总值\t增长5.5%左右" in doc.text  # cleaning keeps the cell separator


def test_docx_merged_cell_counted_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "主要预期目标"
    for c, value in enumerate(["指标", "2023年", "2024年"]):
        table.cell(1, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    raw = read_bytes(buf.getvalue(), "t.docx")
    assert raw.text.split("\n") == ["主要预期目标", "指标\t2023年\t2024年"]


def test_truncated_docx(tmp_path: Path) -> None:
    data = make_docx(["一般公共预算收入增长7.2%"])
    _refused(_write(tmp_path, "cut.docx", data[: len(data) - 200]), r"damaged or truncated")


def test_zip_bomb(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document/>" + b" " * (210 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    message = _refused(_write(tmp_path, "bomb.docx", data), r"zip bomb")
    assert "limit 200.0 MB" in message


def test_zip_bomb_limit_follows_max_bytes(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b" " * 2_000_000)
    _refused(_write(tmp_path, "b.docx", buf.getvalue()), r"unpack to 1\.9 MB", max_bytes=100_000)


def test_zip_that_is_not_word(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    _refused(_write(tmp_path, "sheet.docx", buf.getvalue()), r"not a Word document.*Excel")


def test_docx_without_text(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "blank.docx", make_docx([""])), r"no text")


# --- other bad input ------------------------------------------------------------------------------


def test_random_bytes(tmp_path: Path) -> None:
    rng = random.Random(7)
    for i in range(20):
        data = bytes(rng.randrange(256) for _ in range(3000))
        _refused(_write(tmp_path, f"r{i}.bin", data), r"binary")


def test_nul_bytes_in_text(tmp_path: Path, seed_text: str) -> None:
    data = seed_text[:300].encode("utf-8") + b"\x00\x00\x00" + seed_text[300:600].encode("utf-8")
    _refused(_write(tmp_path, "nul.txt", data), r"binary")


def test_control_characters(tmp_path: Path) -> None:
    data = ("增长" + "\x01\x02\x03\x04" * 10).encode("utf-8") * 20
    _refused(_write(tmp_path, "ctl.txt", data), r"binary")


def test_png(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100)
    _refused(_write(tmp_path, "report.txt", data), r"PNG image.*OCR")


def test_old_word_format(tmp_path: Path) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    _refused(_write(tmp_path, "report.doc", data), r"old-format Office.*\.docx")


def test_empty_file(tmp_path: Path) -> None:
    _refused(_write(tmp_path, "empty.txt", b""), r"empty \(0 bytes\)")


@pytest.mark.parametrize("data", [b"  \n\t\r\n ", "　\n".encode(), "\ufeff \n".encode("utf-8")])
def test_whitespace_only_file(tmp_path: Path, data: bytes) -> None:
    _refused(_write(tmp_path, "blank.txt", data), r"empty")


def test_over_limit(tmp_path: Path, seed_text: str) -> None:
    path = _write(tmp_path, "big.txt", seed_text.encode("utf-8"))
    size = path.stat().st_size
    message = _refused(path, r"over the .* limit", max_bytes=1000)
    assert f"({size} bytes)" in message and "(1000 bytes)" in message


def test_over_limit_bytes() -> None:
    with pytest.raises(InputError, match=r"^up\.txt: the file is .* over the 1000 bytes limit"):
        read_bytes(b"x" * 1001, "up.txt", max_bytes=1000)


def test_default_limit_is_20_mb() -> None:
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.txt", r"no such file")


def test_directory(tmp_path: Path) -> None:
    _refused(tmp_path, r"is a directory")


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "secret.txt", "报告".encode())
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: simulate the refusal the OS would give
        import luoshi.ingest.read as read_module

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(read_module, "open", refuse, raising=False)
    _refused(path, r"permission denied")


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _refused(fifo, r"not a regular file")


def test_name_with_newline_stays_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_bytes(b"", "evil\nname.txt")
    assert "\n" not in info.value.message and info.value.message.startswith("evil?name.txt:")


def test_heavy_modules_stay_unloaded_for_text() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from luoshi.ingest.read import load; load(sys.argv[1]);"
        "print(sorted(m for m in ('pypdf', 'docx', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(seed_report())],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
