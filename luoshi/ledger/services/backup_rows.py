"""Checking the rows of a backup before any of them is written.

A backup file is input like any other: it may be cut short, hand-edited or forged. Each row is
checked against the current schema — known table and columns, the Python type each column needs,
string lengths (what PostgreSQL enforces and SQLite does not), NUL characters (PostgreSQL refuses
them), 32-bit integers, timezone-aware times — and then the whole set for primary keys, unique
keys and foreign keys. Every problem is an :class:`~luoshi.errors.InputError` of one line naming the
line, table and column, never the value: rows hold password hashes and private narratives.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Table, Text, UniqueConstraint

from luoshi.errors import InputError
from luoshi.ledger import models
from luoshi.ledger.models import UTCDateTime

INT32 = (-(2**31), 2**31 - 1)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,39}")  # a column name that may be shown as it is


class RowProblem(InputError):
    """One row (or the set of rows) of a backup does not fit the schema."""


def _check_value(table: Table, col: Any, value: Any, where: str) -> Any:
    """``value`` as the column needs it; RowProblem (without the value) if it does not fit."""
    name = f"{where}表 {table.name} 列 {col.name}"
    if value is None:
        return None
    kind = col.type
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise RowProblem(f"{name}：应为真/假值")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RowProblem(f"{name}：应为整数")
        if not INT32[0] <= value <= INT32[1]:
            raise RowProblem(f"{name}：整数超出范围")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise RowProblem(f"{name}：应为有限的数值")
        return float(value)
    if isinstance(kind, DateTime | UTCDateTime):
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            raise RowProblem(f"{name}：应为带时区的 ISO 时间")
        return parsed
    if isinstance(kind, Date):
        try:
            if isinstance(value, str) and len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        raise RowProblem(f"{name}：应为 ISO 日期（YYYY-MM-DD）")
    if isinstance(kind, String | Text) and not isinstance(kind, JSON):
        if not isinstance(value, str):
            raise RowProblem(f"{name}：应为文本")
        if "\x00" in value:
            raise RowProblem(f"{name}：含有 NUL 字符")
        length = getattr(kind, "length", None)
        if length is not None and len(value) > length:
            raise RowProblem(f"{name}：超过 {length} 个字符的上限")
        return value
    if isinstance(kind, JSON):
        if not isinstance(value, dict | list):
            raise RowProblem(f"{name}：应为 JSON 对象或列表")
        return value
    raise RowProblem(f"{name}：本程序不认识该列的类型")


def decode_row(table: Table, row: object, where: str, *, older: bool = False) -> dict[str, Any]:
    """A dumped row as insert values. With ``older`` (a dump from an earlier schema revision),
    columns added since then are filled with NULL or their scalar default."""
    if not isinstance(row, dict):
        raise RowProblem(f"{where}表 {table.name}：行应为 JSON 对象")
    out: dict[str, Any] = {}
    for key, value in row.items():
        col = table.columns.get(key)
        if col is None:
            shown = key if isinstance(key, str) and _IDENTIFIER.fullmatch(key) else "（名称无法显示）"
            raise RowProblem(f"{where}表 {table.name}：列 {shown} 不在当前数据库结构中")
        out[key] = _check_value(table, col, value, where)
    if older and table.name == "notices" and "reasons" not in out:
        _older_notice(out)
    for col in table.columns:
        if col.name not in out:
            if older and col.nullable:
                out[col.name] = None
            elif older and col.default is not None and col.default.is_scalar:
                out[col.name] = col.default.arg
            else:
                raise RowProblem(f"{where}表 {table.name} 缺少列 {col.name}（文件不完整？）")
        if out[col.name] is None and not col.nullable:
            raise RowProblem(f"{where}表 {table.name} 列 {col.name}：不能为空")
    _check_vocabulary(table, out, where)
    return out


def _older_notice(out: dict[str, Any]) -> None:
    """A notice dumped before notices listed their reasons (schema 0008): ``red`` becomes ``overdue``
    when its detail says the deadline passed, else ``behind``; ``reasons`` is that one reason (as
    migration 0008 does; two notices of one period are refused by the key check, not merged here)."""
    reason = out.get("reason")
    if reason == "red":
        reason = out["reason"] = "overdue" if "完成时限" in str(out.get("detail") or "") else "behind"
    out["reasons"] = [reason] if isinstance(reason, str) else []


# closed vocabularies and fixed formats the rest of luoshi relies on (a sha256 becomes a file path)
_HEX64 = re.compile(r"[0-9a-f]{64}")
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("units", "kind"): models.UNIT_KINDS,
    ("commitments", "kind"): models.COMMITMENT_KINDS,
    ("commitments", "state"): models.COMMITMENT_STATES,
    ("commitments", "comparator"): models.COMPARATORS,
    ("commitments", "modality"): models.MODALITIES,
    ("assignments", "role"): models.ROLES,
    ("ledger_settings", "cycle"): models.CYCLES,
    ("progress_reports", "state"): models.REPORT_STATES,
    ("notices", "reason"): models.NOTICE_REASONS,
    ("evaluations", "result"): models.RESULTS,
    ("evaluations", "state"): models.EVALUATION_STATES,
    ("users", "role"): models.USER_ROLES,
}
PATTERNS = {("evidence", "sha256"): _HEX64, ("reports", "sha256"): _HEX64}


def _check_vocabulary(table: Table, row: dict[str, Any], where: str) -> None:
    for col in table.columns:
        value = row.get(col.name)
        if value is None:
            continue
        allowed = VOCABULARIES.get((table.name, col.name))
        if allowed is not None and value not in allowed:
            raise RowProblem(f"{where}表 {table.name} 列 {col.name}：不是允许的取值（{' / '.join(allowed)}）")
        pattern = PATTERNS.get((table.name, col.name))
        if pattern is not None and not pattern.fullmatch(value):
            raise RowProblem(f"{where}表 {table.name} 列 {col.name}：格式不对（应为 64 位十六进制校验和）")


def _keys(table: Table) -> list[tuple[str, list[str]]]:
    """(what, columns) of the primary key and each unique key of ``table``."""
    keys = [("主键", [c.name for c in table.primary_key.columns])]
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            keys.append(("唯一键", [c.name for c in constraint.columns]))
    for col in table.columns:
        if col.unique:
            keys.append(("唯一键", [col.name]))
    return keys


def check_keys(table: Table, rows: list[dict[str, Any]]) -> None:
    """No two rows share a primary key or a unique key (NULLs never collide, as in SQL)."""
    for what, cols in _keys(table):
        seen: set[tuple[Any, ...]] = set()
        for n, row in enumerate(rows, 1):
            key = tuple(row[c] for c in cols)
            if any(v is None for v in key):
                continue
            if key in seen:
                raise RowProblem(f"表 {table.name} 第 {n} 行：{what}（{', '.join(cols)}）与前面的行重复")
            seen.add(key)


def check_references(tables: Iterable[Table], rows: dict[str, list[dict[str, Any]]],
                     present: dict[str, set[Any]] | None = None) -> None:
    """Every foreign key points at a row of the backup (or, via ``present``, one the target keeps)."""
    present = present or {}
    ids: dict[tuple[str, str], set[Any]] = {}
    for table in tables:
        for fk in table.foreign_keys:
            col, target = fk.parent, fk.column
            key = (target.table.name, target.name)
            if key not in ids:
                ids[key] = {r[target.name] for r in rows.get(target.table.name, [])}
                ids[key] |= present.get(target.table.name, set())
            known = ids[key]
            for n, row in enumerate(rows.get(table.name, []), 1):
                value = row.get(col.name)
                if value is not None and value not in known:
                    raise RowProblem(
                        f"表 {table.name} 第 {n} 行：列 {col.name} 指向的 {target.table.name} 记录不在备份中"
                    )
