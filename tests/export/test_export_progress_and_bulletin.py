"""Progress templates and the 督查通报 from a real ledger — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from conftest import Ledger
from docx.oxml.ns import qn
from sqlalchemy import func, select

from luoshi.errors import PermissionDenied
from luoshi.export.downloads import DOCX, bulletin_download, import_upload, template_download
from luoshi.export.errors import WorkbookRejected
from luoshi.export.template_xlsx import HEADER_ROW, SHEET
from luoshi.ledger.models import Assignment, AuditEvent, Commitment, Period, ProgressReport, Unit
from luoshi.ledger.services import progress, status

UNIT = "市工业和信息化局"


def _save(wb) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _template(ledger: Ledger, period: str = "2024Q1"):  # type: ignore[no-untyped-def]
    with ledger.session() as s:
        d = template_download(s, UNIT, period, report=ledger.report_id)
        leads = list(s.scalars(
            select(Commitment.id).join(Assignment).join(Unit)
            .where(Unit.name == UNIT, Assignment.role == "lead", Commitment.state == "active")
        ))
    assert d.filename == f"{UNIT}_{period}_进度填报模板.xlsx"
    return openpyxl.load_workbook(io.BytesIO(d.content)), sorted(leads)


def _reports(ledger: Ledger) -> list[ProgressReport]:
    with ledger.session() as s:
        return list(s.scalars(select(ProgressReport).order_by(ProgressReport.id)))


def test_template_lists_the_units_lead_tasks_and_imports_as_progress_reports(ledger: Ledger) -> None:
    wb, leads = _template(ledger)
    ws = wb[SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert sorted(r[0] for r in rows) == leads
    with ledger.session() as s:
        c = s.get_one(Commitment, rows[0][0])
        assert rows[0][6] == round(status.expected_percent(c, dt.date(2024, 3, 31), 2024), 1)
        quantified = {r[0] for r in rows if s.get_one(Commitment, r[0]).kind == "target"}
    target_row = next(i for i, r in enumerate(rows) if r[0] in quantified)
    measure_row = next(i for i, r in enumerate(rows) if r[0] not in quantified)
    first = HEADER_ROW + 1
    ws.cell(first + target_row, 9).value = 300
    ws.cell(first + target_row, 10).value = 22.5
    ws.cell(first + target_row, 12).value = "一季度新增规上企业300家"
    ws.cell(first + measure_row, 11).value = "是"
    ws.cell(first + measure_row, 12).value = "已全部完成"
    filled = _save(wb)

    audit_before = _audit(ledger)
    with ledger.session("liaison") as s:
        preview = import_upload(s, filled, apply=False, author="liaison")
    assert sorted(r.commitment_id for r in preview.rows) == sorted([rows[target_row][0], rows[measure_row][0]])
    assert preview.skipped == len(rows) - 2
    assert _reports(ledger) == [] and _audit(ledger) == audit_before

    with ledger.session("liaison") as s:
        result = import_upload(s, filled, apply=True, author="liaison")
    assert result.applied and len(result.report_ids) == 2
    got = {pr.commitment_id: (pr.percent, pr.reported_value, pr.narrative, pr.state, pr.author) for pr in _reports(ledger)}
    assert got == {
        rows[target_row][0]: (22.5, 300.0, "一季度新增规上企业300家", "submitted", "liaison"),
        rows[measure_row][0]: (100.0, None, "已全部完成", "submitted", "liaison"),
    }
    with ledger.session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "ProgressReport", AuditEvent.actor == "liaison")))
    assert {e.commitment_id for e in events} == set(got)

    # the same template sent again: nothing new, no error, no audit event
    audit_after = _audit(ledger)
    with ledger.session("liaison") as s:
        again = import_upload(s, filled, apply=True, author="liaison")
    assert (again.rows, again.unchanged, again.report_ids) == ([], 2, [])
    assert _audit(ledger) == audit_after
    # a changed value for a submitted report: refused, naming the row and both values
    ws.cell(first + target_row, 10).value = 30
    changed = _save(wb)
    with ledger.session("liaison") as s, pytest.raises(WorkbookRejected) as exc:
        import_upload(s, changed, apply=True, author="liaison")
    assert [(e.row, e.message) for e in exc.value.errors] == [(
        first + target_row,
        f"任务 {rows[target_row][0]} 本期进度已提交（完成进度 22.5%，完成值 300），本表填写的不同（完成进度 30%，完成值 300）："
        "如需修改，请督查室先退回该报告再重新报送",
    )]
    with ledger.session("liaison") as s, pytest.raises(PermissionDenied):
        import_upload(s, filled, apply=True, author="liaison", unit_id=-1)


def _audit(ledger: Ledger) -> int:
    with ledger.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_badly_filled_template_is_rejected_and_creates_nothing(ledger: Ledger) -> None:
    wb, _leads = _template(ledger)
    ws = wb[SHEET]
    first = HEADER_ROW + 1
    ws.cell(first, 10).value = "差不多一半"  # text in a number cell
    ws.cell(first + 1, 10).value = 130
    ws.cell(first + 2, 10).value = 40  # a good row: still nothing may be applied
    ws.cell(first + 3, 11).value = "可能"
    before = _audit(ledger)
    with ledger.session("liaison") as s, pytest.raises(WorkbookRejected) as info:
        import_upload(s, _save(wb), apply=True, author="liaison")
    assert [(e.row, e.column) for e in info.value.errors] == [
        (first, "J列（完成进度(%)）"), (first + 1, "J列（完成进度(%)）"), (first + 3, "K列（是否完成）"),
    ]
    assert "“差不多一半”不是数字" in info.value.errors[0].message
    assert _reports(ledger) == [] and _audit(ledger) == before


def test_bulletin_reflects_the_ledger_status(ledger: Ledger) -> None:
    with ledger.session("liaison") as s:
        q1 = s.scalar(select(Period).where(Period.report_id == ledger.report_id, Period.label == "2024Q1"))
        tracked = status.tracked(s, s.get_one(Commitment, 1).report)
        for i, c in enumerate(tracked[:30]):
            progress.report(s, c, q1, author="liaison", percent=[25, 12, 0][i % 3], narrative="",
                            now=dt.datetime(2024, 4, 3, tzinfo=dt.UTC))
    with ledger.session() as s:
        report = s.get_one(Commitment, 1).report
        sts = status.ledger_statuses(s, report, s.get_one(Period, q1.id))
        d = bulletin_download(s, "2024Q1", report=ledger.report_id, issued=dt.date(2024, 4, 12))
    assert d.media_type == DOCX
    doc = docx.Document(io.BytesIO(d.content))
    paras = [p.text for p in doc.paragraphs]
    assert "关于2024年第一季度\n《2024年政府工作报告》\n重点任务落实情况的通报" in paras
    assert paras[1] == "枣庄市人民政府督查室\t2024年4月12日"  # the issuer from the ledger settings' default
    assert doc.core_properties.author == "枣庄市人民政府督查室"
    colors = {c: sum(st.light == c for st in sts) for c in ("green", "yellow", "red")}
    summary = next(p for p in paras if p.startswith("纳入督办的重点任务共"))
    assert f"共{len(sts)}项" in summary and f"正常推进{colors['green']}项" in summary
    assert f"严重滞后{colors['red']}项" in summary and "已报送30项" in summary
    tables = doc.tables
    ranking = tables[-1]
    assert [c.text for c in ranking.rows[0].cells] == ["排名", "责任单位", "任务数", "绿灯", "黄灯", "红灯", "未报送", "得分"]
    assert len(ranking.rows) > 10 and ranking.rows[1].cells[0].text == "1"
    # one name per unit in the whole document: the ranking uses the same full names as the lists
    listed = {r.cells[0].text.rsplit("（", 1)[0] for t in tables[1:-1] for r in t.rows if len({id(c._tc) for c in r.cells}) == 1}
    assert listed and listed <= {r.cells[1].text for r in ranking.rows[1:]}
    red_count = sum(1 for t in tables[1:-1] for r in t.rows[1:] if r.cells[0].text.isdigit())
    assert red_count == colors["red"] + colors["yellow"]
    assert len(doc.inline_shapes) == 2
    for t in tables:
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
