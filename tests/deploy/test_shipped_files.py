"""The other shipped deployment files do what docs/deploy.md says: systemd accepts the units and
their commands exist, logrotate rotates the logs the units write, the scheduled backup keeps only
the newest archives, and the environment file names only settings luoshi reads."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from luoshi.cli import COMMANDS

from .conftest import DEPLOY, LUOSHI, ROOT

pytestmark = pytest.mark.deploy

UNITS = sorted((DEPLOY / "systemd").iterdir())
INSTALLED = "/opt/luoshi/.venv/bin/luoshi"


def exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text(encoding="utf-8").splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing (Debian package systemd)", pytrace=False)
    venv_luoshi = Path(sys.executable).parent / "luoshi"
    assert venv_luoshi.exists(), venv_luoshi
    for unit in UNITS:  # the same files with the install path pointed at this machine's luoshi
        (tmp_path / unit.name).write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(venv_luoshi)))
    r = subprocess.run([analyze, "verify", *[f"./{u.name}" for u in UNITS]], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    assert {u.name for u in UNITS} == {"luoshi.service", "luoshi-notify.service", "luoshi-backup.service",
                                       "luoshi-backup.timer"}


@pytest.mark.parametrize("unit", ["luoshi.service", "luoshi-backup.service", "luoshi-notify.service"])
def test_unit_commands_are_real_luoshi_commands(unit: str, tmp_path: Path) -> None:
    argv = exec_start(DEPLOY / "systemd" / unit)
    assert argv[0] == INSTALLED
    if unit == "luoshi-notify.service":
        assert argv[1:] == ["notify", "run"]
        if "notify" not in COMMANDS:  # the notification worker is its own command; checked once it exists
            return
    r = subprocess.run([*LUOSHI, *argv[1:], "--help"], capture_output=True, text=True, timeout=120,
                       env={"PYTHONPATH": str(ROOT), "LUOSHI_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    if unit == "luoshi.service":
        assert argv[argv.index("--workers") + 1] == "4" and "--proxy-headers" in argv
        assert argv[argv.index("--host") + 1] == "127.0.0.1"  # only nginx talks to it


def test_timer_runs_the_backup_nightly() -> None:
    timer = (DEPLOY / "systemd" / "luoshi-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 02:30:00" in timer and "Persistent=true" in timer
    argv = exec_start(DEPLOY / "systemd" / "luoshi-backup.service")
    assert argv[1:] == ["backup", "--dir", "/var/backups/luoshi", "--keep", "30"]


def test_backup_keeps_only_the_newest_archives(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(ROOT), "LUOSHI_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    assert subprocess.run([*LUOSHI, "db", "upgrade"], env=env, capture_output=True, timeout=300).returncode == 0
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"luoshi-2024010{d}T023000Z.zip" for d in (1, 2, 3)]
    for p in old:
        p.write_bytes(b"old archive")
    other = backups / "hand-made.zip"
    other.write_bytes(b"not ours")
    r = subprocess.run([*LUOSHI, "backup", "--dir", str(backups), "--keep", "2"], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    kept = sorted(p.name for p in backups.iterdir())
    new = [n for n in kept if n.startswith(f"luoshi-{dt.datetime.now(dt.UTC):%Y%m%d}")]
    assert len(new) == 1, kept
    assert kept == sorted([new[0], old[2].name, other.name])
    assert "按保留策略（最新 2 个）删除了 2 个旧归档：luoshi-20240101T023000Z.zip、luoshi-20240102T023000Z.zip" in r.stdout
    assert (backups / new[0]).stat().st_mode & 0o077 == 0  # owner-only, like every backup

    bad = subprocess.run([*LUOSHI, "backup", str(tmp_path / "x.zip"), "--keep", "2"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "luoshi: --keep 只能与 --dir 同用（只清理本命令在该目录中生成的归档）"


def test_logrotate_rotates_what_the_units_write(tmp_path: Path) -> None:
    logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
    if not Path(logrotate).exists():
        pytest.fail("logrotate is missing (Debian package logrotate; scripts/test installs it)", pytrace=False)
    logs = tmp_path / "log"
    logs.mkdir(mode=0o755)
    conf = tmp_path / "luoshi.logrotate"
    conf.write_text((DEPLOY / "logrotate" / "luoshi").read_text(encoding="utf-8")
                    .replace("/var/log/luoshi", str(logs)).replace("su luoshi luoshi", "su root root"))
    conf.chmod(0o644)
    units_write = {Path(m).name for u in UNITS
                   for m in re.findall(r"append:(\S+)", u.read_text(encoding="utf-8"))}
    assert units_write == {"luoshi.log", "notify.log", "backup.log"}
    for name in units_write:
        (logs / name).write_text(f"{name} line\n" * 100)
    r = subprocess.run([logrotate, "-f", "-s", str(tmp_path / "state"), str(conf)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    for name in units_write:
        assert (logs / name).stat().st_size == 0  # copytruncate: the open descriptor keeps writing here
        rotated = list(logs.glob(f"{name}-*"))
        assert len(rotated) == 1 and rotated[0].read_text() == f"{name} line\n" * 100
    # a second rotation the same day (maxsize) neither collides with the first nor loses it
    time.sleep(1.1)
    for name in units_write:
        (logs / name).write_text("later\n")
    r = subprocess.run([logrotate, "-f", "-s", str(tmp_path / "state"), str(conf)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    for name in units_write:
        kept = sorted(p.name for p in logs.glob(f"{name}-*"))
        assert len(kept) == 2 and kept[0].endswith(".gz") and not kept[1].endswith(".gz"), kept  # delaycompress


def test_environment_file_names_only_settings_luoshi_reads() -> None:
    names = [line.lstrip("#").split("=", 1)[0] for line in (DEPLOY / "luoshi.env").read_text(encoding="utf-8")
             .splitlines() if re.match(r"#?LUOSHI_[A-Z_]+=", line)]
    assert "LUOSHI_DATABASE_URL" in names and "LUOSHI_HOME" in names
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "luoshi").rglob("*.py"))
    for name in names:
        assert f'"{name}"' in source, f"{name} is not read anywhere in luoshi"


def test_upgrade_procedure_backs_up_first_then_migrates(tmp_path: Path) -> None:
    """docs/deploy.md §10 with deploy/luoshi-admin: back up with the running version, then
    ``db upgrade``; a newer luoshi refuses to back up a database it has not migrated yet, which is
    why the backup comes first."""
    import getpass

    from luoshi.ledger.db import make_engine
    from luoshi.ledger.migrate import downgrade, head_revision

    home, backups, bin_dir = tmp_path / "home", tmp_path / "backups", tmp_path / "bin"
    for d in (home, bin_dir):
        d.mkdir(mode=0o700)
    env_file = tmp_path / "luoshi.env"
    env_file.write_text(f"LUOSHI_HOME={home}\nPYTHONPATH={ROOT}\n")
    luoshi_bin = bin_dir / "luoshi"
    luoshi_bin.write_text(f"#!/bin/sh\nexec {shlex.join(LUOSHI)} \"$@\"\n")
    luoshi_bin.chmod(0o755)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LUOSHI_ENV_FILE": str(env_file), "LUOSHI_BIN": str(luoshi_bin),
           "LUOSHI_USER": getpass.getuser()}

    def admin(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(DEPLOY / "luoshi-admin"), *args], env=env, input=stdin, capture_output=True,
                              text=True, timeout=300)

    assert admin("db", "upgrade").returncode == 0
    added = admin("user", "add", "duchashi", "--role", "admin", "--password-stdin", stdin="Upgrade-test-9x\n")
    assert added.returncode == 0, added.stderr
    before = admin("backup", "--dir", str(backups), "--keep", "30")
    assert before.returncode == 0, before.stderr
    assert (home / "luoshi.db").exists()  # luoshi-admin ran in LUOSHI_HOME with the env file's settings

    head = head_revision()
    assert admin("db", "current").stdout.strip() == f"current: {head}  head: {head}"
    engine = make_engine(f"sqlite:///{home / 'luoshi.db'}")
    downgrade(engine, str(int(head) - 1).zfill(4))  # the schema an older release left behind
    engine.dispose()

    refused = admin("backup", "--dir", str(backups))
    assert refused.returncode == 2
    assert f"需要 {head}：请先运行 luoshi db upgrade" in refused.stderr
    assert len(list(backups.glob("luoshi-*.zip"))) == 1  # the refused run wrote nothing

    assert admin("db", "upgrade").returncode == 0
    assert admin("db", "current").stdout.strip() == f"current: {head}  head: {head}"

    # the archive taken before the upgrade restores into a fresh database
    archive = next(backups.glob("luoshi-*.zip"))
    home2 = tmp_path / "home2"
    home2.mkdir(mode=0o700)
    env_file.write_text(f"LUOSHI_HOME={home2}\nPYTHONPATH={ROOT}\n")
    assert admin("db", "upgrade").returncode == 0
    restored = admin("restore", str(archive), "--with-accounts")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("已恢复 ")
