"""Who is asking: session cookies, API tokens, roles.

Sessions are signed cookies (``luoshi.web.signing``) that expire after ``Settings.session_hours``
and carry a fingerprint of the user's password hash, so changing a password or disabling the account
ends every session at once. API tokens (``Authorization: Bearer lst_<id>_<secret>``) are random; only
their SHA-256 is stored (``User.api_token_hash``). Roles: admin (督查室), liaison (one unit), leader,
and anonymous visitors, who act as ``public``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import LuoshiError
from luoshi.ledger.models import User
from luoshi.web.config import Settings
from luoshi.web.signing import BadToken, mac, sign, unsign

SESSION_COOKIE = "luoshi_session"
ANON_COOKIE = "luoshi_anon"
ROLE_LABELS = {"admin": "督查室", "liaison": "单位联络员", "leader": "领导", "public": "公众"}


class Unauthenticated(LuoshiError):
    """No valid session or token (or it expired)."""

    http_status = 401


class TooManyAttempts(LuoshiError):
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the views see it (detached from the DB session)."""

    id: int | None
    username: str
    display_name: str
    role: str
    unit_id: int | None
    via: str  # "session" | "token" | "anonymous"
    sid: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.id is None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


ANONYMOUS = Principal(None, "public", "公众", "public", None, "anonymous")


def fingerprint(settings: Settings, user: User) -> str:
    return mac(settings.secret_key, "fp", str(user.id), user.password_hash or "", str(user.active))


def principal_of(user: User, via: str, sid: str | None = None) -> Principal:
    return Principal(user.id, user.username, user.display_name, user.role, user.unit_id, via, sid)


def issue_session(settings: Settings, user: User) -> tuple[str, str]:
    """A new session cookie value and its session id (a fresh id at every login)."""
    sid = secrets.token_urlsafe(16)
    token = sign(settings.secret_key, "session", {"u": user.id, "s": sid, "f": fingerprint(settings, user)},
                 ttl=settings.session_hours * 3600)
    return token, sid


def set_session_cookie(response: Response, request: Request, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def new_api_token(user_id: int) -> tuple[str, str]:
    """(token shown once to the user, hash to store)."""
    token = f"lst_{user_id}_{secrets.token_urlsafe(32)}"
    return token, hash_api_token(token)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_payload(settings: Settings, request: Request) -> dict | None:
    """The verified session cookie payload, None when there is no cookie, BadToken when invalid."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    return unsign(settings.secret_key, "session", raw)


def authenticate(settings: Settings, db: Session, request: Request) -> Principal:
    """Resolve the caller. Bad or expired credentials raise ``Unauthenticated``; none → ANONYMOUS."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.startswith("lst_"):
            raise Unauthenticated("无效的 API 令牌")
        try:
            uid = int(token.split("_", 2)[1])
        except (IndexError, ValueError) as exc:
            raise Unauthenticated("无效的 API 令牌") from exc
        user = db.get(User, uid)
        if (user is None or not user.active or not user.api_token_hash
                or not hmac.compare_digest(user.api_token_hash, hash_api_token(token.strip()))):
            raise Unauthenticated("无效的 API 令牌")
        return principal_of(user, "token")
    try:
        payload = session_payload(settings, request)
    except BadToken as exc:
        raise Unauthenticated("登录已过期，请重新登录") from exc
    if payload is None:
        return ANONYMOUS
    user = db.get(User, payload.get("u"))
    if user is None or not user.active or not hmac.compare_digest(payload.get("f", ""), fingerprint(settings, user)):
        raise Unauthenticated("登录已失效，请重新登录")
    return principal_of(user, "session", payload.get("s"))


def find_user(db: Session, username: str) -> User | None:
    """The account named ``username``; a name no account can have (NUL, over-long) is simply unknown."""
    name = username.strip()
    if not name or "\x00" in name or len(name) > (User.__table__.c.username.type.length or len(name)):
        return None
    return db.scalar(select(User).where(User.username == name))
