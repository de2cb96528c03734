"""Evidence files: type by content, size limit, content-addressed storage, safe display names."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from sqlalchemy import select

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.models import AuditEvent, Evidence
from luoshi.ledger.services import assign, commitments, evidence, periods, progress

from .helpers import small_ledger


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def image_bytes(fmt: str, color: str = "red") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buf, format=fmt)
    return buf.getvalue()


def docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一季度智能工厂建设进展")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["指标", "完成值"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ALLOWED = {
    "pdf": (pdf_bytes, "application/pdf"),
    "jpg": (lambda: image_bytes("JPEG"), "image/jpeg"),
    "png": (lambda: image_bytes("PNG"), "image/png"),
    "docx": (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@pytest.fixture
def draft(session, luoshi_home):
    report = small_ledger(session)
    c = commitments.add_manual(session, report, kind="measure", title="推进智能工厂建设")
    assign.assign(session, c, lead="工信局")
    periods.generate_periods(session, report)
    return progress.save_draft(session, c, periods.period(session, report, "2024Q1"), author="工信局", percent=20)


@pytest.mark.parametrize("kind", list(ALLOWED))
def test_allowed_types_by_content(draft, session, luoshi_home, kind):
    make, ctype = ALLOWED[kind]
    data = make()
    ev = progress.attach(session, draft, f"材料.{kind}", data)
    assert (ev.content_type, ev.size, ev.sha256) == (ctype, len(data), hashlib.sha256(data).hexdigest())
    # content-addressed under $LUOSHI_HOME/evidence/<sha[:2]>/<sha[2:]>
    path = luoshi_home / "evidence" / ev.sha256[:2] / ev.sha256[2:]
    assert path.read_bytes() == data and evidence.read(ev.sha256) == data


def test_type_comes_from_content_not_name(draft, session):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    zip_buf = io.BytesIO()
    with zipfile.ZipFile(zip_buf, "w") as z:
        z.writestr("payload.js", "x")
    for name, data in (("进度.pdf", exe), ("进度.jpg", html), ("进度.docx", zip_buf.getvalue()), ("x.pdf", b"PK\x03\x04broken")):
        with pytest.raises(ValidationError, match="只接受 PDF、图片（JPG、PNG、GIF、WEBP）、Office 文档"):
            progress.attach(session, draft, name, data)
    # a real PDF with a misleading name is refused, naming the right extension
    with pytest.raises(ValidationError, match=r"截图.png: 文件内容是 PDF，与扩展名 .png 不符.*以 .pdf 结尾"):
        progress.attach(session, draft, "截图.png", pdf_bytes())
    # a name without extension gets the right one
    ev = progress.attach(session, draft, "扫描件", pdf_bytes())
    assert (ev.filename, ev.content_type) == ("扫描件.pdf", "application/pdf")
    with pytest.raises(ValidationError, match="文件为空"):
        progress.attach(session, draft, "空.pdf", b"")
    assert len(draft.evidence) == 1


def test_size_limit(draft, session, luoshi_home):
    from luoshi.ledger.limits import MAX_EVIDENCE_BYTES
    from luoshi.web.config import Settings

    # one limit for an evidence file, whichever way it arrives (CLI/ledger and web)
    assert evidence.MAX_EVIDENCE_BYTES == MAX_EVIDENCE_BYTES == Settings.max_evidence_bytes == 10 * 1024 * 1024
    data = pdf_bytes()
    big = data + b"%" + b"0" * (evidence.MAX_EVIDENCE_BYTES - len(data))
    assert len(big) == evidence.MAX_EVIDENCE_BYTES + 1
    with pytest.raises(ValidationError, match="超过上限 10 MB"):
        progress.attach(session, draft, "大文件.pdf", big)
    assert not (luoshi_home / "evidence").exists() or not any((luoshi_home / "evidence").rglob("*"))
    with pytest.raises(ValidationError, match="超过上限"):
        evidence.store(data, "a.pdf", max_bytes=len(data) - 1)
    assert evidence.store(data, "a.pdf", max_bytes=len(data))[1] == len(data)


def test_same_bytes_stored_once(draft, session, luoshi_home):
    data = image_bytes("PNG", "blue")
    a = progress.attach(session, draft, "一.png", data)
    b = progress.attach(session, draft, "二.png", data)
    assert a.id != b.id and a.sha256 == b.sha256
    files = [p for p in (luoshi_home / "evidence").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == data


def test_path_traversal_name_is_only_a_display_name(draft, session, luoshi_home, tmp_path):
    data = pdf_bytes()
    ev = progress.attach(session, draft, "../../x.pdf", data)
    assert ev.filename == "x.pdf"
    assert not (luoshi_home.parent / "x.pdf").exists() and not (tmp_path.parent / "x.pdf").exists()
    stored = [p for p in luoshi_home.rglob("*") if p.is_file()]
    assert stored == [luoshi_home / "evidence" / ev.sha256[:2] / ev.sha256[2:]]
    assert progress.attach(session, draft, "..\\..\\Windows\\evil.pdf", data).filename == "evil.pdf"
    assert progress.attach(session, draft, "a\x00b\r\n.pdf", data).filename == "ab.pdf"
    assert progress.attach(session, draft, "../..", data).filename == "材料.pdf"  # fallback name, right extension
    long = progress.attach(session, draft, "长" * 300 + ".pdf", data).filename
    assert len(long) == 255 and long.endswith(".pdf")


def test_attach_is_audited_and_refused_after_acceptance(draft, session):
    ev = progress.attach(session, draft, "进度.pdf", pdf_bytes())
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Evidence")).one()
    assert event.action == "create" and event.after["filename"] == "进度.pdf" and event.commitment_id == draft.commitment_id
    progress.submit(session, draft, now=dt.datetime(2024, 4, 2, tzinfo=dt.UTC))
    progress.accept(session, draft)
    with pytest.raises(ConflictError, match="已审核通过，不能再添加材料"):
        progress.attach(session, draft, "补充.pdf", pdf_bytes())
    assert session.scalars(select(Evidence)).all() == [ev]
