"""Attacks on backup and restore, on file permissions, on the plan round trip and on extraction memory.

Each test replays what an outside attack run did (issue 16, findings 9, 10, 15, 16 and the memory
note): a backup restored into a new home on the other engine, forged and broken archives fed to
``luoshi restore``, the files a fresh install leaves on disk, an untouched plan sent back, and a
large report extracted. The seeded ledger comes from ``web_any`` (SQLite and PostgreSQL); every
restore goes into the OTHER engine, as a move between installations would.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

import luoshi
from luoshi.devtools.backup_edit import read_items, write_archive
from luoshi.devtools.samples import make_pdf
from luoshi.devtools.seeding import PASSWORD
from luoshi.errors import InputError
from luoshi.ledger.models import AuditEvent, Base, Commitment
from luoshi.ledger.services.backup import LEDGER, backup, restore

PDF = make_pdf(["第三季度进度证明材料"])
OTHER = {"sqlite": "sqlite_engine", "postgresql": "pg_engine"}
REPO = Path(luoshi.__file__).resolve().parents[1]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def other(web_any: Any, request: pytest.FixtureRequest, clean_db: Any) -> Iterator[Engine]:
    """An empty, migrated database on the engine the seeded ledger is NOT on."""
    engine: Engine = request.getfixturevalue(OTHER["postgresql" if web_any.kind == "sqlite" else "sqlite"])
    clean_db(engine)
    yield engine
    clean_db(engine)


@pytest.fixture
def new_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``LUOSHI_HOME`` of the installation the backup moves to (does not exist yet)."""
    home = tmp_path / "new-home"
    monkeypatch.setenv("LUOSHI_HOME", str(home))
    return home


def _archive(web: Any, tmp_path: Path) -> Path:
    """A backup of the seeded ledger with one evidence file uploaded by a liaison (in the old home)."""
    path = tmp_path / "luoshi-backup.zip"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LUOSHI_HOME", str(web.home))  # upload and backup happen in the old installation
        if not hasattr(web, "evidence_id"):
            a = web.token("liaison_a")
            cid = web.seeded.led["liaison_a"][-1]
            r = a.post(f"/api/commitments/{cid}/progress",
                       json={"period_id": web.seeded.periods[1], "percent": 40, "narrative": "已完成主体工程"})
            assert r.status_code == 201, r.text
            r = a.post(f"/api/progress/{r.json()['id']}/evidence", files={"file": ("进度.pdf", PDF, "application/pdf")})
            assert r.status_code == 201, r.text
            web.evidence_id = r.json()["id"]
        backup(web.engine, path)
    return path


def _app(engine: Engine, home: Path) -> Any:
    from fastapi.testclient import TestClient

    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    settings = Settings(home=home, database_url=_url(engine), secret_key=os.urandom(32).hex().encode())
    return TestClient(create_app(settings, engine=engine), base_url="http://testserver", follow_redirects=False)


def _cli(*args: str, engine: Engine, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LUOSHI_DATABASE_URL": _url(engine), "LUOSHI_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", "from luoshi.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def _nothing_written(engine: Engine, home: Path) -> None:
    assert _counts(engine) == dict.fromkeys(_counts(engine), 0)
    assert not (home / "evidence").exists()


# ------------------------------------------------------------------------------ 9: evidence files


def test_evidence_downloads_byte_identical_after_restore_into_a_new_home_on_the_other_engine(
        web_any: Any, other: Engine, tmp_path: Path, new_home: Path) -> None:
    archive = _archive(web_any, tmp_path)
    assert _mode(archive) == 0o600  # password hashes inside: owner-only
    result = restore(other, archive, with_accounts=True, actor="运维")
    assert result.evidence_files >= 1 and result.skipped_accounts == 0
    client = _app(other, new_home)
    r = client.post("/api/session", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 200, r.text
    r = client.get(f"/evidence/{web_any.evidence_id}")
    assert r.status_code == 200, r.text
    assert hashlib.sha256(r.content).hexdigest() == hashlib.sha256(PDF).hexdigest() and r.content == PDF
    stored = next((new_home / "evidence").rglob("*"))
    assert _mode(new_home / "evidence") == 0o700 and _mode(stored) == 0o700
    assert all(_mode(p) == 0o600 for p in (new_home / "evidence").rglob("*") if p.is_file())
    # the restore is itself in the audit trail: who, which archive, what counts
    with other.connect() as conn:
        actor, after = conn.execute(select(AuditEvent.actor, AuditEvent.after).where(
            AuditEvent.entity_type == "Backup")).one()
    assert actor == "运维" and after["archive"] == archive.name and after["evidence_files"] == result.evidence_files
    assert after["counts"]["commitments"] == web_any.seeded.commitment_count
    assert after["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ 10: restore trusts the file


def _forged_admin(archive: Path, out: Path) -> None:
    manifest, items, files = read_items(archive)
    users = [i for i in items if i["t"] == "users"]
    admin = next(i for i in users if i["r"]["role"] == "admin")
    forged = copy.deepcopy(admin)
    forged["r"].update(id=max(i["r"]["id"] for i in users) + 1, username="mallory", display_name="后门")
    items.insert(items.index(users[-1]) + 1, forged)
    write_archive(out, manifest, items, files)  # re-sealed: checksums and counts fit the forgery


def test_added_admin_is_skipped_without_with_accounts_and_cannot_log_in(
        web_any: Any, other: Engine, tmp_path: Path, new_home: Path) -> None:
    forged = tmp_path / "forged.zip"
    _forged_admin(_archive(web_any, tmp_path), forged)
    users = len(web_any.seeded.users)
    done = _cli("restore", str(forged), engine=other, home=new_home)
    assert done.returncode == 0, done.stderr
    assert f"跳过备份中的 {users + 1} 个账号，保留目标数据库现有的 0 个账号" in done.stdout
    assert _counts(other)["users"] == 0 and _counts(other)["commitments"] == web_any.seeded.commitment_count
    client = _app(other, new_home)
    for name in ("mallory", "admin"):
        r = client.post("/api/session", json={"username": name, "password": PASSWORD})
        assert r.status_code in (400, 401, 403), (name, r.status_code)
    assert client.get("/api/me").json()["role"] == "public"  # still anonymous

    # over an installation that has its accounts (--replace): they stay as they were, units and all
    restore(other, _archive(web_any, tmp_path), replace=True, with_accounts=True)
    result = restore(other, forged, replace=True)
    assert (result.skipped_accounts, result.kept_accounts) == (users + 1, users)
    r = client.post("/api/session", json={"username": "mallory", "password": PASSWORD})
    assert r.status_code in (400, 401, 403)
    r = client.post("/api/session", json={"username": "liaison_a", "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert client.get("/api/me").json()["unit_id"] == web_any.seeded.unit_a


def test_forged_audit_actor_is_refused_and_nothing_written(
        web_any: Any, other: Engine, tmp_path: Path, new_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = _archive(web_any, tmp_path)
    manifest, items, files = read_items(archive)
    forged = copy.deepcopy(items)
    event = next(i for i in forged if i["t"] == "audit_events" and i["r"]["entity_type"] == "Commitment")
    event["r"]["actor"] = "市长"

    as_is = tmp_path / "as-is.zip"  # the dump edited, the manifest left alone
    write_archive(as_is, manifest, forged, files, seal=False)
    with pytest.raises(InputError, match=f"{LEDGER} 的(大小| SHA-256 校验和)与清单不符"):
        restore(other, as_is)
    chain_kept = tmp_path / "chain-kept.zip"  # file checksums recomputed, audit chain not
    write_archive(chain_kept, manifest, forged, files)
    manifest2, _items, _files = read_items(chain_kept)
    write_archive(chain_kept, {**manifest2, "audit": manifest["audit"]}, forged, files, seal=False)
    with pytest.raises(InputError, match="审计记录与清单中的校验链不符"):
        restore(other, chain_kept)
    _nothing_written(other, new_home)

    # with a backup key, even a forgery that recomputes every checksum and the chain is refused
    monkeypatch.setenv("LUOSHI_BACKUP_KEY", "office-backup-key")
    signed = _archive(web_any, tmp_path)
    manifest, items, files = read_items(signed)
    for i in items:
        if i["t"] == "audit_events" and i["r"]["entity_type"] == "Commitment":
            i["r"]["actor"] = "市长"
            break
    resealed = tmp_path / "resealed.zip"
    write_archive(resealed, manifest, items, files)
    with pytest.raises(InputError, match="签名缺失或不符"):
        restore(other, resealed)
    _nothing_written(other, new_home)
    assert restore(other, signed, with_accounts=True).counts["audit_events"] == _counts(web_any.engine)["audit_events"]


def test_malformed_row_exits_2_with_one_line_and_no_secret(
        web_any: Any, other: Engine, tmp_path: Path, new_home: Path) -> None:
    manifest, items, files = read_items(_archive(web_any, tmp_path))
    user = next(i for i in items if i["t"] == "users")
    secret = user["r"]["password_hash"]
    assert secret and len(secret) > 20
    for name, change in (("type", {"role": 7}), ("length", {"username": "x" * 51}),
                         ("nul", {"display_name": "a\x00b"}), ("column", {"password_hash ": secret})):
        bad = copy.deepcopy(items)
        next(i for i in bad if i["t"] == "users")["r"].update(change)
        path = tmp_path / f"malformed-{name}.zip"
        write_archive(path, manifest, bad, files)
        done = _cli("restore", str(path), "--with-accounts", engine=other, home=new_home)
        assert done.returncode == 2, (name, done.returncode, done.stderr[-500:])
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("luoshi: ") and "表 users" in lines[0], (name, lines)
        assert "Traceback" not in done.stderr and secret not in done.stderr + done.stdout
        assert secret[:16] not in done.stderr and "$argon2" not in done.stderr
    _nothing_written(other, new_home)


def test_truncated_archive_is_refused_and_nothing_written(
        web_any: Any, other: Engine, tmp_path: Path, new_home: Path) -> None:
    archive = _archive(web_any, tmp_path)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(InputError, match="文件不完整"):
        restore(other, cut)
    # the ledger cut after 1,000 rows, its checksum made to fit; the row counts give it away
    manifest, items, files = read_items(archive)
    assert len(items) > 1000
    short = tmp_path / "short.zip"
    write_archive(short, manifest, items[:1000], files)
    sealed, _i, _f = read_items(short)
    write_archive(short, {**sealed, "tables": manifest["tables"]}, items[:1000], files, seal=False)
    with pytest.raises(InputError, match=r"应有 \d+ 行，读到 \d+ 行"):
        restore(other, short)
    done = _cli("restore", str(short), engine=other, home=new_home)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "拒绝恢复" in done.stderr
    _nothing_written(other, new_home)


def test_old_format_dump_is_refused_with_a_clear_message(web_any: Any, other: Engine, tmp_path: Path) -> None:
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"format": "luoshi-backup", "version": 1, "schema": "0004", "tables": {}}) + "\n")
    with pytest.raises(InputError, match="旧格式（版本 1）"):
        restore(other, old)


# ------------------------------------------------------------------------------ 16: file modes


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most systems have (022): files would be created world-readable by default."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("usual_umask")
def test_database_secret_key_backup_and_evidence_are_owner_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    from luoshi.ledger.db import database_url, make_engine
    from luoshi.ledger.migrate import upgrade
    from luoshi.ledger.services import evidence
    from luoshi.web.config import Settings

    home = tmp_path / "var"
    monkeypatch.setenv("LUOSHI_HOME", str(home))
    monkeypatch.delenv("LUOSHI_DATABASE_URL", raising=False)
    monkeypatch.delenv("LUOSHI_SECRET_KEY", raising=False)
    engine = make_engine(database_url())
    upgrade(engine)
    with engine.begin() as conn:  # a write: the WAL and shared-memory files exist now
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t_probe (x INTEGER)")
        db = home / "luoshi.db"
        files = [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
        assert len(files) == 3
        assert {p.name: _mode(p) for p in files} == dict.fromkeys((p.name for p in files), 0o600)
    assert _mode(home) == 0o700
    Settings.from_env()
    assert _mode(home / "secret_key") == 0o600
    sha, _size, _kind, _name = evidence.store(PDF, "x.pdf")
    assert _mode(evidence.path_for(sha)) == 0o600 and _mode(home / "evidence") == 0o700
    archive = home / "b.zip"
    backup(engine, archive)
    assert _mode(archive) == 0o600
    engine.dispose()

    # an install from before: everything world-readable; the next start tightens it, saying so
    for p in (db, home / "secret_key"):
        p.chmod(0o644)
    (home / "evidence").chmod(0o755)
    home.chmod(0o755)
    capfd.readouterr()
    make_engine(database_url()).dispose()
    Settings.from_env()
    evidence.store(make_pdf(["另一份"]), "y.pdf")
    notices = capfd.readouterr().err
    assert _mode(db) == _mode(home / "secret_key") == 0o600
    assert _mode(home) == _mode(home / "evidence") == 0o700
    assert notices.count("已收紧为") >= 4 and "luoshi.db 的权限为 0644，已收紧为 0600" in notices


# ------------------------------------------------------------------------------ 15: plan round trip


def test_untouched_plan_export_reimports_with_no_change(web_any: Any) -> None:
    from luoshi.export.downloads import import_upload, plan_download
    from luoshi.ledger.db import transaction

    long_text = "\n" + "推进重点项目建设，" * 4_000 + "确保年内建成。  "  # over Excel's 32,767-character cell
    with transaction(web_any.engine, actor="test") as s:
        ids = list(s.scalars(select(Commitment.id).where(Commitment.report_id == web_any.seeded.report_id)
                             .order_by(Commitment.id)))
        s.get_one(Commitment, ids[3]).text = long_text
        s.get_one(Commitment, ids[4]).text = "\n  首行是换行的任务\t"
    with transaction(web_any.engine, actor="test") as s:
        content = plan_download(s, web_any.seeded.report_id).content
        diff = import_upload(s, content, apply=True, author="admin")
    assert (len(diff.updates), len(diff.creations)) == (0, 0), [r.changes for r in diff.updates][:2]
    assert diff.unchanged > 80
    with transaction(web_any.engine, actor="test") as s:
        assert s.get_one(Commitment, ids[3]).text == long_text  # nothing cut on the way back

    # an edit of the cut cell is refused (the rest of the text is not in the sheet)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["分工方案"]
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and len(c.value) == 32_767)
    cell.value = "改写后的任务"
    buf = io.BytesIO()
    wb.save(buf)
    from luoshi.export.errors import WorkbookRejected

    with transaction(web_any.engine, actor="test") as s, pytest.raises(WorkbookRejected, match="32767"):
        import_upload(s, buf.getvalue(), apply=True, author="admin")


# ------------------------------------------------------------------------------ extraction memory


def test_extraction_memory_of_a_2mb_report_is_under_10x_the_input(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import extract_memory
    finally:
        sys.path.remove(str(REPO / "bench"))
    path = tmp_path / "large.txt"
    size = extract_memory.make_input(path, 2.0)
    ratios = extract_memory.measure(path, size, ["read", "tasks"])
    assert ratios["tasks"] <= 10.0, ratios
