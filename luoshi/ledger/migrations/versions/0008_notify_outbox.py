"""notification outbox, deliveries, inbox, channels and subscriptions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:48:04

New tables only (see ``luoshi.ledger.notify_models``): ``outbox`` (events written in the transaction of
the change that caused them), ``notify_deliveries`` (one message per channel address, with its
idempotency key), ``inbox_messages`` (the in-app inbox), ``notify_channels`` (secrets kept in their
own column, out of the audit trail) and ``notify_subscriptions``. Nothing existing changes, so the
upgrade is instant on both engines.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("notify_channels",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=50), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("settings", sa.JSON(), nullable=False),
    sa.Column("secrets", sa.JSON(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_channels")),
    sa.UniqueConstraint("name", name=op.f("uq_notify_channels_name"))
    )
    op.create_table("outbox",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("key", sa.String(length=200), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("commitment_id", sa.Integer(), nullable=True),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    sa.UniqueConstraint("key", name=op.f("uq_outbox_key"))
    )
    op.create_index(op.f("ix_outbox_routed_at"), "outbox", ["routed_at"], unique=False)
    op.create_table("notify_deliveries",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("event_id", sa.Integer(), nullable=False),
    sa.Column("channel_id", sa.Integer(), nullable=False),
    sa.Column("address", sa.String(length=200), nullable=True),
    sa.Column("state", sa.String(length=10), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("claimed_by", sa.String(length=100), nullable=True),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["channel_id"], ["notify_channels.id"], name=op.f("fk_notify_deliveries_channel_id_notify_channels"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["event_id"], ["outbox.id"], name=op.f("fk_notify_deliveries_event_id_outbox")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_deliveries")),
    sa.UniqueConstraint("key", name=op.f("uq_notify_deliveries_key"))
    )
    op.create_index("ix_notify_deliveries_due", "notify_deliveries", ["state", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_notify_deliveries_event_id"), "notify_deliveries", ["event_id"], unique=False)
    op.create_table("inbox_messages",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("event_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("link", sa.String(length=200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["event_id"], ["outbox.id"], name=op.f("fk_inbox_messages_event_id_outbox")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_inbox_messages_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_messages"))
    )
    op.create_index("ix_inbox_messages_unread", "inbox_messages", ["user_id", "read_at"], unique=False)
    op.create_index("uq_inbox_messages_user_event", "inbox_messages", ["user_id", "event_id"], unique=True)
    op.create_table("notify_subscriptions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("channel_id", sa.Integer(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=True),
    sa.Column("user_id", sa.Integer(), nullable=True),
    sa.Column("events", sa.JSON(), nullable=False),
    sa.Column("address", sa.String(length=200), nullable=True),
    sa.Column("quiet_start", sa.String(length=5), nullable=True),
    sa.Column("quiet_end", sa.String(length=5), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["channel_id"], ["notify_channels.id"], name=op.f("fk_notify_subscriptions_channel_id_notify_channels"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_notify_subscriptions_unit_id_units")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notify_subscriptions_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_subscriptions"))
    )
    op.create_index(op.f("ix_notify_subscriptions_channel_id"), "notify_subscriptions", ["channel_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notify_subscriptions_channel_id"), table_name="notify_subscriptions")
    op.drop_table("notify_subscriptions")
    op.drop_index("uq_inbox_messages_user_event", table_name="inbox_messages")
    op.drop_index("ix_inbox_messages_unread", table_name="inbox_messages")
    op.drop_table("inbox_messages")
    op.drop_index(op.f("ix_notify_deliveries_event_id"), table_name="notify_deliveries")
    op.drop_index("ix_notify_deliveries_due", table_name="notify_deliveries")
    op.drop_table("notify_deliveries")
    op.drop_index(op.f("ix_outbox_routed_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("notify_channels")
