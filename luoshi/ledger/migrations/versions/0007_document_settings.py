"""document settings: issuing office, 文号 prefix, supervision office

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 20:10:00

Adds three optional text columns to ``ledger_settings`` for the 公文 the exports print: the
发文机关 of the plan's 印发通知, its 文号 prefix (枣政办字) and the 督查机构 that issues the
督查通报. NULL means "derive from the government's name". Plain ``ALTER TABLE`` on both engines
(see 0002 for why no batch copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("issuing_office", 100), ("doc_prefix", 20), ("supervision_office", 100))


def upgrade() -> None:
    for name, size in COLUMNS:
        op.add_column("ledger_settings", sa.Column(name, sa.String(length=size), nullable=True))


def downgrade() -> None:
    for name, _size in reversed(COLUMNS):
        op.drop_column("ledger_settings", name)
