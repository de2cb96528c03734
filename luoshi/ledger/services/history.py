"""Reading the audit trail, and what of a commitment's trail a given person may read.

The trail records every field of every row, so showing it whole would reveal what the resources
themselves hide: a notice answer a supporting unit cannot see in its notices, the office's reason
for overriding an evaluation. :func:`readable_history` applies the same rules as those resources —
notices only to those who may see them (``policy.may_see_notice``), comments to those who may read
them (``policy.may_read_comments``), an evaluation's private fields (:data:`PRIVATE_FIELDS`) to those
who read the full trail (``policy.may_read_full_history``: the office and leaders) — and drops or
redacts the events accordingly, for pages and the API alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.audit import LINK_ENTITY, jsonable
from luoshi.ledger.models import AuditEvent, Commitment, Notice

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
