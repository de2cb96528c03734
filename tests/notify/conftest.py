"""Fixtures for the notification tests: real receivers on loopback, nothing leaves the machine.

- ``receiver``: an HTTP server on 127.0.0.1 that answers like each robot service and checks what it
  gets the way the service would — the 钉钉 ``timestamp``/``sign`` query (HMAC-SHA256 of
  ``"{timestamp}\\n{secret}"``, base64, urlencoded, within an hour), the 飞书/Lark body signature,
  each service's message layout, the webhook's ``X-Luoshi-Signature`` — recomputed here
  independently of the code under test. Wrong signatures get the service's own refusal.
- ``smtp``: an aiosmtpd server with STARTTLS (required) and AUTH LOGIN/PLAIN on a self-signed
  certificate made with openssl; ``smtps`` the same with implicit TLS.
- The web tests' small ledger (two units, three commitments, one account per role).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import (  # noqa: F401  (fixtures shared with the web tests)
    PASSWORD,
    Ledger,
    app,
    as_user,
    fast_password_hashing,
    ledger,
    login,
)

DING_SECRET = "SEC0123456789abcdef-ding"
FEISHU_SECRET = "feishu-signing-secret"
HOOK_SECRET = "webhook-hmac-secret"
SMTP_USER, SMTP_PASSWORD = "robot@gov.test", "smtp-pass-123"


@dataclass
class Got:
    channel: str
    key: str | None
    text: str
    body: dict[str, Any]
    ok: bool
    error: str = ""


@dataclass
class Receiver:
    url: str
    got: list[Got] = field(default_factory=list)
    fail_next: int = 0  # answer HTTP 500 to this many requests first
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self, channel: str | None = None) -> list[Got]:
        with self.lock:
            return [g for g in self.got if g.ok and (channel is None or g.channel == channel)]

    def refused(self) -> list[Got]:
        with self.lock:
            return [g for g in self.got if not g.ok]


def _ding_ok(query: dict[str, list[str]]) -> str:
    ts, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > 3600_000:
        return "timestamp out of range"
    want = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest())
    return "" if sign == want.decode() else "sign not match"  # parse_qs has url-decoded it once


def _feishu_ok(body: dict[str, Any]) -> str:
    ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not ts.isdigit() or abs(time.time() - int(ts)) > 3600:
        return "timestamp is not within one hour from current time"
    want = base64.b64encode(hmac.new(f"{ts}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
    return "" if sign == want else "sign match fail"


def _check(channel: str, query: dict[str, list[str]], headers: Any, raw: bytes, body: dict[str, Any]) -> tuple[str, str]:
    """(text, error) of one robot request as the service would judge it."""
    if channel == "wecom":
        if query.get("key") != ["wecom-key"]:
            return "", "invalid webhook url"
        if body.get("msgtype") != "text" or not isinstance(body.get("text"), dict):
            return "", "invalid msgtype"
        return str(body["text"].get("content", "")), ""
    if channel in ("dingtalk", "dingtalk-nosign"):
        if query.get("access_token") != ["ding-token"]:
            return "", "token is not exist"
        if channel == "dingtalk":
            err = _ding_ok(query)
            if err:
                return "", err
        if body.get("msgtype") != "text":
            return "", "param error"
        return str(body["text"].get("content", "")), ""
    if channel in ("feishu", "lark"):
        err = _feishu_ok(body)
        if err:
            return "", err
        if body.get("msg_type") != "text":
            return "", "params error, msg_type need"
        return str(body["content"].get("text", "")), ""
    if channel == "webhook":
        want = "sha256=" + hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        if headers.get("X-Luoshi-Signature") != want:
            return "", "bad signature"
        if not body.get("key") or body.get("key") != headers.get("Idempotency-Key"):
            return "", "no idempotency key"
        return str(body.get("text", "")), ""
    return "", "unknown path"


def _reply(channel: str, error: str) -> dict[str, Any]:
    if channel in ("feishu", "lark"):
        return {"code": 19021 if error else 0, "msg": error or "success", "data": {}}
    if channel == "webhook":
        return {"ok": not error, "error": error}
    return {"errcode": 310000 if error else 0, "errmsg": error or "ok"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            rec = state["r"]
            parts = urllib.parse.urlsplit(self.path)
            channel = parts.path.strip("/").split("/")[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with rec.lock:
                failing = rec.fail_next > 0
                if failing:
                    rec.fail_next -= 1
            if failing:
                self.send_response(500)
                self.end_headers()
                return
            body = json.loads(raw.decode("utf-8"))
            text, error = _check(channel, urllib.parse.parse_qs(parts.query), self.headers, raw, body)
            with rec.lock:
                rec.got.append(Got(channel, self.headers.get("Idempotency-Key"), text, body, not error, error))
            if rec.delay:
                time.sleep(rec.delay)
            out = json.dumps(_reply(channel, error)).encode()
            self.send_response(200 if channel != "webhook" or not error else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()


# SMTP ------------------------------------------------------------------------------------------
@dataclass
class Mail:
    to: list[str]
    subject: str
    message_id: str
    body: str
    user: str | None


@dataclass
class MailBox:
    port: int
    cert: Path
    mails: list[Mail] = field(default_factory=list)


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("tls")
    crt, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    return crt, key


def _smtp(cert: tuple[Path, Path], implicit: bool) -> Iterator[MailBox]:
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    box = MailBox(port=_free_port(), cert=cert[0])

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            msg = message_from_bytes(envelope.original_content or envelope.content)
            part = msg.get_payload(decode=True) if not msg.is_multipart() else msg.get_payload(0).get_payload(decode=True)
            box.mails.append(Mail(list(envelope.rcpt_tos), str(make_header(decode_header(msg["Subject"]))),
                                  "".join(str(msg["Message-ID"]).split()), part.decode("utf-8"),
                                  getattr(session, "auth_data", None) and SMTP_USER))
            return "250 OK"

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = data.login.decode() == SMTP_USER and data.password.decode() == SMTP_PASSWORD
        return AuthResult(success=ok, handled=False)

    kwargs: dict[str, Any] = {"authenticator": auth, "auth_require_tls": True}
    if implicit:  # the whole connection is TLS; aiosmtpd only tracks STARTTLS for auth_require_tls
        kwargs.update(ssl_context=ctx, auth_require_tls=False)
    else:
        kwargs.update(tls_context=ctx, require_starttls=True)
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port, **kwargs)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def smtp(cert: tuple[Path, Path]) -> Iterator[MailBox]:
    yield from _smtp(cert, implicit=False)


@pytest.fixture
def smtps(cert: tuple[Path, Path]) -> Iterator[MailBox]:
    yield from _smtp(cert, implicit=True)
