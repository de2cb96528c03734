"""Who is asking: session cookies, API tokens, roles.

A session is a signed cookie (``luoshi.web.signing``) carrying the user id, a random session id and
a fingerprint of the user's password hash, honoured only while the session's row in
``user_sessions`` exists and has not expired (``Settings.session_hours``). Logging out deletes the
row; changing the password or disabling the account deletes all of the user's rows (and changes the
fingerprint). A row per session rather than a per-user counter, so that logging out in one browser
leaves the user's other browsers signed in; checking it costs nothing extra, since the same single
query that loads the user joins the row.

API tokens (``Authorization: Bearer lst_<id>_<secret>``) are random; only their SHA-256 is stored
(``User.api_token_hash``), with an expiry (``User.api_token_expires_at``). A token that is not of
that shape, names no possible user id or has expired is invalid like a wrong one. Roles: admin
(督查室), liaison (one unit), leader, and anonymous visitors, who act as ``public``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import inspect
import re
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from luoshi.errors import LuoshiError
from luoshi.ledger import policy
from luoshi.ledger.models import User, UserSession, utcnow
from luoshi.ledger.policy import ADMIN, LEADER, LIAISON, PUBLIC
from luoshi.ledger.vocabulary import USER_ROLES
from luoshi.web.config import Settings
from luoshi.web.signing import BadToken, mac, sign, unsign

SESSION_COOKIE = "luoshi_session"
ANON_COOKIE = "luoshi_anon"
ROLE_LABELS = USER_ROLES  # the ledger's words for the roles
assert set(ROLE_LABELS) == {ADMIN, LIAISON, LEADER, PUBLIC}
TOKEN_DAYS = 90  # default lifetime of an API token
MAX_TOKEN_DAYS = 3650
# ``lst_<user id>_<secret>``: ids are positive 32-bit integers on both engines
_TOKEN = re.compile(r"lst_([1-9][0-9]{0,9})_[A-Za-z0-9_-]{1,100}")
_MAX_ID = 2**31 - 1
BAD_TOKEN = "无效的 API 令牌"


class Unauthenticated(LuoshiError):
    """No valid session or token (or it expired)."""

    http_status = 401


class PasswordChangeRequired(LuoshiError):
    """The account still has the one-time password the office gave it: only changing it is allowed."""

    http_status = 403


PASSWORD_PAGE = "/account/password"


class TooManyAttempts(LuoshiError):
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the views see it (detached from the DB session).

    It meets ``luoshi.ledger.policy.Actor``, so the views ask the ledger's rules about it directly.
    """

    id: int | None
    username: str
    display_name: str
    role: str
    unit_id: int | None
    via: str  # "session" | "token" | "anonymous"
    sid: str | None = None
    must_change_password: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.id is None

    @property
    def active(self) -> bool:
        """Authentication admits active accounts only, so every signed-in principal is active
        (what ``luoshi.ledger.policy.Actor`` asks); the anonymous visitor has no account."""
        return not self.is_anonymous

    def can(self, rule: str) -> bool:
        """Whether ``luoshi.ledger.policy``'s predicate ``rule`` (e.g. ``"is_overseer"``) allows this
        principal: how templates ask, including the cross-year pages that share ``base.html``."""
        predicate = getattr(policy, rule, None)
        if rule.startswith("_") or not inspect.isfunction(predicate) or predicate.__module__ != policy.__name__:
            raise ValueError(f"no such policy rule: {rule}")
        return bool(predicate(self))

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


ANONYMOUS = Principal(None, "public", "公众", PUBLIC, None, "anonymous")


def fingerprint(settings: Settings, user: User) -> str:
    return mac(settings.secret_key, "fp", str(user.id), user.password_hash or "", str(user.active))


def principal_of(user: User, via: str, sid: str | None = None) -> Principal:
    return Principal(user.id, user.username, user.display_name, user.role, user.unit_id, via, sid,
                     bool(user.must_change_password))


def session_key(sid: str) -> str:
    """What ``user_sessions`` stores of a session id: its SHA-256, never the id itself."""
    return hashlib.sha256(sid.encode()).hexdigest()


def issue_session(settings: Settings, db: Session, user: User) -> tuple[str, str]:
    """A new session (a fresh id at every login): its cookie value and id. The caller commits.

    The user's sessions that have expired are deleted on the way, so the table holds about one
    row per signed-in browser.
    """
    now = utcnow()
    sid = secrets.token_urlsafe(16)
    db.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    db.add(UserSession(id=session_key(sid), user_id=user.id, created_at=now,
                       expires_at=now + dt.timedelta(hours=settings.session_hours)))
    db.flush()
    token = sign(settings.secret_key, "session", {"u": user.id, "s": sid, "f": fingerprint(settings, user)},
                 ttl=settings.session_hours * 3600)
    return token, sid


def end_session(db: Session, sid: str | None) -> None:
    """Log one session out on the server (its cookie is refused from now on). The caller commits."""
    if sid:
        db.execute(delete(UserSession).where(UserSession.id == session_key(sid)))


def end_all_sessions(db: Session, user_id: int) -> None:
    """End every session of a user (password changed, account disabled). The caller commits."""
    db.execute(delete(UserSession).where(UserSession.user_id == user_id))


def set_session_cookie(response: Response, request: Request, token: str, settings: Settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def token_user_id(token: str) -> int | None:
    """The user id an API token names, or None when the token is not of the form tokens have."""
    m = _TOKEN.fullmatch(token)
    if m is None or int(m.group(1)) > _MAX_ID:
        return None
    return int(m.group(1))


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
        return _token_principal(db, header)
    try:
        payload = session_payload(settings, request)
    except BadToken as exc:
        raise Unauthenticated("登录已过期，请重新登录") from exc
    if payload is None:
        return ANONYMOUS
    uid, sid, fp = payload.get("u"), payload.get("s"), payload.get("f")
    if not isinstance(uid, int) or not isinstance(sid, str) or not isinstance(fp, str):
        raise Unauthenticated("登录已失效，请重新登录")
    user = db.scalar(select(User).join(UserSession, UserSession.user_id == User.id)
                     .where(UserSession.id == session_key(sid), User.id == uid, UserSession.expires_at > utcnow()))
    if user is None or not user.active or not hmac.compare_digest(fp, fingerprint(settings, user)):
        raise Unauthenticated("登录已失效，请重新登录")
    return principal_of(user, "session", sid)


def _token_principal(db: Session, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    uid = token_user_id(token) if scheme.lower() == "bearer" else None
    user = db.get(User, uid) if uid is not None else None
    if (user is None or not user.active or not user.api_token_hash
            or not hmac.compare_digest(user.api_token_hash, hash_api_token(token))):
        raise Unauthenticated(BAD_TOKEN)
    if user.api_token_expires_at is None or user.api_token_expires_at <= utcnow():
        raise Unauthenticated("API 令牌已过期，请重新生成（luoshi user token）")
    return principal_of(user, "token")


def find_user(db: Session, username: str) -> User | None:
    """The account named ``username``; a name no account can have (NUL, over-long) is simply unknown."""
    name = username.strip()
    if not name or "\x00" in name or len(name) > (User.__table__.c.username.type.length or len(name)):
        return None
    return db.scalar(select(User).where(User.username == name))
