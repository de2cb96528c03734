"""server-side sessions, expiring API tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00

- ``user_sessions``: one row per signed-in browser (the SHA-256 of the id its signed cookie
  carries, the user, when it expires), so that logging out, changing the password or disabling
  the account ends sessions on the server. Cookies issued before this revision carry no row and
  are refused: everyone signs in once more after the upgrade.
- ``users.api_token_expires_at``: API tokens now expire. Tokens issued before this revision get
  the default lifetime (90 days) counted from the upgrade, so none stops working at once and
  none lives for ever. Plain ``ALTER TABLE`` on both engines (see 0002 for why no batch copy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.add_column("users", sa.Column("api_token_expires_at", sa.DateTime(timezone=True), nullable=True))
    users = sa.table("users", sa.column("api_token_hash", sa.String),
                     sa.column("api_token_expires_at", sa.DateTime(timezone=True)))
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=TOKEN_DAYS)
    op.execute(sa.update(users).where(users.c.api_token_hash.is_not(None)).values(api_token_expires_at=expires))


def downgrade() -> None:
    op.drop_column("users", "api_token_expires_at")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
