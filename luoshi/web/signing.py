"""Signed, expiring tokens (HMAC-SHA256) for session cookies, API tokens and CSRF tokens.

A token is ``base64url(json payload) "." base64url(hmac)``. The payload carries its own expiry
and a purpose, so a CSRF token can never be replayed as a session and vice versa. Nothing here
touches the database: whether a signed session is still alive (not logged out, password unchanged,
account active) is decided by the caller (``luoshi.web.auth``), since a signature alone cannot be
revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time


class BadToken(Exception):
    """The token is malformed, forged, expired or meant for something else."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, purpose: str, payload: dict, *, ttl: float | None) -> str:
    body = dict(payload, p=purpose)
    if ttl is not None:
        body["exp"] = int(time.time() + ttl)
    raw = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret, f"{purpose}|{raw}".encode(), hashlib.sha256).digest()
    return f"{raw}.{_b64(mac)}"


def unsign(secret: bytes, purpose: str, token: str, *, now: float | None = None) -> dict:
    raw, dot, mac = token.partition(".")
    if not dot or not raw or not mac:
        raise BadToken("malformed")
    expected = hmac.new(secret, f"{purpose}|{raw}".encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        body = json.loads(_unb64(raw))
    except (ValueError, json.JSONDecodeError) as exc:
        raise BadToken("malformed") from exc
    if not hmac.compare_digest(expected, given):
        raise BadToken("bad signature")
    if not isinstance(body, dict) or body.get("p") != purpose:
        raise BadToken("wrong purpose")
    exp = body.get("exp")
    if exp is not None and (now if now is not None else time.time()) >= exp:
        raise BadToken("expired")
    return body


def mac(secret: bytes, *parts: str) -> str:
    """A short keyed digest of ``parts`` (used for CSRF tokens and fingerprints)."""
    msg = "\x1f".join(parts).encode()
    return _b64(hmac.new(secret, msg, hashlib.sha256).digest()[:24])
