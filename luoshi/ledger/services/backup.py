"""Portable backup: one archive holding the ledger and its evidence files, restorable into SQLite or
PostgreSQL, checked in full before anything is written.

The archive is a zip file (owner-only, 0600) with

- ``ledger.jsonl``: one ``{"t": table, "r": {column: value}}`` per row, tables in foreign-key
  order, rows by primary key. Dates and datetimes are ISO strings (UTC), JSON columns stay JSON.
- ``evidence/<sha256>``: the bytes of every evidence file the ledger refers to.
- ``manifest.json``: format and version, the schema revision, the row count of every table, the
  SHA-256 and size of every other member, and the audit chain: ``h0 = sha256("luoshi-audit")``,
  ``h(i) = sha256(h(i-1) || canonical JSON of audit row i)`` over the audit trail in id order. The
  chain's last value is printed by ``luoshi backup`` and recorded by every restore, so it can be
  compared with a copy kept elsewhere. With ``LUOSHI_BACKUP_KEY`` set, the manifest also carries an
  HMAC-SHA256 under that key, and a restore with the key set refuses archives whose HMAC is missing
  or wrong: without the key, anyone who can edit the file can also recompute its checksums.

Restoring reads the whole archive first — member checksums, row counts, every row against the
schema (``backup_rows``), keys and references, the audit chain — and only then writes, in one
transaction, followed by the evidence files and one audit event for the restore itself (who, which
archive, what counts). Accounts (``users``; ``login_failures``) are restored only when asked
(``with_accounts``): otherwise the target's own accounts are kept, comments are attributed to the
target's account of the same user name, and the result says how many accounts were skipped.

A dump written by an older schema revision (an ancestor of the database's current one) restores:
columns added since then are absent and get NULL or their default. A newer or unknown revision is
refused. Version-1 backups (a bare JSON-lines file without checksums or evidence) are refused with
a message: their audit trail cannot be verified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from luoshi.errors import ConflictError, InputError
from luoshi.ledger import changes
from luoshi.ledger.db import default_actor
from luoshi.ledger.models import AuditEvent, Base, Evidence, User, utcnow
from luoshi.ledger.private import create_private, private_file
from luoshi.ledger.services import evidence
from luoshi.ledger.services.backup_rows import RowProblem, check_keys, check_references, decode_row

FORMAT = "luoshi-backup"
VERSION = 2
MANIFEST = "manifest.json"
LEDGER = "ledger.jsonl"
EVIDENCE_DIR = "evidence/"
ACCOUNT_TABLES = ("users", "login_failures")
# signed-in browsers are not data: a restore never brings back a session (everyone signs in again)
SESSIONS = ("user_sessions",)
# derived from the ledger, not data: the change feed goes on numbering (figures kept by a running
# server must see the restore as a change), the kept trend is rebuilt from the restored reports
DERIVED = ("ledger_commits", "trend_steps", "trend_totals")
NOT_BACKED_UP = SESSIONS + DERIVED
AUDIT_TABLE = "audit_events"
KEY_ENV = "LUOSHI_BACKUP_KEY"
RESTORE_ENTITY = "Backup"
CHUNK = 1 << 20


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    pk = list(table.primary_key.columns)
    for row in conn.execute(select(table).order_by(*pk)):
        yield {k: _encode(v) for k, v in row._mapping.items()}


def _canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class AuditChain:
    """The running hash over the audit trail's rows (see the module docstring)."""

    def __init__(self) -> None:
        self.value = hashlib.sha256(b"luoshi-audit").hexdigest()
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        self.value = hashlib.sha256(self.value.encode() + _canonical(row)).hexdigest()
        self.rows += 1


def _signature(manifest: dict[str, Any], key: str) -> str:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    return hmac.new(key.encode(), _canonical(body), hashlib.sha256).hexdigest()


@dataclass
class BackupResult:
    counts: dict[str, int]
    evidence_files: int
    missing_evidence: int
    audit_chain: str
    signed: bool


def dump(engine: Engine, out: IO[str], chain: AuditChain | None = None) -> dict[str, int]:
    """Write every row as JSON lines to ``out`` (one consistent snapshot); returns row counts."""
    counts: dict[str, int] = {}
    snapshot = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {"sqlite_begin": "DEFERRED"}
    with engine.execution_options(**snapshot).connect() as conn, conn.begin():
        for t in _tables():
            n = 0
            for r in _rows(conn, t):
                out.write(json.dumps({"t": t.name, "r": r}, ensure_ascii=False) + "\n")
                if chain is not None and t.name == AUDIT_TABLE:
                    chain.add(r)
                n += 1
            counts[t.name] = n
    return counts


class _HashingWriter(io.TextIOBase):
    """A text sink that UTF-8-encodes into a binary file and hashes what it writes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def write(self, s: str) -> int:
        data = s.encode("utf-8")
        self.raw.write(data)
        self.sha.update(data)
        self.size += len(data)
        return len(s)


def _file_digest(path: Path) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def backup(engine: Engine, path: str | Path) -> BackupResult:
    """Write the archive at ``path`` (0600, replaced atomically)."""
    from luoshi.ledger.migrate import current_revision

    p = Path(path)
    ledger_tmp = p.with_name(f".{p.name}.{os.getpid()}.ledger")
    archive_tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    chain = AuditChain()
    try:
        with os.fdopen(create_private(ledger_tmp), "wb") as raw:
            sink = _HashingWriter(raw)
            counts = dump(engine, sink, chain)
        files = {LEDGER: {"sha256": sink.sha.hexdigest(), "size": sink.size}}
        with engine.connect() as conn:
            shas = sorted(set(conn.scalars(select(Evidence.sha256))))
        missing = 0
        with os.fdopen(create_private(archive_tmp), "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(ledger_tmp, LEDGER)
            for sha in shas:
                src = evidence.path_for(sha)
                if not src.is_file():
                    missing += 1
                    continue
                digest, size = _file_digest(src)
                if digest != sha:
                    missing += 1  # a damaged file is as good as a missing one; never copy it on
                    continue
                zf.write(src, EVIDENCE_DIR + sha, compress_type=zipfile.ZIP_STORED)
                files[EVIDENCE_DIR + sha] = {"sha256": digest, "size": size}
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "schema": current_revision(engine),
                "created_at": utcnow().isoformat(),
                "engine": engine.dialect.name,
                "tables": counts,
                "files": files,
                "audit": {"rows": chain.rows, "chain": chain.value},
            }
            key = os.environ.get(KEY_ENV)
            if key:
                manifest["hmac"] = _signature(manifest, key)
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(archive_tmp, p)
        private_file(p)
    finally:
        ledger_tmp.unlink(missing_ok=True)
        archive_tmp.unlink(missing_ok=True)
    return BackupResult(counts, len(files) - 1, missing, chain.value, bool(key))


# --------------------------------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    counts: dict[str, int]
    evidence_files: int = 0
    skipped_accounts: int = 0  # user rows in the archive that were not restored
    kept_accounts: int = 0  # accounts of the target database left as they were
    audit_chain: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Archive:
    name: str
    sha256: str
    manifest: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    older: bool
    evidence: list[str]


def _shown(value: object, limit: int = 60) -> str:
    """A name taken from the archive as it may appear in a one-line message (no control characters)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[:limit])
    return text + ("…" if len(str(value)) > limit else "")


def _is_older(revision: object, current: str | None) -> bool:
    """Whether ``revision`` is an ancestor of ``current`` in the shipped migration scripts."""
    from alembic.script import ScriptDirectory

    from luoshi.ledger.migrate import alembic_config

    if not isinstance(revision, str) or current is None or revision == current:
        return False
    scripts = ScriptDirectory.from_config(alembic_config())
    return any(s.revision == revision for s in scripts.iterate_revisions(current, "base"))


def _open(p: Path) -> zipfile.ZipFile:
    try:
        with p.open("rb") as fh:
            head = fh.read(64)
    except FileNotFoundError:
        raise InputError(f"{p}: 文件不存在") from None
    except OSError as exc:
        raise InputError(f"{p}: 无法读取（{exc.strerror or type(exc).__name__}）") from None
    if head.lstrip().startswith(b"{") and FORMAT.encode() in head:
        raise InputError(
            f"{p}: 这是旧格式（版本 1）的备份，不含校验和与证明材料，无法验证审计记录，不再直接恢复；"
            "请用原来的 luoshi 版本恢复到一个库中，升级后重新运行 luoshi backup"
        )
    try:
        return zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{p}: 不是 luoshi 备份文件，或文件不完整（无法作为备份归档打开）") from None


def _read_manifest(p: Path, zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise InputError(f"{p}: 归档中缺少清单 {MANIFEST}，不是 luoshi 备份") from None
    except (json.JSONDecodeError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
        raise InputError(f"{p}: 备份清单已损坏") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{p}: 不是 luoshi 备份文件")
    if manifest.get("version") != VERSION:
        raise InputError(f"{p}: 备份格式版本 {_shown(manifest.get('version'))} 不受支持（支持 {VERSION}）")
    for key, kind in (("tables", dict), ("files", dict), ("audit", dict)):
        if not isinstance(manifest.get(key), kind):
            raise InputError(f"{p}: 备份清单缺少 {key}，文件不完整")
    key = os.environ.get(KEY_ENV)
    if key:
        sig = manifest.get("hmac")
        if not isinstance(sig, str) or not hmac.compare_digest(sig, _signature(manifest, key)):
            raise InputError(f"{p}: 备份清单的签名缺失或不符（{KEY_ENV} 已设置）：文件被改动或不是用该密钥备份的，拒绝恢复")
    return manifest


def _verify_members(p: Path, zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Exactly the members the manifest lists, each with its size and SHA-256."""
    files: dict[str, Any] = manifest["files"]
    names = {i.filename for i in zf.infolist()} - {MANIFEST}
    if LEDGER not in files:
        raise InputError(f"{p}: 备份清单中没有台账数据 {LEDGER}")
    if names - set(files):
        raise InputError(f"{p}: 归档中有清单以外的 {len(names - set(files))} 个文件，拒绝恢复")
    if set(files) - names:
        raise InputError(f"{p}: 归档缺少清单中的 {len(set(files) - names)} 个文件（文件不完整）")
    for name, entry in files.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("size"), int) or not isinstance(entry.get("sha256"), str):
            raise InputError(f"{p}: 备份清单中 {_shown(name)} 的记录已损坏")
        if name != LEDGER and (not name.startswith(EVIDENCE_DIR) or name[len(EVIDENCE_DIR):] != entry["sha256"]):
            raise InputError(f"{p}: 备份清单中有不认识的文件 {_shown(name)}")
        if zf.getinfo(name).file_size != entry["size"]:
            raise InputError(f"{p}: {_shown(name)} 的大小与清单不符（文件被改动或不完整）")
        sha = hashlib.sha256()
        try:
            with zf.open(name) as fh:
                while block := fh.read(CHUNK):
                    sha.update(block)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise InputError(f"{p}: {_shown(name)} 已损坏，无法读出") from None
        if sha.hexdigest() != entry["sha256"]:
            raise InputError(f"{p}: {_shown(name)} 的 SHA-256 校验和与清单不符（文件被改动或已损坏），拒绝恢复")


def _read_rows(p: Path, zf: zipfile.ZipFile, older: bool, chain: AuditChain) -> dict[str, list[dict[str, Any]]]:
    """Every row, checked and decoded; the audit rows also feed ``chain`` as they were written."""
    tables = {t.name: t for t in _tables()}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
    with zf.open(LEDGER) as fh:
        for n, line in enumerate(fh, 1):
            try:
                item = json.loads(line.decode("utf-8"))
                table = tables[item["t"]]
                row = item["r"]
            except UnicodeDecodeError:
                raise InputError(f"{p}: {LEDGER} 第 {n} 行不是 UTF-8 文本") from None
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError(f"{p}: {LEDGER} 第 {n} 行无法识别") from None
            try:
                rows[table.name].append(decode_row(table, row, f"{LEDGER} 第 {n} 行：", older=older))
                if table.name == AUDIT_TABLE:
                    chain.add(row)
            except RowProblem as exc:
                raise InputError(f"{p}: {exc.message}") from None
    return rows


def _check_counts(p: Path, manifest: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> None:
    declared: dict[str, Any] = manifest["tables"]
    unknown = set(declared) - set(rows)
    if unknown:
        raise InputError(f"{p}: 备份中有当前数据库结构没有的表（{_shown(', '.join(sorted(unknown)))}）")
    for name, got in rows.items():
        want = declared.get(name, 0)
        if want != len(got):
            raise InputError(f"{p}: 表 {name} 应有 {want} 行，读到 {len(got)} 行（文件不完整或被改动），拒绝恢复")


def _check_audit(p: Path, manifest: dict[str, Any], chain: AuditChain) -> str:
    audit = manifest["audit"]
    if audit.get("rows") != chain.rows or audit.get("chain") != chain.value:
        raise InputError(f"{p}: 审计记录与清单中的校验链不符（审计记录被修改、增删或重排），拒绝恢复")
    return chain.value


def read_archive(path: str | Path, schema: str | None) -> _Archive:
    """Open and check the whole archive against the schema revision ``schema``; nothing is written."""
    p = Path(path)
    with _open(p) as zf:
        manifest = _read_manifest(p, zf)
        older = _is_older(manifest.get("schema"), schema)
        if manifest.get("schema") != schema and not older:
            raise InputError(
                f"{p}: 备份的数据库结构版本 {_shown(manifest.get('schema'))} 与当前 {schema} 不同，请先运行 luoshi db upgrade"
            )
        _verify_members(p, zf, manifest)
        chain = AuditChain()
        rows = _read_rows(p, zf, older, chain)
    _check_counts(p, manifest, rows)
    _check_audit(p, manifest, chain)
    tables = _tables()
    try:
        for t in tables:
            check_keys(t, rows[t.name])
    except RowProblem as exc:
        raise InputError(f"{p}: {exc.message}") from None
    shas = {r["sha256"] for r in rows["evidence"]}
    present = {n[len(EVIDENCE_DIR):] for n in manifest["files"] if n.startswith(EVIDENCE_DIR)}
    return _Archive(p.name, _file_digest(p)[0], manifest, rows, older, sorted(shas & present))


def _existing_accounts(conn: Connection) -> list[Any]:
    return list(conn.execute(select(User.__table__.c.id, User.__table__.c.username, User.__table__.c.unit_id)))


def _adopt_accounts(p: Path, archive: _Archive, conn: Connection, replace: bool) -> tuple[int, int]:
    """Without accounts: drop the archive's account rows, point comments at the target's accounts of
    the same user name and check that kept accounts' units survive. Returns (skipped, kept)."""
    rows = archive.rows
    dumped = {u["id"]: u["username"] for u in rows["users"]}
    skipped = len(rows["users"])
    for name in ACCOUNT_TABLES:
        rows[name] = []
    kept = _existing_accounts(conn)
    by_name = {username: uid for uid, username, _unit in kept}
    users = Base.metadata.tables["users"]
    orphans = 0
    for t in _tables():
        if t.name in ACCOUNT_TABLES:
            continue
        for fk in t.foreign_keys:
            if fk.column.table is not users:
                continue
            for row in rows[t.name]:
                value = row.get(fk.parent.name)
                if value is None:
                    continue
                target = by_name.get(dumped.get(value, ""))
                if target is None:
                    orphans += 1
                row[fk.parent.name] = target
    if orphans:
        raise InputError(
            f"{p}: 备份中有 {orphans} 条记录（如领导批示）的作者账号不在目标数据库中：请加 --with-accounts 一并恢复账号，"
            "或先建立同名账号"
        )
    if replace:
        units = {r["id"] for r in rows["units"]}
        lost = [username for _uid, username, unit in kept if unit is not None and unit not in units]
        if lost:
            raise InputError(
                f"{p}: 保留的 {len(lost)} 个账号所属单位不在备份中：请加 --with-accounts，或先修改这些账号的所属单位"
            )
    return skipped, len(kept)


def _reset_sequences(conn: Connection) -> None:
    for t in _tables():
        if "id" in t.columns and t.columns["id"].autoincrement in (True, "auto") and len(t.primary_key.columns) == 1:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{t.name}"), 0) + 1, false)'
            ))


def _write(conn: Connection, archive: _Archive, keep: tuple[str, ...], replace: bool) -> None:
    tables = _tables()
    units = Base.metadata.tables["units"]
    users = Base.metadata.tables["users"]
    kept_units: list[tuple[int, int]] = []
    if replace:
        for name in SESSIONS:  # a replaced ledger ends every signed-in session
            conn.execute(Base.metadata.tables[name].delete())
        if keep:  # kept accounts point at units about to be replaced: unhook them for the while
            kept_units = [(uid, unit) for uid, unit in conn.execute(select(users.c.id, users.c.unit_id))
                          if unit is not None]
            conn.execute(users.update().where(users.c.unit_id.is_not(None)).values(unit_id=None))
        for t in reversed(tables):
            if t.name not in keep:
                conn.execute(t.delete())
    deferred: list[tuple[int, int]] = []
    for row in archive.rows["units"]:
        if row.get("parent_id") is not None:
            deferred.append((row["id"], row["parent_id"]))
            row["parent_id"] = None
    for t in tables:
        if archive.rows[t.name]:
            conn.execute(t.insert(), archive.rows[t.name])
    for uid, parent in deferred:
        conn.execute(units.update().where(units.c.id == uid).values(parent_id=parent))
    for uid, unit in kept_units:  # checked before writing: every one of these units is in the archive
        conn.execute(users.update().where(users.c.id == uid).values(unit_id=unit))


def _copy_evidence(p: Path, archive: _Archive) -> None:
    with zipfile.ZipFile(p) as zf:
        for sha in archive.evidence:
            target = evidence.path_for(sha)
            if target.is_file() and _file_digest(target)[0] == sha:
                continue
            evidence.write_file(target, zf.read(EVIDENCE_DIR + sha))


def restore(engine: Engine, path: str | Path, *, replace: bool = False, with_accounts: bool = False,
            actor: str | None = None) -> RestoreResult:
    """Check the whole archive, then load it into ``engine`` in one transaction (see module docstring)."""
    from luoshi.ledger.migrate import current_revision

    p = Path(path)
    archive = read_archive(p, current_revision(engine))
    keep = () if with_accounts else ACCOUNT_TABLES
    result = RestoreResult(counts={})
    try:
        with engine.begin() as conn:
            non_empty = [t.name for t in _tables()
                         if t.name not in keep and conn.scalar(select(func.count()).select_from(t))]
            if non_empty and not replace:
                raise ConflictError(f"目标数据库不是空的（{', '.join(non_empty[:5])}…）；如要覆盖请加 --replace")
            if not with_accounts:
                result.skipped_accounts, result.kept_accounts = _adopt_accounts(p, archive, conn, replace)
            try:
                check_references(_tables(), archive.rows,
                                 present={"users": {u[0] for u in _existing_accounts(conn)}} if keep else None)
            except RowProblem as exc:
                raise InputError(f"{p}: {exc.message}") from None
            _write(conn, archive, keep, replace)
            changes.record_everything(conn)
            if engine.dialect.name == "postgresql":
                _reset_sequences(conn)
            result.counts = {name: len(rows) for name, rows in archive.rows.items()}
            result.audit_chain = archive.manifest["audit"]["chain"]
            result.evidence_files = len(archive.evidence)
            _record(conn, archive, result, actor, replace=replace, with_accounts=with_accounts)
            try:
                _copy_evidence(p, archive)
            except OSError as exc:
                raise InputError(
                    f"{p}: 写入证明材料文件失败（{exc.strerror or type(exc).__name__}），台账未恢复，请检查 {evidence.evidence_root()}"
                ) from None
    except SQLAlchemyError as exc:  # never echo the statement or its parameters (password hashes)
        orig = getattr(exc, "orig", None)
        raise InputError(
            f"{p}: 写入数据库失败，已全部回滚（{type(orig or exc).__name__}）；目标数据库结构是否与备份一致？"
        ) from None
    missing = {r["sha256"] for r in archive.rows["evidence"]} - set(archive.evidence)
    if missing:
        result.warnings.append(f"备份时有 {len(missing)} 个证明材料文件已缺失，恢复后仍无法下载")
    return result


def _record(conn: Connection, archive: _Archive, result: RestoreResult, actor: str | None, *,
            replace: bool, with_accounts: bool) -> None:
    """The restore itself in the audit trail (inserted directly: no model changed through a session)."""
    conn.execute(AuditEvent.__table__.insert(), [{
        "actor": actor or default_actor(),
        "at": utcnow(),
        "entity_type": RESTORE_ENTITY,
        "entity_id": archive.sha256[:16],
        "action": "restore",
        "commitment_id": None,
        "before": None,
        "after": {
            "archive": archive.name[:200],
            "sha256": archive.sha256,
            "created_at": str(archive.manifest.get("created_at", ""))[:40],
            "schema": str(archive.manifest.get("schema", ""))[:20],
            "counts": result.counts,
            "evidence_files": result.evidence_files,
            "skipped_accounts": result.skipped_accounts,
            "with_accounts": with_accounts,
            "replace": replace,
            "audit_chain": result.audit_chain,
        },
    }])
