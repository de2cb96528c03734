"""CSRF protection, bound to the session.

A token is a keyed digest of the session id (or, before login, of a random per-browser nonce kept in
the ``luoshi_anon`` cookie). Every HTML form carries it in a hidden ``csrf_token`` field; scripts that
use the cookie send it in the ``X-CSRF-Token`` header. Requests authenticated by a Bearer token carry
no ambient credentials and need none.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from luoshi.errors import PermissionDenied
from luoshi.web.auth import ANON_COOKIE
from luoshi.web.signing import mac

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfError(PermissionDenied):
    pass


def anon_nonce(request: Request) -> str:
    """The browser's pre-login nonce; a new one is remembered on request.state to be set as cookie."""
    nonce = request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(16)
        request.state.new_anon_nonce = nonce
    return nonce


def token_for(secret: bytes, sid: str | None, request: Request) -> str:
    if sid:
        return mac(secret, "csrf", "s", sid)
    return mac(secret, "csrf", "a", anon_nonce(request))


def verify(secret: bytes, sid: str | None, request: Request, given: str | None) -> None:
    if sid:
        expected = mac(secret, "csrf", "s", sid)
    else:
        nonce = request.cookies.get(ANON_COOKIE)
        if not nonce:
            raise CsrfError("缺少 CSRF 令牌（请刷新页面后重试）")
        expected = mac(secret, "csrf", "a", nonce)
    if not given or not hmac.compare_digest(expected, given):
        raise CsrfError("CSRF 令牌无效（请刷新页面后重试）")
