"""Building the writers' plain data from the ledger (read-only queries, no writes).

- :func:`plan_from_ledger`: the 分工方案 — headline targets first, then one group per area of the
  report (level-2 section, e.g. ``2.3``) in text order; measures and milestones, plus targets that
  no measure carries. Closed (销号) commitments are left out, and so is a measure whose targets are
  all headline targets (the 主要预期目标 sentence itself, already listed first).
- :func:`template_from_ledger`: a unit's active commitments as lead, with 时序进度 at the period end.
- :func:`bulletin_from_ledger`: status of every tracked commitment for a period, red/yellow lists by
  lead unit, and the unit ranking from ``evaluation.scorecard``. A 通报 is a snapshot of its period:
  items added after the period ended are not in it (``status.existed_in``, the lights' rule). The
  ranking's counts are its own (lead and supporting commitments, the set its score is taken from).
"""

from __future__ import annotations

import datetime as dt
import re

import cn2an
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from luoshi.errors import ValidationError
from luoshi.export.cells import format_deadline
from luoshi.export.model import (
    HEADLINE_GROUP,
    Bulletin,
    BulletinItem,
    Plan,
    PlanGroup,
    PlanRow,
    Template,
    TemplateRow,
    UnitRank,
)
from luoshi.ledger.models import Assignment, Commitment, Period, Report, Section, Unit, commitment_targets
from luoshi.ledger.rules import rules as ledger_rules
from luoshi.ledger.services import evaluation, progress, status
from luoshi.ledger.services.periods import offices, reports_in, settings

OTHER_GROUP = "其他任务"
COMPARATOR_WORDS = {">=": "以上", "<=": "以内", "~": "左右", "=": ""}


def _number(x: float) -> str:
    return f"{x:g}"


def target_text(c: Commitment) -> str:
    """The expected value as offices write it: 增长5.5%左右, 新增10个以上, 2—3个."""
    if c.kind != "target" or c.value is None:
        return ""
    value = _number(c.value) + (f"—{_number(c.value_max)}" if c.value_max is not None else "")
    return f"{c.metric or ''}{value}{c.unit or ''}{COMPARATOR_WORDS.get(c.comparator or '=', '')}"


def _commitments(session: Session, report: Report) -> list[Commitment]:
    return list(
        session.scalars(
            select(Commitment)
            .where(Commitment.report_id == report.id, Commitment.state != "closed")
            .options(selectinload(Commitment.assignments).selectinload(Assignment.unit), selectinload(Commitment.targets))
            .order_by(Commitment.id)
        )
    )


def _units(c: Commitment, role: str) -> list[str]:
    return [a.unit.name for a in c.assignments if a.role == role]


def _row(c: Commitment) -> PlanRow:
    return PlanRow(c.id, c.text, _units(c, "lead"), _units(c, "support"), c.deadline, leader=c.leader,
                   version=c.version, deadline_text=c.deadline_text)


def plan_from_ledger(session: Session, report: Report, *, with_leader: bool = False, number: int | None = None,
                     issued: dt.date | None = None) -> Plan:
    """The 分工方案 of ``report``; the 责任领导 column is printed when asked for and whenever a listed
    commitment has a leader (so an export never drops what the ledger holds)."""
    sections = {s.id: s for s in session.scalars(select(Section).where(Section.report_id == report.id))}
    by_key = {s.key: s for s in sections.values()}
    carried = set(session.scalars(select(commitment_targets.c.target_id)))

    def area(c: Commitment) -> Section | None:
        s = sections.get(c.section_id) if c.section_id else None
        while s is not None and s.level > 2 and s.parent_key in by_key:
            s = by_key[s.parent_key]
        return s

    def order(c: Commitment) -> tuple[int, int]:
        return (c.start if c.start is not None else 10**9, c.id)

    headline: list[Commitment] = []
    groups: dict[int | None, list[Commitment]] = {}
    rows = _commitments(session, report)
    headline_ids = {c.id for c in rows if c.headline}
    for c in rows:
        if c.headline:
            headline.append(c)
        elif c.targets and all(t.id in headline_ids for t in c.targets):
            continue  # the 主要预期目标 sentence itself: its targets head the plan already
        elif c.kind != "target" or c.id not in carried:
            s = area(c)
            groups.setdefault(s.id if s else None, []).append(c)
    out: list[PlanGroup] = []
    if headline:
        out.append(PlanGroup(HEADLINE_GROUP, [_row(c) for c in sorted(headline, key=order)], headline=True))
    keyed = sorted((k for k in groups if k is not None), key=lambda k: (sections[k].start, sections[k].key))
    for k in keyed:
        out.append(PlanGroup(sections[k].title, [_row(c) for c in sorted(groups[k], key=order)], section_id=k))
    if None in groups:
        out.append(PlanGroup(OTHER_GROUP, [_row(c) for c in sorted(groups[None], key=order)]))
    for i, g in enumerate(out, start=1):
        g.title = f"{cn2an.an2cn(i)}、{g.title}"
    with_leader = with_leader or any(r.leader for g in out for r in g.rows)
    office, prefix, supervision = offices(settings(session, report), report.government.name)
    day = issued or dt.date.today()
    doc_number = f"{prefix}〔{day.year}〕{number if number is not None else '　'}号"
    return Plan(report.government.name, report.year, out, report_id=report.id, with_leader=with_leader,
                issued=day, issuing_office=office, doc_number=doc_number, copy_to=copy_to(report.government.name),
                supervision_office=supervision, units=list(session.scalars(
                    select(Unit.name).where(Unit.government_id == report.government_id, Unit.active.is_(True))
                    .order_by(Unit.kind, Unit.id))))


def period_title(p: Period) -> str:
    m = re.fullmatch(r"(\d{4})Q([1-4])", p.label)
    if m:
        return f"{m.group(1)}年第{'一二三四'[int(m.group(2)) - 1]}季度"
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", p.label)
    if m:
        return f"{m.group(1)}年{int(m.group(2))}月"
    return p.label


def _lead_commitments(session: Session, report: Report, unit: Unit) -> list[Commitment]:
    return list(
        session.scalars(
            select(Commitment)
            .join(Assignment, Assignment.commitment_id == Commitment.id)
            .where(
                Commitment.report_id == report.id,
                Commitment.state == "active",
                Assignment.unit_id == unit.id,
                Assignment.role == "lead",
            )
            .order_by(Commitment.start, Commitment.id)
        )
    )


def template_from_ledger(session: Session, report: Report, unit: Unit, period: Period) -> Template:
    if period.report_id != report.id:
        raise ValidationError(f"周期 {period.label} 不属于 {report.year} 年台账")
    commitments = _lead_commitments(session, report, unit)
    if not commitments:
        raise ValidationError(f"{unit.name} 在 {report.year} 年台账中没有已确认的牵头任务，无需填报")
    before = period.start - dt.timedelta(days=1)
    rows = []
    for c in commitments:
        last = progress.latest(session, c, until=before)
        rows.append(
            TemplateRow(
                id=c.id,
                text=c.text,
                role="牵头",
                target=target_text(c),
                deadline=c.deadline,
                expected_percent=round(status.expected_percent(c, period.end, report.year), 1),
                last_percent=last.percent if last else None,
                value_unit=c.unit,
                version=c.version,
                quantified=c.kind == "target" and c.value is not None,
                deadline_text=c.deadline_text,
            )
        )
    return Template(
        government=report.government.name,
        year=report.year,
        report_id=report.id,
        unit_id=unit.id,
        unit=unit.name,
        period_id=period.id,
        period=period.label,
        period_end=period.end,
        due=period.due,
        rows=rows,
    )


def _reason(st: status.Status, c: Commitment) -> str:
    parts = []
    if st.overdue:
        parts.append(f"已过完成时限（{format_deadline(c.deadline)}）尚未完成")
    if st.missing:
        parts.append("本期未报送进度")
    if st.behind > 0 and not st.overdue:
        parts.append(f"落后时序进度{st.behind:g}个百分点")
    return "；".join(parts) or "—"


def copy_to(government: str) -> str:
    """版记 抄送 of a government's documents: the Party committee, congress and CPPCC offices of its level."""
    level = next((ch for ch in reversed(government.removesuffix("人民政府")) if ch in "省市区县州盟旗"), "市")
    office = "办公厅" if level == "省" else "办公室"
    return f"{level}委{office}，{level}人大常委会{office}，{level}政协{office}"


def bulletin_from_ledger(session: Session, report: Report, period: Period, *, issued: dt.date | None = None,
                         number: int | None = None) -> Bulletin:
    if period.report_id != report.id:
        raise ValidationError(f"周期 {period.label} 不属于 {report.year} 年台账")
    # the period's snapshot: items added after it ended are not in its 通报
    tracked = {c.id: c for c in status.tracked(session, report) if status.existed_in(c, period)}
    rules = ledger_rules(session, report)
    judged = status.statuses(session, report, list(tracked.values()), period, rules=rules)
    sts = [judged[cid] for cid in tracked]
    lead_of: dict[int, Unit] = {}
    for a in session.scalars(
        select(Assignment).where(Assignment.commitment_id.in_(tracked), Assignment.role == "lead")
        .options(selectinload(Assignment.unit))
    ):
        lead_of[a.commitment_id] = a.unit
    reports = {pr.commitment_id: pr for pr in reports_in(session, period)}

    def item(st: status.Status) -> BulletinItem:
        c = tracked[st.commitment_id]
        unit = lead_of.get(c.id)
        return BulletinItem(c.id, c.text, unit.name if unit else "（未分配）", st.expected, st.percent, _reason(st, c))

    # the ranking's own counts: the same commitments (lead and supporting) its score is taken from
    ranking = []
    for row in evaluation.scorecard(session, report, period=period, rules=rules):
        unit = session.get(Unit, row.unit_id)  # the full name, as in the lists above
        ranking.append(UnitRank(row.rank, unit.name if unit else row.unit, row.total, row.lights.get("green", 0),
                                row.lights.get("yellow", 0), row.lights.get("red", 0),
                                row.lights.get("missing", 0), row.score, lead=row.lead, support=row.support,
                                basis=row.basis))
    submitted = [pr for pr in reports.values() if pr.state in ("submitted", "accepted") and pr.commitment_id in tracked]
    return Bulletin(
        government=report.government.name,
        year=report.year,
        period=period.label,
        period_title=period_title(period),
        issued=issued or rules.today,
        total=len(sts),
        green=sum(st.light == "green" for st in sts),
        yellow=sum(st.light == "yellow" for st in sts),
        red=sum(st.light == "red" for st in sts),
        missing=sum(st.missing for st in sts),
        reported=len(submitted),
        late=sum(pr.late for pr in submitted),
        red_items=[item(st) for st in sts if st.light == "red"],
        yellow_items=[item(st) for st in sts if st.light == "yellow"],
        ranking=ranking,
        issuer=offices(settings(session, report), report.government.name)[2],
        number=number,
        copy_to=copy_to(report.government.name),
    )

