"""Portable backup: one JSON object per line, restorable into SQLite or PostgreSQL.

Line 1 is a header ``{"format": "luoshi-backup", "version": 1, "schema": <alembic revision>,
"tables": {name: row count}}``; then one ``{"t": table, "r": {column: value}}`` per row, tables in
foreign-key order. Dates and datetimes are ISO strings (UTC), JSON columns stay JSON. Restoring
needs a migrated, empty database (or ``replace=True``, which empties it first), and resets the
PostgreSQL id sequences afterwards.

A dump written by an older schema revision (an ancestor of the database's current one) restores
too: columns added since then are absent from its rows and get NULL or their default value (e.g.
``commitments.leader``, added in revision 0002). A dump from a newer or unknown revision is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Date, DateTime, Engine, func, select, text

from luoshi.errors import ConflictError, InputError
from luoshi.ledger.models import Base, UTCDateTime

FORMAT = "luoshi-backup"
VERSION = 1


def _tables() -> list[Any]:
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(conn: Connection, table: Any) -> Iterator[dict[str, Any]]:
    pk = list(table.primary_key.columns)
    for row in conn.execute(select(table).order_by(*pk)):
        yield {k: _encode(v) for k, v in row._mapping.items()}


def dump(engine: Engine, out: IO[str]) -> dict[str, int]:
    from luoshi.ledger.migrate import current_revision

    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for t in _tables():
            counts[t.name] = conn.scalar(select(func.count()).select_from(t)) or 0
        header = {"format": FORMAT, "version": VERSION, "schema": current_revision(engine), "tables": counts}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for t in _tables():
            for r in _rows(conn, t):
                out.write(json.dumps({"t": t.name, "r": r}, ensure_ascii=False) + "\n")
    return counts


def backup(engine: Engine, path: str | Path) -> dict[str, int]:
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        counts = dump(engine, fh)
    tmp.replace(p)
    return counts


def _decode(table: Any, row: dict[str, Any], *, older: bool = False) -> dict[str, Any]:
    """A dumped row as insert values; with ``older`` (dump from an earlier revision) columns added
    since then are filled with NULL or their scalar default."""
    out = {}
    for k, v in row.items():
        col = table.columns.get(k)
        if col is None:
            raise InputError(f"备份中的列 {table.name}.{k} 不在当前数据库结构中")
        if v is not None and isinstance(col.type, DateTime | UTCDateTime):
            v = dt.datetime.fromisoformat(v)
        elif v is not None and isinstance(col.type, Date):
            v = dt.date.fromisoformat(v)
        out[k] = v
    for col in table.columns:
        if col.name in out:
            continue
        if older and col.nullable:
            out[col.name] = None
        elif older and col.default is not None and col.default.is_scalar:
            out[col.name] = col.default.arg
        else:
            raise InputError(f"备份中的表 {table.name} 缺少列 {col.name}（文件不完整？）")
    return out


def _is_older(revision: object, current: str | None) -> bool:
    """Whether ``revision`` is an ancestor of ``current`` in the shipped migration scripts."""
    from alembic.script import ScriptDirectory

    from luoshi.ledger.migrate import alembic_config

    if not isinstance(revision, str) or current is None or revision == current:
        return False
    scripts = ScriptDirectory.from_config(alembic_config())
    return any(s.revision == revision for s in scripts.iterate_revisions(current, "base"))


def restore(engine: Engine, path: str | Path, *, replace: bool = False) -> dict[str, int]:
    """Load a backup file into ``engine`` in one transaction."""
    from luoshi.ledger.migrate import current_revision

    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: 文件不存在") from None
    with fh:
        try:
            header = json.loads(fh.readline() or "null")
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InputError(f"{p}: 不是 luoshi 备份文件")
        if header.get("version") != VERSION:
            raise InputError(f"{p}: 备份格式版本 {header.get('version')} 不受支持（支持 {VERSION}）")
        schema = current_revision(engine)
        older = _is_older(header.get("schema"), schema)
        if header.get("schema") != schema and not older:
            raise InputError(
                f"{p}: 备份的数据库结构版本 {header.get('schema')} 与当前 {schema} 不同，请先运行 luoshi db upgrade"
            )
        tables = {t.name: t for t in _tables()}
        counts = dict.fromkeys(tables, 0)
        with engine.begin() as conn:
            non_empty = [t.name for t in _tables() if conn.scalar(select(func.count()).select_from(t))]
            if non_empty and not replace:
                raise ConflictError(
                    f"目标数据库不是空的（{', '.join(non_empty[:5])}…）；如要覆盖请加 --replace"
                )
            for t in reversed(_tables()):
                if non_empty:
                    conn.execute(t.delete())
            deferred_parents: list[tuple[int, int]] = []
            batch: dict[str, list[dict[str, Any]]] = {}
            for n, line in enumerate(fh, 2):
                try:
                    item = json.loads(line)
                    table = tables[item["t"]]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise InputError(f"{p}:{n}: 无法识别的行") from None
                row = _decode(table, item["r"], older=older)
                if table.name == "units" and row.get("parent_id") is not None:
                    deferred_parents.append((row["id"], row["parent_id"]))
                    row["parent_id"] = None
                batch.setdefault(table.name, []).append(row)
            for t in _tables():
                rows = batch.get(t.name, [])
                if rows:
                    conn.execute(t.insert(), rows)
                counts[t.name] = len(rows)
            for name, count in (header.get("tables") or {}).items():
                if counts.get(name, 0) != count:
                    raise InputError(
                        f"{p}: 表 {name} 应有 {count} 行，读到 {counts.get(name, 0)} 行（文件不完整）"
                    )
            units = tables["units"]
            for uid, parent in deferred_parents:
                conn.execute(units.update().where(units.c.id == uid).values(parent_id=parent))
            if engine.dialect.name == "postgresql":
                for t in _tables():
                    if (
                        "id" in t.columns
                        and t.columns["id"].autoincrement in (True, "auto")
                        and len(t.primary_key.columns) == 1
                    ):
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                f'COALESCE((SELECT MAX(id) FROM "{t.name}"), 0) + 1, false)'
                            )
                        )
    return counts
