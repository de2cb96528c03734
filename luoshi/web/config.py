"""Where the web app keeps its state, read once from the environment.

Everything lives under ``$LUOSHI_HOME`` (default ``./var``, see ``luoshi.ledger.db``): the SQLite
database unless ``LUOSHI_DATABASE_URL`` names another one, evidence files, and the secret key that
signs session cookies (``LUOSHI_SECRET_KEY``, or created on first use, readable only by its owner;
an existing key file with wider permissions is tightened to 0600). ``LUOSHI_PUBLIC_MAX_AGE`` says how
long a public page kept for visitors who are not signed in may be served before the database is
asked again whether the ledger changed (seconds, default 5; ``luoshi.web.shared_pages``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from luoshi.errors import ValidationError
from luoshi.ledger.db import database_url as _database_url
from luoshi.ledger.db import luoshi_home
from luoshi.ledger.limits import MAX_EVIDENCE_BYTES
from luoshi.ledger.private import FILE_MODE, private_dir, private_file


def _load_secret(home: Path) -> bytes:
    env = os.environ.get("LUOSHI_SECRET_KEY")
    if env:
        return env.encode()
    path = home / "secret_key"
    if path.exists():
        return private_file(path).read_bytes().strip()
    private_dir(home)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


PUBLIC_MAX_AGE_ENV = "LUOSHI_PUBLIC_MAX_AGE"


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise ValidationError(f"{name} 应为 0 到 3600 之间的秒数：{value!r}")
    return seconds


@dataclass
class Settings:
    """Runtime settings of one app instance (tests build their own)."""

    home: Path
    database_url: str
    secret_key: bytes
    session_hours: float = 12.0
    max_upload_bytes: int = 20 * 1024 * 1024
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES  # the ledger's limit; tests may lower it
    max_json_bytes: int = 1024 * 1024  # body limits by kind of route: luoshi.web.limits.body_limits
    max_form_bytes: int = 1024 * 1024
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    screen_refresh_seconds: int = 60
    # seconds a kept public page is served without asking the database whether the ledger changed
    # (luoshi.web.shared_pages); 0: every anonymous read checks, as signed-in reads always do
    public_max_age: float = 5.0

    @property
    def upload_dir(self) -> Path:
        """Uploaded report files waiting for import."""
        return self.home / "uploads"

    @classmethod
    def from_env(cls, *, home: Path | None = None, database_url: str | None = None) -> Settings:
        home = (home or luoshi_home()).resolve()
        url = database_url or _database_url()
        return cls(
            home=home,
            database_url=url,
            secret_key=_load_secret(home),
            public_max_age=_seconds(PUBLIC_MAX_AGE_ENV, 5.0),
        )
