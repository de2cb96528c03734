"""Derived status (green/yellow/red) and the 督办单 it triggers.

Status is computed, never typed in: the expected progress (时序进度) on the period's last day —
linear from 1 January of the plan year to the deadline, or following the commitment's own
milestones (date → expected percent) — minus the progress the unit reported (latest submitted or
accepted report up to that period). Behind by ``yellow_behind`` points or more → yellow; by more
than ``red_behind`` points, or past the deadline and not finished → red. A separate flag says the
unit has no (submitted) report for this period. Red items and missing reports (once the period's
due date has passed) get one notice each per period — generating again changes nothing.

The rule is written once, in the pure :func:`judge`, for any number of commitments; it is fed by
one bulk query (:func:`counted`), and one commitment is the case of a list of one
(:func:`status_of`). Which period is judged on which day is
:func:`luoshi.ledger.services.periods.current_period` with purpose ``JUDGING``; the thresholds and
the day come from :class:`luoshi.ledger.rules.Rules`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.clock import BEIJING
from luoshi.ledger.models import Commitment, Period, ProgressReport, Report
from luoshi.ledger.rules import Rules
from luoshi.ledger.rules import rules as rules_of
from luoshi.ledger.services.common import check_version, parse_date, parse_number
from luoshi.ledger.services.periods import JUDGING, current_period


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


COUNTED = ("submitted", "accepted")


@dataclass
class Status:
    """The judgement of one commitment in one period — the one vocabulary of the CLI, the web
    pages and the API, the exports and the demo."""

    commitment_id: int
    period: str | None
    light: str  # green | yellow | red | grey (not judged: draft, closed, no period yet)
    percent: float | None  # the progress counted: this period's report, else the latest earlier one
    expected: float | None  # 时序进度 on the period's last day
    behind: float = 0.0  # points behind 时序进度
    missing: bool = False  # no submitted/accepted report for this period
    overdue: bool = False  # past the deadline and not finished
    late: bool = False  # this period's report came after the due date
    reason: str | None = None  # the light in words, as a page shows it

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class ExpectedCurves:
    """``expected_percent`` memoised per curve: commitments with the same deadline and milestones
    share one 时序进度 curve, and a province ledger has thousands of commitments but few curves."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.values: dict[tuple[Any, ...], float] = {}

    @staticmethod
    def key(c: Any) -> tuple[Any, ...]:
        return (c.deadline, json.dumps(c.milestones, sort_keys=True, default=str) if c.milestones else None)

    def at(self, c: Any, on: dt.date, key: tuple[Any, ...] | None = None) -> float:
        k = (key or self.key(c), on)
        if k not in self.values:
            self.values[k] = expected_percent(c, on, self.year)
        return self.values[k]


def average_expected_series(year: int, commitments: Sequence[Any], days: Sequence[dt.date]) -> list[float]:
    """Mean 时序进度 of ``commitments`` on each of ``days``: one ``expected_percent`` per distinct
    curve and day, weighted by how many commitments share the curve (``math.fsum``: exact, so the
    order the commitments come in does not matter)."""
    if not commitments:
        return [0.0 for _ in days]
    curves = ExpectedCurves(year)
    first: dict[tuple[Any, ...], Any] = {}
    count: Counter[tuple[Any, ...]] = Counter()
    for c in commitments:
        k = curves.key(c)
        first.setdefault(k, c)
        count[k] += 1
    return [math.fsum(curves.at(c, day, k) * count[k] for k, c in first.items()) / len(commitments) for day in days]


@dataclass
class Counted:
    """What the units reported, as the judgement needs it (see :func:`counted`)."""

    this: dict[int, tuple[float, bool]] = field(default_factory=dict)  # id → (percent, late) for the period
    earlier: dict[int, float] = field(default_factory=dict)  # id → latest earlier percent, if none this period


def existed_in(c: Any, p: Period) -> bool:
    """Whether ``c`` belongs to period ``p``'s snapshot: promises of the report itself always do;
    items added later (by hand, parts of a split or merge) only if they existed when ``p`` ended.

    The one rule of "new": the light leaves such an item grey in ``p``, the notices and the 通报 of
    ``p`` leave it out. Rows without the columns (``source``, ``split_from_id``, ``created_at``)
    count as existing.
    """
    if getattr(c, "source", "extracted") == "extracted" and getattr(c, "split_from_id", None) is None:
        return True
    created = getattr(c, "created_at", None)
    return created is None or beijing_day(created) <= p.end


def beijing_day(at: dt.datetime) -> dt.date:
    """The calendar day of a stored instant as the pages and periods read it (Beijing time;
    naive values are UTC, as SQLite returns them)."""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(BEIJING).date()


def judge(commitments: Sequence[Any], p: Period | None, year: int, rules: Rules, reports: Counted,
          *, judge_closed: bool = True) -> dict[int, Status]:
    """The light of each commitment in period ``p`` — the rule, written once, with no database.

    ``commitments`` are ``Commitment`` rows or any rows with ``id``, ``state``, ``deadline`` and
    ``milestones``. 时序进度 is ``expected_percent`` on the period's last day; the counted progress
    is this period's submitted/accepted report, else the latest earlier one. Behind by
    ``rules.yellow_behind`` points or more → yellow; by more than ``rules.red_behind``, or past the
    deadline and not finished → red. Grey (「未开始/无数据」, never red): drafts (not yet assigned),
    items new after the period ended (:func:`existed_in`) with no progress carried over (a split
    part carries its original's), items not yet due (时序进度 0 at the period's end and nothing
    reported), closed items unless ``judge_closed`` (the ranking counts
    them, pages show them grey) and every item while the ledger has no period.
    """
    judged = ("active", "closed") if judge_closed else ("active",)
    curves = ExpectedCurves(year)
    out: dict[int, Status] = {}
    for c in commitments:
        if p is None:
            out[c.id] = Status(c.id, None, "grey", None, None, reason="尚未生成报送周期")
            continue
        if c.state not in judged:
            why = "已销号" if c.state == "closed" else "尚未分配确认"
            out[c.id] = Status(c.id, p.label, "grey", None, None, reason=why)
            continue
        expected = round(curves.at(c, p.end), 1)
        counted = c.id in reports.this
        percent = reports.this[c.id][0] if counted else reports.earlier.get(c.id)
        if percent is None and not existed_in(c, p):  # new, with no history carried over (a split part has)
            out[c.id] = Status(c.id, p.label, "grey", None, None, reason=f"{p.label} 结束后新增，本期不评判")
            continue
        if expected <= 0 and percent is None:  # its curve has not started: nothing is due yet
            out[c.id] = Status(c.id, p.label, "grey", None, 0.0, reason=f"{p.label} 尚未到时序节点")
            continue
        done = percent or 0.0
        behind = round(max(0.0, expected - done), 1)
        overdue = c.deadline is not None and c.deadline < p.end and done < 100
        if overdue:
            reason = f"已过完成时限（{c.deadline}）仍未完成"
        elif behind > 0:
            reason = f"{p.label} 落后时序进度 {behind:g} 个百分点"
        else:
            reason = f"{p.label} 达到时序进度"
        if not counted:
            reason += "；本期未报送"
        out[c.id] = Status(c.id, p.label, rules.light(behind, overdue), percent, expected, behind,
                           missing=not counted, overdue=overdue, late=counted and reports.this[c.id][1],
                           reason=reason)
    return out


def _distinct_on(q: Any, column: Any) -> Any:
    """``SELECT DISTINCT ON (column)`` (PostgreSQL), in the spelling of the installed SQLAlchemy."""
    try:
        from sqlalchemy.dialects.postgresql import distinct_on
    except ImportError:  # SQLAlchemy 2.0
        return q.distinct(column)
    return q.ext(distinct_on(column))


def _chunks(ids: Sequence[int], size: int = 5000) -> Iterator[Sequence[int]]:
    """Bound the number of parameters of one ``IN`` list (SQLite and drivers have limits)."""
    for i in range(0, len(ids), size):
        yield ids[i: i + size]


def counted(session: Session, ids: Sequence[int], p: Period) -> Counted:
    """The reports that count for commitments ``ids`` judged in period ``p``, in bulk.

    This period's counted report is one indexed lookup by period; the latest earlier one is one
    query returning a row per commitment (``DISTINCT ON`` on PostgreSQL, a bare-column ``max()`` on
    SQLite: both far cheaper than a window function there), asked only for the commitments that
    have not reported this period, so no report history reaches Python.
    """
    out = Counted()
    for chunk in _chunks(ids):
        for cid, pct, late in session.execute(
                select(ProgressReport.commitment_id, ProgressReport.percent, ProgressReport.late)
                .where(ProgressReport.period_id == p.id, ProgressReport.commitment_id.in_(chunk),
                       ProgressReport.state.in_(COUNTED))):
            out.this[cid] = (pct, bool(late))
    need = [cid for cid in ids if cid not in out.this]
    postgres = session.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(need):
        q = (select(ProgressReport.commitment_id, ProgressReport.percent)
             .join(Period, Period.id == ProgressReport.period_id)
             .where(ProgressReport.commitment_id.in_(chunk), ProgressReport.state.in_(COUNTED), Period.end <= p.end))
        if postgres:  # one row per commitment: the first in period order, latest first
            q = _distinct_on(q, ProgressReport.commitment_id).order_by(
                ProgressReport.commitment_id, Period.end.desc(), Period.start.desc(), Period.id.desc())
        else:  # SQLite: with a single max() the other (bare) columns come from the row holding the max
            q = q.add_columns(func.max(Period.end)).group_by(ProgressReport.commitment_id)
        for cid, pct, *_ in session.execute(q):
            out.earlier[cid] = pct
    return out


CACHE = "luoshi_status_cache"


def statuses(session: Session, report: Report, commitments: Sequence[Any], p: Period | None, *,
             rules: Rules | None = None, judge_closed: bool = True, reuse: bool = False) -> dict[int, Status]:
    """:func:`judge` fed by one bulk query (:func:`counted`): id → status.

    ``reuse`` keeps what this session judged for the period and hands it out again (a page asks
    several times: list, summary, ranking); only read-only sessions should ask for it, since a
    report saved later in the session would not be seen.
    """
    r = rules or rules_of(session, report)
    if p is None:
        return judge(commitments, None, report.year, r, Counted(), judge_closed=judge_closed)
    known: dict[int, Status] = {}
    if reuse:  # judged with closed items rated; whether to show them grey is decided per call
        key = ("judged", report.id, p.id, r.yellow_behind, r.red_behind)
        known = session.info.setdefault(CACHE, {}).setdefault(key, {})
    judged = ("active", "closed") if judge_closed else ("active",)
    todo = [c for c in commitments if c.id not in known and c.state in (("active", "closed") if reuse else judged)]
    if todo:
        known.update(judge(todo, p, report.year, r, counted(session, [c.id for c in todo], p)))
    grey = [c for c in commitments if c.state not in judged]
    out = judge(grey, p, report.year, r, Counted(), judge_closed=judge_closed)
    return {c.id: out[c.id] if c.id in out else known[c.id] for c in commitments}


def status_of(session: Session, c: Commitment, p: Period, *, rules: Rules | None = None) -> Status:
    """One commitment's status: :func:`statuses` for a list of one."""
    return statuses(session, c.report, [c], p, rules=rules)[c.id]


def tracked(session: Session, report: Report) -> list[Commitment]:
    """Commitments under supervision: assigned (active), not closed."""
    return list(
        session.scalars(
            select(Commitment)
            .where(Commitment.report_id == report.id, Commitment.state == "active")
            .order_by(Commitment.id)
        )
    )


def judging(session: Session, report: Report, on: dt.date | None = None, *,
            rules: Rules | None = None) -> tuple[Period | None, dt.date, Rules]:
    """The period judged on day ``on`` (default: the ledger's clock), the day, and the rules."""
    r = rules or rules_of(session, report)
    day = on or r.today
    return current_period(session, report, day, JUDGING), day, r


def on_day(session: Session, report: Report, commitments: Sequence[Any], on: dt.date | None = None, *,
           rules: Rules | None = None, judge_closed: bool = False, reuse: bool = False) -> dict[int, Status]:
    """The statuses of ``commitments`` on day ``on`` (default: the ledger's clock), in the period
    :func:`judging` gives — what every page, the CLI and the exports show for "today"."""
    p, _, r = judging(session, report, on, rules=rules)
    return statuses(session, report, commitments, p, rules=r, judge_closed=judge_closed, reuse=reuse)


def ledger_statuses(session: Session, report: Report, p: Period, *, rules: Rules | None = None) -> list[Status]:
    """The status of every tracked commitment in period ``p``, in id order."""
    rows = tracked(session, report)
    judged = statuses(session, report, rows, p, rules=rules)
    return [judged[c.id] for c in rows]


