"""Channels, subscriptions, the administrator's actions on deliveries, and the inbox — the rules the
CLI and the web pages share.

Secrets (SMTP password, a robot's webhook URL — its token is in it —, a signing secret) are stored
in the channel's ``secrets`` column: out of the audit trail (``__audit_exclude__``), never printed
(:func:`channel_dict` shows a URL without its query), and in a database that is owner-only on
disk (SQLite file 0600; PostgreSQL behind its own access rules). The CLI reads them from a file or
a hidden prompt, never from the command line, so they stay out of shell history and ``ps``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from luoshi.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from luoshi.ledger.models import Unit, User, utcnow
from luoshi.ledger.notify_models import (
    CHANNEL_KINDS,
    Delivery,
    InboxMessage,
    NotifyChannel,
    OutboxEvent,
    Subscription,
)
from luoshi.ledger.outbox import KINDS
from luoshi.notify import channels

NAME = re.compile(r"^[\w\-.]{1,50}$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
KIND_LABELS = {"email": "电子邮件", "wecom": "企业微信/政务微信群机器人", "dingtalk": "钉钉群机器人",
               "feishu": "飞书群机器人", "lark": "Lark 群机器人", "webhook": "通用 JSON Webhook"}
STATE_LABELS = {"pending": "待发送", "held": "免打扰暂存", "sending": "发送中", "sent": "已送达",
                "failed": "发送失败", "uncertain": "待核实"}


def add_channel(session: Session, name: str, kind: str, *, url: str | None = None,
                sign_secret: str | None = None, host: str | None = None, port: int | None = None,
                security: str = "starttls", username: str | None = None, password: str | None = None,
                sender: str | None = None, cafile: str | None = None) -> NotifyChannel:
    name = (name or "").strip()
    if not NAME.match(name):
        raise ValidationError("渠道名称只能用字母、数字、汉字、-、_、.，不超过 50 个字符")
    if kind not in CHANNEL_KINDS:
        raise ValidationError(f"渠道类型应为 {'/'.join(CHANNEL_KINDS)}，而不是 {kind!r}")
    if session.scalar(select(NotifyChannel.id).where(NotifyChannel.name == name)) is not None:
        raise ConflictError(f"渠道 {name} 已存在")
    settings: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    if kind == "email":
        if not host:
            raise ValidationError("邮件渠道须指定 SMTP 服务器（--smtp-host）")
        if security not in channels.SECURITY:
            raise ValidationError(f"加密方式应为 {'/'.join(channels.SECURITY)}，而不是 {security!r}")
        if sender and not EMAIL.match(sender):
            raise ValidationError(f"发件人地址无效：{sender!r}")
        if username and not password:
            raise ValidationError("指定了 SMTP 用户名就必须提供密码（--secret-file 或交互输入）")
        settings = {"host": host.strip(), "port": port or (465 if security == "ssl" else 587 if security == "starttls"
                                                           else 25),
                    "security": security, "username": username or None, "sender": sender or username,
                    "cafile": cafile or None}
        secrets = {"password": password} if password else {}
    else:
        if not url or not url.strip().startswith(("http://", "https://")):
            raise ValidationError("机器人/Webhook 渠道须给出以 http:// 或 https:// 开头的完整地址")
        secrets = {"url": url.strip()}
        if sign_secret:
            secrets["sign_secret"] = sign_secret.strip()
    ch = NotifyChannel(name=name, kind=kind, settings=settings, secrets=secrets, active=True)
    session.add(ch)
    session.flush()
    return ch


def get_channel(session: Session, name: str) -> NotifyChannel:
    ch = session.scalar(select(NotifyChannel).where(NotifyChannel.name == name))
    if ch is None:
        raise NotFoundError(f"没有名为 {name} 的通知渠道（luoshi notify channel list 查看）")
    return ch


def set_active(session: Session, name: str, active: bool) -> NotifyChannel:
    ch = get_channel(session, name)
    ch.active = active
    session.flush()
    return ch


def remove_channel(session: Session, name: str) -> None:
    ch = get_channel(session, name)
    waiting = session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.channel_id == ch.id, Delivery.state.in_(("pending", "held", "sending"))))
    if waiting:
        raise ConflictError(f"渠道 {name} 还有 {waiting} 条消息待发送；请先停用（disable）或等待发送完毕")
    for sub in session.scalars(select(Subscription).where(Subscription.channel_id == ch.id)):
        session.delete(sub)
    session.delete(ch)  # its past deliveries go with it (ON DELETE CASCADE); disable keeps them
    session.flush()


def channel_dict(ch: NotifyChannel) -> dict[str, Any]:
    return {"name": ch.name, "kind": ch.kind, "kind_label": KIND_LABELS.get(ch.kind, ch.kind),
            "target": channels.describe(ch.kind, ch.settings or {}, ch.secrets or {}), "active": ch.active}


def channels_list(session: Session) -> list[NotifyChannel]:
    return list(session.scalars(select(NotifyChannel).order_by(NotifyChannel.name)))


def parse_events(value: str | None) -> list[str]:
    names = [e.strip() for e in (value or "").replace("，", ",").split(",") if e.strip()]
    unknown = [e for e in names if e not in KINDS]
    if unknown:
        raise ValidationError(f"未知事件 {'、'.join(unknown)}；可选：{', '.join(KINDS)}")
    return sorted(set(names), key=list(KINDS).index)


def parse_quiet(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    start, sep, end = value.replace("～", "-").replace("–", "-").partition("-")
    start, end = start.strip(), end.strip()
    if not sep or not HHMM.match(start) or not HHMM.match(end) or start == end:
        raise ValidationError(f"免打扰时段应写作 22:00-07:00（北京时间），而不是 {value!r}")
    return start, end


def subscribe(session: Session, channel: str, *, unit: Unit | None = None, user: User | None = None,
              events: list[str] | None = None, address: str | None = None,
              quiet: str | None = None) -> Subscription:
    """Subscribe ``channel`` to events of a unit, of a user, or (neither) to every event."""
    ch = get_channel(session, channel)
    if unit is not None and user is not None:
        raise ValidationError("订阅只能针对一个单位或一个用户（或不指定：全部事件）")
    address = (address or "").strip() or None
    if ch.kind == "email":
        if address is None or not EMAIL.match(address):
            raise ValidationError("邮件渠道的订阅须填写有效的收件邮箱（--address）")
    elif address is not None:
        raise ValidationError("只有邮件渠道的订阅需要收件邮箱")
    start, end = parse_quiet(quiet)
    sub = Subscription(channel_id=ch.id, channel=ch, unit_id=unit.id if unit else None,
                       user_id=user.id if user else None, events=events or [], address=address,
                       quiet_start=start, quiet_end=end)
    session.add(sub)
    session.flush()
    return sub


def unsubscribe(session: Session, sub_id: int) -> None:
    sub = session.get(Subscription, sub_id)
    if sub is None:
        raise NotFoundError(f"没有编号为 {sub_id} 的订阅（luoshi notify subscriptions 查看）")
    session.delete(sub)
    session.flush()


def subscriptions(session: Session) -> list[Subscription]:
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def subscription_dict(sub: Subscription) -> dict[str, Any]:
    who = (f"单位 {sub.unit.name}" if sub.unit is not None else f"用户 {sub.user.username}" if sub.user is not None
           else "全部")
    return {"id": sub.id, "channel": sub.channel.name, "for": who, "events": sub.events or [],
            "address": sub.address,
            "quiet": f"{sub.quiet_start}-{sub.quiet_end}" if sub.quiet_start else None}


def _delivery(session: Session, delivery_id: int) -> Delivery:
    d = session.get(Delivery, delivery_id)
    if d is None:
        raise NotFoundError(f"没有编号为 {delivery_id} 的消息")
    return d


def retry(session: Session, delivery_id: int) -> Delivery:
    """Send a failed or uncertain message again (the administrator's decision: it may arrive twice)."""
    d = _delivery(session, delivery_id)
    if d.state not in ("failed", "uncertain"):
        raise ConflictError(f"消息 {d.id} 状态为“{STATE_LABELS.get(d.state, d.state)}”，只能重发失败或待核实的消息")
    d.state, d.next_attempt_at, d.attempts = "pending", d.created_at, 0  # due at once
    session.flush()
    return d


def confirm(session: Session, delivery_id: int) -> Delivery:
    """Record that an uncertain message did arrive (the administrator saw it in the group/mailbox)."""
    d = _delivery(session, delivery_id)
    if d.state != "uncertain":
        raise ConflictError(f"消息 {d.id} 状态为“{STATE_LABELS.get(d.state, d.state)}”，只能确认待核实的消息")
    d.state, d.sent_at, d.last_error = "sent", utcnow(), None
    session.flush()
    return d


def delivery_dict(d: Delivery) -> dict[str, Any]:
    return {"id": d.id, "channel": d.channel.name, "address": d.address, "event": d.event.kind,
            "title": d.event.payload.get("title"), "state": d.state,
            "state_label": STATE_LABELS.get(d.state, d.state), "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
            "error": d.last_error}


# the in-app inbox -----------------------------------------------------------------------------
def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))) or 0


def inbox(session: Session, user_id: int, *, limit: int = 100, offset: int = 0) -> list[InboxMessage]:
    q = (select(InboxMessage).where(InboxMessage.user_id == user_id)
         .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc()).limit(limit).offset(offset))
    return list(session.scalars(q))


def mark_read(session: Session, user_id: int, message_id: int | None = None, *,
              now: dt.datetime | None = None) -> int:
    """Mark one message (or, with no id, all) of ``user_id`` read; returns how many changed."""
    q = update(InboxMessage).where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    if message_id is not None:
        m = session.get(InboxMessage, message_id)
        if m is None:
            raise NotFoundError("消息不存在")
        if m.user_id != user_id:
            raise PermissionDenied("不能操作别人的消息")
        q = q.where(InboxMessage.id == message_id)
    res = session.execute(q.values(read_at=now or utcnow()))
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def pending_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.routed_at.is_(None))) or 0
