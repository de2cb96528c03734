"""Valid report files in every form luoshi reads, built from the seed report.

The fuzz tests mutate them, the attack tests and ``bench/`` scripts upload them. PDF and DOCX are
generated (reportlab, python-docx) rather than committed. The seed report is looked up in
``luoshi.paths.reports_dir()`` (``$LUOSHI_REPORTS_DIR``, else ``../shared/reports`` beside the repository).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from luoshi.paths import reports_dir


def seed_path() -> Path:
    return reports_dir() / "zaozhuang-2024.txt"


@cache
def seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")


def seed_excerpt() -> str:
    """The opening, the plan part's heading, the headline targets and the first task area.

    About 2,300 characters: short, but with both parts' headings and full of numbers and units.
    """
    text = seed_text()
    plan = text.index("二、2024年工作安排")
    headline = text.index("主要预期目标")
    review_end = text.rindex("。", 0, 400) + 1
    plan_end = text.rindex("。", 0, plan + 200) + 1
    headline_start = text.rindex("。", 0, headline) + 1
    headline_end = text.rindex("。", 0, headline + 1600) + 1
    return text[:review_end] + " " + text[plan:plan_end] + text[headline_start:headline_end]


def make_pdf(pages: list[str]) -> bytes:
    """A PDF whose pages carry ``pages`` as a text layer (reportlab's built-in Chinese font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in pages:
        c.setFont("STSong-Light", 10)
        y = 800
        for i in range(0, len(page), 40):
            c.drawString(30, y, page[i : i + 40])
            y -= 14
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word document with ``paragraphs`` and an optional table after them."""
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@cache
def samples() -> dict[str, bytes]:
    """The seed excerpt as UTF-8 (±BOM), GBK, GB18030, UTF-16 (±BOM, both orders), PDF and DOCX."""
    text = seed_excerpt()
    half = text.index("。", len(text) // 2) + 1
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8-sig": text.encode("utf-8-sig"),
        "gbk": text.encode("gbk"),
        "gb18030": (text + "𠀀").encode("gb18030"),
        "utf-16": text.encode("utf-16"),
        "utf-16-le": text.encode("utf-16-le"),
        "utf-16-be-bom": b"\xfe\xff" + text.encode("utf-16-be"),
        "pdf": make_pdf([text[:half], text[half:]]),
        "docx": make_docx(
            [p + "。" for p in text.split("。") if p], [["指标", "目标"], ["生产总值", "增长5.5%左右"]]
        ),
    }
