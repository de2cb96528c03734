"""Importing an edited 分工方案 back into the ledger — all or nothing, audited.

Each row with an 编号 is compared with its commitment: changed wording (重点任务), units (牵头/配合),
deadline (完成时限) and 责任领导 become edits through ``commitments.update`` and ``assign.assign``.
Wording is compared with the cell as the export wrote it (cut to the 32,767-character cell limit,
read back stripped), so an untouched row is unchanged; an edit of a cut cell is refused, since the
rest of the text is not in the sheet. Each row without an 编号 becomes a hand-added commitment
(``commitments.add_manual``) assigned to its units and placed in the area of the heading row above
it (the marker maps each heading to its section, or to the 主要预期目标), so the next export lists
it under the same heading.
Unknown units, bad dates, broken rows and rows changed by someone else since the export are all
collected first and reported row by row; if there is any, nothing is applied. The edits themselves
run inside a savepoint, so a failure in a service also undoes everything, and a dry run (preview)
exercises the very same services before rolling back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from openpyxl.workbook.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import LuoshiError, NotFoundError
from luoshi.export.cells import CELL_LIMIT, format_deadline, is_cut, join_units, read_back
from luoshi.export.errors import RowError, WorkbookRejected
from luoshi.export.marker import Marker
from luoshi.export.plan_sheet import SheetRow, read_plan_sheet
from luoshi.export.plan_xlsx import SHEET
from luoshi.export.savepoint import apply_or_preview
from luoshi.ledger.models import Commitment, Report, Section, Unit
from luoshi.ledger.services import assign as assign_service
from luoshi.ledger.services import commitments as commitment_service
from luoshi.ledger.services.units import resolve

TITLE_LIMIT = 60


def short_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A commitment's title from its text: up to the first 。/； and at most ``limit`` characters."""
    text = text.strip()
    for stop in "。；":
        if stop in text[:limit]:
            text = text[: text.index(stop)]
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class FieldChange:
    field: str  # 重点任务 | 牵头单位 | 配合单位 | 责任领导 | 完成时限 | 所属分组 (new rows)
    before: str
    after: str


@dataclass
class RowChange:
    row: int
    commitment_id: int | None  # None: a new commitment
    text: str
    changes: list[FieldChange] = field(default_factory=list)
    # what the services get (not part of the printed diff)
    new_text: str | None = None
    lead: str | None = None
    support: list[str] | None = None
    deadline: dt.date | None = None
    deadline_text: str | None = None
    deadline_changed: bool = False
    leader: str | None = None  # 责任领导
    leader_changed: bool = False
    section_id: int | None = None  # area of a new row
    headline: bool = False  # a new row under 主要预期目标
    expected_version: int | None = None


@dataclass
class PlanDiff:
    report_id: int
    updates: list[RowChange] = field(default_factory=list)
    creations: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    not_in_sheet: list[int] = field(default_factory=list)  # exported rows deleted from the sheet (left as they are)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False
    created_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.updates and not self.creations

    def to_dict(self) -> dict[str, Any]:
        def row(r: RowChange) -> dict[str, Any]:
            return {"row": r.row, "commitment_id": r.commitment_id, "text": r.text,
                    "changes": [asdict(c) for c in r.changes]}

        return {
            "kind": "plan",
            "report_id": self.report_id,
            "updates": [row(r) for r in self.updates],
            "creations": [row(r) for r in self.creations],
            "unchanged": self.unchanged,
            "not_in_sheet": self.not_in_sheet,
            "warnings": self.warnings,
            "applied": self.applied,
            "created_ids": self.created_ids,
        }


def _resolve(session: Session, gov_id: int, names: list[str], sr: SheetRow, column: str,
             errors: list[RowError]) -> list[Unit] | None:
    units: list[Unit] = []
    ok = True
    for name in names:
        try:
            units.append(resolve(session, gov_id, name))
        except NotFoundError as exc:
            ok = False
            errors.append(RowError(SHEET, sr.row, column, exc.message.split("（")[0]))
    return units if ok else None


@dataclass
class Area:
    """Where new rows under one heading go."""

    section_id: int | None = None
    headline: bool = False


def _areas(session: Session, report: Report, marker: Marker, warnings: list[str]) -> dict[str, Area]:
    """Heading title → area, from the marker (``group:<title>`` → section id | ``headline`` | empty).

    A section id that is no longer in the ledger (the report was re-imported since the export) is
    looked up again by the heading's title; failing that, new rows under it get no area (warning).
    """
    sections = list(session.scalars(select(Section).where(Section.report_id == report.id)))
    by_id = {s.id: s for s in sections}
    out: dict[str, Area] = {}
    for key, value in marker.meta.items():
        if not key.startswith("group:"):
            continue
        title = key.removeprefix("group:")
        if value == "headline":
            out[title] = Area(headline=True)
        elif not value:
            out[title] = Area()
        elif value.isdigit() and int(value) in by_id:
            out[title] = Area(int(value))
        else:
            bare = title.split("、", 1)[-1]
            match = next((s for s in sorted(sections, key=lambda s: s.level) if s.title == bare), None)
            out[title] = Area(match.id if match else None)
            if match is None:
                warnings.append(f"分组“{title}”在台账中已找不到对应章节，其下新增的任务将不归入任何分组")
    return out


def diff_plan(session: Session, wb: Workbook, marker: Marker) -> PlanDiff:
    """What importing ``wb`` would change; WorkbookRejected listing every problem if anything is wrong."""
    report = _report(session, marker)
    sheet = read_plan_sheet(wb, marker, report.year)
    errors = list(sheet.errors)
    diff = PlanDiff(report.id)
    if sheet.table is None:
        raise WorkbookRejected(errors)
    table = sheet.table
    lead_col, support_col = table.label("牵头单位"), (table.label("配合单位") if "配合单位" in table.columns else None)
    areas = _areas(session, report, marker, diff.warnings)
    for sr in sheet.rows:
        if len(sr.lead) > 1:
            errors.append(RowError(SHEET, sr.row, lead_col, f"牵头单位只能填一个（现为“{join_units(sr.lead)}”；其余请填入配合单位）"))
            continue
        lead = _resolve(session, report.government_id, sr.lead, sr, lead_col, errors)
        support = _resolve(session, report.government_id, sr.support, sr, support_col or lead_col, errors)
        if lead is None or support is None:
            continue
        if sr.id is None:
            area = areas.get(sr.group or "", Area())
            diff.creations.append(_creation(sr, lead[0], [u for u in support if u.id != lead[0].id], area))
            continue
        c = session.get(Commitment, sr.id)
        if c is None or c.report_id != report.id:
            errors.append(RowError(SHEET, sr.row, table.label("编号"), f"编号 {sr.id} 在台账中不存在"))
            continue
        if not lead and c.lead is not None:
            errors.append(RowError(SHEET, sr.row, lead_col, f"牵头单位为空（原为“{c.lead.unit.name}”，不能清空）"))
            continue
        new_lead = lead[0] if lead else None
        support = [u for u in support if new_lead is None or u.id != new_lead.id]
        if new_lead is None and sr.has_support and {u.id for u in support} != {a.unit_id for a in c.assignments if a.role == "support"}:
            errors.append(RowError(SHEET, sr.row, lead_col, "填写配合单位前请先填写牵头单位"))
            continue
        change = _update(sr, c, new_lead, support, marker.records.get(c.id))
        if change is not None and change.new_text is not None and is_cut(c.text):
            errors.append(RowError(SHEET, sr.row, table.label("重点任务"),
                                   f"任务 {c.id} 的原文超过单元格上限 {CELL_LIMIT} 字，表中只有前一部分，"
                                   "请在系统中修改其内容"))
            continue
        if change is None:
            diff.unchanged += 1
            continue
        if c.state == "closed":
            errors.append(RowError(SHEET, sr.row, None, f"任务 {c.id} 已销号，不能修改"))
        elif change.expected_version is not None and change.expected_version != c.version:
            errors.append(RowError(
                SHEET, sr.row, None,
                f"任务 {c.id} 在导出后已被他人修改（导出时版本 {change.expected_version}，现为 {c.version}），请重新导出后再改",
            ))
        else:
            diff.updates.append(change)
    existing = {c.text: c.id for c in session.scalars(select(Commitment).where(Commitment.report_id == report.id))}
    for rc in diff.creations:
        if rc.text in existing:
            errors.append(RowError(SHEET, rc.row, table.label("重点任务"),
                                   f"与已有任务 {existing[rc.text]} 的内容相同（是否重复导入？已有任务请保留其编号）"))
    if errors:
        raise WorkbookRejected(errors)
    in_sheet = {sr.id for sr in sheet.rows if sr.id is not None}
    diff.not_in_sheet = sorted(set(marker.records) - in_sheet)
    if diff.not_in_sheet:
        diff.warnings.append(f"{len(diff.not_in_sheet)}项导出的任务不在表中，保持不变（删除任务请在系统中销号）")
    return diff


def _report(session: Session, marker: Marker) -> Report:
    try:
        report_id = int(marker.meta.get("report_id", ""))
    except ValueError:
        raise WorkbookRejected([RowError("_luoshi", None, None, "标记中缺少报告编号，请重新导出")]) from None
    report = session.get(Report, report_id)
    if report is None:
        raise WorkbookRejected([RowError("_luoshi", None, None, f"报告 {report_id} 在台账中不存在（是否导入到了另一个数据库？）")])
    return report


def _creation(sr: SheetRow, lead: Unit, support: list[Unit], area: Area) -> RowChange:
    rc = RowChange(sr.row, None, sr.text, new_text=sr.text, lead=lead.name, support=[u.name for u in support],
                   deadline=sr.deadline, deadline_text=sr.deadline_text, deadline_changed=True, leader=sr.leader, leader_changed=sr.leader is not None,
                   section_id=area.section_id, headline=area.headline)
    rc.changes = [FieldChange("重点任务", "", sr.text), FieldChange("牵头单位", "", lead.name)]
    if support:
        rc.changes.append(FieldChange("配合单位", "", join_units([u.name for u in support])))
    if sr.leader:
        rc.changes.append(FieldChange("责任领导", "", sr.leader))
    rc.changes.append(FieldChange("完成时限", "", format_deadline(sr.deadline, sr.deadline_text) or "（年底）"))
    if sr.group and (area.section_id is not None or area.headline):
        rc.changes.append(FieldChange("所属分组", "", sr.group))
    return rc


def _update(sr: SheetRow, c: Commitment, lead: Unit | None, support: list[Unit], exported_version: int | None) -> RowChange | None:
    rc = RowChange(sr.row, c.id, c.text, expected_version=exported_version or None)
    if sr.text != read_back(c.text):  # the cell as exported: cut to the cell limit, stripped
        rc.changes.append(FieldChange("重点任务", c.text, sr.text))
        rc.new_text = sr.text
    current_lead = c.lead.unit if c.lead else None
    current_support = [a.unit for a in c.assignments if a.role == "support"]
    lead_changed = lead is not None and (current_lead is None or current_lead.id != lead.id)
    support_changed = sr.has_support and {u.id for u in support} != {u.id for u in current_support}
    if lead_changed:
        rc.changes.append(FieldChange("牵头单位", current_lead.name if current_lead else "", lead.name))
    if support_changed:
        rc.changes.append(FieldChange("配合单位", join_units([u.name for u in current_support]),
                                      join_units([u.name for u in support])))
    if lead is not None and (lead_changed or support_changed):
        rc.lead = lead.name
        rc.support = [u.name for u in support] if sr.has_support else None
    if sr.has_leader and sr.leader != c.leader:
        rc.changes.append(FieldChange("责任领导", c.leader or "", sr.leader or ""))
        rc.leader, rc.leader_changed = sr.leader, True
    before, after = format_deadline(c.deadline, c.deadline_text), format_deadline(sr.deadline, sr.deadline_text)
    if sr.deadline != c.deadline or before != after:  # the same date in other words (年内 → 12月底前) too
        rc.changes.append(FieldChange("完成时限", before, after))
        rc.deadline, rc.deadline_text, rc.deadline_changed = sr.deadline, sr.deadline_text, True
    return rc if rc.changes else None


def apply_plan_diff(session: Session, diff: PlanDiff) -> PlanDiff:
    """Carry out ``diff`` through the ledger services (inside the caller's transaction)."""
    report = session.get_one(Report, diff.report_id)
    errors: list[RowError] = []
    for rc in diff.updates:
        c = session.get_one(Commitment, rc.commitment_id)
        try:
            fields: dict[str, Any] = {}
            if rc.new_text is not None:
                fields["text"] = rc.new_text
                if c.title == short_title(c.text) or c.title == c.text:
                    fields["title"] = short_title(rc.new_text)
            if rc.deadline_changed:
                fields["deadline"] = rc.deadline
                fields["deadline_text"] = rc.deadline_text
            if rc.leader_changed:
                fields["leader"] = rc.leader
            version = rc.expected_version
            if fields:
                commitment_service.update(session, c, fields, expected_version=version)
                version = None
            if rc.lead is not None:
                assign_service.assign(session, c, lead=rc.lead, support=rc.support, expected_version=version)
        except LuoshiError as exc:
            errors.append(RowError(SHEET, rc.row, None, exc.message))
    for rc in diff.creations:
        try:
            fields: dict[str, Any] = {"deadline_text": rc.deadline_text}
            if rc.deadline is not None:
                fields["deadline"] = rc.deadline
            if rc.leader is not None:
                fields["leader"] = rc.leader
            c = commitment_service.add_manual(session, report, kind="measure", title=short_title(rc.text),
                                              text=rc.text, section=rc.section_id, headline=rc.headline, **fields)
            assign_service.assign(session, c, lead=rc.lead, support=rc.support)
            diff.created_ids.append(c.id)
        except LuoshiError as exc:
            errors.append(RowError(SHEET, rc.row, None, exc.message))
    if errors:
        raise WorkbookRejected(errors)
    return diff


def import_plan(session: Session, wb: Workbook, marker: Marker, *, apply: bool) -> PlanDiff:
    """Diff, then apply inside a savepoint; with ``apply=False`` the savepoint is rolled back (preview)."""
    diff = diff_plan(session, wb, marker)
    if diff.empty:
        diff.applied = apply
        return diff
    diff.applied = apply_or_preview(session, lambda: apply_plan_diff(session, diff), apply=apply)
    if not apply:
        diff.created_ids = []
    return diff
