"""Progress reports (进度报送): draft → submitted → accepted | returned, with evidence files.

A unit saves a draft for (commitment, period), submits it (late if after the period's due date),
and the supervision office accepts it or returns it with a reason; a returned report can be edited
and submitted again. Nothing can be saved or submitted for a closed period.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger import outbox
from luoshi.ledger.clock import clock
from luoshi.ledger.limits import clean
from luoshi.ledger.models import Commitment, Evidence, Period, ProgressReport
from luoshi.ledger.services import evidence as evidence_store
from luoshi.ledger.services.common import check_version, parse_number

SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # due dates are Beijing-time calendar dates


def derive_percent(c: Commitment, value: float | None) -> float | None:
    """Percent complete from a reported value, for cumulative count/amount targets only.

    Growth rates (增长 … %) and ceilings (<=) do not accumulate towards the target over the year, so
    their percent must be reported explicitly.
    """
    if value is None or c.kind != "target" or not c.value or c.comparator == "<=":
        return None
    if c.unit == "%" or (c.metric or "").startswith("增长"):
        return None
    return max(0.0, min(100.0, value / c.value * 100))


def _check_open(c: Commitment, p: Period) -> None:
    if p.report_id != c.report_id:
        raise ValidationError(f"周期 {p.label} 不属于任务 {c.id} 的台账")
    if p.closed:
        raise ConflictError(f"周期 {p.label} 已关闭，不能再报送任务 {c.id} 的进度")
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能再报送进度")
    if c.state == "draft":
        raise ConflictError(f"任务 {c.id} 尚未分配确认（luoshi ledger assign），不能报送进度")


def find(session: Session, c: Commitment, p: Period) -> ProgressReport | None:
    return session.scalar(
        select(ProgressReport).where(ProgressReport.commitment_id == c.id, ProgressReport.period_id == p.id)
    )


def save_draft(
    session: Session,
    c: Commitment,
    p: Period,
    *,
    author: str,
    percent: object = None,
    value: object = None,
    narrative: str = "",
    expected_version: int | None = None,
) -> ProgressReport:
    """Create or edit the (commitment, period) report as a draft."""
    _check_open(c, p)
    narrative = clean("progress.narrative", narrative, multiline=True) or ""
    reported = parse_number(value, "报送值")
    pct = parse_number(percent, "完成百分比")
    if pct is None:
        pct = derive_percent(c, reported)
    if pct is None:
        raise ValidationError(f"任务 {c.id}：请填写完成百分比（0–100）")
    if not 0 <= pct <= 100:
        raise ValidationError(f"完成百分比应在 0–100 之间：{pct:g}")
    if reported is not None and c.kind != "target":
        raise ValidationError(f"任务 {c.id} 不是量化目标，不能填写报送值")
    pr = find(session, c, p)
    if pr is None:
        pr = ProgressReport(
            commitment=c, period=p, author=author, percent=pct, reported_value=reported, narrative=narrative
        )
        session.add(pr)
    else:
        check_version(pr, expected_version)
        if pr.state in ("submitted", "accepted"):
            raise ConflictError(
                f"进度报告 {pr.id} 已{'提交' if pr.state == 'submitted' else '审核通过'}，不能修改"
            )
        pr.percent, pr.reported_value, pr.narrative, pr.author = pct, reported, narrative, author
        pr.state = "draft"
    session.flush()
    return pr


def submit(
    session: Session,
    pr: ProgressReport,
    *,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    check_version(pr, expected_version)
    _check_open(pr.commitment, pr.period)
    if pr.state not in ("draft", "returned"):
        raise ConflictError(f"进度报告 {pr.id} 状态为 {pr.state}，不能提交")
    now = now or clock(session, pr.commitment.report).now()  # the ledger's one clock
    pr.state = "submitted"
    pr.submitted_at = now
    pr.late = now.astimezone(SHANGHAI).date() > pr.period.due
    pr.return_reason = None  # the audit trail keeps the earlier reason
    session.flush()
    return pr


def report(
    session: Session,
    c: Commitment,
    p: Period,
    *,
    author: str,
    percent: object = None,
    value: object = None,
    narrative: str = "",
    now: dt.datetime | None = None,
) -> ProgressReport:
    """Save and submit in one step (what the CLI's ``ledger report`` does)."""
    pr = save_draft(session, c, p, author=author, percent=percent, value=value, narrative=narrative)
    return submit(session, pr, now=now)


def accept(session: Session, pr: ProgressReport, *, expected_version: int | None = None) -> ProgressReport:
    check_version(pr, expected_version)
    if pr.state != "submitted":
        raise ConflictError(f"只能审核已提交的进度报告（报告 {pr.id} 状态为 {pr.state}）")
    pr.state = "accepted"
    session.flush()
    outbox.emit(session, "report_accepted", pr)
    return pr


def return_report(
    session: Session, pr: ProgressReport, reason: str, *, expected_version: int | None = None
) -> ProgressReport:
    check_version(pr, expected_version)
    reason = clean("progress.return_reason", reason, multiline=True) or ""
    if not reason:
        raise ValidationError("退回必须写明原因")
    if pr.state != "submitted":
        raise ConflictError(f"只能退回已提交的进度报告（报告 {pr.id} 状态为 {pr.state}）")
    pr.state = "returned"
    pr.return_reason = reason
    session.flush()
    outbox.emit(session, "report_returned", pr)
    return pr


def attach(session: Session, pr: ProgressReport, filename: str, data: bytes | BinaryIO, *,
           max_bytes: int = evidence_store.MAX_EVIDENCE_BYTES) -> Evidence:
    """Attach an evidence file (types in ``evidence.TYPES``, ≤ ``max_bytes``) to a report not yet accepted.

    ``data`` may be a file (an upload spooled to disk): it is copied in chunks, never read whole.
    """
    if pr.state == "accepted":
        raise ConflictError(f"进度报告 {pr.id} 已审核通过，不能再添加材料")
    if pr.period.closed:
        raise ConflictError(f"周期 {pr.period.label} 已关闭")
    sha, size, ctype, name = evidence_store.store(data, evidence_store.safe_filename(filename), max_bytes=max_bytes)
    ev = Evidence(progress_report=pr, filename=name, sha256=sha, size=size, content_type=ctype)
    session.add(ev)
    session.flush()
    return ev


def latest(
    session: Session,
    c: Commitment,
    *,
    until: dt.date | None = None,
    states: tuple[str, ...] = ("submitted", "accepted"),
) -> ProgressReport | None:
    """Most recent counted report of ``c`` for a period ending on or before ``until``."""
    q = (
        select(ProgressReport)
        .join(Period)
        .where(ProgressReport.commitment_id == c.id, ProgressReport.state.in_(states))
        .order_by(Period.end.desc())
    )
    if until is not None:
        q = q.where(Period.end <= until)
    return session.scalars(q).first()
