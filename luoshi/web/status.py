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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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
    """Status of each commitment (``Commitment`` or ``queries.Row``) on day ``on``.

    ``judge_closed`` also rates closed items (the scorecard counts them, the pages show them grey).
    """
    # one page may ask several times (list + summary): reuse what this session already computed
    cache: dict = db.info.setdefault("luoshi_status_cache", {})
    key = (report.id, on, period.id if period else None, judge_closed)
    if key in cache:
        known, p, yellow, red = cache[key]
    else:
        p = period or judged_period(report_periods(db, report), on)
        yellow, red = thresholds(db, report) if p is not None else (0.0, 0.0)
        known = {}
        cache[key] = (known, p, yellow, red)
    if p is None:
        return {c.id: Status("grey", None, None, None, reason="尚未生成报送周期") for c in commitments}
    todo = [c for c in commitments if c.id not in known]
    if todo:
        known.update(_compute(db, report, todo, p, yellow, red, judge_closed))
    return {c.id: known[c.id] for c in commitments}


def _compute(db: Session, report: Report, commitments: Sequence[Any], p: Period, yellow: float, red: float,
             judge_closed: bool) -> dict[int, Status]:
    out: dict[int, Status] = {}
    judged = ("active", "closed") if judge_closed else ("active",)
    ids = [c.id for c in commitments if c.state in judged]
    rows: dict[int, list[tuple[dt.date, int, str, float]]] = defaultdict(list)
    if ids:
        for cid, end, pid, state, pct in db.execute(
            select(ProgressReport.commitment_id, Period.end, Period.id, ProgressReport.state, ProgressReport.percent)
            .join(Period, Period.id == ProgressReport.period_id)
            .where(ProgressReport.commitment_id.in_(ids), Period.end <= p.end)
        ):
            rows[cid].append((end, pid, state, pct))
    for c in commitments:
        if c.state not in judged:
            reason = "已销号" if c.state == "closed" else "尚未分配确认"
            out[c.id] = Status("grey", None, None, p.label, reason=reason)
            continue
        expected = round(expected_percent(c, p.end, report.year), 1)
        mine = rows.get(c.id, [])
        this = next((r for r in mine if r[1] == p.id), None)
        counted = this is not None and this[2] in COUNTED
        if counted:
            last = this
        else:
            earlier = [r for r in mine if r[2] in COUNTED]
            last = max(earlier, key=lambda r: r[0]) if earlier else None
        reported = last[3] if last is not None else None
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


def average_expected(db: Session, report: Report, commitments: Sequence[Any], on: dt.date) -> float:
    """Mean 时序进度 on ``on`` of objects with ``deadline`` and ``milestones``."""
    if not commitments:
        return 0.0
    return sum(expected_percent(c, on, report.year) for c in commitments) / len(commitments)


def scorecard(db: Session, report: Report, on: dt.date) -> list[dict[str, Any]]:
    """Unit ranking by the ledger's rule (``evaluation.scorecard``), computed from bulk queries.

    Points per commitment: its evaluation score, else the status weight of its light (or of a
    missing report); weighted by kind × modality × role and averaged per unit; the rank change is
    against the latest saved snapshot with another label.
    """
    from luoshi.ledger.models import Evaluation, ScoreSnapshot, Unit
    from luoshi.ledger.services.periods import weights
    from luoshi.web.queries import ROW_COLUMNS, load_rows

    s = db.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    w = weights(s if s is not None else LedgerSettings(report_id=report.id))
    period = judged_period(report_periods(db, report), on)
    label = period.label if period else "final"
    rows = load_rows(db, select(*ROW_COLUMNS).where(Commitment.report_id == report.id, Commitment.state != "draft"))
    scores = dict(db.execute(select(Evaluation.commitment_id, Evaluation.score).join(Commitment)
                             .where(Commitment.report_id == report.id)).all())
    stats = statuses(db, report, rows, on, period=period, judge_closed=True) if period else {}
    modality = dict(db.execute(select(Commitment.id, Commitment.modality)
                               .where(Commitment.report_id == report.id)).all())
    totals: dict[int, list[float]] = {}
    counts: dict[int, list[int]] = {}
    for c in rows:
        if c.id in scores:
            pts: float | None = scores[c.id]
        elif period is None:
            pts = None
        else:
            stt = stats[c.id]
            key = "missing" if stt.missing and stt.percent is None else stt.light
            pts = float(w["status"][key])
        if pts is None:
            continue
        for a in c.assignments:
            if not a.confirmed:
                continue
            weight = (w["kind"].get(c.kind, 1.0) * w["modality"].get(modality.get(c.id), 1.0)
                      * w["role"].get(a.role, 1.0))
            acc = totals.setdefault(a.unit_id, [0.0, 0.0])
            acc[0] += weight * pts
            acc[1] += weight
            cnt = counts.setdefault(a.unit_id, [0, 0])
            cnt[0 if a.role == "lead" else 1] += 1
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
