"""Derived status (green/yellow/red) and the 督办单 it triggers.

Status is computed, never typed in: the expected progress (时序进度) on the period's last day —
linear from 1 January of the plan year to the deadline, or following the commitment's own
milestones (date → expected percent) — minus the progress the unit reported (latest submitted or
accepted report up to that period). Behind by ``yellow_behind`` points or more → yellow; by more
than ``red_behind`` points, or past the deadline and not finished → red. A separate flag says the
unit has no (submitted) report for this period. Red items and missing reports (once the period's
due date has passed) get one notice each per period — generating again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.models import Commitment, Notice, Period, Report, User
from luoshi.ledger.services import progress
from luoshi.ledger.services.common import check_version, parse_date, parse_number
from luoshi.ledger.services.periods import settings


def expected_percent(c: Commitment, on: dt.date, year: int) -> float:
    """时序进度 of ``c`` on day ``on`` (0–100)."""
    start = dt.date(year, 1, 1)
    deadline = c.deadline or dt.date(year, 12, 31)
    points: list[tuple[dt.date, float]] = [(start, 0.0)]
    for m in sorted(c.milestones or [], key=lambda m: m["date"]):
        points.append((dt.date.fromisoformat(m["date"]), float(m["percent"])))
    if points[-1][0] < deadline:
        points.append((deadline, 100.0))
    if on <= points[0][0]:
        return 0.0
    for (d0, p0), (d1, p1) in itertools.pairwise(points):
        if on <= d1:
            span = (d1 - d0).days
            return p1 if span <= 0 else p0 + (p1 - p0) * (on - d0).days / span
    return 100.0 if points[-1][1] >= 100 else points[-1][1]


def parse_milestone(point: str) -> dict[str, object]:
    """``2024-06-30=40`` (also ``40%``, full-width ＝/％) → {"date": "2024-06-30", "percent": 40.0}."""
    raw = point.strip().replace("＝", "=")
    day, sep, pct = raw.partition("=")
    if not sep:
        raise ValidationError(f"节点应写作 日期=百分比，如 2024-06-30=40：{point!r}")
    parsed = parse_date(day.strip(), "节点日期")
    percent = parse_number(pct.strip().replace("％", "%"), "节点百分比")
    if parsed is None or percent is None:
        raise ValidationError(f"节点应写作 日期=百分比，如 2024-06-30=40：{point!r}")
    return {"date": parsed.isoformat(), "percent": percent}


def set_milestones(
    session: Session,
    c: Commitment,
    milestones: list[dict[str, object]],
    *,
    expected_version: int | None = None,
) -> Commitment:
    """Replace the commitment's expected-progress curve: [{"date": ISO, "percent": 0–100}, ...].

    Dates must fall in the plan year, on or before the deadline, and be distinct; percentages must
    not decrease with time. An empty list removes the curve (back to linear 时序进度).
    """
    check_version(c, expected_version)
    if c.state == "closed":
        raise ConflictError(f"任务 {c.id} 已销号，不能修改进度节点")
    year = c.report.year
    deadline = c.deadline or dt.date(year, 12, 31)
    clean: list[dict[str, object]] = []
    last = -1.0
    for m in sorted(milestones, key=lambda m: str(m.get("date"))):
        try:
            day = dt.date.fromisoformat(str(m["date"]))
            pct = float(m["percent"])  # type: ignore[arg-type]
        except (KeyError, ValueError, TypeError):
            raise ValidationError(f"节点格式应为 {{date: YYYY-MM-DD, percent: 数字}}：{m!r}") from None
        if day.year != year:
            raise ValidationError(f"节点日期 {day} 不在计划年度 {year} 年内")
        if day > deadline:
            raise ValidationError(f"节点日期 {day} 晚于任务 {c.id} 的完成时限 {deadline}")
        if clean and clean[-1]["date"] == day.isoformat():
            raise ValidationError(f"节点日期 {day} 重复")
        if not 0 <= pct <= 100 or pct < last:
            raise ValidationError("节点百分比应在 0–100 之间且随日期不减")
        last = pct
        clean.append({"date": day.isoformat(), "percent": pct})
    if (clean or None) != c.milestones:
        c.milestones = clean or None
    session.flush()
    return c


@dataclass
class Status:
    commitment_id: int
    period: str
    expected: float
    reported: float | None
    behind: float
    color: str  # green | yellow | red
    missing: bool  # no submitted/accepted report for this period
    overdue: bool
    late: bool  # this period's report came after the due date

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def status_of(session: Session, c: Commitment, p: Period, *, report: Report | None = None) -> Status:
    report = report or c.report
    s = settings(session, report)
    expected = round(expected_percent(c, p.end, report.year), 1)
    this = progress.find(session, c, p)
    counted = this is not None and this.state in ("submitted", "accepted")
    last = this if counted else progress.latest(session, c, until=p.end)
    reported = last.percent if last is not None else None
    done = reported or 0.0
    behind = round(max(0.0, expected - done), 1)
    overdue = c.deadline is not None and c.deadline < p.end and done < 100
    if overdue or behind > s.red_behind:
        color = "red"
    elif behind >= s.yellow_behind:
        color = "yellow"
    else:
        color = "green"
    return Status(
        c.id,
        p.label,
        expected,
        reported,
        behind,
        color,
        not counted,
        overdue,
        bool(counted and this and this.late),
    )


def tracked(session: Session, report: Report) -> list[Commitment]:
    """Commitments under supervision: assigned (active), not closed."""
    return list(
        session.scalars(
            select(Commitment)
            .where(Commitment.report_id == report.id, Commitment.state == "active")
            .order_by(Commitment.id)
        )
    )


def statuses(session: Session, report: Report, p: Period) -> list[Status]:
    return [status_of(session, c, p, report=report) for c in tracked(session, report)]


def may_answer(user: User, n: Notice) -> bool:
    """Who may answer a 督办单: the supervision office, or a liaison of the unit it was sent to or of
    the commitment's lead unit."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role != "liaison" or user.unit_id is None:
        return False
    return n.unit_id == user.unit_id or any(
        a.unit_id == user.unit_id and a.role == "lead" for a in n.commitment.assignments
    )


def may_close(user: User, n: Notice) -> bool:
    """Only the supervision office (admin) closes (办结) a 督办单."""
    return user.active and user.role == "admin"
