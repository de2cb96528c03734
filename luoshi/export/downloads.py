"""Entry points for the web app and the CLI: documents as bytes + file name + MIME type, and uploads.

Every function takes an open ledger session; exports only read, and :func:`import_upload` writes only
through the ledger services inside the caller's transaction (``apply=False`` previews the change
and leaves the ledger untouched). Permission checks stay with the caller; ``unit_id`` lets it limit
a unit liaison to their own unit's templates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from luoshi.errors import NotFoundError, PermissionDenied, ValidationError
from luoshi.export.bulletin_docx import write_bulletin_docx
from luoshi.export.marker import PLAN, TEMPLATE, read_marker
from luoshi.export.plan_docx import write_plan_docx
from luoshi.export.plan_import import PlanDiff, import_plan
from luoshi.export.plan_xlsx import write_plan_xlsx
from luoshi.export.safe_open import MAX_UPLOAD_BYTES, open_workbook
from luoshi.export.source import bulletin_from_ledger, plan_from_ledger, template_from_ledger
from luoshi.export.template_import import TemplateDiff, import_template
from luoshi.export.template_xlsx import write_template_xlsx
from luoshi.ledger.models import Period, Report, Unit
from luoshi.ledger.services import common, periods
from luoshi.ledger.services.units import resolve

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = {"xlsx": XLSX, "docx": DOCX}


@dataclass
class Download:
    content: bytes
    filename: str
    media_type: str


def _safe_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")


def _report(session: Session, report: Report | int | None) -> Report:
    if isinstance(report, Report):
        return report
    if report is None:
        return common.report_for(session)
    return common.get(session, Report, report)


def _unit(session: Session, rep: Report, unit: Unit | int | str) -> Unit:
    if isinstance(unit, Unit):
        return unit
    if isinstance(unit, int) or (isinstance(unit, str) and unit.isdigit()):
        u = common.get(session, Unit, int(unit))
        if u.government_id != rep.government_id:
            raise NotFoundError(f"单位 {unit} 不属于 {rep.government.name}")
        return u
    return resolve(session, rep.government_id, unit)


def _period(session: Session, rep: Report, period: Period | str) -> Period:
    return period if isinstance(period, Period) else periods.period(session, rep, period)


def plan_download(
    session: Session, report: Report | int | None = None, *, fmt: str = "xlsx", with_leader: bool = False,
    number: int | None = None, issued: dt.date | None = None,
) -> Download:
    """The 分工方案 as .xlsx (re-importable) or .docx (印发通知 with the plan as 附件, for print);
    ``number`` is the 文号's serial number, ``issued`` the date of the notice (default today)."""
    if fmt not in FORMATS:
        raise ValidationError(f"格式应为 xlsx 或 docx：{fmt!r}")
    if number is not None and not 1 <= number <= 99999:
        raise ValidationError(f"文号序号应在 1—99999 之间：{number}")
    rep = _report(session, report)
    plan = plan_from_ledger(session, rep, with_leader=with_leader, number=number, issued=issued)
    content = write_plan_xlsx(plan) if fmt == "xlsx" else write_plan_docx(plan)
    name = f"{_safe_name(rep.government.name)}_{rep.year}年政府工作报告重点任务分工方案.{fmt}"
    return Download(content, name, FORMATS[fmt])


def template_download(
    session: Session, unit: Unit | int | str, period: Period | str, *, report: Report | int | None = None
) -> Download:
    """A unit's progress template (进度填报模板) for one period."""
    rep = _report(session, report)
    u = _unit(session, rep, unit)
    p = _period(session, rep, period)
    content = write_template_xlsx(template_from_ledger(session, rep, u, p))
    return Download(content, f"{_safe_name(u.name)}_{p.label}_进度填报模板.xlsx", XLSX)


def bulletin_download(
    session: Session, period: Period | str, *, report: Report | int | None = None, issued: dt.date | None = None,
    number: int | None = None,
) -> Download:
    """The 督查通报 for one period (.docx with tables and charts); ``number`` is its 期号 (第N期)."""
    if number is not None and not 1 <= number <= 9999:
        raise ValidationError(f"期号应在 1—9999 之间：{number}")
    rep = _report(session, report)
    p = _period(session, rep, period)
    content = write_bulletin_docx(bulletin_from_ledger(session, rep, p, issued=issued, number=number))
    return Download(content, f"{_safe_name(rep.government.name)}_{p.label}_督查通报.docx", DOCX)


def extraction_download(session: Session, report: Report | int | None = None) -> Download:
    """What the extraction reads in a report (targets with their quotes, tasks, actuals) as .xlsx.

    The extraction is run again on the report's stored text, so the workbook shows what the
    pipeline reads today; the ledger (edited, assigned) is in the 分工方案 instead.
    """
    import io

    from luoshi.export.extraction_xlsx import write_extraction_xlsx
    from luoshi.ingest.clean import clean
    from luoshi.ingest.document import RawText
    from luoshi.pipeline import extract_document

    rep = _report(session, report)
    raw = RawText(text=rep.source_text, path=rep.source_name or "report.txt", sha256=rep.sha256, kind="txt")
    extraction = extract_document(clean(raw), government=rep.government.name, year=rep.year)
    out = io.BytesIO()
    write_extraction_xlsx(extraction, out)
    name = f"{_safe_name(rep.government.name)}_{rep.year}年政府工作报告_抽取结果.xlsx"
    return Download(out.getvalue(), name, XLSX)


def import_upload(
    session: Session,
    source: bytes | str | Path,
    *,
    apply: bool,
    author: str,
    unit_id: int | None = None,
    allow_plan: bool = True,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> PlanDiff | TemplateDiff:
    """Import an edited plan or a filled template (told apart by the workbook's marker).

    ``apply=False`` returns the preview (diff) and changes nothing. Problems raise
    :class:`~luoshi.export.errors.WorkbookRejected` (row-level ``errors``) or InputError (not a
    readable luoshi workbook); either way nothing is applied. ``unit_id`` restricts templates to that
    unit; ``allow_plan=False`` refuses plans (for unit liaisons).
    """
    wb = open_workbook(source, max_bytes=max_bytes)
    try:
        marker = read_marker(wb)
        if marker.kind == PLAN:
            if not allow_plan:
                raise PermissionDenied("只有督查室可以导入分工方案")
            return import_plan(session, wb, marker, apply=apply)
        if marker.kind == TEMPLATE:
            if unit_id is not None and marker.meta.get("unit_id") != str(unit_id):
                raise PermissionDenied(f"这是“{marker.meta.get('unit', '其他单位')}”的填报模板，只能导入本单位的模板")
            return import_template(session, wb, marker, apply=apply, author=author)
        raise ValidationError(f"未知的工作簿类型：{marker.kind}")
    finally:
        wb.close()
