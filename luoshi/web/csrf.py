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


EXPIRED = "页面已过期，请重新提交"


class CsrfError(PermissionDenied):
    pass


class FormExpired(CsrfError):
    """A browser sent a form whose token no longer matches: the page was opened under a session
    that has since ended (timed out, logged out, logged in again elsewhere). It is not an attack to
    report but a page to show again: the error handler goes back to the form's page (``back``)
    with what was typed (``typed``) and says the page timed out."""

    def __init__(self, back: str | None, typed: dict[str, str]) -> None:
        super().__init__(EXPIRED if back else "页面已过期，请返回上一页刷新后重新提交")
        self.back = back
        self.typed = typed


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
            raise CsrfError("页面已过期，请刷新页面后重新提交")
        expected = mac(secret, "csrf", "a", nonce)
    if not given or not hmac.compare_digest(expected, given):
        raise CsrfError("页面已过期，请刷新页面后重新提交")
