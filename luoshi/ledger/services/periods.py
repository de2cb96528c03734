"""Ledger settings and reporting periods (月/季), with due dates in working days.

:func:`current_period` is the one rule for "the current period", with a purpose:

- ``JUDGING`` (lights, dashboard, ``luoshi ledger status``, rankings): the latest period
  that has *ended* on the day, or the first period while none has ended. A period still running
  cannot be judged fairly — its 时序进度 is that of its last day, which the units have not reached
  — so lights always speak of the last complete reporting round.
- ``REPORTING`` (what a unit should report for now: my tasks, the progress form): the period whose
  reporting window (after its end, up to its due date) is open, else the period containing the
  day, else the latest started one; closed periods are skipped.
- ``NOTICING`` (which period 督办单 are issued for when none is named): the latest period whose
  reporting due date has passed — before that, no report is late.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, NotFoundError, ValidationError
from luoshi.ledger.clock import forget, parse_day
from luoshi.ledger.limits import clean as clean_text
from luoshi.ledger.models import CYCLES, LedgerSettings, Period, ProgressReport, Report
from luoshi.ledger.rules import DEFAULT_WEIGHTS, merged_weights
from luoshi.ledger.services.calendar import Calendar
from luoshi.ledger.services.common import check_version, parse_number
from luoshi.ledger.vocabulary import field_label


def settings(session: Session, report: Report) -> LedgerSettings:
    """The ledger's settings, created with defaults on first use."""
    s = session.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    if s is None:
        s = LedgerSettings(report_id=report.id)
        session.add(s)
        session.flush()
    return s


def _people_government(name: str) -> str:
    """枣庄市 → 枣庄市人民政府 (a name that already says 人民政府 or 政府 stays)."""
    return name if name.endswith("政府") else f"{name}人民政府"


def offices(s: LedgerSettings, government: str) -> tuple[str, str, str]:
    """(发文机关, 文号前缀, 督查机构) for the 公文 exports: the settings, else derived from the
    government's name (枣庄市人民政府办公室, no prefix, 枣庄市人民政府督查室)."""
    gov = _people_government(government)
    return (s.issuing_office or f"{gov}办公室", s.doc_prefix or "", s.supervision_office or f"{gov}督查室")


def validate_weights(data: Any) -> dict[str, dict[str, float]]:
    """差异化考核 weights as given by a person → clean numbers, or a ValidationError naming the bad entry.

    Only the groups and keys of :data:`DEFAULT_WEIGHTS` are accepted (a typo would otherwise be
    silently ignored); values are non-negative numbers ("1.5" and 1.5 alike).
    """
    if not isinstance(data, dict):
        raise ValidationError(f"权重应为对象，如 {{\"modality\": {{\"确保\": 1.5}}}}，而不是 {type(data).__name__}")
    out: dict[str, dict[str, float]] = {}
    for group, values in data.items():
        if group not in DEFAULT_WEIGHTS:
            raise ValidationError(f"未知的权重类别“{group}”（可用：{'、'.join(DEFAULT_WEIGHTS)}）")
        if not isinstance(values, dict):
            raise ValidationError(f"权重类别“{group}”应为对象（键 → 数值）")
        clean: dict[str, float] = {}
        for key, value in values.items():
            if key not in DEFAULT_WEIGHTS[group]:
                known = "、".join(DEFAULT_WEIGHTS[group])
                raise ValidationError(f"权重“{group}.{key}”不存在（{group} 可用：{known}）")
            number = parse_number(value, f"权重 {group}.{key}")
            if number is None or number < 0:
                raise ValidationError(f"权重 {group}.{key} 应为非负数：{value!r}")
            clean[str(key)] = number
        out[str(group)] = clean
    return out


def merge_weights(current: dict[str, Any] | None, changes: dict[str, Any]) -> dict[str, dict[str, float]]:
    """``current`` stored weights with ``changes`` laid over them, group by group (both validated)."""
    merged = {k: dict(v) for k, v in validate_weights(current or {}).items()}
    for group, values in validate_weights(changes).items():
        merged.setdefault(group, {}).update(values)
    return merged


def weights(s: LedgerSettings) -> dict[str, Any]:
    """The weights the ledger ranks with (defaults with its own laid over them)."""
    return merged_weights(s.weights)


UNSET = object()  # statistics_date not given (None clears it)


def configure(
    session: Session,
    report: Report,
    *,
    cycle: str | None = None,
    yellow_behind: float | None = None,
    red_behind: float | None = None,
    report_due_days: int | None = None,
    notice_due_days: int | None = None,
    tolerance: float | None = None,
    weights: dict[str, Any] | None = None,
    issuing_office: str | None = None,
    doc_prefix: str | None = None,
    supervision_office: str | None = None,
    notice_prefix: str | None = None,
    statistics_date: Any = UNSET,
    expected_version: int | None = None,
) -> LedgerSettings:
    """Change the ledger's settings; ``""`` for an office name or prefix goes back to the default;
    ``statistics_date`` (ISO date, or None/"" to clear it) fixes the day the ledger is judged on
    (see :mod:`luoshi.ledger.clock`)."""
    s = settings(session, report)
    check_version(s, expected_version)
    for name, value in (("issuing_office", issuing_office), ("doc_prefix", doc_prefix),
                        ("supervision_office", supervision_office)):
        if value is not None:
            setattr(s, name, clean_text(f"settings.{name}", value))
    if cycle is not None:
        if cycle not in CYCLES:
            raise ValidationError(f"周期应为 月 或 季，而不是 {cycle!r}")
        if cycle != s.cycle and session.scalar(
            select(Period.id).where(Period.report_id == report.id).limit(1)
        ):
            raise ConflictError("已生成周期，不能再改变报送周期")
        s.cycle = cycle
    y = s.yellow_behind if yellow_behind is None else float(yellow_behind)
    r = s.red_behind if red_behind is None else float(red_behind)
    if not 0 <= y < r <= 100:
        raise ValidationError(f"阈值应满足 0 ≤ 黄 < 红 ≤ 100（黄 {y}，红 {r}）")
    s.yellow_behind, s.red_behind = y, r
    for name, value in (("report_due_days", report_due_days), ("notice_due_days", notice_due_days)):
        if value is not None:
            if not 0 <= int(value) <= 60:
                raise ValidationError(f"{field_label('LedgerSettings', name)}应在 0–60 个工作日之间")
            setattr(s, name, int(value))
    if tolerance is not None:
        if not 0 <= tolerance < 1:
            raise ValidationError("容差应在 0 与 1 之间（如 0.05 表示 5%）")
        s.tolerance = float(tolerance)
    if notice_prefix is not None:
        prefix = "".join(str(notice_prefix).split())
        if not 1 <= len(prefix) <= 20 or any(ch in prefix for ch in "〔〕[]号"):
            raise ValidationError(f"督办单编号前缀应为 1–20 个字且不含〔〕和“号”，如“督”或“市府督”：{notice_prefix!r}")
        s.notice_prefix = prefix
    if weights is not None:
        clean = validate_weights(weights)
        if clean != (s.weights or {}):
            s.weights = clean or None
    if statistics_date is not UNSET:
        day = parse_day(statistics_date, "统计日期") if statistics_date not in (None, "") else None
        if day is not None and abs(day.year - report.year) > 1:
            raise ValidationError(f"统计日期 {day} 应在计划年度 {report.year} 年前后（{report.year - 1}–{report.year + 1} 年）")
        if day != s.statistics_date:
            s.statistics_date = day
        forget(session)
    session.flush()
    return s


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)


def generate_periods(session: Session, report: Report, *, calendar: Calendar | None = None) -> list[Period]:
    """Create the plan year's periods (idempotent); due = end + report_due_days working days."""
    s = settings(session, report)
    cal = calendar or Calendar(session)
    existing = {p.label: p for p in session.scalars(select(Period).where(Period.report_id == report.id))}
    y = report.year
    if s.cycle == "季":
        spans = [(f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q)) for q in range(1, 5)]
    else:
        spans = [(f"{y}-{m:02d}", dt.date(y, m, 1), _month_end(y, m)) for m in range(1, 13)]
    out = []
    for label, start, end in spans:
        p = existing.get(label)
        if p is None:
            p = Period(
                report_id=report.id,
                label=label,
                start=start,
                end=end,
                due=cal.add_workdays(end, s.report_due_days),
            )
            session.add(p)
        out.append(p)
    session.flush()
    return out


def periods(session: Session, report: Report) -> list[Period]:
    return list(session.scalars(select(Period).where(Period.report_id == report.id).order_by(Period.start)))


def period(session: Session, report: Report, label: str) -> Period:
    """Period by label, or a message listing the ledger's periods."""
    p = session.scalar(select(Period).where(Period.report_id == report.id, Period.label == label))
    if p is None:
        known = "、".join(x.label for x in periods(session, report)) or "无（先生成周期）"
        raise NotFoundError(f"周期“{label}”不存在；现有周期：{known}")
    return p


class Purpose(enum.Enum):
    """What "the current period" is asked for (see the module's docstring for each rule)."""

    JUDGING = "judging"
    REPORTING = "reporting"
    NOTICING = "noticing"


JUDGING = Purpose.JUDGING
REPORTING = Purpose.REPORTING
NOTICING = Purpose.NOTICING


def reportable(candidates: list[Period], on: dt.date) -> list[Period]:
    """The periods a unit may report for on day ``on``: started and not closed, in time order."""
    return [p for p in sorted(candidates, key=lambda p: p.start) if not p.closed and p.start <= on]


def pick_period(candidates: list[Period], on: dt.date, purpose: Purpose) -> Period | None:
    """The current period among ``candidates`` (one ledger's periods) on day ``on``, by ``purpose``."""
    if purpose is Purpose.NOTICING:
        due = [p for p in candidates if p.due < on]
        return max(due, key=lambda p: p.end) if due else None
    if purpose is Purpose.JUDGING:
        ended = [p for p in candidates if p.end <= on]
        if ended:
            return max(ended, key=lambda p: p.end)
        return min(candidates, key=lambda p: p.start) if candidates else None
    open_ = reportable(candidates, on)
    window = [p for p in open_ if p.end < on <= p.due]
    if window:
        return window[-1]
    current = [p for p in open_ if p.start <= on <= p.end]
    if current:
        return current[0]
    return open_[-1] if open_ else None


def current_period(
    session: Session, report: Report, on: dt.date, purpose: Purpose, *, label: str | None = None
) -> Period | None:
    """The period ``purpose`` calls current on day ``on`` (``label`` names one instead); None when
    the ledger has no period yet (or, for reporting, none has started)."""
    if label:
        return period(session, report, label)
    return pick_period(periods(session, report), on, purpose)


def require_current_period(
    session: Session, report: Report, on: dt.date, purpose: Purpose, *, label: str | None = None
) -> Period:
    """:func:`current_period`, or a message saying why there is none."""
    p = current_period(session, report, on, purpose, label=label)
    if p is None:
        if not periods(session, report):
            raise NotFoundError(f"{report.year} 年台账尚未生成报送周期", hints={
                CLI: "（luoshi ledger periods --generate）", WEB: "（请督查室在“报送周期”页生成）"})
        raise NotFoundError(f"{on} 没有可报送的周期（周期均未开始或已关闭）")
    return p


def close_period(session: Session, p: Period) -> Period:
    """Close a period: no more reports may be saved or submitted for it."""
    if not p.closed:
        p.closed = True
        session.flush()
    return p


def reopen_period(session: Session, p: Period) -> Period:
    if p.closed:
        p.closed = False
        session.flush()
    return p


def reports_in(session: Session, p: Period) -> list[ProgressReport]:
    return list(session.scalars(select(ProgressReport).where(ProgressReport.period_id == p.id)))
