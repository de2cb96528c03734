"""Notification tables, on the ledger's own ``Base`` so that one migration chain, one backup and
one schema check cover them (``luoshi.ledger.models`` imports this module at its end).

- ``outbox``: one row per event. Written by :func:`luoshi.ledger.outbox.emit` inside the ledger
  service's own transaction, so an event exists if and only if the change that caused it
  committed. ``key`` is the event's natural identity (``notice_issued:12``): emitting it twice is a
  no-op. ``routed_at`` is set when the worker has turned the event into inbox rows and deliveries.
- ``notify_deliveries``: one message to one channel address. ``key`` (unique) is derived from the
  event key, the channel and the address, so routing an event again after a crash cannot create a
  second message; it is also what the receiver sees (``Idempotency-Key`` header, ``Message-ID``).
  State: ``pending`` → ``sending`` (claimed by one worker, committed *before* the network call) →
  ``sent`` | ``pending`` again with a later ``next_attempt_at`` (retry) | ``failed`` (gave up);
  ``held`` waits out quiet hours; ``uncertain`` is a claim left by a worker that died during the
  send: it may or may not have arrived, so it is never resent by itself (that could send twice)
  but shown to the administrator, who confirms or retries it.
- ``inbox_messages``: the in-app inbox, one row per (user, event); unread while ``read_at`` is null.
- ``notify_channels``: where messages go (kind, non-secret settings, secrets). Secrets (SMTP
  password, robot webhook URL with its token, signing secret) are kept apart in ``secrets``, left
  out of the audit trail and never printed or logged.
- ``notify_subscriptions``: which channel hears which events for whom — a unit, a user, or
  everything (neither set) — with an optional e-mail address and quiet hours.

Outbox, deliveries and inbox are operational records (like ``login_failures``), not audited; the
channel and subscription configuration is audited like every other ledger setting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from luoshi.ledger.models import Base, Unit, User, utcnow

CHANNEL_KINDS = ("email", "wecom", "dingtalk", "feishu", "lark", "webhook")
DELIVERY_STATES = ("pending", "held", "sending", "sent", "failed", "uncertain")


class OutboxEvent(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    commitment_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    routed_at: Mapped[dt.datetime | None] = mapped_column(index=True)


class NotifyChannel(Base):
    __tablename__ = "notify_channels"
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"secrets"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    __tablename__ = "notify_subscriptions"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every kind
    address: Mapped[str | None] = mapped_column(String(200))  # e-mail recipient
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "22:00", Beijing time
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    channel: Mapped[NotifyChannel] = relationship()
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()


class Delivery(Base):
    __tablename__ = "notify_deliveries"
    __table_args__ = (Index("ix_notify_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("notify_channels.id", ondelete="CASCADE"))
    address: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[OutboxEvent] = relationship()
    channel: Mapped[NotifyChannel] = relationship()


class InboxMessage(Base):
    __tablename__ = "inbox_messages"
    __table_args__ = (Index("ix_inbox_messages_unread", "user_id", "read_at"),
                      Index("uq_inbox_messages_user_event", "user_id", "event_id", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column()
