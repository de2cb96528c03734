"""comments, shared login throttle, secrets out of the audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 12:00:00

- ``comments``: leaders' and the office's remarks on a commitment (append-only, audited).
- ``login_failures``: failed logins (user name, client address, time), so that every worker
  process of the web app enforces one shared login throttle.
- Earlier versions copied ``users.password_hash`` and ``users.api_token_hash`` into
  ``audit_events``; the upgrade replaces those values in existing rows by the same markers the
  audit hook now writes (``"(set)"`` / ``"(changed)"``). The downgrade cannot bring them back (and
  should not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECRETS = ("password_hash", "api_token_hash")


def _scrub(values: dict[str, Any] | None, marker: str) -> dict[str, Any] | None:
    if not values or not any(k in values for k in SECRETS):
        return values
    return {k: (None if v is None else marker) if k in SECRETS else v for k, v in values.items()}


def _scrub_audit_trail() -> None:
    conn = op.get_bind()
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("entity_type", sa.String),
                      sa.column("action", sa.String), sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    rows = conn.execute(sa.select(events.c.id, events.c.action, events.c.before, events.c.after)
                        .where(events.c.entity_type == "User")).all()
    for id_, action, before, after in rows:
        new_before = _scrub(before, "(set)")
        new_after = _scrub(after, "(changed)" if action == "update" else "(set)")
        if new_before != before or new_after != after:
            conn.execute(sa.update(events).where(events.c.id == id_).values(before=new_before, after=new_after))


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitments.id"], name=op.f("fk_comments_commitment_id_commitments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_commitment_id"), "comments", ["commitment_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"], unique=False)
    op.create_index("ix_login_failures_username_ip", "login_failures", ["username", "ip"], unique=False)
    _scrub_audit_trail()


def downgrade() -> None:
    op.drop_index("ix_login_failures_username_ip", table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_at"), table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_comments_commitment_id"), table_name="comments")
    op.drop_table("comments")
