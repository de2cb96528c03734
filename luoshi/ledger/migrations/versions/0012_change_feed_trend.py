"""the change feed and the kept trend

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:30:00

- ``ledger_commits``: one row per committed change of the ledger, numbered in commit order, with
  the commitments it touched (``luoshi.ledger.changes``): figures kept between reads know whether,
  and for which commitments, the ledger changed.
- ``trend_steps`` / ``trend_totals``: the carried-forward progress sums of the dashboards' trend,
  kept up to date at each commit instead of summed over every report on each read
  (``luoshi.ledger.services.trend``). Filled here from the reports already in the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_commits",
        sa.Column("serial", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_ledger_commits")),
    )
    op.create_table(
        "trend_steps",
        sa.Column("commitment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("commitment_id", "period_id", name=op.f("pk_trend_steps")),
    )
    op.create_index(op.f("ix_trend_steps_report_id"), "trend_steps", ["report_id"], unique=False)
    op.create_table(
        "trend_totals",
        sa.Column("report_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "period_id", name=op.f("pk_trend_totals")),
    )
    from luoshi.ledger import changes

    changes.record_everything(op.get_bind())


def downgrade() -> None:
    op.drop_table("trend_totals")
    op.drop_index(op.f("ix_trend_steps_report_id"), table_name="trend_steps")
    op.drop_table("trend_steps")
    op.drop_table("ledger_commits")
