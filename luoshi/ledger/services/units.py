"""The unit directory (单位名录): load from YAML/CSV, resolve names and aliases, edit with audit.

Bundled directories live in ``luoshi/data/units/*.yaml`` (their ``government:`` key says for whom);
any other government loads its own file with :func:`load_directory`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from luoshi.errors import CLI, WEB, ConflictError, InputError, NotFoundError, ValidationError
from luoshi.ledger.limits import clean
from luoshi.ledger.models import UNIT_KINDS, Assignment, Commitment, Government, Notice, Unit, User, utcnow
from luoshi.ledger.services.common import check_version, get
from luoshi.ledger.services.common import government as get_government


@dataclass
class LoadResult:
    government: str
    added: int
    updated: int
    unchanged: int
    renamed: int = 0


def bundled_directories() -> dict[str, Any]:
    """government name → parsed bundled directory."""
    out: dict[str, Any] = {}
    for entry in resources.files("luoshi.data").joinpath("units").iterdir():
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            out[data["government"]] = data
    return out


# column headings a directory table may use, in English or as people write them in Chinese
HEADINGS = {
    "name": "name", "名称": "name", "单位名称": "name", "单位全称": "name", "全称": "name", "单位": "name",
    "short_name": "short_name", "简称": "short_name", "单位简称": "short_name",
    "aliases": "aliases", "别名": "aliases", "其他名称": "aliases",
    "kind": "kind", "类型": "kind", "单位类型": "kind",
    "parent": "parent", "上级": "parent", "上级单位": "parent",
    "note": "note", "备注": "note",
}
DIRECTORY_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")
_ALIAS_SEPARATORS = ("|", "、", "，", ",", "；", ";")


def read_directory(path: str | Path) -> dict[str, Any]:
    """Parse a directory file: YAML (``government``, ``units: [...]``), CSV or .xlsx (one row per unit)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise InputError(f"{p}: 文件不存在") from None
    return read_directory_bytes(p.name, raw, where=str(p))


def read_directory_bytes(filename: str, raw: bytes, *, where: str | None = None) -> dict[str, Any]:
    """Parse an uploaded directory (the web page) or a file's bytes (the CLI) the same way.

    Tables (CSV, the first sheet of an .xlsx) need a heading row naming at least the unit's name
    (``name`` or 名称/单位名称); aliases are separated by ``|`` or 、 in one cell.
    """
    where = where or filename
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return {"government": None, "units": _table_units(_xlsx_rows(raw, where), where)}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where}: 不是 UTF-8 文本（表格请另存为 UTF-8 编码的 CSV 或 .xlsx）") from None
    if suffix == ".csv":
        return {"government": None, "units": _table_units(list(csv.reader(io.StringIO(text))), where)}
    if suffix not in (".yaml", ".yml"):
        raise InputError(f"{where}: 单位名录应为 .xlsx、.csv 或 .yaml 文件")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{where}: YAML 格式错误：{exc}") from None
    if isinstance(data, list):
        data = {"units": data}
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise InputError(f"{where}: 需要 units: 列表")
    return data


def _xlsx_rows(raw: bytes, where: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{where}: 不是有效的 .xlsx 工作簿") from None
    try:
        sheet = book.worksheets[0]
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _table_units(rows: list[list[str]], where: str) -> list[dict[str, Any]]:
    rows = [r for r in rows if any((c or "").strip() for c in r)]
    if not rows:
        raise InputError(f"{where}: 表格是空的")
    keys = [HEADINGS.get((h or "").strip().lower(), HEADINGS.get((h or "").strip())) for h in rows[0]]
    if "name" not in keys:
        raise InputError(f"{where}: 第一行应为表头，至少包含“单位名称”（或 name）一列；"
                         "可选列：简称、别名、类型、上级单位、备注")
    units = []
    for row in rows[1:]:
        entry: dict[str, Any] = {}
        for key, cell in zip(keys, row, strict=False):
            if key:
                entry[key] = (cell or "").strip() or None
        if not entry.get("name"):
            continue
        aliases = entry.get("aliases") or ""
        for sep in _ALIAS_SEPARATORS[1:]:
            aliases = aliases.replace(sep, "|")
        entry["aliases"] = [a.strip() for a in aliases.split("|") if a.strip()]
        units.append(entry)
    if not units:
        raise InputError(f"{where}: 表头下面没有单位")
    return units


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


@dataclass
class PlannedChange:
    """One line of a directory load, before it is applied (shown as the preview of an upload)."""

    action: str  # add | rename | update | unchanged
    name: str  # the name the unit will have
    old_name: str | None = None  # for a rename: the name it had (kept as an alias)
    changed: list[str] = field(default_factory=list)  # for an update: which of its fields change

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.action]


CHANGE_LABELS = {"add": "新增", "rename": "更名", "update": "修改", "unchanged": "不变"}
FIELD_LABELS = {"short_name": "简称", "aliases": "别名", "kind": "类型", "note": "备注", "parent": "上级单位"}


def _plan(existing: dict[str, Unit], entries: list[dict[str, Any]]) -> list[tuple[PlannedChange, Unit | None]]:
    """Match each entry to an existing unit: by its name, or — a rename (机构改革) — by an old name
    the entry lists among its aliases or as its short name, when that old name is an active unit's
    name and the new name is nobody's yet."""
    out: list[tuple[PlannedChange, Unit | None]] = []
    claimed: set[int] = set()
    for e in entries:
        unit = existing.get(e["name"])
        if unit is None:
            olds = [a for a in [e["short_name"], *e["aliases"]] if a]
            unit = next((existing[a] for a in olds if a in existing and existing[a].active
                         and existing[a].id not in claimed), None)
            if unit is None:
                out.append((PlannedChange("add", e["name"]), None))
                continue
            if unit.id is not None:
                claimed.add(unit.id)
            out.append((PlannedChange("rename", e["name"], old_name=unit.name), unit))
            continue
        changed = [k for k in ("short_name", "aliases", "kind", "note") if getattr(unit, k) != e[k]]
        parent_name = unit.parent.name if unit.parent is not None else None
        if e["parent"] and e["parent"] != parent_name:
            changed.append("parent")
        out.append((PlannedChange("update" if changed else "unchanged", e["name"], changed=changed), unit))
    return out


def plan_directory(session: Session, data: dict[str, Any], government: str, *,
                   where: str = "directory") -> list[PlannedChange]:
    """What :func:`load_directory` would do with ``data``, without changing anything.

    The load itself runs inside a savepoint that is rolled back, so a list the load would refuse
    (an unknown parent, a name claimed by two units) is refused here, with the same message,
    before anyone is asked to confirm it.
    """
    entries = [_validate(e, where) for e in data["units"]]
    gov = session.scalar(select(Government).where(Government.name == government))
    existing = {} if gov is None else {
        u.name: u for u in session.scalars(select(Unit).where(Unit.government_id == gov.id))}
    changes = [change for change, _unit in _plan(existing, entries)]
    savepoint = session.begin_nested()
    try:
        load_directory(session, data, government, where=where)
    finally:
        savepoint.rollback()
    return changes


def load_directory(
    session: Session, data: dict[str, Any], government: str | None = None, *, where: str = "directory"
) -> LoadResult:
    """Add, rename or update units from parsed directory data (idempotent: same data → all unchanged).

    An entry whose name is new but which lists a current unit's name among its aliases renames that
    unit (the old name stays an alias), so a list sent after a 机构改革 follows the units instead of
    adding new ones beside them.
    """
    gov_name = government or data.get("government")
    if not gov_name:
        raise ValidationError(f"{where}: 没有指定政府", hints={CLI: "（--government）", WEB: "（请在名录中写明政府名称）"})
    gov = get_government(session, gov_name, create=True)
    entries = [_validate(e, where) for e in data["units"]]
    existing = {u.name: u for u in session.scalars(select(Unit).where(Unit.government_id == gov.id))}
    added = updated = unchanged = renamed = 0
    for (change, unit), e in zip(_plan(existing, entries), entries, strict=True):
        fields = {k: e[k] for k in ("short_name", "aliases", "kind", "note")}
        if unit is None:
            unit = Unit(government=gov, name=e["name"], **fields)
            session.add(unit)
            existing[e["name"]] = unit
            added += 1
            continue
        if change.action == "rename":
            existing.pop(unit.name, None)
            if unit.name not in fields["aliases"]:
                fields["aliases"] = [*fields["aliases"], unit.name]
            unit.name = e["name"]
            existing[e["name"]] = unit
            renamed += 1
        elif change.action == "update":
            updated += 1
        else:
            unchanged += 1
        for k, v in fields.items():
            if getattr(unit, k) != v:
                setattr(unit, k, v)
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
    return LoadResult(gov.name, added, updated, unchanged, renamed)


def _check_alias_clashes(units: list[Unit], where: str) -> None:
    seen: dict[str, str] = {}
    for u in units:
        if u.active is False:  # a deactivated or merged unit answers to no name any more
            continue
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


# a unit that names a set of units (各开发区, 各区市, 各区（市）, 各县（市、区）, 各有关单位): the plan
# text assigns work to it, but it is no body one can rank
GROUP_NAME = re.compile(r"^(各|全市各|有关)")
GROUP_NOTE = "集合单位"


def is_group(unit: Unit) -> bool:
    """Whether ``unit`` stands for a set of units rather than one body: its name (or short name)
    starts with 各/有关 (as the report writes 各开发区, 各区（市）), or its directory note says
    集合单位."""
    names = [unit.name, unit.short_name or ""]
    return any(GROUP_NAME.match(n) for n in names if n) or (unit.note or "").startswith(GROUP_NOTE)


def groups(session: Session, government_id: int) -> dict[int, list[int]]:
    """Each group unit of a government → its member units (active units whose parent it is; an
    empty list when the directory names none). What is assigned to a group counts for each member;
    a group without members counts for nobody — a group is never ranked as one."""
    units = list(session.scalars(select(Unit).where(Unit.government_id == government_id)))
    out = {u.id: [] for u in units if is_group(u)}  # type: dict[int, list[int]]
    for u in units:
        if u.parent_id in out and u.active and u.id not in out:
            out[u.parent_id].append(u.id)
    return out


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
                        hints={CLI: "（用 luoshi ledger units list 查看名录，或用 luoshi ledger units add 新增）",
                               WEB: "（单位名录中没有这个名称：请先在“单位与账号”页新增该单位，或为已有单位添加别名）"})


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
    _refuse_inactive_name(session, gov.id, entry["name"])
    parent_unit = resolve(session, gov.id, parent) if parent else None  # before the new row exists
    unit = Unit(government=gov, note=_text("unit.note", note, "单位", multiline=True), **{k: entry[k] for k in ("name", "short_name", "aliases", "kind")})
    unit.parent = parent_unit
    session.add(unit)
    session.flush()
    return unit


def _refuse_inactive_name(session: Session, government_id: int, name: str) -> None:
    """A deactivated unit keeps its row (and its name, unique in the directory) for the history."""
    if session.scalar(select(Unit.id).where(Unit.government_id == government_id, Unit.name == name)):
        raise ConflictError(f"名录中已有停用的单位“{name}”：请重新启用它，或换一个名称")


def _label_owner(
    session: Session, government_id: int, names: list[str | None], skip: int | None = None
) -> tuple[str, str] | None:
    for u in session.scalars(select(Unit).where(Unit.government_id == government_id)):
        if u.id == skip or not u.active:  # names of a deactivated or merged unit are free to reuse
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
    if new_name != unit.name:
        _refuse_inactive_name(session, unit.government_id, new_name)
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


# --------------------------------------------------------------------------- the directory page


@dataclass
class DirectoryRow:
    """A unit as the directory lists it, with what hangs off it."""

    unit: Unit
    assignments: int  # on commitments of every year
    open_leads: int  # commitments not closed that it leads
    liaisons: int  # accounts of the unit (active or not)


def directory(session: Session, government_id: int, *, include_inactive: bool = True) -> list[DirectoryRow]:
    """Every unit of a government with its counts, active ones first, in directory order."""
    q = select(Unit).where(Unit.government_id == government_id)
    if not include_inactive:
        q = q.where(Unit.active.is_(True))
    rows = list(session.scalars(q.order_by(Unit.active.desc(), Unit.id)))
    ids = [u.id for u in rows]
    assigned = dict(session.execute(select(Assignment.unit_id, func.count()).where(Assignment.unit_id.in_(ids))
                                    .group_by(Assignment.unit_id)).all())
    leads = dict(session.execute(
        select(Assignment.unit_id, func.count()).join(Commitment, Commitment.id == Assignment.commitment_id)
        .where(Assignment.unit_id.in_(ids), Assignment.role == "lead", Commitment.state != "closed")
        .group_by(Assignment.unit_id)).all())
    liaisons = dict(session.execute(select(User.unit_id, func.count()).where(User.unit_id.in_(ids))
                                    .group_by(User.unit_id)).all())
    return [DirectoryRow(u, assigned.get(u.id, 0), leads.get(u.id, 0), liaisons.get(u.id, 0)) for u in rows]


def _open_assignments(session: Session, unit_id: int) -> list[tuple[int, str]]:
    """(commitment id, role) of the unit's assignments on commitments not closed (销号)."""
    return [(cid, role) for cid, role in session.execute(
        select(Assignment.commitment_id, Assignment.role).join(Commitment, Commitment.id == Assignment.commitment_id)
        .where(Assignment.unit_id == unit_id, Commitment.state != "closed").order_by(Assignment.commitment_id))]


def _ids(ids: list[int], most: int = 5) -> str:
    shown = "、".join(str(i) for i in ids[:most])
    return shown + (f" 等 {len(ids)} 项" if len(ids) > most else "")


def deactivate_unit(session: Session, unit_id: int, *, expected_version: int | None = None) -> Unit:
    """Take a unit out of the directory (撤销): it is no longer offered or resolved by its names.

    Refused while it still answers for commitments that are not closed — a deactivated unit would
    leave them with nobody to report — with the commitments named so the office can reassign them
    or merge the unit into its successor instead. Its history (assignments of closed commitments,
    scores, notices) stays with it; its liaison accounts are left as they are (the office disables
    them on the accounts list if the people leave).
    """
    unit = get(session, Unit, unit_id)
    check_version(unit, expected_version)
    if not unit.active:
        raise ConflictError(f"单位“{unit.name}”已经停用")
    open_ = _open_assignments(session, unit.id)
    if open_:
        leads = [cid for cid, role in open_ if role == "lead"]
        supports = [cid for cid, role in open_ if role != "lead"]
        parts = ([f"牵头 {len(leads)} 项（任务 {_ids(leads)}）"] if leads else []) + (
            [f"配合 {len(supports)} 项（任务 {_ids(supports)}）"] if supports else [])
        raise ConflictError(f"单位“{unit.name}”仍{'、'.join(parts)}未办结的任务，不能停用："
                            "请先把这些任务改派给其他单位，或把该单位合并到承接它职责的单位")
    children = [u.name for u in session.scalars(select(Unit).where(Unit.parent_id == unit.id, Unit.active))]
    if children:
        raise ConflictError(f"单位“{unit.name}”还有下属单位（{'、'.join(children[:5])}），请先停用或调整这些单位")
    unit.active = False
    session.flush()
    return unit


def activate_unit(session: Session, unit_id: int, *, expected_version: int | None = None) -> Unit:
    """Put a deactivated unit back (its names must not meanwhile belong to another unit)."""
    unit = get(session, Unit, unit_id)
    check_version(unit, expected_version)
    if unit.active:
        raise ConflictError(f"单位“{unit.name}”已经在用")
    clash = _label_owner(session, unit.government_id, labels(unit), skip=unit.id)
    if clash:
        raise ConflictError(f"不能重新启用：名称“{clash[0]}”已属于单位“{clash[1]}”")
    unit.active = True
    session.flush()
    return unit


@dataclass
class MergeResult:
    target: Unit
    moved: int  # assignments moved to the target
    joined: int  # assignments folded into one the target already had on the same commitment
    liaisons: int
    notices: int


def merge_units(session: Session, source_id: int, target_id: int, *,
                expected_version: int | None = None) -> MergeResult:
    """Merge one unit into another (机构改革 合并): the target takes over everything of the source.

    Its assignments (of every year) move to the target — where both answered for the same
    commitment the two become one, lead if either led —, so do its liaison accounts, its 督办单 and
    its sub-units; every name of the source becomes an alias of the target, so old texts and lists
    still resolve; the source stays in the directory, deactivated, with a note saying where it went
    (scores taken before the merge keep naming it).
    """
    source = get(session, Unit, source_id)
    target = get(session, Unit, target_id)
    check_version(source, expected_version)
    if source.id == target.id:
        raise ValidationError("不能把单位合并到它自己")
    if source.government_id != target.government_id:
        raise ValidationError("只能合并同一政府名录中的单位")
    if not source.active or not target.active:
        raise ConflictError(f"单位“{(target if source.active else source).name}”已停用，不能合并")
    moved = joined = 0
    theirs = {a.commitment_id: a for a in session.scalars(select(Assignment).where(Assignment.unit_id == target.id))}
    mine = list(session.scalars(select(Assignment).where(Assignment.unit_id == source.id)))
    for a in mine:
        other = theirs.get(a.commitment_id)
        if other is None:
            a.unit = target
            moved += 1
            continue
        promote = a.role == "lead" and other.role != "lead"
        confirmed = a.confirmed or other.confirmed
        a.commitment.assignments.remove(a)  # delete-orphan: the row goes, and the loaded list agrees
        session.flush()  # the pair (commitment, unit) must be free before the target's row changes
        if promote:
            other.role = "lead"
        if confirmed != other.confirmed:
            other.confirmed = confirmed
        joined += 1
    users = list(session.scalars(select(User).where(User.unit_id == source.id)))
    for u in users:
        u.unit = target
    notices = list(session.scalars(select(Notice).where(Notice.unit_id == source.id)))
    for n in notices:
        n.unit = target
    for child in session.scalars(select(Unit).where(Unit.parent_id == source.id)):
        child.parent = target
    names = [n for n in (source.name, source.short_name, *source.aliases) if n and n not in labels(target)]
    source.active = False
    session.flush()  # the source's names are free before the target takes them
    if names:
        target.aliases = [*target.aliases, *dict.fromkeys(names)]
    note = f"已并入“{target.name}”（{utcnow().date().isoformat()}）"
    source.note = f"{source.note}\n{note}" if source.note else note
    session.flush()
    return MergeResult(target, moved, joined, len(users), len(notices))
