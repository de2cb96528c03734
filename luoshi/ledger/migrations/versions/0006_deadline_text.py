"""commitment deadline text (完成时限 in the report's words)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 20:00:00

Adds the optional ``commitments.deadline_text`` column: the time words of the report (上半年,
6月底前, 三季度末, 年底前, 长期坚持) printed as the 完成时限 of the plan; ``deadline`` keeps the date
the ledger computes with (none for ongoing work). Existing rows keep NULL and print their date.
Plain ``ALTER TABLE`` on both engines (see 0002 for why no batch copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commitments", sa.Column("deadline_text", sa.String(length=30), nullable=True))


def downgrade() -> None:
    op.drop_column("commitments", "deadline_text")
