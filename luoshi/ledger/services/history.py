"""Reading the audit trail, and what of a commitment's trail a given person may read.

The trail records every field of every row, so showing it whole would reveal what the resources
themselves hide: a notice answer a supporting unit cannot see in its notices, the office's reason
for overriding an evaluation. :func:`readable_history` applies the same rules as those resources —
notices only to those who may see them (``policy.may_see_notice``), comments to those who may read
them (``policy.may_read_comments``), an evaluation's private fields (:data:`PRIVATE_FIELDS`) to those
who read the full trail (``policy.may_read_full_history``: the office and leaders) — and drops or
redacts the events accordingly, for pages and the API alike.

:func:`present` then says each event in people's words (the 变更记录 a page shows): who by display
name and unit, when in local time to the minute, what in Chinese (任务 12, 责任分工：市发展和改革委员会),
and each changed field as 「状态：草稿 → 已发布」 — ids resolved to names, codes to words, through
:mod:`luoshi.ledger.vocabulary`. :func:`office_trail` is the whole ledger's trail for the office,
filtered by who, what and when, one page at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger import vocabulary as words
from luoshi.ledger.audit import LINK_ENTITY, jsonable
from luoshi.ledger.models import AuditEvent, Commitment, Notice, Period, Unit, User

# fields the office and leaders read, and nobody else (evaluations list them only to those roles)
PRIVATE_FIELDS: dict[str, frozenset[str]] = {"Evaluation": frozenset({"override_reason", "by"})}


def history(session: Session, commitment_id: int) -> list[AuditEvent]:
    """Every change to the commitment and to its assignments, reports, notices, evaluation and links.

    A measure↔target link is filed under the measure; the target's history shows it as well.
    """
    q = select(AuditEvent).where(
        or_(
            AuditEvent.commitment_id == commitment_id,
            (AuditEvent.entity_type == "Commitment") & (AuditEvent.entity_id == str(commitment_id)),
            (AuditEvent.entity_type == LINK_ENTITY) & AuditEvent.entity_id.endswith(f",{commitment_id}"),
        )
    )
    return list(session.scalars(q.order_by(AuditEvent.id)))


def events(
    session: Session, *, entity_type: str | None = None, entity_id: str | None = None, limit: int = 200
) -> list[AuditEvent]:
    q = select(AuditEvent)
    if entity_type:
        q = q.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        q = q.where(AuditEvent.entity_id == entity_id)
    return list(session.scalars(q.order_by(AuditEvent.id.desc()).limit(limit)))


def readable_history(session: Session, c: Commitment, reader: policy.Actor | None) -> list[dict[str, Any]]:
    """The events of ``c``'s history that ``reader`` may read, private fields removed (JSON-ready).

    The caller has already decided that ``reader`` may see the commitment's history at all.
    """
    rows = history(session, c.id)
    full = policy.may_read_full_history(reader)
    readable_notices: set[int] = set()
    comments_ok = False
    if not full:
        ids = {int(e.entity_id) for e in rows if e.entity_type == "Notice" and e.entity_id.isdigit()}
        notices = {n.id: n for n in session.scalars(select(Notice).where(Notice.id.in_(ids)))} if ids else {}
        readable_notices = {i for i, n in notices.items() if policy.may_see_notice(reader, n)}
        comments_ok = policy.may_read_comments(reader, c)
    out = []
    for e in rows:
        before, after = e.before, e.after
        if not full:
            if e.entity_type == "Notice" and not (e.entity_id.isdigit() and int(e.entity_id) in readable_notices):
                continue
            if e.entity_type == "Comment" and not comments_ok:
                continue
            hidden = PRIVATE_FIELDS.get(e.entity_type, frozenset())
            if hidden:
                before = _without(before, hidden)
                after = _without(after, hidden)
                if e.action == "update" and not after:
                    continue  # only private fields changed
        out.append({"id": e.id, "actor": e.actor, "at": jsonable(e.at), "entity": e.entity_type,
                    "entity_id": e.entity_id, "action": e.action, "before": before, "after": after})
    return out


def _without(values: dict[str, Any] | None, hidden: frozenset[str]) -> dict[str, Any] | None:
    return None if values is None else {k: v for k, v in values.items() if k not in hidden}


# columns whose value is the id of another row, and the name that row is shown by
_UNIT_FIELDS = {"unit_id", "parent_id"}
_COMMITMENT_FIELDS = {"commitment_id", "split_from_id", "measure_id", "target_id"}
_USER_FIELDS = {"author_id", "user_id"}
_QUIET = {"version", "sha256", "source_text", "start", "end"}  # bookkeeping, not news to a reader
# fields another field of the same record already says: a notice's first reason is in its reasons
_SAID_ELSEWHERE = {("Notice", "reason")}
# what a new or deleted row repeats from its context (the task it belongs to, its own title twice)
_QUIET_SNAPSHOT = {"report_id", "section_id", "text", "quote", "created_at", "commitment_id", "code", "imported_at",
                   "government_id", "progress_report_id"}


def _ids(rows: list[dict[str, Any]], fields: set[str]) -> set[int]:
    out: set[int] = set()
    for e in rows:
        for values in (e.get("before"), e.get("after")):
            for k, v in (values or {}).items():
                if k in fields and isinstance(v, int) and not isinstance(v, bool):
                    out.add(v)
    return out


def _names(session: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, Any], str]:
    """(field, id) → the name shown for it, read in one query per kind of row."""
    names: dict[tuple[str, Any], str] = {}
    unit_ids = _ids(rows, _UNIT_FIELDS)
    if unit_ids:
        for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids))):
            for f in _UNIT_FIELDS:
                names[(f, u.id)] = words.unit_display(u.name, u.short_name)
    period_ids = _ids(rows, {"period_id"})
    if period_ids:
        for pid, label in session.execute(select(Period.id, Period.label).where(Period.id.in_(period_ids))):
            names[("period_id", pid)] = label
    commitment_ids = _ids(rows, _COMMITMENT_FIELDS)
    if commitment_ids:
        for cid, title in session.execute(select(Commitment.id, Commitment.title).where(Commitment.id.in_(commitment_ids))):
            for f in _COMMITMENT_FIELDS:
                names[(f, cid)] = f"任务 {cid}（{_short(title)}）"
    user_ids = _ids(rows, _USER_FIELDS)
    if user_ids:
        for uid, name in session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))):
            for f in _USER_FIELDS:
                names[(f, uid)] = name
    return names


def _short(text: str, width: int = 16) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


SYSTEM = "@system"  # the filter's value for changes made outside any account
SYSTEM_LABEL = "系统操作"


@dataclass(frozen=True)
class Actor:
    """Who made a change, as a page names them."""

    name: str
    unit: str | None

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


def actors(session: Session, usernames: set[str]) -> dict[str, Actor]:
    """Account names → display name and unit (or role). A change made outside any account (the
    command line, an import, the demo) is 系统操作 — the trail keeps the raw name, pages don't show it."""
    out = {name: Actor(SYSTEM_LABEL, None) for name in usernames}
    if usernames:
        q = select(User.username, User.display_name, User.role, Unit.name, Unit.short_name) \
            .outerjoin(Unit, Unit.id == User.unit_id).where(User.username.in_(usernames))
        for username, display, role, unit, short in session.execute(q):
            where = words.unit_display(unit, short) if unit else words.USER_ROLES.get(role)
            out[username] = Actor(display or username, where)
    return out


def _subject(e: dict[str, Any], names: dict[tuple[str, Any], str]) -> str:
    """What the event is about: the entity in words and the name that identifies it."""
    entity, values = e["entity"], e.get("after") or e.get("before") or {}
    label = words.entity_label(entity)
    if entity == "Commitment":
        return f"任务 {e['entity_id']}"
    if entity == "Assignment" and values.get("unit_id") is not None:
        role = words.ASSIGNMENT_ROLES.get(values.get("role"), "")
        return f"{label}：{names.get(('unit_id', values['unit_id']), '')}{f'（{role}）' if role else ''}"
    if entity == "ProgressReport" and values.get("period_id") is not None:
        return f"{label}：{names.get(('period_id', values['period_id']), '')}"
    if entity == "Notice" and values.get("number"):
        return f"{label}：{values['number']}"
    if entity == "CommitmentTarget":
        return f"{label}：{names.get(('target_id', values.get('target_id')), '')}"
    if entity in {"Unit", "Report", "NotifyChannel"} and values.get("name" if entity != "Report" else "title"):
        return f"{label}：{values.get('name') or values.get('title')}"
    if entity == "User" and values.get("display_name"):
        return f"{label}：{values['display_name']}"
    if entity == "Evidence" and values.get("filename"):
        return f"{label}：{values['filename']}"
    return label


def _changes(e: dict[str, Any], names: dict[tuple[str, Any], str]) -> list[dict[str, str]]:
    """Each changed (update) or recorded (create/delete) field as {field, before, after} in words."""
    entity, before, after = e["entity"], e.get("before") or {}, e.get("after") or {}
    quiet = _QUIET if e["action"] == "update" else _QUIET | _QUIET_SNAPSHOT
    keys = [k for k in (after if e["action"] != "delete" else before)
            if k not in quiet and k != "id" and (entity, k) not in _SAID_ELSEWHERE]
    out = []
    for k in keys:
        old = words.value_text(entity, k, before.get(k), names) if e["action"] == "update" else ""
        new = words.value_text(entity, k, after.get(k), names) if e["action"] != "delete" else ""
        if e["action"] != "update" and (new or old) == words.EMPTY:
            continue  # a new row's empty fields say nothing
        out.append({"field": words.field_label(entity, k), "before": old, "after": new})
    return out


def present(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (as :func:`readable_history` gives them) with the words a page shows added:
    ``who`` (name and unit), ``when`` (local time to the minute), ``what``, ``action_label``, ``changes``."""
    names = _names(session, rows)
    people = actors(session, {e["actor"] for e in rows})
    out = []
    for e in rows:
        who = people[e["actor"]]
        out.append({**e, "who": who.label, "when": words.local_time(e["at"]),
                    "what": _subject(e, names), "action_label": words.ACTIONS.get(e["action"], "变更"),
                    "changes": _changes(e, names)})
    return out


@dataclass(frozen=True)
class TrailFilter:
    """The office's filters on the whole trail: who (an account name), what (a kind of record, see
    :data:`luoshi.ledger.vocabulary.ENTITIES`), which task, and from/to (local calendar days, inclusive)."""

    actor: str | None = None
    entity: str | None = None
    commitment_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=words.LOCAL_TZ).astimezone(dt.UTC)


def office_trail(session: Session, reader: policy.Actor | None, f: TrailFilter, *, offset: int = 0,
                 limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page of events, newest first, in words) of the whole trail for the office.

    Only those who read the full trail read it (the caller checks the office's right to the page).
    """
    if not policy.may_read_full_history(reader):
        return 0, []
    q = select(AuditEvent)
    if f.actor == SYSTEM:
        q = q.where(AuditEvent.actor.not_in(select(User.username)))
    elif f.actor:
        q = q.where(AuditEvent.actor == f.actor)
    if f.entity:
        q = q.where(AuditEvent.entity_type == f.entity)
    if f.commitment_id is not None:
        q = q.where(or_(AuditEvent.commitment_id == f.commitment_id,
                        (AuditEvent.entity_type == "Commitment") & (AuditEvent.entity_id == str(f.commitment_id))))
    if f.since is not None:
        q = q.where(AuditEvent.at >= _local_midnight(f.since))
    if f.until is not None:
        q = q.where(AuditEvent.at < _local_midnight(f.until + dt.timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    page = session.scalars(q.order_by(AuditEvent.id.desc()).offset(offset).limit(limit))
    rows = [{"id": e.id, "actor": e.actor, "at": jsonable(e.at), "entity": e.entity_type, "entity_id": e.entity_id,
             "action": e.action, "before": e.before, "after": e.after, "commitment_id": e.commitment_id}
            for e in page]
    return total, present(session, rows)


def trail_actors(session: Session) -> list[dict[str, str]]:
    """Everyone who has changed the ledger, for the filter: account name and how a page names them;
    changes made outside any account are one choice, 系统操作 (:data:`SYSTEM`)."""
    usernames = set(session.scalars(select(AuditEvent.actor).distinct()))
    accounts = set(session.scalars(select(User.username).where(User.username.in_(usernames)))) if usernames else set()
    people = actors(session, accounts)
    out = sorted(({"value": n, "label": people[n].label} for n in accounts), key=lambda a: a["label"])
    return out + ([{"value": SYSTEM, "label": SYSTEM_LABEL}] if usernames - accounts else [])
