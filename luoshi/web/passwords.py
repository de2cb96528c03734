"""Password hashing with Argon2id (argon2-cffi's recommended defaults) and password rules."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from luoshi.errors import ValidationError

_hasher = PasswordHasher()
MIN_LENGTH = 10

# verifying against this keeps the time of a login for an unknown user equal to a known one
_DUMMY_HASH = _hasher.hash("luoshi-dummy-password")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_LENGTH} 个字符")
    if password.strip() != password:
        raise ValidationError("密码首尾不能有空格")


def generate_password() -> str:
    """A readable random password (about 80 bits) for demo and new accounts."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
