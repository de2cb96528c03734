"""commitment leader (责任领导)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00

Adds the optional ``commitments.leader`` text column. Plain ``ALTER TABLE`` on both engines
(no batch copy): adding a nullable column and dropping a column that is in no index or constraint
need no table rebuild, and a rebuild of ``commitments`` on SQLite with foreign keys on would
cascade into its assignments. ``DROP COLUMN`` needs SQLite 3.35 or later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commitments", sa.Column("leader", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("commitments", "leader")
