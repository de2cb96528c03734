"""ledger statistics date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:00:00

- ``ledger_settings.statistics_date``: the day a ledger is judged on when the supervision office
  fixes one (统计日期), so that the CLI, the web pages, the exports and the demo judge the same
  period on the same day without an environment variable. Empty means "the machine's date".
  Plain ``ALTER TABLE`` on both engines (see 0002 for why no batch copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ledger_settings", sa.Column("statistics_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("ledger_settings", "statistics_date")
