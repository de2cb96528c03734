"""User accounts: create, change password, disable, issue an API token.

Changing a password or disabling an account ends all of the user's sessions and withdraws the
API token, so whoever held the old password or token is out at once. Writes happen in a :class:`~luoshi.ledger.db.LedgerSession`, so the audit hook records them like
any other ledger change (actor = whoever runs the command or the logged-in admin). Callers commit.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, NotFoundError, ValidationError
from luoshi.ledger import policy
from luoshi.ledger.limits import clean, fit
from luoshi.ledger.models import Government, Unit, User, utcnow
from luoshi.ledger.services.units import resolve
from luoshi.web.auth import MAX_TOKEN_DAYS, TOKEN_DAYS, end_all_sessions, new_api_token
from luoshi.web.passwords import hash_password

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,49}$")


def get_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFoundError(f"用户“{username}”不存在")
    return user


def find_unit_any(db: Session, name: str) -> Unit:
    """A unit by name, short name or alias in any government's directory (must be unambiguous)."""
    found: list[Unit] = []
    for gov_id in db.scalars(select(Government.id)):
        try:
            found.append(resolve(db, gov_id, name))
        except NotFoundError:
            continue
    if not found:
        raise NotFoundError(f"未知单位“{name}”（先导入报告或单位名录）")
    if len(found) > 1:
        raise ValidationError(f"单位“{name}”在多个政府的名录中出现，请用全称")
    return found[0]


def add_user(db: Session, username: str, role: str, password: str, *, unit: str | None = None,
             display_name: str | None = None) -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise ValidationError("用户名应为 2–50 个字母、数字、下划线、点或连字符，以字母或数字开头")
    if role not in policy.LOGIN_ROLES:
        raise ValidationError(f"角色应为 {'、'.join(policy.LOGIN_ROLES)} 之一，而不是 {role!r}")
    if policy.speaks_for_unit(role) and not unit:
        raise ValidationError("单位联络员必须指定所属单位", hints={CLI: "（--unit）", WEB: "（请选择所属单位）"})
    if db.scalar(select(User.id).where(User.username == username)):
        raise ConflictError(f"用户名“{username}”已存在")
    unit_row = find_unit_any(db, unit) if unit else None
    # no bidi controls in a name shown on pages; a default one made from a long unit name is cut to fit
    display_name = clean("user.display_name", display_name) or fit(
        "user.display_name", unit_row.name + "联络员" if unit_row and policy.speaks_for_unit(role) else username)
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), role=role,
                unit_id=unit_row.id if unit_row else None, active=True)
    db.add(user)
    db.flush()
    return user


def set_password(db: Session, username: str, password: str) -> User:
    user = get_user(db, username)
    user.password_hash = hash_password(password)
    _withdraw_credentials(db, user)
    return user


def disable(db: Session, username: str) -> User:
    user = get_user(db, username)
    user.active = False
    _withdraw_credentials(db, user)
    return user


def _withdraw_credentials(db: Session, user: User) -> None:
    user.api_token_hash = None
    user.api_token_expires_at = None
    db.flush()
    end_all_sessions(db, user.id)


def issue_token(db: Session, username: str, days: int = TOKEN_DAYS) -> str:
    """A new API token for ``username``, valid for ``days`` (replaces the previous one); shown once.

    Its expiry is ``User.api_token_expires_at``."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(f"令牌有效期应为 1–{MAX_TOKEN_DAYS} 天，而不是 {days} 天")
    user = get_user(db, username)
    if not user.active:
        raise ConflictError(f"用户“{username}”已停用")
    token, digest = new_api_token(user.id)
    user.api_token_hash = digest
    user.api_token_expires_at = utcnow() + dt.timedelta(days=days)
    db.flush()
    return token
