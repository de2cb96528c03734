"""Which ledgers the public may see: a report is published once any of its commitments is.

One rule for every public view, page or API: a report with no published commitment (next year's
plan just uploaded, still being reviewed) does not exist for the public — not its title, file name,
hash or headings — and the default ledger for them is the latest *published* one, so uploading a
new report never blanks the public display. :func:`is_published` and :func:`published_clause` are
the same rule for one report and as SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.ledger.models import Commitment, Report


def published_clause() -> Any:
    """SQL: ``Report`` rows that are published (usable in ``.where``)."""
    return Report.id.in_(select(Commitment.report_id).where(Commitment.published.is_(True)))


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
