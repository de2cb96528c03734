"""Reading a report file into ``RawText``.

Minimal first version: UTF-8 text files. PDF, DOCX, other encodings and the size/type checks are
being added (see issue 2, point 2).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from luoshi.errors import InputError
from luoshi.ingest.document import Document, RawText

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def read_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    p = Path(path)
    data = p.read_bytes()
    return read_bytes(data, str(p), max_bytes=max_bytes)


def read_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawText:
    if not data:
        raise InputError(f"{name}: the file is empty")
    sha = hashlib.sha256(data).hexdigest()
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    text = data[bom:].decode("utf-8")
    return RawText(text=text, path=name, sha256=sha, kind="txt", encoding="utf-8", bom=bom, size=len(data))


def load(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and clean: the entry point of the pipeline."""
    from luoshi.ingest.clean import clean

    return clean(read_file(path, max_bytes=max_bytes))
