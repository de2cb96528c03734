"""Reading a report file into ``RawText``.

The kind of file is decided from its content, never from its extension: people rename files,
and web uploads carry whatever name the browser sent. ``%PDF-`` is a PDF, a ZIP archive holding
``word/document.xml`` is a Word document, anything else must be text in an encoding we can
decode (see ``encoding.py``). Every refusal is an ``InputError`` whose one-line message starts
with the file name and says what to do.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from luoshi.errors import InputError
from luoshi.ingest.document import Document, RawText

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Formats people send by mistake, named so the message can say what the file is.
_KNOWN_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image; luoshi needs text — run OCR on it first"),
    (b"\xff\xd8\xff", "a JPEG image; luoshi needs text — run OCR on it first"),
    (b"GIF8", "a GIF image; luoshi needs text — run OCR on it first"),
    (b"II*\x00", "a TIFF image; luoshi needs text — run OCR on it first"),
    (b"MM\x00*", "a TIFF image; luoshi needs text — run OCR on it first"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old-format Office file (.doc/.xls/.wps); save it as .docx or .txt",
    ),
    (b"{\\rtf", "an RTF document; save it as .docx or .txt"),
    (b"Rar!", "a RAR archive; unpack it and supply the report itself"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; unpack it and supply the report itself"),
    (b"\x1f\x8b", "a gzip archive; unpack it and supply the report itself"),
)


def _display(name: str) -> str:
    """The file name as it can appear in a one-line message."""
    return re.sub(r"[\x00-\x1f\x7f]", "?", name) or "<unnamed>"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_large(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"{name}: the file is {_mb(size)} ({size} bytes), over the {_mb(max_bytes)} limit "
        f"({max_bytes} bytes); supply only the report text"
    )


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    """Read ``path`` (text in any supported encoding, PDF or DOCX) into ``RawText``."""
    p = Path(path)
    name = _display(str(path))
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file; check the path") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be opened ({exc.strerror or exc}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{name}: is a directory, not a file; give the path of the report file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{name}: is not a regular file; save the report to a file first")
    if st.st_size > max_bytes:
        raise _too_large(name, st.st_size, max_bytes)
    try:
        with open(p, "rb") as fh:
            # read one byte more than the file had: it may have grown since stat(). Not
            # ``read(max_bytes + 1)``, which allocates the whole limit whatever the file's size.
            data = fh.read(min(st.st_size, max_bytes) + 1)
            if st.st_size < len(data) <= max_bytes:
                data += fh.read(max_bytes + 1 - len(data))
            size = max(len(data), os.fstat(fh.fileno()).st_size)
    except PermissionError:
        raise InputError(f"{name}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise _too_large(name, size, max_bytes)
    return read_bytes(data, str(path), max_bytes=max_bytes)


def read_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    """Read the bytes of a report (e.g. an upload) named ``name`` into ``RawText``."""
    shown = _display(name)
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes)
    if not data:
        raise InputError(f"{shown}: the file is empty (0 bytes); supply the report text")
    sha = hashlib.sha256(data).hexdigest()
    head = data[:1024].lstrip(b" \t\r\n\x0c")

    if head.startswith(b"%PDF-"):
        from luoshi.ingest.pdf import pdf_text

        text = pdf_text(data, shown)
        return RawText(text=text, path=name, sha256=sha, kind="pdf", size=len(data))

    if data.startswith(_ZIP_MAGIC):
        from luoshi.ingest.word import docx_text

        text = docx_text(data, shown, max_bytes=max_bytes)
        if not text.strip():
            raise InputError(f"{shown}: the Word document contains no text; supply the report text")
        return RawText(text=text, path=name, sha256=sha, kind="docx", size=len(data))

    for magic, what in _KNOWN_BINARY:
        if data.startswith(magic):
            raise InputError(f"{shown}: not a report text — the file is {what}")

    from luoshi.ingest.encoding import decode

    decoded = decode(data, shown)
    if not decoded.text.strip():
        raise InputError(f"{shown}: the file is empty (only whitespace); supply the report text")
    return RawText(
        text=decoded.text,
        path=name,
        sha256=sha,
        kind="txt",
        encoding=decoded.encoding,
        bom=decoded.bom,
        size=len(data),
    )


def load(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and clean: the entry point of the pipeline."""
    from luoshi.ingest.clean import clean

    return clean(read_file(path, max_bytes=max_bytes))
