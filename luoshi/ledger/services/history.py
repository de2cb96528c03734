"""Reading the audit trail."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from luoshi.ledger.audit import LINK_ENTITY
from luoshi.ledger.models import AuditEvent


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
