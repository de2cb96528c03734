"""The text layer of a PDF report.

Most published reports are PDFs with a text layer; some are scans (images only), which luoshi
cannot read without OCR and must say so rather than return nothing. ``pypdf`` is imported here,
inside the function, so that ``luoshi extract`` on a text file never pays for it.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

from luoshi.errors import InputError

# A complete PDF ends with ``%%EOF`` (possibly followed by a few bytes of whitespace or junk).
_EOF_WINDOW = 2048


def _one_line(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    return text[:160] or type(exc).__name__


def pdf_text(data: bytes, name: str) -> str:
    """Text of all pages, one ``\\n`` between pages; ``InputError`` if there is none to read."""
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise InputError(f"{name}: the PDF is truncated (no end-of-file marker); download or export it again")
    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError

    # pypdf reports recoverable damage through logging and warnings; a CLI must print one line.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                # Many "protected" reports only restrict printing: the user password is empty.
                try:
                    ok = reader.decrypt("")
                except (DependencyError, NotImplementedError) as exc:
                    raise InputError(
                        f"{name}: the PDF is encrypted with a method luoshi cannot open "
                        f"({_one_line(exc)}); save an unprotected copy"
                    ) from exc
                if not ok:
                    raise InputError(
                        f"{name}: the PDF is password-protected; save an unprotected copy and try again"
                    )
            pages = [(page.extract_text() or "").rstrip("\n") for page in reader.pages]
        except InputError:
            raise
        except FileNotDecryptedError as exc:
            raise InputError(
                f"{name}: the PDF is password-protected; save an unprotected copy and try again"
            ) from exc
        except Exception as exc:  # pypdf raises many types on damaged files
            raise InputError(
                f"{name}: the PDF is damaged and cannot be read ({_one_line(exc)}); "
                "export it again or convert it to .txt"
            ) from exc
    text = "\n".join(pages)
    if not any(ch.isalpha() for ch in text):
        raise InputError(
            f"{name}: the PDF has no text layer ({len(pages)} page(s)); it looks scanned — run OCR "
            "on it first or supply the report as .txt/.docx"
        )
    return text
