"""one-time passwords: a password the user must change, and when it was last changed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 20:40:00

- ``users.must_change_password``: set when the office creates an account or resets its password
  to a one-time password; the user can do nothing but choose a new password until it is cleared.
  Existing accounts chose their own password, so they start with ``false``.
- ``users.password_changed_at``: when the password was last set, so that the audit trail shows a
  password change as a dated change of this row (the hash itself never enters the trail).
Plain ``ALTER TABLE`` on both engines (see 0002 for why no batch copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column("users", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "password_changed_at")
    op.drop_column("users", "must_change_password")
