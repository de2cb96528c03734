"""The dashboard figures: completion, lights by area and by unit, lagging items, ranking, trend.

Computed in a handful of bulk queries over the whole ledger; no report history reaches Python
(statuses: the judged period's reports and the latest earlier one per commitment; trend: the
per-period sums the ledger keeps), so the pages cost about the same for a few hundred commitments
and for a province. Each figure is then kept until the ledger changes (``luoshi.web.memo``), keyed
on the report, the day judged and whose view it is, so a busy public page judges the ledger once
per change, and after a change judges again only the commitments it touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.models import Assignment, Commitment, Report, Unit
from luoshi.ledger.rules import rules as ledger_rules
from luoshi.ledger.services import evaluation
from luoshi.ledger.services import status as st
from luoshi.ledger.services import trend as ledger_trend
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.auth import Principal
from luoshi.web.charts import LIGHTS, LightRow
from luoshi.web.memo import audience, shared


def _counts() -> dict[str, int]:
    return dict.fromkeys(LIGHTS, 0)


def summary(db: Session, user: Principal, report: Report, *, on: dt.date | None = None,
            lagging_limit: int | None = 15, narrow: Any = None, light: str | None = None) -> dict[str, Any]:
    """Completion, lights overall / by area / by lead unit and the lagging list, as ``user`` sees
    the report judged on day ``on`` (default: the ledger's clock). ``narrow`` (an SQL condition,
    e.g. :func:`luoshi.web.queries.filters_clause`) and ``light`` restrict them to what a filtered
    list shows, so the ring and the counts follow the filter; ``lagging_limit`` None lists every
    lagging item. A new dict each call (callers add to it); unfiltered figures are shared until
    the ledger changes."""
    day = on or ledger_rules(db, report).today
    who = audience(user)
    if who is None or narrow is not None or light is not None:
        return _summary(db, user, report, on=day, lagging_limit=lagging_limit, narrow=narrow, light=light)
    return dict(shared(db, ("summary", report.id, who, day, lagging_limit),
                       lambda: _summary(db, user, report, on=day, lagging_limit=lagging_limit)))


def _summary(db: Session, user: Principal, report: Report, *, on: dt.date, lagging_limit: int | None,
             narrow: Any = None, light: str | None = None) -> dict[str, Any]:
    """The figures themselves. Only what they need is loaded: the list columns of the commitments,
    one (commitment, lead unit) pair each, the names of those units; full rows with all their
    units only for the lagging items shown."""
    p, on, rules = st.judging(db, report, on)
    q = select(*qs.ROW_COLUMNS).where(Commitment.report_id == report.id, Commitment.state != "closed")
    clause = policy.visible_clause(user)
    if clause is not None:
        q = q.where(clause)
    if narrow is not None:
        q = q.where(narrow)
    rows = qs.plain_rows(db, q.order_by(Commitment.id))
    statuses = st.statuses(db, report, rows, p, rules=rules, judge_closed=False, reuse=True)
    if light is not None:
        rows = [c for c in rows if statuses[c.id].light == light]
    by_section, titles = qs.area_lookup(db, report.id)
    leads: dict[int, list[int]] = defaultdict(list)
    for cid, uid in db.execute(select(Assignment.commitment_id, Assignment.unit_id)
                               .where(Assignment.role == "lead",
                                      Assignment.commitment_id.in_(select(Commitment.id)
                                                                   .where(Commitment.report_id == report.id)))
                               .order_by(Assignment.id)):
        leads[cid].append(uid)
    unit_names: dict[int, str] = dict(db.execute(  # type: ignore[arg-type]
        select(Unit.id, Unit.name).where(Unit.id.in_({u for us in leads.values() for u in us}))).all()) \
        if leads else {}

    overall = _counts()
    by_area: dict[str, dict[str, int]] = defaultdict(_counts)
    by_unit: dict[int, dict[str, int]] = defaultdict(_counts)
    percents: list[float] = []
    expected: list[float] = []
    lagging = []
    for c in rows:
        s = statuses[c.id]
        overall[s.light] += 1
        percents.append(min(100.0, s.percent or 0.0))
        if s.expected is not None:
            expected.append(s.expected)
        area = by_section.get(c.section_id or -1)
        if area and area["key"]:
            by_area[area["key"]][s.light] += 1
        for uid in leads.get(c.id, ()):
            by_unit[uid][s.light] += 1
        if s.light in ("red", "yellow"):
            lagging.append((s, c, area))
    lagging.sort(key=lambda t: (t[0].light != "red", -((t[0].expected or 0) - (t[0].percent or 0)), t[1].id))
    qs.attach(db, [c for _, c, _ in lagging[:lagging_limit]], suggestions=False)
    total = len(rows)
    done = sum(1 for p in percents if p >= 100)
    area_rows = [{"key": k, "title": titles.get(k, k), **v, "total": sum(v.values())}
                 for k, v in sorted(by_area.items(), key=lambda kv: [int(x) for x in kv[0].split(".") if x.isdigit()])]
    unit_rows = [{"id": uid, "name": unit_names[uid], **v, "total": sum(v.values())}
                 for uid, v in sorted(by_unit.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], unit_names[kv[0]]))]
    return {
        "report": ser.report_json(report),
        "on": on.isoformat(),
        "period": p.label if p is not None else None,
        "total": total,
        "lights": overall,
        "completion": round(sum(percents) / total, 1) if total else 0.0,
        "expected": round(sum(expected) / len(expected), 1) if expected else None,
        "completed": done,
        "by_area": area_rows,
        "by_unit": unit_rows,
        "lagging": [ser.commitment_json(c, s, area) for s, c, area in lagging[:lagging_limit]],
        "filtered": narrow is not None or light is not None,
        "lagging_total": len(lagging),
    }


def light_rows(rows: list[dict[str, Any]], href: str) -> list[LightRow]:
    out = []
    for r in rows:
        key = r.get("key") or r.get("id")
        out.append(LightRow(r.get("title") or r.get("name") or "", r["green"], r["yellow"], r["red"], r["grey"],
                            href=href.format(key=key)))
    return out


def trend(db: Session, report: Report, *, on: dt.date | None = None) -> dict[str, Any]:
    """The ledger's kept trend (``luoshi.ledger.services.trend``) up to day ``on`` (default: the
    ledger's clock), shared until the ledger changes."""
    day = on or ledger_rules(db, report).today
    return dict(shared(db, ("trend", report.id, day), lambda: ledger_trend.trend(db, report, day)))


def ranking(db: Session, report: Report, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The ledger's unit ranking (``evaluation.scorecard``) in the period judged on day ``on``,
    shared until the ledger changes."""
    day = on or ledger_rules(db, report).today

    def compute() -> list[dict[str, Any]]:
        p, _, rules = st.judging(db, report, day)
        return [r.to_dict() for r in evaluation.scorecard(db, report, period=p, rules=rules, reuse=True)]

    return [dict(r) for r in shared(db, ("ranking", report.id, day), compute)]
