"""Wire formats of the channels, as each service documents them; one ``send`` per message.

- ``email``: SMTP with STARTTLS (587), implicit TLS (465, ``ssl``) or none (a relay on the
  intranet), with login when a user name is set. The ``Message-ID`` is made from the delivery's
  idempotency key, so a mail system that deduplicates by it drops a repeat.
- ``wecom``: 企业微信 / 政务微信 group robot — POST ``{"msgtype": "text", "text": {"content": …}}`` to
  the robot's webhook URL (``…/cgi-bin/webhook/send?key=…``); 政务微信 is the same API on the
  government's own host, which is why the whole URL is configured, not only the key. Success is
  ``{"errcode": 0}``.
- ``dingtalk``: 钉钉 / 政务钉钉 custom robot — POST ``{"msgtype": "text", …}`` to
  ``…/robot/send?access_token=…``; with a signing secret (加签) the URL also carries ``timestamp``
  (milliseconds) and ``sign`` = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))).
  Success is ``{"errcode": 0}``.
- ``feishu`` / ``lark``: 飞书 / Lark custom bot — POST ``{"msg_type": "text", "content": {"text": …}}``;
  with a signing secret the body also carries ``timestamp`` (seconds) and ``sign`` =
  base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", message=b"")). Success is ``{"code": 0}``.
- ``webhook``: any JSON receiver (an SMS gateway, another system) — POST the event as JSON with an
  ``Idempotency-Key`` header, and with a secret an ``X-Luoshi-Signature: sha256=<hex HMAC of the
  body>`` header. Any 2xx is success.

Robots accept plain text everywhere, so one text per message serves them all. Errors come back as
:class:`SendError` with a message fit for the administrator; a secret never appears in it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx

from luoshi.ledger.notify_models import CHANNEL_KINDS

TIMEOUT = 15.0  # seconds per request / SMTP conversation step
ROBOT_KINDS = ("wecom", "dingtalk", "feishu", "lark")
# error codes of the robot services that mean "not now" (rate limits, busy); any other refusal (a
# wrong key or signature, a bad message) will not heal by itself and fails at once, visibly
TEMPORARY_CODES = {-1, 45009, 45033, 130101, 11232, 9499}
SECURITY = ("starttls", "ssl", "none")


class SendError(Exception):
    """A message that did not go through; ``permanent`` errors are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key of the delivery
    kind: str  # event kind
    title: str
    body: str
    link: str | None
    address: str | None  # e-mail recipient (email channels)
    data: dict[str, Any]

    def text(self) -> str:
        tail = f"\n{self.link}" if self.link else ""
        return f"【落实】{self.title}\n{self.body}{tail}"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: urlencoded base64 HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """飞书/Lark 签名校验: base64 HMAC-SHA256 of an empty message keyed by ``"{timestamp}\\n{secret}"``."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _safe_url(url: str) -> str:
    """The URL without its query (where robots keep their token): for messages and listings."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def describe(kind: str, settings: dict[str, Any], secrets: dict[str, Any]) -> str:
    """Where a channel sends, without anything secret (for ``notify channel list`` and the admin page)."""
    if kind == "email":
        login = f"，用户 {settings['username']}" if settings.get("username") else ""
        return f"smtp://{settings.get('host')}:{settings.get('port')}（{settings.get('security')}{login}）"
    url = str(secrets.get("url") or "")
    signed = "，加签" if secrets.get("sign_secret") else ""
    return f"{_safe_url(url)}{signed}"


def http_request(kind: str, secrets: dict[str, Any], msg: Message, now: float | None = None
                 ) -> tuple[str, bytes, dict[str, str]]:
    """(url, body, headers) of the robot or webhook POST for ``msg``."""
    url = str(secrets.get("url") or "")
    secret = secrets.get("sign_secret")
    now = time.time() if now is None else now
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": msg.key}
    body: dict[str, Any]
    if kind == "wecom":
        body = {"msgtype": "text", "text": {"content": msg.text()}}
    elif kind == "dingtalk":
        body = {"msgtype": "text", "text": {"content": msg.text()}}
        if secret:
            ts = int(now * 1000)
            sep = "&" if urllib.parse.urlsplit(url).query else "?"
            url = f"{url}{sep}timestamp={ts}&sign={dingtalk_sign(str(secret), ts)}"
    elif kind in ("feishu", "lark"):
        body = {"msg_type": "text", "content": {"text": msg.text()}}
        if secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(str(secret), ts), **body}
    elif kind == "webhook":
        body = {"key": msg.key, "event": msg.kind, "title": msg.title, "body": msg.body, "link": msg.link,
                "text": msg.text(), "data": msg.data}
    else:
        raise SendError(f"未知渠道类型 {kind}", permanent=True)
    raw = json.dumps(body, ensure_ascii=False).encode()
    if kind == "webhook" and secret:
        headers["X-Luoshi-Signature"] = webhook_signature(str(secret), raw)
    return url, raw, headers


def _check_reply(kind: str, response: httpx.Response, where: str) -> None:
    if not response.is_success:
        permanent = response.status_code in (400, 401, 403, 404, 410)
        raise SendError(f"{where} 返回 HTTP {response.status_code}", permanent=permanent)
    if kind == "webhook":
        return
    try:
        reply = response.json()
    except ValueError:
        raise SendError(f"{where} 的回复不是 JSON") from None
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0))) if isinstance(reply, dict) else 0
    if code not in (0, "0", None):
        msg = reply.get("errmsg") or reply.get("msg") or reply.get("StatusMessage") or ""
        raise SendError(f"{where} 拒收（错误码 {code}：{msg}）", permanent=_int(code) not in TEMPORARY_CODES)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def send_http(kind: str, secrets: dict[str, Any], msg: Message, client: httpx.Client | None = None) -> None:
    url, raw, headers = http_request(kind, secrets, msg)
    if not url.startswith(("http://", "https://")):
        raise SendError("渠道地址应以 http:// 或 https:// 开头", permanent=True)
    where = _safe_url(url)
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, trust_env=False)
    try:
        response = client.post(url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        raise SendError(f"{where} 连接失败：{type(exc).__name__}") from None
    finally:
        if own:
            client.close()
    _check_reply(kind, response, where)


def email_message(settings: dict[str, Any], msg: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"【落实】{msg.title}"
    mail["From"] = str(settings.get("sender") or settings.get("username") or "luoshi@localhost")
    mail["To"] = str(msg.address)
    mail["Date"] = formatdate(localtime=False)
    domain = str(mail["From"]).rpartition("@")[2].strip("> ") or "luoshi.local"
    mail["Message-ID"] = f"<{msg.key}@{domain}>"
    mail.set_content(msg.body + (f"\n\n{msg.link}" if msg.link else "") + "\n\n—— 落实 任务台账（系统邮件，请勿直接回复）")
    return mail


def send_email(settings: dict[str, Any], secrets: dict[str, Any], msg: Message) -> None:
    if not msg.address:
        raise SendError("订阅没有填写收件邮箱", permanent=True)
    host, port = str(settings.get("host") or ""), int(settings.get("port") or 25)
    security = settings.get("security", "starttls")
    where = f"smtp://{host}:{port}"
    context = ssl.create_default_context(cafile=settings.get("cafile") or None)
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if settings.get("username"):
                smtp.login(str(settings["username"]), str(secrets.get("password") or ""))
            smtp.send_message(email_message(settings, msg))
    except smtplib.SMTPAuthenticationError:
        raise SendError(f"{where} 登录失败（用户名或密码不对）", permanent=True) from None
    except smtplib.SMTPRecipientsRefused:
        raise SendError(f"{where} 拒收收件人 {msg.address}", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{where} 发送失败：{type(exc).__name__} {_smtp_reason(exc)}".rstrip()) from None


def _smtp_reason(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"（{code}）" if code else ""


def send(kind: str, settings: dict[str, Any], secrets: dict[str, Any], msg: Message,
         client: httpx.Client | None = None) -> None:
    """Deliver ``msg`` on a channel of ``kind``; raises :class:`SendError`."""
    if kind not in CHANNEL_KINDS:
        raise SendError(f"未知渠道类型 {kind}", permanent=True)
    if kind == "email":
        send_email(settings, secrets, msg)
    else:
        send_http(kind, secrets, msg, client)
