"""User accounts: create, change password, reset to a one-time password, disable, issue an API token.

One set of rules for the ``luoshi user`` command and the web pages (the office's accounts list,
everyone's own password page). Changing a password or disabling an account ends all of the user's
sessions and withdraws the API token, so whoever held the old password or token is out at once.
A password the office hands out (a new liaison's, or a reset) is a one-time password: the account
is marked ``must_change_password`` and can do nothing but choose its own until it has. Writes happen in a :class:`~luoshi.ledger.db.LedgerSession`, so the audit hook records them like
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
from luoshi.web.passwords import check_strength, generate_password, hash_password, verify_password

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


def add_user(db: Session, username: str, role: str, password: str, *, unit: str | Unit | None = None,
             display_name: str | None = None, one_time: bool = False) -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise ValidationError("用户名应为 2–50 个字母、数字、下划线、点或连字符，以字母或数字开头")
    if role not in policy.LOGIN_ROLES:
        raise ValidationError(f"角色应为 {'、'.join(policy.LOGIN_ROLES)} 之一，而不是 {role!r}")
    if policy.speaks_for_unit(role) and not unit:
        raise ValidationError("单位联络员必须指定所属单位", hints={CLI: "（--unit）", WEB: "（请选择所属单位）"})
    if db.scalar(select(User.id).where(User.username == username)):
        raise ConflictError(f"用户名“{username}”已存在")
    unit_row = unit if isinstance(unit, Unit) else find_unit_any(db, unit) if unit else None
    # no bidi controls in a name shown on pages; a default one made from a long unit name is cut to fit
    display_name = clean("user.display_name", display_name) or fit(
        "user.display_name", unit_row.name + "联络员" if unit_row and policy.speaks_for_unit(role) else username)
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), role=role,
                unit_id=unit_row.id if unit_row else None, active=True, must_change_password=one_time,
                password_changed_at=utcnow())
    db.add(user)
    db.flush()
    return user


def add_liaison(db: Session, unit_id: int, username: str, display_name: str | None = None) -> tuple[User, str]:
    """A liaison account for the unit with a one-time password (returned once, never stored)."""
    unit = db.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError(f"单位 {unit_id} 不存在")
    if not unit.active:
        raise ConflictError(f"单位“{unit.name}”已停用，不能再为它新建联络员")
    password = one_time_password()
    user = add_user(db, username, policy.LIAISON, password, unit=unit, display_name=display_name or None,
                    one_time=True)
    return user, password


def one_time_password() -> str:
    """A random password that passes the policy (it always does; the loop only guards the rule)."""
    while True:
        candidate = generate_password()
        try:
            check_strength(candidate)
        except ValidationError:
            continue
        return candidate


def set_password(db: Session, username: str, password: str) -> User:
    """Set a password chosen by whoever runs the command (not a one-time one)."""
    user = get_user(db, username)
    _store_password(db, user, password, one_time=False)
    return user


def reset_password(db: Session, username: str) -> tuple[User, str]:
    """Give the account a new one-time password (returned once); its sessions and token end."""
    user = get_user(db, username)
    if not user.active:
        raise ConflictError(f"账号“{username}”已停用，请先启用")
    password = one_time_password()
    _store_password(db, user, password, one_time=True)
    return user, password


def change_own_password(db: Session, user_id: int, old: str, new: str, repeat: str) -> User:
    """The signed-in user replaces their own password: the current one first, the new one twice.

    Every session of the user ends, this one included (the caller starts a fresh one for the
    browser that made the change), so a session left open elsewhere is out.
    """
    user = db.get(User, user_id)
    if user is None or not user.active:
        raise NotFoundError("账号不存在或已停用")
    if not verify_password(user.password_hash, old):
        raise ValidationError("当前密码不正确")
    if new != repeat:
        raise ValidationError("两次输入的新密码不一致")
    if new == old:
        raise ValidationError("新密码不能与当前密码相同")
    _store_password(db, user, new, one_time=False)
    return user


def _store_password(db: Session, user: User, password: str, *, one_time: bool) -> None:
    user.password_hash = hash_password(password)  # checks the policy first
    user.must_change_password = one_time
    user.password_changed_at = utcnow()
    _withdraw_credentials(db, user)


def disable(db: Session, username: str) -> User:
    user = get_user(db, username)
    if not user.active:
        raise ConflictError(f"账号“{username}”已经停用")
    user.active = False
    _withdraw_credentials(db, user)
    return user


def enable(db: Session, username: str) -> User:
    """Let a disabled account sign in again (with the password it had; reset it if unknown)."""
    user = get_user(db, username)
    if user.active:
        raise ConflictError(f"账号“{username}”已经启用")
    if user.unit is not None and not user.unit.active:
        raise ConflictError(f"账号“{username}”所属单位“{user.unit.name}”已停用，不能启用")
    user.active = True
    db.flush()
    return user


def unit_accounts(db: Session, unit_id: int) -> list[User]:
    """The accounts of a unit, active ones first."""
    return list(db.scalars(select(User).where(User.unit_id == unit_id).order_by(User.active.desc(), User.id)))


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
