"""Password hashing with Argon2id (argon2-cffi's recommended defaults) and the password policy.

The policy is checked wherever a password is set (``hash_password``): at least ``MIN_LENGTH``
characters, at least ``MIN_DISTINCT`` different ones, more than one kind of character (lower-case,
upper-case, digit, other), and not a common password: the 30,000-entry frequency list that the
zxcvbn package ships (a maintained list, installed with luoshi, nothing fetched at run time) plus the
Chinese-usage passwords it lacks, kept in ``luoshi/data/common_passwords.txt`` (woaini1314,
5201314520, 1qaz@wsx3edc …). Each refusal names the rule that failed.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from luoshi.errors import ValidationError

_hasher = PasswordHasher()
MIN_LENGTH = 10
MIN_DISTINCT = 5

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


@cache
def common_passwords() -> frozenset[str]:
    """Every common password long enough to pass the length rule, lower-case."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    text = resources.files("luoshi.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    ours = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    listed = {w.lower() for w in FREQUENCY_LISTS["passwords"] if len(w) >= MIN_LENGTH}
    return frozenset(ours | listed)


def _kinds(password: str) -> int:
    """How many kinds of character ``password`` mixes: lower-case, upper-case, digits, others."""
    kinds = set()
    for ch in password:
        if ch.isascii() and ch.islower():
            kinds.add("lower")
        elif ch.isascii() and ch.isupper():
            kinds.add("upper")
        elif ch.isdigit():
            kinds.add("digit")
        else:
            kinds.add("other")
    return len(kinds)


def check_strength(password: str) -> None:
    """Refuse a password that breaks the policy, with a message naming the rule."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少需要 {MIN_LENGTH} 个字符")
    if password.strip() != password:
        raise ValidationError("密码首尾不能有空格")
    if len(set(password)) < MIN_DISTINCT:
        raise ValidationError(f"密码至少需要 {MIN_DISTINCT} 个不同的字符")
    if _kinds(password) < 2:
        raise ValidationError("密码不能只由一类字符组成（如全是数字或全是小写字母），请混用大小写字母、数字或符号")
    if password.lower() in common_passwords():
        raise ValidationError("密码过于常见（在常见密码表中），请换一个不易猜到的密码")


def generate_password() -> str:
    """A readable random password (about 80 bits) for demo and new accounts."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
