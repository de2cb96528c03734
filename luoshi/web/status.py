"""Lights for many commitments at once, by the ledger's own rule.

``luoshi.ledger.services.status.status_of`` decides one commitment in one period with a few
queries; a page shows hundreds, so this module applies the same rule (its ``expected_percent``
and the ledger settings' thresholds) to data fetched in two bulk queries. A test checks the two
agree on every commitment of the seed ledger.

The period a page judges by is the latest one that has ended on the given day (the last complete
reporting round), or the first period while none has ended. Commitments not under supervision
(draft, or no periods yet) are grey.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luoshi.ledger.models import Commitment, LedgerSettings, Period, ProgressReport, Report
from luoshi.ledger.services.status import expected_percent

COUNTED = ("submitted", "accepted")


@dataclass
class Status:
    light: str  # green | yellow | red | grey
    percent: float | None  # latest counted report
    expected: float | None  # 时序进度 at the judged period's end
    period: str | None
    missing: bool = False
    overdue: bool = False
    reason: str | None = None


def thresholds(db: Session, report: Report) -> tuple[float, float]:
    s = db.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    cols = LedgerSettings.__table__.c
    yellow = s.yellow_behind if s else cols.yellow_behind.default.arg  # type: ignore[union-attr]
    red = s.red_behind if s else cols.red_behind.default.arg  # type: ignore[union-attr]
    return float(yellow), float(red)


def judged_period(periods: Sequence[Period], on: dt.date) -> Period | None:
    ended = [p for p in periods if p.end <= on]
    if ended:
        return max(ended, key=lambda p: p.end)
    return min(periods, key=lambda p: p.start) if periods else None


def report_periods(db: Session, report: Report) -> list[Period]:
    return list(db.scalars(select(Period).where(Period.report_id == report.id).order_by(Period.start)))


def statuses(db: Session, report: Report, commitments: Sequence[Any], on: dt.date,
             *, period: Period | None = None, judge_closed: bool = False) -> dict[int, Status]:
    """Status of each commitment (``Commitment``, ``queries.Row`` or any row with ``id``, ``state``,
    ``deadline`` and ``milestones``) on day ``on``.

    ``judge_closed`` also rates closed items (the scorecard counts them, the pages show them grey).
    A page may ask several times (list, summary, scorecard): what this session already judged for
    the period is reused, whichever of them asked first.
    """
    p, yellow, red = _judging(db, report, on, period)
    if p is None:
        return {c.id: Status("grey", None, None, None, reason="尚未生成报送周期") for c in commitments}
    known: dict[int, Status] = db.info.setdefault(CACHE, {}).setdefault(("judged", report.id, p.id), {})
    judged = ("active", "closed") if judge_closed else ("active",)
    todo = [c for c in commitments if c.state in judged and c.id not in known]
    if todo:
        known.update(_compute(db, report, todo, p, yellow, red))
    out: dict[int, Status] = {}
    for c in commitments:
        if c.state in judged:
            out[c.id] = known[c.id]
        else:
            out[c.id] = Status("grey", None, None, p.label, reason="已销号" if c.state == "closed" else "尚未分配确认")
    return out


CACHE = "luoshi_status_cache"


def _judging(db: Session, report: Report, on: dt.date, period: Period | None) -> tuple[Period | None, float, float]:
    """The judged period and the ledger's thresholds, looked up once per session and day."""
    cache: dict = db.info.setdefault(CACHE, {})
    key = ("period", report.id, on, period.id if period is not None else None)
    if key not in cache:
        p = period or judged_period(report_periods(db, report), on)
        cache[key] = (p, *(thresholds(db, report) if p is not None else (0.0, 0.0)))
    return cache[key]


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


def counted_percents(db: Session, ids: Sequence[int], p: Period) -> tuple[dict[int, float], dict[int, float]]:
    """For commitments ``ids`` judged in period ``p``: (percent of their counted report for ``p``,
    percent of their latest counted report for a period ending by ``p.end`` — only for those with
    no counted report for ``p``).

    ``status_of`` asks ``progress.find`` and ``progress.latest`` per commitment; here the first is
    one indexed lookup by period and the second one query returning the latest row per commitment
    (``DISTINCT ON`` on PostgreSQL, a bare-column ``max()`` on SQLite: both far cheaper than a
    window function there) for the commitments that have not reported this period, so no report
    history reaches Python.
    """
    this: dict[int, float] = {}
    for chunk in _chunks(ids):
        for cid, pct in db.execute(select(ProgressReport.commitment_id, ProgressReport.percent)
                                   .where(ProgressReport.period_id == p.id, ProgressReport.commitment_id.in_(chunk),
                                          ProgressReport.state.in_(COUNTED))):
            this[cid] = pct
    need = [cid for cid in ids if cid not in this]
    earlier: dict[int, float] = {}
    postgres = db.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(need):
        q = (select(ProgressReport.commitment_id, ProgressReport.percent)
             .join(Period, Period.id == ProgressReport.period_id)
             .where(ProgressReport.commitment_id.in_(chunk), ProgressReport.state.in_(COUNTED), Period.end <= p.end))
        if postgres:  # one row per commitment: the first in period order, latest first
            q = _distinct_on(q, ProgressReport.commitment_id).order_by(
                ProgressReport.commitment_id, Period.end.desc(), Period.start.desc(), Period.id.desc())
        else:  # SQLite: with a single max() the other (bare) columns come from the row holding the max
            q = q.add_columns(func.max(Period.end)).group_by(ProgressReport.commitment_id)
        for cid, pct, *_ in db.execute(q):
            earlier[cid] = pct
    return this, earlier


def _compute(db: Session, report: Report, commitments: Sequence[Any], p: Period, yellow: float,
             red: float) -> dict[int, Status]:
    out: dict[int, Status] = {}
    this, earlier = counted_percents(db, [c.id for c in commitments], p)
    curve = ExpectedCurves(report.year)
    for c in commitments:
        expected = round(curve.at(c, p.end), 1)
        counted = c.id in this
        reported = this[c.id] if counted else earlier.get(c.id)
        done = reported or 0.0
        behind = round(max(0.0, expected - done), 1)
        overdue = c.deadline is not None and c.deadline < p.end and done < 100
        if overdue or behind > red:
            light = "red"
        elif behind >= yellow:
            light = "yellow"
        else:
            light = "green"
        if overdue:
            reason = f"已过完成时限（{c.deadline}）仍未完成"
        elif behind > 0:
            reason = f"{p.label} 落后时序进度 {behind:g} 个百分点"
        else:
            reason = f"{p.label} 达到时序进度"
        if not counted:
            reason += "；本期未报送"
        out[c.id] = Status(light, reported, expected, p.label, missing=not counted, overdue=overdue, reason=reason)
    return out


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


def average_expected(db: Session, report: Report, commitments: Sequence[Any], on: dt.date) -> float:
    """Mean 时序进度 on ``on`` of objects with ``deadline`` and ``milestones``."""
    return average_expected_series(report, commitments, [on])[0]


def average_expected_series(report: Report, commitments: Sequence[Any], days: Sequence[dt.date]) -> list[float]:
    """Mean 时序进度 of ``commitments`` on each of ``days``: one ``expected_percent`` per distinct
    curve and day, summed in the commitments' order (the same float sum as one call each)."""
    if not commitments:
        return [0.0 for _ in days]
    curves = ExpectedCurves(report.year)
    keys = [curves.key(c) for c in commitments]
    first: dict[tuple[Any, ...], Any] = {}
    for k, c in zip(keys, commitments, strict=True):
        first.setdefault(k, c)
    out = []
    for day in days:
        value = {k: curves.at(c, day, k) for k, c in first.items()}
        out.append(sum(value[k] for k in keys) / len(commitments))
    return out


def scorecard(db: Session, report: Report, on: dt.date) -> list[dict[str, Any]]:
    """Unit ranking by the ledger's rule (``evaluation.scorecard``), computed from bulk queries.

    Points per commitment: its evaluation score, else the status weight of its light (or of a
    missing report); weighted by kind × modality × role and averaged per unit; the rank change is
    against the latest saved snapshot with another label.
    """
    from luoshi.ledger.models import Assignment, Evaluation, ScoreSnapshot, Unit
    from luoshi.ledger.services.periods import weights

    s = db.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    w = weights(s if s is not None else LedgerSettings(report_id=report.id))
    period = judged_period(report_periods(db, report), on)
    label = period.label if period else "final"
    # only the columns the rule and the weights need; the statuses are shared with the page's summary
    rows = db.execute(select(Commitment.id, Commitment.kind, Commitment.modality, Commitment.state,
                             Commitment.deadline, Commitment.milestones)
                      .where(Commitment.report_id == report.id, Commitment.state != "draft")
                      .order_by(Commitment.id)).all()
    by_id = {c.id: c for c in rows}
    # the confirmed assignments in the order the ledger's scorecard reads them (same join, no
    # ORDER BY): the per-unit float sums then add up in the same order, so units whose scores tie
    # up to float noise rank the same way in both
    assigned = db.execute(select(Assignment.commitment_id, Assignment.unit_id, Assignment.role)
                          .join(Commitment, Assignment.commitment_id == Commitment.id)
                          .where(Commitment.report_id == report.id, Commitment.state != "draft",
                                 Assignment.confirmed)).all()
    scores = dict(db.execute(select(Evaluation.commitment_id, Evaluation.score).join(Commitment)
                             .where(Commitment.report_id == report.id)).all())
    stats = statuses(db, report, rows, on, period=period, judge_closed=True) if period else {}
    points: dict[int, float | None] = {}
    for c in rows:
        if c.id in scores:
            points[c.id] = scores[c.id]
        elif period is None:
            points[c.id] = None
        else:
            stt = stats[c.id]
            points[c.id] = float(w["status"]["missing" if stt.missing and stt.percent is None else stt.light])
    totals: dict[int, list[float]] = {}
    counts: dict[int, list[int]] = {}
    for cid, uid, role in assigned:
        pts = points[cid]
        if pts is None:
            continue
        c = by_id[cid]
        weight = w["kind"].get(c.kind, 1.0) * w["modality"].get(c.modality, 1.0) * w["role"].get(role, 1.0)
        acc = totals.setdefault(uid, [0.0, 0.0])
        acc[0] += weight * pts
        acc[1] += weight
        cnt = counts.setdefault(uid, [0, 0])
        cnt[0 if role == "lead" else 1] += 1
    units = {u.id: u for u in db.scalars(select(Unit).where(Unit.id.in_(list(totals))))}
    ordered = sorted(totals, key=lambda uid: (-(totals[uid][0] / totals[uid][1]), units[uid].name))
    prev_label = db.scalar(select(ScoreSnapshot.label)
                           .where(ScoreSnapshot.report_id == report.id, ScoreSnapshot.label != label)
                           .order_by(ScoreSnapshot.taken_at.desc(), ScoreSnapshot.id.desc()).limit(1))
    prev: dict[int, int] = {}
    if prev_label:
        prev = dict(db.execute(select(ScoreSnapshot.unit_id, ScoreSnapshot.rank)
                               .where(ScoreSnapshot.report_id == report.id, ScoreSnapshot.label == prev_label)).all())
    out: list[dict[str, Any]] = []
    last: float | None = None
    rank = 0
    for i, uid in enumerate(ordered, 1):
        score = round(totals[uid][0] / totals[uid][1], 2)
        if score != last:
            rank, last = i, score
        before = prev.get(uid)
        out.append({"rank": rank, "unit_id": uid, "unit": units[uid].short_name or units[uid].name, "score": score,
                    "lead": counts[uid][0], "support": counts[uid][1], "previous_rank": before,
                    "change": None if before is None else before - rank, "since": prev_label})
    return out
