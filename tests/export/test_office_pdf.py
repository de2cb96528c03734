"""Every document luoshi generates, printed to PDF by LibreOffice and read page by page.

The checks are what a person sees on paper: how many pages, a page number on each (「— N —」 on
the 公文, 「第 N 页，共 M 页」 on the workbooks), nothing printed outside the paper, the header row
repeated so every page has all columns, titles not broken inside a word, each chart on the page of
its caption. Page images (PNG, via pdftoppm when installed) and the PDFs are kept under
tests/output/pdf/ to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from conftest import OUTPUT, Ledger, LibreOffice
from pypdf import PdfReader
from sqlalchemy import select

from luoshi.export.downloads import bulletin_download, plan_download, template_download
from luoshi.ledger.models import Commitment, Period
from luoshi.ledger.services import progress, status

# printing does not depend on the database: these run on SQLite only
pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, pytest.mark.parametrize("engine", ["sqlite"], indirect=True)]

PAGES = OUTPUT / "pdf"


def _save(name: str, pdf: bytes) -> list[str]:
    """Keep the PDF and PNG images of its first three and last pages; the image paths (none only
    where poppler's pdftoppm is missing: scripts/test installs it)."""
    PAGES.mkdir(parents=True, exist_ok=True)
    path = PAGES / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        return []
    for old in PAGES.glob(f"{name}-*.png"):  # pages of an earlier, longer run
        old.unlink()
    n = len(PdfReader(io.BytesIO(pdf)).pages)
    for first, last in ((1, min(3, n)), (n, n)):
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(first), "-l", str(last), str(path),
                        str(PAGES / name)], check=True, timeout=120)
    images = sorted(str(p) for p in PAGES.glob(f"{name}-*.png"))
    assert images, f"pdftoppm made no page image of {name}"
    return images


def _read(pdf: bytes) -> tuple[list[str], list[tuple[float, float, float, float]]]:
    """Text of every page, and for every page the extent of its text (min x, max x, min y, max y)
    relative to the paper (0..1): anything outside 0..1 was printed off the page."""
    reader = PdfReader(io.BytesIO(pdf))
    texts, extents = [], []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        xs: list[float] = []
        ys: list[float] = []

        def visit(text: str, cm, tm, font_dict, font_size, xs=xs, ys=ys, width=width,  # type: ignore[no-untyped-def]
                  height=height) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                xs.append(x / width)
                ys.append(y / height)

        texts.append(page.extract_text(visitor_text=visit))
        extents.append((min(xs, default=0.5), max(xs, default=0.5), min(ys, default=0.5), max(ys, default=0.5)))
    return texts, extents


def _on_paper(extents: list[tuple[float, float, float, float]]) -> None:
    for i, (x0, x1, y0, y1) in enumerate(extents, start=1):
        assert 0 <= x0 and x1 <= 1 and 0 <= y0 and y1 <= 1, f"page {i}: text outside the paper {x0, x1, y0, y1}"


def _flat(text: str) -> str:
    return "".join(text.split())


def test_plan_docx_prints_as_a_notice_with_numbered_pages(ledger: Ledger, libreoffice: LibreOffice) -> None:
    with ledger.session() as s:
        content = plan_download(s, ledger.report_id, fmt="docx", number=3, issued=dt.date(2024, 2, 20)).content
    pdf = libreoffice.pdf(content, ".docx")
    _save("plan-docx", pdf)
    texts, extents = _read(pdf)
    assert 4 <= len(texts) <= 20
    for n, text in enumerate(texts, start=1):
        assert f"— {n} —" in text, f"page {n} has no page number"
    _on_paper(extents)
    first = _flat(texts[0])
    assert first.startswith("枣庄市人民政府办公室文件") and "〔2024〕3号" in first
    assert "印发《2024年政府工作报告》" in first  # the title is broken between words, not inside one
    annex = next(i for i, t in enumerate(texts) if _flat(t).startswith("附件"))
    assert annex >= 1 and "落款" not in texts[annex]
    for text in texts[annex:]:
        assert "完成时限" in text and "牵头单位" in text  # the header row repeats with every column
    assert "印发" in _flat(texts[-1]) and "抄送" in _flat(texts[-1])  # 版记 on the last page


def test_bulletin_prints_per_gbt_9704(ledger: Ledger, libreoffice: LibreOffice) -> None:
    with ledger.session() as s:
        q1 = s.scalar(select(Period).where(Period.report_id == ledger.report_id, Period.label == "2024Q1"))
        tracked = status.tracked(s, s.get_one(Commitment, 1).report)
        for i, c in enumerate(tracked[:40]):
            progress.report(s, c, q1, author="liaison", percent=[25, 12, 0, 30][i % 4], narrative="",
                            now=dt.datetime(2024, 4, 3, tzinfo=dt.UTC))
    with ledger.session() as s:
        content = bulletin_download(s, "2024Q1", report=ledger.report_id, issued=dt.date(2024, 4, 12),
                                    number=2).content
    pdf = libreoffice.pdf(content, ".docx")
    _save("bulletin-docx", pdf)
    texts, extents = _read(pdf)
    assert 3 <= len(texts) <= 30
    for n, text in enumerate(texts, start=1):
        assert f"— {n} —" in text, f"page {n} has no page number"
    _on_paper(extents)
    first = _flat(texts[0])
    assert first.startswith("督查通报第2期枣庄市人民政府督查室2024年4月12日")
    assert "《2024年政府工作报告》" in first and "重点任务落实情况的通报" in first
    reader = PdfReader(io.BytesIO(pdf))
    for caption in ("图1重点任务进度状态分布", "图2责任单位得分排名"):
        page = next(i for i, t in enumerate(texts) if caption in _flat(t))
        assert len(reader.pages[page].images) >= 1, f"{caption}: caption and chart are on different pages"
    last = _flat(texts[-1])
    assert "抄送：市委办公室" in last and "2024年4月12日印发" in last


def test_workbooks_print_every_column_on_numbered_pages(ledger: Ledger, libreoffice: LibreOffice) -> None:
    with ledger.session() as s:
        plan = plan_download(s, ledger.report_id, fmt="xlsx").content
        template = template_download(s, "市工业和信息化局", "2024Q1", report=ledger.report_id).content
    for name, content, last_column in (("plan-xlsx", plan, "完成时限"), ("template-xlsx", template, "进展情况")):
        pdf = libreoffice.pdf(content, ".xlsx")
        _save(name, pdf)
        texts, extents = _read(pdf)
        assert 1 <= len(texts) <= 30
        for n, text in enumerate(texts, start=1):
            assert f"第 {n} 页，共 {len(texts)} 页" in text, f"{name}: page {n} has no page number"
            assert last_column in text, f"{name}: page {n} lacks the last column (cut off or no repeated header)"
            assert "编号" not in text.split(last_column)[0][-20:], f"{name}: the internal id column is printed"
        _on_paper(extents)
