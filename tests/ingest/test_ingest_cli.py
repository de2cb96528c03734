"""``luoshi extract`` on bad input: exit code 2, one line on stderr, never a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import make_docx, make_drawing_pdf

pytest.importorskip("luoshi.commands.extract", reason="the extract command is not in the tree yet")

LUOSHI = Path(sys.executable).with_name("luoshi")


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("word/document.xml", b" " * (210 * 1024 * 1024))
    return buf.getvalue()


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    docx = make_docx(["一般公共预算收入增长7.2%"])
    files = {
        "empty": ("empty.txt", b"", "empty"),
        "blank": ("blank.txt", b" \n\n ", "empty"),
        "random": ("random.txt", bytes(range(256)) * 8, "binary"),
        "png": ("report.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG"),
        "scanned": ("scan.pdf", make_drawing_pdf(), "OCR"),
        "truncated-pdf": ("cut.pdf", make_drawing_pdf()[:300], "truncated"),
        "truncated-docx": ("cut.docx", docx[: len(docx) // 2], "truncated"),
        "bomb": ("bomb.docx", _zip_bomb(), "zip bomb"),
    }
    out: dict[str, tuple[Path, str]] = {}
    for key, (name, data, expect) in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        out[key] = (path, expect)
    out["missing"] = (tmp_path / "missing.txt", "no such file")
    out["directory"] = (tmp_path, "directory")
    return out


CASES = [
    "empty",
    "blank",
    "random",
    "png",
    "scanned",
    "truncated-pdf",
    "truncated-docx",
    "bomb",
    "missing",
    "directory",
]


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return _bad_files(tmp_path_factory.mktemp("bad"))


@pytest.mark.parametrize("case", CASES)
def test_extract_bad_file(case: str, bad_files: dict[str, tuple[Path, str]]) -> None:
    path, expect = bad_files[case]
    result = subprocess.run(
        [str(LUOSHI), "extract", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expect.lower() in lines[0].lower(), lines[0]
