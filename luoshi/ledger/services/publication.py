"""Which ledgers the public may see: a report is published once any of its commitments is.

One rule for every public view, page or API: a report with no published commitment (next year's
plan just uploaded, still being reviewed) does not exist for the public — not its title, file name,
hash or headings — and the default ledger for them is the latest *published* one, so uploading a
new report never blanks the public display. :func:`is_published` and :func:`published_clause` are
the same rule for one report and as SQL.

Publishing (:func:`publish`) is the one way a plan goes public, for the web's 发布 button, the
``luoshi ledger publish`` command and the demo alike: every assigned commitment is published (each
change audited by the commitment service) and the plan year's reporting periods are created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError
from luoshi.ledger.models import Commitment, Report
from luoshi.ledger.services import commitments as commitment_service
from luoshi.ledger.services import periods as period_service


def published_clause() -> Any:
    """SQL: ``Report`` rows that are published (usable in ``.where``). A correlated ``EXISTS``: each
    report is looked up by the commitments' report index and the search stops at its first published
    commitment (an ``IN`` list would collect the published commitments of every ledger first)."""
    return select(Commitment.id).where(Commitment.report_id == Report.id, Commitment.published.is_(True)).exists()


def is_published(session: Session, report: Report) -> bool:
    return session.scalar(
        select(Commitment.id).where(Commitment.report_id == report.id, Commitment.published.is_(True)).limit(1)
    ) is not None


def latest_report(session: Session, *, published_only: bool) -> Report | None:
    """The newest ledger (plan year, then import order); ``published_only`` for the public."""
    q = select(Report).order_by(Report.year.desc(), Report.id.desc()).limit(1)
    if published_only:
        q = q.where(published_clause())
    return session.scalars(q).first()


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did."""

    published: int  # commitments published now
    already: int  # commitments that were public before
    unassigned: int  # commitments left unpublished: no confirmed lead unit yet (still drafts)
    periods: int  # reporting periods of the plan year (created now or before)


def publish(session: Session, report: Report) -> Published:
    """Publish every assigned (active) commitment of ``report`` and create its periods.

    Idempotent: publishing again publishes what was assigned since and changes nothing else. A plan
    with nothing assigned cannot be published (the public would see an empty ledger).
    """
    rows = list(session.scalars(select(Commitment).where(Commitment.report_id == report.id)
                                .order_by(Commitment.id)))
    todo = [c for c in rows if c.state == "active" and not c.published]
    already = sum(1 for c in rows if c.published)
    if not todo and not already:
        raise ConflictError("没有可发布的任务：请先确认责任单位")
    for c in todo:
        commitment_service.update(session, c, {"published": True})
    made = period_service.generate_periods(session, report)
    return Published(len(todo), already, sum(1 for c in rows if c.state == "draft"), len(made))


def publish_commitment(session: Session, c: Commitment) -> bool:
    """Publish one commitment (the office's bulk 发布 of chosen items); True if it was published now.

    The same rule as :func:`publish`: only an assigned (active) commitment goes public, and the plan
    year's periods exist once anything is public. Already public → False, nothing changes.
    """
    if c.published:
        return False
    if c.state == "draft":
        raise ConflictError(f"任务 {c.id} 尚未确认牵头单位，不能发布")
    if c.state != "active":
        raise ConflictError(f"任务 {c.id} 已销号，不能发布")
    commitment_service.update(session, c, {"published": True})
    period_service.generate_periods(session, c.report)
    return True
