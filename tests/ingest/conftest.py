"""Fixtures for the readers: the seed report and binary files generated from it."""

from __future__ import annotations

import io

import pytest

from luoshi.paths import reports_dir

REPORTS = reports_dir()
SEED = REPORTS / "zaozhuang-2024.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def make_pdf(pages: list[str]) -> bytes:
    """A PDF whose pages carry ``pages`` as a text layer, in reportlab's built-in Chinese font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in pages:
        c.setFont("STSong-Light", 11)
        y = 780
        for line in page.split("\n"):
            c.drawString(40, y, line)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()


def make_drawing_pdf() -> bytes:
    """A PDF with a drawn rectangle and no text, like a scan without OCR."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 300, 400, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(blocks: list[str | list[list[str]]]) -> bytes:
    """A DOCX with paragraphs (str) and tables (list of rows) in the given order."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
