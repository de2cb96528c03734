"""Evidence files: type checked by content, name checked against it, size-limited, stored on disk.

Bytes live at ``$LUOSHI_HOME/evidence/<sha[:2]>/<sha[2:]>`` (owner-only: files 0600, directories
0700); the database row keeps name, hash, size and type. Identical files are stored once. A file written for a transaction that then rolls
back stays on disk unreferenced, which is harmless (the same content would be stored there anyway).
The uploaded file name is only ever a display name: it never takes part in a path, and
:func:`safe_filename` strips directories (``../../x.pdf`` → ``x.pdf``) and control characters.

A file is read in chunks from whatever the caller holds (an upload spooled to a temporary file, or
bytes), copied to a temporary file in the store while it is hashed and counted, and refused as
soon as it passes the limit: memory stays at one chunk whatever the size.

Its type comes from its content (:func:`sniff`: magic bytes; the zip entries of OOXML and OFD
files; for text, that all of it decodes as UTF-8 or GB18030 without control characters or markup),
and must be one of :data:`TYPES`. The name must then agree with it: a name without an extension
gets the right one, and a name whose extension says something else (``poly.html`` holding a JPEG,
``截图.png`` holding a PDF) is refused with a message naming the right extension. Refused rather
than renamed because the name is what a reviewer trusts when opening the download, and only the
person uploading can tell whether they picked the wrong file or just mislabelled the right one.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from luoshi.errors import ValidationError
from luoshi.ledger.db import luoshi_home
from luoshi.ledger.limits import MAX_EVIDENCE_BYTES, clean_filename
from luoshi.ledger.private import create_private, private_dir

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    label: str  # as shown to users
    mime: str
    extensions: tuple[str, ...]  # the first is the one a name without extension gets


TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", ("pdf",)),
    "jpg": FileType("JPG", "image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
    "png": FileType("PNG", "image/png", ("png",)),
    "gif": FileType("GIF", "image/gif", ("gif",)),
    "webp": FileType("WEBP", "image/webp", ("webp",)),
    "docx": FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     ("docx",)),
    "xlsx": FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "pptx": FileType("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                     ("pptx",)),
    "doc": FileType("DOC", "application/msword", ("doc",)),
    "xls": FileType("XLS", "application/vnd.ms-excel", ("xls",)),
    "ppt": FileType("PPT", "application/vnd.ms-powerpoint", ("ppt",)),
    "ofd": FileType("OFD", "application/ofd", ("ofd",)),
    "txt": FileType("TXT", "text/plain", ("txt",)),  # stored with its charset, see text_encoding
}
SAFE_MIME_TYPES = frozenset([*(t.mime for t in TYPES.values()), "text/plain; charset=utf-8",
                             "text/plain; charset=gb18030"])
ACCEPTED = "只接受 PDF、图片（JPG、PNG、GIF、WEBP）、Office 文档（DOCX、XLSX、PPTX、DOC、XLS、PPT）、OFD、TXT 文件（按文件内容判断）"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word/Excel/PowerPoint 97-2003 (compound file)
_OLE_KINDS = ("doc", "xls", "ppt")
# bytes that never occur in plain text (in UTF-8 or GB18030 no multi-byte sequence contains them)
_CONTROL = tuple(bytes([b]) for b in (*range(0, 9), 11, *range(14, 32), 127))


def sniff_file(path: Path, name: str = "") -> str | None:
    """The allowed type of the file at ``path``, from its content; ``name`` only picks among the
    97-2003 Office formats, which share one container."""
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(_OLE):
        ext = extension(name)
        return ext if ext in _OLE_KINDS else "doc"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    return "txt" if text_encoding(path) else None


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()  # the central directory only: nothing is decompressed
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in names):
                return kind
    if "OFD.xml" in names:
        return "ofd"
    return None


def text_encoding(path: Path) -> str | None:
    """``utf-8`` or ``gb18030`` if all of the file is text in it — no control characters, not markup
    (HTML, SVG, XML) — else None."""
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder("utf-8-sig" if encoding == "utf-8" else encoding)()
        start = ""
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    if any(c in chunk for c in _CONTROL):
                        return None
                    text = decoder.decode(chunk)
                    if len(start) < 64:
                        start += text[:64]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return None if start.lstrip().startswith("<") else encoding
    return None


def extension(name: str) -> str:
    """The lower-case extension of ``name`` ("" when there is none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def name_for(filename: str, kind: str) -> str:
    """``filename`` if its extension fits ``kind``, with the extension added if it has none."""
    t = TYPES[kind]
    ext = extension(filename)
    if ext in t.extensions:
        return filename
    if not ext:
        return f"{filename}.{t.extensions[0]}"
    raise ValidationError(f"{filename}: 文件内容是 {t.label}，与扩展名 .{ext} 不符；"
                          f"请确认文件无误，并把文件名改为以 .{t.extensions[0]} 结尾后重新上传")


def safe_filename(name: str, *, fallback: str = "材料") -> str:
    """The display name of an evidence file: the ledger's one cleaning of uploaded file names
    (last path component, no control or bidi characters, cut to the column keeping the extension)."""
    return clean_filename(name, key="evidence.filename", fallback=fallback)


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


def store(source: bytes | BinaryIO, filename: str, *, max_bytes: int = MAX_EVIDENCE_BYTES
          ) -> tuple[str, int, str, str]:
    """Check and store a file (bytes, or a binary file read from its current position).

    Returns (sha256, size, content type, display name — ``filename`` with the right extension).
    """
    src = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    root = private_dir(evidence_root())
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ValidationError(f"{filename}: 文件超过上限 {max_bytes / 1048576:g} MB")
                digest.update(chunk)
                out.write(chunk)
        if not size:
            raise ValidationError(f"{filename}: 文件为空")
        kind = sniff_file(tmp, filename)
        if kind is None:
            raise ValidationError(f"{filename}: {ACCEPTED}")
        name = name_for(filename, kind)
        sha = digest.hexdigest()
        target = path_for(sha)
        if target.exists():
            tmp.unlink()
        else:
            private_dir(target.parent)
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    mime = f"text/plain; charset={text_encoding(target)}" if kind == "txt" else TYPES[kind].mime
    return sha, size, mime, name


def read(sha256: str) -> bytes:
    p = path_for(sha256)
    if not p.exists():
        raise ValidationError(f"证明材料 {sha256[:12]}… 不在 {evidence_root()} 中")
    return p.read_bytes()
