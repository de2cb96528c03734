"""The unit directory (单位名录): load from YAML/CSV, resolve names and aliases, edit with audit.

Bundled directories live in ``luoshi/data/units/*.yaml`` (their ``government:`` key says for whom);
any other government loads its own file with :func:`load_directory`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, InputError, NotFoundError, ValidationError
from luoshi.ledger.limits import clean
from luoshi.ledger.models import UNIT_KINDS, Government, Unit
from luoshi.ledger.services.common import check_version, get
from luoshi.ledger.services.common import government as get_government


@dataclass
class LoadResult:
    government: str
    added: int
    updated: int
    unchanged: int


def bundled_directories() -> dict[str, Any]:
    """government name → parsed bundled directory."""
    out: dict[str, Any] = {}
    for entry in resources.files("luoshi.data").joinpath("units").iterdir():
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            out[data["government"]] = data
    return out


def read_directory(path: str | Path) -> dict[str, Any]:
    """Parse a YAML (``government``, ``units: [...]``) or CSV directory file."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{p}: 文件不存在") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: 不是 UTF-8 文本") from None
    if p.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(raw)))
        if not rows or "name" not in rows[0]:
            raise InputError(f"{p}: CSV 需要表头 name,short_name,aliases,kind,parent,note")
        units = []
        for row in rows:
            aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
            units.append({**{k: (v or "").strip() or None for k, v in row.items()}, "aliases": aliases})
        return {"government": None, "units": units}
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: YAML 格式错误：{exc}") from None
    if isinstance(data, list):
        data = {"units": data}
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise InputError(f"{p}: 需要 units: 列表")
    return data


def _validate(entry: dict[str, Any], where: str) -> dict[str, Any]:
    name = _text("unit.name", entry.get("name"), where)
    if not name:
        raise ValidationError(f"{where}: 单位缺少 name")
    kind = entry.get("kind") or "部门"
    if kind not in UNIT_KINDS:
        raise ValidationError(f"{where}: 单位“{name}”的类型“{kind}”无效（应为 {'/'.join(UNIT_KINDS)}）")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        raise ValidationError(f"{where}: 单位“{name}”的 aliases 应为列表")
    return {
        "name": name,
        "short_name": _text("unit.short_name", entry.get("short_name"), where),
        "aliases": [_text("unit.name", str(a), where) or "" for a in aliases],
        "kind": kind,
        "parent": entry.get("parent") or None,
        "note": _text("unit.note", entry.get("note"), where, multiline=True),
    }


def _text(key: str, value: Any, where: str, *, multiline: bool = False) -> str | None:
    """A directory entry's text, normalised and checked against the column (see luoshi.ledger.limits)."""
    try:
        return clean(key, None if value is None else str(value), multiline=multiline)
    except ValidationError as exc:
        raise ValidationError(f"{where}: {exc.message}") from None


def load_directory(
    session: Session, data: dict[str, Any], government: str | None = None, *, where: str = "directory"
) -> LoadResult:
    """Add or update units from parsed directory data (idempotent: same data → all unchanged)."""
    gov_name = government or data.get("government")
    if not gov_name:
        raise ValidationError(f"{where}: 没有指定政府", hints={CLI: "（--government）", WEB: "（请在名录中写明政府名称）"})
    gov = get_government(session, gov_name, create=True)
    entries = [_validate(e, where) for e in data["units"]]
    existing = {u.name: u for u in session.scalars(select(Unit).where(Unit.government_id == gov.id))}
    added = updated = unchanged = 0
    for e in entries:
        unit = existing.get(e["name"])
        fields = {k: e[k] for k in ("short_name", "aliases", "kind", "note")}
        if unit is None:
            unit = Unit(government=gov, name=e["name"], **fields)
            session.add(unit)
            existing[e["name"]] = unit
            added += 1
        elif any(getattr(unit, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(unit, k, v)
            updated += 1
        else:
            unchanged += 1
    # parents are set before the first flush, so a new unit's audit event already names its parent
    for e in entries:
        if e["parent"]:
            parent = existing.get(e["parent"])
            if parent is None:
                raise ValidationError(f"{where}: 单位“{e['name']}”的上级“{e['parent']}”不在名录中")
            if existing[e["name"]].parent is not parent:
                existing[e["name"]].parent = parent
    _check_alias_clashes(list(existing.values()), where)
    session.flush()
    return LoadResult(gov.name, added, updated, unchanged)


def _check_alias_clashes(units: list[Unit], where: str) -> None:
    seen: dict[str, str] = {}
    for u in units:
        for label in {u.name, u.short_name, *u.aliases} - {None}:
            other = seen.setdefault(label, u.name)  # type: ignore[arg-type]
            if other != u.name:
                raise ValidationError(f"{where}: 名称/别名“{label}”同时属于“{other}”和“{u.name}”")


def ensure_directory(session: Session, government: str) -> Government:
    """The government, with its bundled unit directory loaded if it has no units yet."""
    gov = get_government(session, government, create=True)
    has_units = session.scalar(select(Unit.id).where(Unit.government_id == gov.id).limit(1))
    if not has_units:
        bundled = bundled_directories().get(government)
        if bundled is not None:
            load_directory(session, bundled, government, where=f"bundled directory for {government}")
    return gov


def list_units(session: Session, government: str) -> list[Unit]:
    gov = get_government(session, government)
    return list(session.scalars(select(Unit).where(Unit.government_id == gov.id).order_by(Unit.id)))


def labels(unit: Unit) -> list[str]:
    """Every name the unit answers to, longest first."""
    return sorted({unit.name, unit.short_name or unit.name, *unit.aliases}, key=len, reverse=True)


def resolve(session: Session, government_id: int, name: str) -> Unit:
    """The unit called ``name`` (full name, short name or alias) — or a NotFoundError that says so."""
    name = name.strip()
    units = list(session.scalars(select(Unit).where(Unit.government_id == government_id, Unit.active)))
    for u in units:
        if name in labels(u):
            return u
    near = [u.name for u in units if name and (name in u.name or u.name in name)][:3]
    hint = f"；是否指：{'、'.join(near)}" if near else ""
    raise NotFoundError(f"未知单位“{name}”{hint}",
                        hints={CLI: "（用 luoshi ledger units list 查看名录）",
                               WEB: "（请从单位名录中选择，或先把该单位加入名录）"})


def add_unit(
    session: Session,
    government: str,
    name: str,
    *,
    kind: str = "部门",
    short_name: str | None = None,
    aliases: list[str] | None = None,
    parent: str | None = None,
    note: str | None = None,
) -> Unit:
    gov = get_government(session, government, create=True)
    entry = _validate(
        {"name": name, "kind": kind, "short_name": short_name, "aliases": aliases or []}, "单位"
    )
    clash = _label_owner(session, gov.id, [entry["name"], entry["short_name"], *entry["aliases"]])
    if clash:
        raise ConflictError(f"名称“{clash[0]}”已属于单位“{clash[1]}”")
    parent_unit = resolve(session, gov.id, parent) if parent else None  # before the new row exists
    unit = Unit(government=gov, note=_text("unit.note", note, "单位", multiline=True), **{k: entry[k] for k in ("name", "short_name", "aliases", "kind")})
    unit.parent = parent_unit
    session.add(unit)
    session.flush()
    return unit


def _label_owner(
    session: Session, government_id: int, names: list[str | None], skip: int | None = None
) -> tuple[str, str] | None:
    for u in session.scalars(select(Unit).where(Unit.government_id == government_id)):
        if u.id == skip:
            continue
        for n in names:
            if n and n in labels(u):
                return n, u.name
    return None


def rename_unit(
    session: Session,
    unit_id: int,
    new_name: str,
    *,
    keep_alias: bool = True,
    expected_version: int | None = None,
) -> Unit:
    """Rename (机构改革); the old name stays as an alias so old texts still resolve."""
    unit = get(session, Unit, unit_id)
    check_version(unit, expected_version)
    new_name = clean("unit.name", new_name) or ""
    if not new_name:
        raise ValidationError("新名称不能为空")
    clash = _label_owner(session, unit.government_id, [new_name], skip=unit.id)
    if clash:
        raise ConflictError(f"名称“{new_name}”已属于单位“{clash[1]}”")
    old = unit.name
    unit.name = new_name
    if keep_alias and old not in unit.aliases:
        unit.aliases = [*unit.aliases, old]
    session.flush()
    return unit


def add_alias(session: Session, unit_id: int, alias: str, *, expected_version: int | None = None) -> Unit:
    unit = get(session, Unit, unit_id)
    check_version(unit, expected_version)
    alias = clean("unit.name", alias) or ""
    if not alias:
        raise ValidationError("别名不能为空")
    clash = _label_owner(session, unit.government_id, [alias], skip=unit.id)
    if clash:
        raise ConflictError(f"别名“{alias}”已属于单位“{clash[1]}”")
    if alias not in labels(unit):
        unit.aliases = [*unit.aliases, alias]
        session.flush()
    return unit


def find_unit(session: Session, government: str, name: str) -> Unit:
    gov = session.scalar(select(Government).where(Government.name == government))
    if gov is None:
        raise NotFoundError(f"政府“{government}”不存在")
    return resolve(session, gov.id, name)
