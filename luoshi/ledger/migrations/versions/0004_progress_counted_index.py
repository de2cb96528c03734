"""index for judging many commitments at once

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:00:00

- ``ix_progress_reports_counted`` on ``progress_reports (commitment_id, state, period_id,
  percent)``: the pages judge every commitment of a ledger by its latest submitted or accepted
  report, and draw the trend from the accepted ones. With this index those queries read the
  index alone (no table rows, which carry the narratives), whatever the ledger's history length.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_progress_reports_counted", "progress_reports",
                    ["commitment_id", "state", "period_id", "percent"])


def downgrade() -> None:
    op.drop_index("ix_progress_reports_counted", table_name="progress_reports")
