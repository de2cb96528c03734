"""Year-end evaluation (结果问效) and unit scorecards (差异化考核).

Rules for a quantified target with value ``v`` (range ``v``–``v_max``), final value ``f`` and
tolerance ``t`` (ledger setting, default 5 %, relative):

- ``>=`` / ``=`` (at least; growth targets compare the growth values): f ≥ top·(1+t) → 超额完成;
  f ≥ v → 完成; f ≥ v·(1−t) → 基本完成; else 未完成 (top = v_max or v).
- ``~`` (左右): |f − v| ≤ v·t → 完成; above the band → 超额完成; within 2t below → 基本完成; else 未完成.
- ``<=`` (ceiling): f ≤ v·(1−t) → 超额完成; f ≤ v → 完成; f ≤ v·(1+t) → 基本完成; else 未完成.

Milestones and measures are rated from their last accepted percent (100 → 完成, ≥ 100·(1−4t) →
基本完成, else 未完成); qualitative targets (no value) need the operator's result. Any result other
than the computed one needs a written reason.

Draft and final: an evaluation is a draft (预评价) when made; it becomes official only when an
operator finalises the year (:func:`finalise`). Finalising before the year's last period is due
(its reporting due date has passed) needs a written reason, since results then rest on figures
not yet reported. Only final evaluations (:func:`official`) may feed the official ranking; a final
evaluation is not changed again.

Scorecards: each commitment's points (evaluation result, or during the year its current status)
are weighted by kind × modality × role (确保 > 预期 > 力争, lead > support; configurable in the
ledger settings) and averaged per unit; units are ranked, and the rank is compared with the last
saved snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, ValidationError
from luoshi.ledger import outbox
from luoshi.ledger.limits import clean
from luoshi.ledger.models import (
    RESULTS,
    Assignment,
    Commitment,
    Evaluation,
    Period,
    Report,
    ScoreSnapshot,
    Unit,
    utcnow,
)
from luoshi.ledger.rules import Rules
from luoshi.ledger.rules import rules as rules_of
from luoshi.ledger.services import progress
from luoshi.ledger.services.common import check_version, parse_number
from luoshi.ledger.services.status import statuses
from luoshi.ledger.vocabulary import unit_display

# a reason is typed after --reason on the command line, in the form's 理由 box on the page
REASON_HINTS = {CLI: "（--reason）", WEB: "，请在表单的理由一栏填写"}


def rate(c: Commitment, final: float | None, tolerance: float, percent: float | None = None) -> str | None:
    """The rule's result for ``c`` (None when only the operator can judge)."""
    if c.kind == "target" and c.value is not None:
        if final is None:
            return None
        v, t = c.value, tolerance
        top = c.value_max if c.value_max is not None else v
        band = abs(v) * t
        if c.comparator == "<=":
            if final <= v - band:
                return "超额完成"
            if final <= v:
                return "完成"
            return "基本完成" if final <= v + band else "未完成"
        if c.comparator == "~":
            if abs(final - v) <= band:
                return "完成"
            if final > v:
                return "超额完成"
            return "基本完成" if final >= v - 2 * band else "未完成"
        if final >= top + abs(top) * t:
            return "超额完成"
        if final >= v:
            return "完成"
        return "基本完成" if final >= v - band else "未完成"
    if c.kind in ("milestone", "measure") and percent is not None:
        if percent >= 100:
            return "完成"
        return "基本完成" if percent >= 100 * (1 - 4 * tolerance) else "未完成"
    return None


def evaluate(
    session: Session,
    c: Commitment,
    *,
    by: str,
    final_value: object = None,
    result: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Evaluation:
    """Evaluate (or re-evaluate) ``c``. ``final_value`` defaults to the last accepted reported value."""
    r = rules_of(session, c.report)
    reason = clean("evaluation.override_reason", reason, multiline=True)
    final = parse_number(final_value, "最终值")
    last = progress.latest(session, c, states=("accepted",))
    if final is None and c.kind == "target" and last is not None:
        final = last.reported_value
    computed = rate(c, final, r.tolerance, last.percent if last else None)
    if result is not None and result not in RESULTS:
        raise ValidationError(f"评价结果应为 {'/'.join(RESULTS)}，而不是 {result!r}")
    chosen = result or computed
    if chosen is None:
        what = "没有可用的最终值" if c.kind == "target" and c.value is not None else "定性任务"
        raise ValidationError(f"任务 {c.id}：{what}，请给出评价结果", hints={CLI: "（--result）", WEB: "（在“结果”中选择）"})
    if computed is not None and chosen != computed and not (reason and reason.strip()):
        raise ValidationError(f"任务 {c.id}：按规则应为“{computed}”，改为“{chosen}”必须写明理由", hints=REASON_HINTS)
    if (
        computed is None
        and result is not None
        and c.kind == "target"
        and c.value is not None
        and not (reason and reason.strip())
    ):
        raise ValidationError(f"任务 {c.id}：没有最终值时人工评价必须写明理由", hints=REASON_HINTS)
    points = float(r.weights["result"][chosen])
    ev = session.scalar(select(Evaluation).where(Evaluation.commitment_id == c.id))
    if ev is not None and ev.state == "final":
        raise ConflictError(f"任务 {c.id} 的年度评价已定稿（{ev.result}），不能再改")
    fields: dict[str, Any] = {
        "result": chosen,
        "computed_result": computed,
        "final_value": final,
        "score": points,
        "override_reason": (reason.strip() if reason and chosen != computed else None),
        "by": by,
    }
    if ev is None:
        ev = Evaluation(commitment=c, **fields)
        session.add(ev)
    else:
        check_version(ev, expected_version)
        for k, v in fields.items():
            if getattr(ev, k) != v:
                setattr(ev, k, v)
    session.flush()
    outbox.emit(session, "evaluation", ev)
    return ev


def evaluate_all(
    session: Session, report: Report, *, by: str
) -> tuple[list[Evaluation], list[tuple[int, str]]]:
    """Evaluate (as drafts) every active commitment the rules can rate; returns (done, [(id, why not)]).

    Commitments whose evaluation is already final are left as they are (listed as skipped).
    """
    done: list[Evaluation] = []
    skipped: list[tuple[int, str]] = []
    final = set(
        session.scalars(
            select(Evaluation.commitment_id)
            .join(Commitment, Evaluation.commitment_id == Commitment.id)
            .where(Commitment.report_id == report.id, Evaluation.state == "final")
        )
    )
    for c in session.scalars(
        select(Commitment).where(Commitment.report_id == report.id, Commitment.state == "active")
    ):
        if c.id in final:
            skipped.append((c.id, f"任务 {c.id} 的年度评价已定稿"))
            continue
        try:
            with session.begin_nested():
                done.append(evaluate(session, c, by=by))
        except ValidationError as exc:
            skipped.append((c.id, exc.message))
    return done, skipped


def year_due(session: Session, report: Report) -> dt.date | None:
    """The reporting due date of the year's last period (None before periods exist)."""
    return session.scalar(select(func.max(Period.due)).where(Period.report_id == report.id))


def draft_note(session: Session, report: Report, *, on: dt.date) -> str | None:
    """Why evaluations made on ``on`` are only a 预评价 (None once the last period's due date has passed)."""
    due = year_due(session, report)
    if due is not None and on > due:
        return None
    when = f"最后一期报送截止日 {due} 未过" if due else "尚未生成报送周期"
    return f"预评价：{when}（统计日期 {on}），结果不计入正式排名，定稿后生效"


@dataclass
class Finalised:
    count: int
    early: bool
    reason: str | None


def finalise(
    session: Session, report: Report, *, on: dt.date, reason: str | None = None, now: dt.datetime | None = None
) -> Finalised:
    """Make the year's draft evaluations final (official). Before the last period's due date has
    passed a written reason is required; it is stored on each evaluation finalised."""
    reason = clean("evaluation.override_reason", reason, multiline=True)
    reason = reason.strip() if reason and reason.strip() else None
    drafts = list(
        session.scalars(
            select(Evaluation)
            .join(Commitment, Evaluation.commitment_id == Commitment.id)
            .where(Commitment.report_id == report.id, Evaluation.state == "draft")
            .order_by(Evaluation.commitment_id)
        )
    )
    if not drafts:
        raise ValidationError("没有可定稿的预评价（先评价任务）")
    note = draft_note(session, report, on=on)
    early = note is not None
    if early and reason is None:
        due = year_due(session, report)
        raise ValidationError(f"最后一期报送截止日 {due} 未过（统计日期 {on}），提前定稿必须写明理由", hints=REASON_HINTS)
    at = now or utcnow()
    for ev in drafts:
        ev.state = "final"
        ev.finalised_at = at
        ev.final_reason = reason if early else None
    session.flush()
    return Finalised(len(drafts), early, reason if early else None)


def official(session: Session, report: Report) -> dict[int, Evaluation]:
    """Final evaluations by commitment id — the only ones the official ranking may use."""
    return {
        ev.commitment_id: ev
        for ev in session.scalars(
            select(Evaluation)
            .join(Commitment, Evaluation.commitment_id == Commitment.id)
            .where(Commitment.report_id == report.id, Evaluation.state == "final")
        )
    }


@dataclass
class ScoreRow:
    rank: int
    unit_id: int
    unit: str
    score: float
    lead: int
    support: int
    previous_rank: int | None
    change: int | None  # positive = moved up
    since: str | None = None  # the label of the snapshot the change is counted from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scorecard(
    session: Session,
    report: Report,
    *,
    period: Period | None = None,
    label: str | None = None,
    save: bool = False,
    rules: Rules | None = None,
    reuse: bool = False,
) -> list[ScoreRow]:
    """Weighted unit scores and ranking — the one ranking of the CLI, the dashboard and the 通报.

    Points per commitment (assigned, closed included): its evaluation score, else — when a
    ``period`` is judged — the status weight of its light in that period (or of a missing report
    with nothing reported before); weighted by kind × modality × role and averaged per unit. The
    rank change is against the latest saved snapshot with another label. ``save`` stores a snapshot
    under ``label`` (default: the period's label, or "final"). Computed from bulk queries;
    ``reuse`` shares the session's lights of the period (see ``status.statuses``).
    """
    r = rules or rules_of(session, report)
    w = r.weights
    label = label or (period.label if period else "final")
    # only the columns the rule and the weights need
    rows = session.execute(
        select(Commitment.id, Commitment.kind, Commitment.modality, Commitment.state, Commitment.deadline,
               Commitment.milestones)
        .where(Commitment.report_id == report.id, Commitment.state != "draft")
        .order_by(Commitment.id)
    ).all()
    by_id = {c.id: c for c in rows}
    assigned = session.execute(
        select(Assignment.commitment_id, Assignment.unit_id, Assignment.role)
        .join(Commitment, Assignment.commitment_id == Commitment.id)
        .where(Commitment.report_id == report.id, Commitment.state != "draft", Assignment.confirmed)
        .order_by(Assignment.id)
    ).all()
    scores = dict(session.execute(select(Evaluation.commitment_id, Evaluation.score).join(Commitment)
                                  .where(Commitment.report_id == report.id)).all())
    judged = statuses(session, report, rows, period, rules=r, reuse=reuse) if period is not None else {}
    points: dict[int, float | None] = {}
    for c in rows:
        if c.id in scores:
            points[c.id] = scores[c.id]
        elif period is None:
            points[c.id] = None
        else:
            st = judged[c.id]
            points[c.id] = float(w["status"]["missing" if st.missing and st.percent is None else st.light])
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
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(totals))))}
    ordered = sorted(totals, key=lambda uid: (-(totals[uid][0] / totals[uid][1]), units[uid].name))
    prev_label = session.scalar(
        select(ScoreSnapshot.label)
        .where(ScoreSnapshot.report_id == report.id, ScoreSnapshot.label != label)
        .order_by(ScoreSnapshot.taken_at.desc(), ScoreSnapshot.id.desc())
        .limit(1)
    )
    prev: dict[int, int] = {}
    if prev_label:
        prev = dict(session.execute(  # type: ignore[arg-type]
            select(ScoreSnapshot.unit_id, ScoreSnapshot.rank)
            .where(ScoreSnapshot.report_id == report.id, ScoreSnapshot.label == prev_label)).all())
    out: list[ScoreRow] = []
    last_score: float | None = None
    rank = 0
    for i, uid in enumerate(ordered, 1):
        score = round(totals[uid][0] / totals[uid][1], 2)
        if score != last_score:
            rank, last_score = i, score
        before = prev.get(uid)
        out.append(ScoreRow(rank, uid, unit_display(units[uid].name, units[uid].short_name), score, counts[uid][0],
                            counts[uid][1], before, None if before is None else before - rank, prev_label))
    if save:
        if session.scalar(
            select(ScoreSnapshot.id)
            .where(ScoreSnapshot.report_id == report.id, ScoreSnapshot.label == label)
            .limit(1)
        ):
            raise ConflictError(f"排名快照“{label}”已存在")
        for row in out:
            session.add(ScoreSnapshot(report_id=report.id, label=label, unit_id=row.unit_id, score=row.score,
                                      rank=row.rank))
        session.flush()
    return out
