"""Files only the account running luoshi may read: the SQLite ledger, the secret key, backups, evidence.

The ledger holds password hashes and the evidence holds what units sent in; the default umask
(022) would leave both readable by every local account. Everything luoshi creates under
``$LUOSHI_HOME`` is therefore created owner-only (files 0600, directories 0700), and a file or
directory found with wider permissions (an install from before this rule, a copy made by hand) is
tightened, with a one-line notice on stderr so that the operator knows it happened.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def _tighten(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        try:
            path.chmod(mode)
        except PermissionError:
            print(f"luoshi: 注意：{path} 的权限为 {current:04o}，他人可读，且无法收紧（不是文件所有者）", file=sys.stderr)
            return
        print(f"luoshi: 注意：{path} 的权限为 {current:04o}，已收紧为 {mode:04o}（仅本账号可读写）", file=sys.stderr)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700, or tighten it if it exists with wider rights."""
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask; say it once more
    else:
        _tighten(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Tighten an existing file to 0600 (no-op when it does not exist or is already private)."""
    _tighten(path, FILE_MODE)
    return path


def create_private(path: Path) -> int:
    """Open ``path`` for writing (created or truncated) as a 0600 file; returns the descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file keeps its old mode through O_CREAT
    return fd


def touch_private(path: Path) -> Path:
    """Make sure ``path`` exists as a 0600 file (an empty file is a valid new SQLite database)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return private_file(path)
    os.close(fd)
    return path
