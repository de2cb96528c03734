"""Ledger settings and reporting periods (月/季), with due dates in working days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, NotFoundError, ValidationError
from luoshi.ledger.models import CYCLES, LedgerSettings, Period, ProgressReport, Report
from luoshi.ledger.services.calendar import Calendar
from luoshi.ledger.services.common import check_version, parse_number

DEFAULT_WEIGHTS: dict[str, Any] = {
    # 差异化考核: binding promises weigh more than expected ones, expected more than aspirational
    "kind": {"target": 1.5, "milestone": 1.2, "measure": 1.0},
    "modality": {"确保": 1.5, "预期": 1.2, "力争": 1.0, "争取": 1.0},
    "role": {"lead": 1.0, "support": 0.3},
    "result": {"超额完成": 110, "完成": 100, "基本完成": 80, "未完成": 0},
    "status": {"green": 100, "yellow": 60, "red": 20, "missing": 0},
}


def settings(session: Session, report: Report) -> LedgerSettings:
    """The ledger's settings, created with defaults on first use."""
    s = session.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    if s is None:
        s = LedgerSettings(report_id=report.id)
        session.add(s)
        session.flush()
    return s


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
    merged = {k: dict(v) for k, v in DEFAULT_WEIGHTS.items()}
    for k, v in (s.weights or {}).items():
        merged.setdefault(k, {}).update(v)
    return merged


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
    notice_prefix: str | None = None,
    expected_version: int | None = None,
) -> LedgerSettings:
    s = settings(session, report)
    check_version(s, expected_version)
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
                raise ValidationError(f"{name} 应在 0–60 个工作日之间")
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


def period(
    session: Session, report: Report, label: str | None = None, *, on: dt.date | None = None
) -> Period:
    """Period by label, or the one containing ``on``."""
    q = select(Period).where(Period.report_id == report.id)
    if label:
        p = session.scalar(q.where(Period.label == label))
        if p is None:
            known = "、".join(x.label for x in periods(session, report)) or "无（先生成周期）"
            raise NotFoundError(f"周期“{label}”不存在；现有周期：{known}")
        return p
    day = on or dt.date.today()
    p = session.scalar(q.where(Period.start <= day, Period.end >= day))
    if p is None:
        raise NotFoundError(f"{day} 不在任何周期内")
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
