"""Year-end evaluation (结果问效) and unit scorecards (差异化考核).

Grades and lights agree by construction. A commitment is graded from its light on the day of
evaluation — the same status (:func:`luoshi.ledger.services.status.statuses`: the same counted
progress, 时序进度 and thresholds) every page shows — read through :meth:`Rules.grade
<luoshi.ledger.rules.Rules.grade>`: red → 未完成, yellow → 基本完成, green → 基本完成, and 完成 once
finished (reported 100 %). A quantified target's final value (``f``, against value ``v``, range
``v``–``v_max``, tolerance ``t``, a ledger setting, default 5 %, relative) is rated by
:func:`rate_value` and moves the grade only inside the band of its light:

- ``>=`` / ``=`` (at least; growth targets compare the growth values): f ≥ top·(1+t) → 超额完成;
  f ≥ v → 完成; f ≥ v·(1−t) → 基本完成; else 未完成 (top = v_max or v).
- ``~`` (左右): |f − v| ≤ v·t → 完成; above the band → 超额完成; within 2t below → 基本完成; else 未完成.
- ``<=`` (ceiling): f ≤ v·(1−t) → 超额完成; f ≤ v → 完成; f ≤ v·(1+t) → 基本完成; else 未完成.

So higher progress never gives a lower grade, and a green item is never graded below a yellow one
on the same day. Grey items (not assigned, new after the judged period, not yet due) and items
with nothing ever reported have no computed grade: the operator gives one, with a reason for a
quantified target. Any result other than the computed one needs a written reason.

Draft and final: an evaluation is a draft (预评价) when made; it becomes official only when an
operator finalises the year (:func:`finalise`). Finalising before the year's last period is due
(its reporting due date has passed) needs a written reason, since results then rest on figures
not yet reported. Only final evaluations (:func:`official`) feed the ranking; a final evaluation
is not changed again.

Scorecards (:func:`scorecard`, the one ranking): only units that lead or support at least one
counted commitment are ranked; each commitment's points (its official evaluation, else the status
weight of its light in the judged period) are weighted by kind × modality × role (确保 > 预期 >
力争, lead > support; ledger settings) and averaged per unit, over the same set the unit's counts
and lights are taken from (lead and supporting shown separately). Grey items count for nobody.
Group units (各开发区, 各区市: :func:`luoshi.ledger.services.units.is_group`) are expanded to their
member units, or left out when they have none; they are never ranked as one. Equal scores share a
rank and the next rank skips (1, 1, 3). The ranking says what it is based on (``basis``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
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
from luoshi.ledger.services.status import Counted, Status, existed_in, judge, judging, statuses
from luoshi.ledger.services.units import groups as unit_groups
from luoshi.ledger.vocabulary import unit_display

# a reason is typed after --reason on the command line, in the form's 理由 box on the page
REASON_HINTS = {CLI: "（--reason）", WEB: "，请在表单的理由一栏填写"}


def rate_value(c: Any, final: float | None, tolerance: float) -> str | None:
    """A quantified target's final value against its value (None: no value or no final value)."""
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
    return None


def rate(c: Any, st: Status, final: float | None, rules: Rules) -> str | None:
    """The rule's grade for ``c`` given its status ``st`` on the day of evaluation (None when only
    the operator can judge: grey, or nothing ever reported). See :meth:`Rules.grade`."""
    if st.light == "grey" or st.percent is None:
        return None
    return rules.grade(st.light, st.percent >= 100, rate_value(c, final, rules.tolerance))


def evaluate(
    session: Session,
    c: Commitment,
    *,
    by: str,
    final_value: object = None,
    result: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    on: dt.date | None = None,
    rules: Rules | None = None,
) -> Evaluation:
    """Evaluate (or re-evaluate) ``c`` on day ``on`` (default: the ledger's clock), from its light
    in the period judged that day. ``final_value`` defaults to the last counted reported value; a
    final value given for a cumulative target (one whose percent follows from its value,
    :func:`progress.derive_percent`) is judged as that period's report, so the grade is the light
    that figure gives."""
    p, _, r = judging(session, c.report, on, rules=rules)
    reason = clean("evaluation.override_reason", reason, multiline=True)
    final = parse_number(final_value, "最终值")
    if final is None and c.kind == "target":
        last = progress.latest(session, c, until=p.end if p is not None else None)
        final = last.reported_value if last is not None else None
    st = statuses(session, c.report, [c], p, rules=r)[c.id]
    given = progress.derive_percent(c, final) if final_value not in (None, "") and p is not None else None
    if given is not None:  # a final figure given for a cumulative target counts as its last report
        st = judge([c], p, c.report.year, r, Counted(this={c.id: (given, False)}))[c.id]
    computed = rate(c, st, final, r)
    if result is not None and result not in RESULTS:
        raise ValidationError(f"评价结果应为 {'/'.join(RESULTS)}，而不是 {result!r}")
    chosen = result or computed
    if chosen is None:
        if st.light == "grey":
            what = f"无评价依据（{st.reason}）"
        elif st.percent is None:
            what = "尚无报送进度"
        else:
            what = "没有可用的最终值"
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
    session: Session, report: Report, *, by: str, on: dt.date | None = None, rules: Rules | None = None
) -> tuple[list[Evaluation], list[tuple[int, str]]]:
    """Evaluate (as drafts) every active commitment the rules can rate; returns (done, [(id, why not)]).

    Commitments whose evaluation is already final are left as they are (listed as skipped).
    """
    r = rules or rules_of(session, report)
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
                done.append(evaluate(session, c, by=by, on=on, rules=r))
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
    """One ranked unit. ``lead``/``support`` count the commitments it leads/supports in the ranked
    set; ``lights`` their lights (both roles, the same set as the score); ``lead_score`` and
    ``support_score`` the weighted averages within each role (None without such commitments)."""

    rank: int
    unit_id: int
    unit: str
    score: float
    lead: int
    support: int
    previous_rank: int | None
    change: int | None  # positive = moved up
    since: str | None = None  # the label of the snapshot the change is counted from
    lead_score: float | None = None
    support_score: float | None = None
    lights: dict[str, int] = field(default_factory=dict)  # green/yellow/red (+ missing reports), lead + support
    basis: str = ""  # what the ranking is based on, as a reader is told

    @property
    def total(self) -> int:
        return self.lead + self.support

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def basis_text(period: Period | None, official_used: int, by_light: int, drafts: int) -> str:
    """What a ranking rests on, in the words the dashboard, the CLI and the 通报 print."""
    parts = []
    if official_used:
        parts.append(f"已定稿年度评价 {official_used} 项")
    if period is not None and (by_light or not official_used):
        parts.append(f"其余 {by_light} 项按 {period.label} 红黄绿灯" if official_used else f"{period.label} 红黄绿灯")
    text = "排名依据：" + ("，".join(parts) if parts else "暂无已定稿的年度评价")
    if drafts:
        text += f"（预评价 {drafts} 项未定稿，不计入）"
    return text


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

    The ranked set: commitments assigned and not retired into others (a split original or merged
    item is closed and unpublished), in ``period``'s snapshot (:func:`status.existed_in`). Points
    per commitment: its official (final) evaluation's score, else — when a ``period`` is judged —
    the status weight of its light in that period (or of a missing report with nothing reported
    before); grey items and, without a period, items with no official evaluation earn nothing and
    count for nobody. Draft evaluations (预评价) never count. Weighted by kind × modality × role
    and averaged per unit; group units are expanded to their members or left out
    (:func:`luoshi.ledger.services.units.groups`). Equal (rounded) scores share a rank, the next
    skips (1, 1, 3). The rank change is against the latest saved snapshot with another label.
    ``save`` stores a snapshot under ``label`` (default: the period's label, or "final").
    Computed from bulk queries; ``reuse`` shares the session's lights of the period (see
    ``status.statuses``).
    """
    r = rules or rules_of(session, report)
    w = r.weights
    label = label or (period.label if period else "final")
    # only the columns the rule and the weights need
    rows = [c for c in session.execute(
        select(Commitment.id, Commitment.kind, Commitment.modality, Commitment.state, Commitment.deadline,
               Commitment.milestones, Commitment.source, Commitment.split_from_id, Commitment.created_at,
               Commitment.published)
        .where(Commitment.report_id == report.id, Commitment.state != "draft")
        .order_by(Commitment.id)
    ).all() if not (c.state == "closed" and not c.published)
        and (period is None or existed_in(c, period))]
    by_id = {c.id: c for c in rows}
    assigned = session.execute(
        select(Assignment.commitment_id, Assignment.unit_id, Assignment.role)
        .join(Commitment, Assignment.commitment_id == Commitment.id)
        .where(Commitment.report_id == report.id, Commitment.state != "draft", Assignment.confirmed)
        .order_by(Assignment.id)
    ).all()
    scores = {cid: ev.score for cid, ev in official(session, report).items() if cid in by_id}  # never drafts
    drafts = sum(1 for cid in session.scalars(
        select(Evaluation.commitment_id).join(Commitment)
        .where(Commitment.report_id == report.id, Evaluation.state != "final")) if cid in by_id)
    judged = statuses(session, report, rows, period, rules=r, reuse=reuse) if period is not None else {}
    points: dict[int, float | None] = {}
    light_of: dict[int, tuple[str, bool] | None] = {}
    for c in rows:
        st = judged.get(c.id)
        light_of[c.id] = None if st is None or st.light == "grey" else (st.light, st.missing)
        if c.id in scores:
            points[c.id] = scores[c.id]
        elif st is None or st.light == "grey":
            points[c.id] = None
        else:
            points[c.id] = float(w["status"]["missing" if st.missing and st.percent is None else st.light])
    members = unit_groups(session, report.government_id)
    totals: dict[int, dict[str, list[float]]] = {}
    counts: dict[int, list[int]] = {}
    lights: dict[int, dict[str, int]] = {}
    for cid, group_or_unit, role in assigned:
        pts = points.get(cid)
        if pts is None:
            continue
        c = by_id[cid]
        weight = w["kind"].get(c.kind, 1.0) * w["modality"].get(c.modality, 1.0) * w["role"].get(role, 1.0)
        for uid in members.get(group_or_unit, [group_or_unit]):
            acc = totals.setdefault(uid, {"lead": [0.0, 0.0], "support": [0.0, 0.0]})[
                "lead" if role == "lead" else "support"]
            acc[0] += weight * pts
            acc[1] += weight
            counts.setdefault(uid, [0, 0])[0 if role == "lead" else 1] += 1
            seen = lights.setdefault(uid, dict.fromkeys(("green", "yellow", "red", "missing"), 0))
            judged_as = light_of[cid]
            if judged_as is not None:
                seen[judged_as[0]] += 1
                seen["missing"] += int(judged_as[1])
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(totals))))}

    def avg(parts: list[list[float]]) -> float | None:
        weight = sum(p[1] for p in parts)
        return round(sum(p[0] for p in parts) / weight, 2) if weight else None

    score_of = {uid: avg(list(t.values())) or 0.0 for uid, t in totals.items()}
    ordered = sorted(totals, key=lambda uid: (-score_of[uid], units[uid].name))
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
    basis = basis_text(period, len(scores), sum(1 for cid, pts in points.items() if pts is not None)
                       - len(scores), drafts)
    out: list[ScoreRow] = []
    last_score: float | None = None
    rank = 0
    for i, uid in enumerate(ordered, 1):
        score = score_of[uid]
        if score != last_score:  # competition ranking: 1, 1, 3
            rank, last_score = i, score
        before = prev.get(uid)
        t = totals[uid]
        out.append(ScoreRow(rank, uid, unit_display(units[uid].name, units[uid].short_name), score, counts[uid][0],
                            counts[uid][1], before, None if before is None else before - rank, prev_label,
                            avg([t["lead"]]), avg([t["support"]]), lights[uid], basis))
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
