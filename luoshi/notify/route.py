"""Who hears of an event: inbox readers and channel deliveries, with quiet hours.

Inbox (every role): liaisons of the units the event concerns, everyone whose role the event names
(``admin`` for an overdue notice or a leader's comment, ``leader`` for the daily digest),
and any user it names. Channels: a subscription hears an event when its kind is among the
subscription's ``events`` (or that list is empty) and the subscription is for one of the event's
units, for one of the users above, or for everything (neither unit nor user set — the supervision
office's own group).

One channel address gets one message per event, however many subscriptions lead to it: the
delivery key is a digest of (event key, channel, address), unique in the table. A subscription
with quiet hours (Beijing time, e.g. 22:00–07:00) holds a message that falls inside them until
they end; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.models import User
from luoshi.ledger.notify_models import Delivery, InboxMessage, NotifyChannel, OutboxEvent, Subscription

BEIJING = dt.timezone(dt.timedelta(hours=8))


def delivery_key(event_key: str, channel_id: int, address: str | None) -> str:
    return hashlib.sha256(f"{event_key}|{channel_id}|{address or ''}".encode()).hexdigest()


def parse_hhmm(value: str) -> dt.time:
    hh, _, mm = value.partition(":")
    return dt.time(int(hh), int(mm))


def quiet_until(now: dt.datetime, start: str | None, end: str | None) -> dt.datetime | None:
    """When quiet hours [start, end) that contain ``now`` end (UTC); None outside them."""
    if not start or not end:
        return None
    local = now.astimezone(BEIJING)
    s, e = parse_hhmm(start), parse_hhmm(end)
    t = local.time()
    inside = (s <= t < e) if s < e else (t >= s or t < e)
    if not inside:
        return None
    until = local.replace(hour=e.hour, minute=e.minute, second=0, microsecond=0)
    if until <= local:
        until += dt.timedelta(days=1)
    return until.astimezone(dt.UTC)


def link_for(reader: policy.Actor | None, event: OutboxEvent) -> str | None:
    """The page ``reader`` opens for the event (a path; the site URL is added by channels).

    ``reader`` None is an address that is not an account (a group robot, a mailbox): it gets the
    liaison's page for a unit's event and the leaders' page for the digest."""
    p = event.payload
    cid = p.get("commitment_id")
    if event.kind == "daily_digest":
        return "/dashboard"
    if reader is None or policy.is_liaison(reader):
        if event.kind.startswith("notice_"):
            return "/my/notices"
        return f"/my/c/{cid}/report" if cid else "/my"
    if policy.is_office(reader):
        return f"/admin/commitments/{cid}" if cid else "/admin"
    if policy.is_overseer(reader):
        return f"/dashboard/c/{cid}" if cid else "/dashboard"
    return None


def readers(session: Session, payload: dict[str, Any]) -> list[User]:
    units = [int(u) for u in payload.get("units") or []]
    roles = [str(r) for r in payload.get("roles") or []]
    ids = [int(u) for u in payload.get("users") or []]
    conds = []
    if units:
        conds.append(policy.liaisons_of_units(units))
    if roles:
        conds.append(policy.accounts_of_roles(roles))
    if ids:
        conds.append(User.id.in_(ids))
    if not conds:
        return []
    return list(session.scalars(select(User).where(User.active.is_(True), or_(*conds)).order_by(User.id)))


def matches(sub: Subscription, kind: str, units: set[int], user_ids: set[int]) -> bool:
    if sub.events and kind not in sub.events:
        return False
    if sub.unit_id is None and sub.user_id is None:
        return True
    if sub.unit_id is not None and sub.unit_id in units:
        return True
    return sub.user_id is not None and sub.user_id in user_ids


def route(session: Session, event: OutboxEvent, now: dt.datetime) -> tuple[int, int]:
    """Create the inbox rows and deliveries of ``event``; returns (inbox rows, deliveries) made."""
    payload = event.payload
    users = readers(session, payload)
    have = set(session.scalars(select(InboxMessage.user_id).where(InboxMessage.event_id == event.id)))
    inbox = 0
    for u in users:
        if u.id in have:
            continue
        session.add(InboxMessage(user_id=u.id, event_id=event.id, kind=event.kind,
                                 title=str(payload.get("title", ""))[:200], body=str(payload.get("body", "")),
                                 link=link_for(u, event), created_at=now))
        inbox += 1
    units = {int(u) for u in payload.get("units") or []}
    user_ids = {u.id for u in users}
    subs = session.scalars(select(Subscription).join(NotifyChannel)
                           .where(NotifyChannel.active.is_(True)).order_by(Subscription.id))
    made = 0
    seen: set[str] = set()
    for sub in subs:
        if not matches(sub, event.kind, units, user_ids):
            continue
        key = delivery_key(event.key, sub.channel_id, sub.address)
        if key in seen or session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
            continue
        seen.add(key)
        held = quiet_until(now, sub.quiet_start, sub.quiet_end)
        session.add(Delivery(key=key, event_id=event.id, channel_id=sub.channel_id, address=sub.address,
                             state="held" if held else "pending", next_attempt_at=held or now, created_at=now))
        made += 1
    session.flush()
    return inbox, made
