"""Evidence files: type checked by magic bytes, size-limited, stored content-addressed on disk.

Bytes live at ``$LUOSHI_HOME/evidence/<sha[:2]>/<sha[2:]>`` (owner-only: files 0600, directories
0700); the database row keeps name, hash, size and type. Identical files are stored once. A file written for a transaction that then rolls
back stays on disk unreferenced, which is harmless (the same content would be stored there anyway).
The uploaded file name is only ever a display name: it never takes part in a path, and
:func:`safe_filename` strips directories (``../../x.pdf`` → ``x.pdf``) and control characters.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import zipfile
from pathlib import Path

from luoshi.errors import ValidationError
from luoshi.ledger.db import luoshi_home
from luoshi.ledger.private import create_private, private_dir

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniff(data: bytes) -> str | None:
    """The allowed type of ``data`` from its first bytes (and, for OOXML, its zip entries)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


MAX_FILENAME = 255


def safe_filename(name: str, *, fallback: str = "材料") -> str:
    """A display name for an uploaded file: last path component only, no control characters.

    Both ``/`` and ``\\`` count as separators (browsers on Windows send full paths); leading dots
    and spaces go (no hidden files, no ``..``); what is left is cut to 255 characters keeping the
    extension. An empty result becomes ``fallback``.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = base.strip().lstrip(". ").strip()
    if not base:
        return fallback
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_FILENAME]
    return base


def evidence_root() -> Path:
    return luoshi_home() / "evidence"


def path_for(sha256: str) -> Path:
    return evidence_root() / sha256[:2] / sha256[2:]


def write_file(target: Path, data: bytes) -> None:
    """Write ``data`` at ``target`` atomically, owner-only (files 0600 in 0700 directories)."""
    private_dir(evidence_root())
    private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with os.fdopen(create_private(tmp), "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def store(data: bytes, filename: str, *, max_bytes: int = MAX_EVIDENCE_BYTES) -> tuple[str, int, str]:
    """Validate and store ``data``; returns (sha256, size, content type)."""
    if not data:
        raise ValidationError(f"{filename}: 文件为空")
    if len(data) > max_bytes:
        raise ValidationError(
            f"{filename}: 文件 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes // 1048576} MB"
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationError(f"{filename}: 只接受 PDF、JPG、PNG、DOCX、XLSX 文件（按文件内容判断）")
    sha = hashlib.sha256(data).hexdigest()
    target = path_for(sha)
    if not target.exists():
        write_file(target, data)
    return sha, len(data), ALLOWED[kind]


def read(sha256: str) -> bytes:
    p = path_for(sha256)
    if not p.exists():
        raise ValidationError(f"证明材料 {sha256[:12]}… 不在 {evidence_root()} 中")
    return p.read_bytes()
