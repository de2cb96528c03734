"""Importing a filled progress template: one progress report per filled row, all or nothing.

The marker names the ledger, unit and period the template was made for. Every filled row is checked
(numbers, ranges, the unit still leads the task, the period is open) and then saved and submitted
through ``progress.report`` inside a savepoint; any problem — found by the reader or raised by the
service — is reported with its row and nothing is kept. A dry run does the same and rolls back.

Sending the same filled template twice is normal in an office (a resend, a second upload to be
sure): a row whose report for the period is already submitted or accepted with the same numbers and
words is counted as unchanged, and a template where nothing is new imports as 「无变化」. Different
values for an already submitted or accepted report are refused with the row, both values and what
to do (ask the office to return the report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.workbook.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import LuoshiError
from luoshi.export.errors import RowError, WorkbookRejected
from luoshi.export.marker import Marker
from luoshi.export.savepoint import apply_or_preview
from luoshi.export.template_sheet import FilledRow, read_template_sheet
from luoshi.export.template_xlsx import SHEET
from luoshi.ledger.limits import clean
from luoshi.ledger.models import Assignment, Commitment, Period, ProgressReport, Report, Unit
from luoshi.ledger.services import progress


@dataclass
class ReportRow:
    row: int
    commitment_id: int
    text: str
    reported_value: float | None
    percent: float
    narrative: str
    replaces: str | None  # state of the draft/returned report this one replaces


@dataclass
class TemplateDiff:
    report_id: int
    unit: str
    period: str
    rows: list[ReportRow] = field(default_factory=list)
    skipped: int = 0  # rows left empty
    unchanged: int = 0  # rows equal to the report already submitted or accepted for the period
    applied: bool = False
    report_ids: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "progress-template",
            "report_id": self.report_id,
            "unit": self.unit,
            "period": self.period,
            "rows": [r.__dict__ for r in self.rows],
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "applied": self.applied,
            "progress_report_ids": self.report_ids,
        }


def _meta_int(marker: Marker, key: str) -> int:
    try:
        return int(marker.meta.get(key, ""))
    except ValueError:
        raise WorkbookRejected([RowError("_luoshi", None, None, f"标记中缺少 {key}，请重新导出模板")]) from None


def _context(session: Session, marker: Marker) -> tuple[Report, Unit, Period]:
    report = session.get(Report, _meta_int(marker, "report_id"))
    unit = session.get(Unit, _meta_int(marker, "unit_id"))
    period = session.get(Period, _meta_int(marker, "period_id"))
    if report is None or unit is None or period is None or period.report_id != report.id:
        raise WorkbookRejected([RowError("_luoshi", None, None, "模板对应的台账、单位或周期在系统中不存在，请重新导出模板")])
    return report, unit, period


def diff_template(session: Session, wb: Workbook, marker: Marker) -> TemplateDiff:
    report, unit, period = _context(session, marker)
    sheet = read_template_sheet(wb, marker)
    errors = list(sheet.errors)
    if sheet.table is None:
        raise WorkbookRejected(errors)
    diff = TemplateDiff(report.id, unit.name, period.label, skipped=len(marker.records) - len(sheet.rows))
    if period.closed:
        errors.append(RowError(SHEET, None, None, f"周期 {period.label} 已关闭，不能再报送"))
    leads = set(session.scalars(select(Assignment.commitment_id).where(Assignment.unit_id == unit.id, Assignment.role == "lead")))
    for fr in sheet.rows:
        c = session.get(Commitment, fr.id)
        if c is None or c.report_id != report.id:
            errors.append(RowError(SHEET, fr.row, sheet.table.label("编号"), f"任务 {fr.id} 在台账中不存在"))
            continue
        if c.id not in leads:
            errors.append(RowError(SHEET, fr.row, None, f"{unit.name} 已不是任务 {c.id} 的牵头单位，不能报送其进度"))
            continue
        existing = session.scalar(select(ProgressReport).where(
            ProgressReport.commitment_id == c.id, ProgressReport.period_id == period.id))
        if existing is not None and existing.state in ("submitted", "accepted"):
            if _same(fr, existing):
                diff.unchanged += 1
                continue
            state = "已提交" if existing.state == "submitted" else "已审核通过"
            errors.append(RowError(SHEET, fr.row, None, (
                f"任务 {c.id} 本期进度{state}（{_shown(existing.percent, existing.reported_value)}），"
                f"本表填写的不同（{_shown(fr.percent, fr.reported_value)}{'' if _same_words(fr, existing) else '，进展情况也不同'}）："
                "如需修改，请督查室先退回该报告再重新报送")))
            continue
        diff.rows.append(_row(fr, c, existing))
    if errors:
        raise WorkbookRejected(errors)
    return diff


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def _same_words(fr: FilledRow, existing: ProgressReport) -> bool:
    return (clean("progress.narrative", fr.narrative, multiline=True) or "") == (existing.narrative or "")


def _same(fr: FilledRow, existing: ProgressReport) -> bool:
    """Whether a filled row says what the period's report already says (percent, value, words)."""
    return _close(fr.percent, existing.percent) and _close(fr.reported_value, existing.reported_value) \
        and _same_words(fr, existing)


def _shown(percent: float | None, value: float | None) -> str:
    text = f"完成进度 {percent:g}%" if percent is not None else "完成进度空"
    return text if value is None else f"{text}，完成值 {value:g}"


def _row(fr: FilledRow, c: Commitment, existing: ProgressReport | None) -> ReportRow:
    return ReportRow(fr.row, c.id, c.text, fr.reported_value, fr.percent, fr.narrative,
                     existing.state if existing else None)


def import_template(session: Session, wb: Workbook, marker: Marker, *, apply: bool, author: str) -> TemplateDiff:
    diff = diff_template(session, wb, marker)
    if not diff.rows and diff.unchanged:
        return diff  # everything already reported exactly so: 无变化
    if not diff.rows:
        raise WorkbookRejected([RowError(SHEET, None, None, "模板中没有填写任何进度（请填写黄色单元格）")])
    period = session.get_one(Period, _meta_int(marker, "period_id"))

    def write() -> None:
        errors: list[RowError] = []
        for r in diff.rows:
            c = session.get_one(Commitment, r.commitment_id)
            try:
                pr = progress.report(session, c, period, author=author, percent=r.percent, value=r.reported_value,
                                     narrative=r.narrative)
                diff.report_ids.append(pr.id)
            except LuoshiError as exc:
                errors.append(RowError(SHEET, r.row, None, exc.message))
        if errors:
            raise WorkbookRejected(errors)

    diff.applied = apply_or_preview(session, write, apply=apply)
    if not apply:
        diff.report_ids = []
    return diff
