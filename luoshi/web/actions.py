"""Every change the web app can make, with its permission check, shared by forms and the JSON API.

Each function checks who may do it, then calls the ledger services (which validate, write and are
audited through the session's actor). None of them commits: the view does, after the action
returned, so a failure leaves the ledger unchanged.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from luoshi.errors import WEB, LuoshiError, NotFoundError, PermissionDenied, ValidationError
from luoshi.ledger import policy
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.conflicts import as_conflict
from luoshi.ledger.limits import clean_filename
from luoshi.ledger.models import Comment, Commitment, Evidence, Notice, Period, ProgressReport, Report, User
from luoshi.ledger.services import assign as assign_service
from luoshi.ledger.services import comments as comment_service
from luoshi.ledger.services import commitments as commitment_service
from luoshi.ledger.services import evaluation as evaluation_service
from luoshi.ledger.services import notices as notices_service
from luoshi.ledger.services import periods as period_service
from luoshi.ledger.services import progress as progress_service
from luoshi.ledger.services import publication
from luoshi.ledger.services.common import get
from luoshi.web import queries as qs
from luoshi.web.context import Ctx

# --------------------------------------------------------------------------- helpers


def _admin(ctx: Ctx) -> None:
    ctx.require(policy.is_office)


def _commitment(ctx: Ctx, cid: int) -> Commitment:
    return qs.get_commitment(ctx.db, ctx.user, cid)


def _version(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"版本号应为整数：{value!r}") from None


def may_report(ctx: Ctx, c: Commitment) -> None:
    """Refuse unless the caller may report on ``c`` (``policy.may_report``: the office, and
    liaisons of a unit that leads or supports it)."""
    ctx.require(policy.reports_progress)
    if not policy.may_report(ctx.user, c):
        raise PermissionDenied("只能报送本单位牵头或配合的任务")


# --------------------------------------------------------------------------- reports & commitments


def import_upload(
    ctx: Ctx, filename: str, data: bytes | BinaryIO
) -> tuple[Report, str, list[dict[str, str]]]:
    """Import an uploaded report file (txt/pdf/docx); a re-upload of a revision updates the ledger.

    ``data`` may be a file (an upload spooled to disk): it is copied in chunks and the limit
    checked as it goes, never read whole into memory here. Returns the report, the import status
    and the extraction's warnings ({code, message}): what the operator must check before trusting
    the list (no headline block found, year inferred …).
    """
    from luoshi.ledger.services.importing import extract_for_import, import_extraction

    _admin(ctx)
    src = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    limit = ctx.settings.max_upload_bytes
    name = clean_filename(filename, fallback="report.txt")
    ctx.settings.upload_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ctx.settings.upload_dir) as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix[:10]}"
        size = 0
        with path.open("wb") as out:
            while chunk := src.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ValidationError(f"文件超过 {limit / 1048576:g} MB 上限")
                out.write(chunk)
        if not size:
            raise ValidationError("上传的文件为空")
        extraction, text = extract_for_import(path, government=None, year=None)
    extraction.report.path = name
    plan, report = import_extraction(ctx.db, extraction, source_text=text, source_name=name)
    if report is None:  # unchanged
        report = get(ctx.db, Report, plan.report_id)
    return report, plan.status, list(extraction.report.warnings)


FIELD_TYPES = ("title", "text", "indicator", "metric", "value", "value_max", "unit", "comparator", "modality",
               "deadline")


def edit_commitment(ctx: Ctx, cid: int, fields: dict[str, Any], version: Any = None) -> Commitment:
    _admin(ctx)
    c = _commitment(ctx, cid)
    clean = {k: (v if v != "" else None) for k, v in fields.items() if k in (*FIELD_TYPES, "published")}
    for k in ("title", "text"):
        if k in clean and clean[k] is None:
            clean[k] = ""
    return commitment_service.update(ctx.db, c, clean, expected_version=_version(version))


def add_commitment(ctx: Ctx, report_id: int, kind: str, title: str, text: str | None = None,
                   deadline: str | None = None) -> Commitment:
    _admin(ctx)
    report = get(ctx.db, Report, report_id)
    extra = {"deadline": deadline} if deadline else {}
    return commitment_service.add_manual(ctx.db, report, kind=kind, title=title.strip(), text=(text or "").strip()
                                         or None, now=ledger_clock(ctx.db, report).now(), **extra)


def drop_commitment(ctx: Ctx, cid: int, version: Any = None) -> Commitment:
    """Drop an item from the plan: it is closed (销号) and unpublished; its history stays."""
    _admin(ctx)
    c = _commitment(ctx, cid)
    if c.published:
        commitment_service.update(ctx.db, c, {"published": False}, expected_version=_version(version))
        version = None
    return commitment_service.close(ctx.db, c, expected_version=_version(version))


def split_commitment(ctx: Ctx, cid: int, parts: list[str | tuple[int, int]], version: Any = None) -> list[Commitment]:
    """Replace one commitment by several, each a piece of its report quote with its own span."""
    _admin(ctx)
    c = _commitment(ctx, cid)
    return commitment_service.split(ctx.db, c, [p for p in parts if not isinstance(p, str) or p.strip()],
                                    expected_version=_version(version),
                                    now=ledger_clock(ctx.db, c.report).now())


def merge_commitments(ctx: Ctx, ids: list[int], versions: dict[int, Any] | None = None) -> Commitment:
    """Merge several commitments of one report into the first (span [min start, max end])."""
    _admin(ctx)
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise ValidationError("合并至少需要选择两项任务")
    expected = {i: v for i, v in ((i, _version(v)) for i, v in (versions or {}).items()) if v is not None}
    return commitment_service.merge(ctx.db, [_commitment(ctx, i) for i in ids], expected_versions=expected)


def assign_units(ctx: Ctx, cid: int, lead: str | None, support: list[str] | None, version: Any = None) -> Commitment:
    """Confirm the suggested units (no names given) or set lead/support by name."""
    _admin(ctx)
    c = _commitment(ctx, cid)
    support = [s.strip() for s in (support or []) if s and s.strip()]
    lead = (lead or "").strip() or None
    if lead is None and not support:
        return assign_service.assign(ctx.db, c, expected_version=_version(version))
    return assign_service.assign(ctx.db, c, lead=lead, support=support, expected_version=_version(version))


def confirm_all(ctx: Ctx, report_id: int) -> int:
    """Confirm every suggested lead of the report's draft commitments."""
    _admin(ctx)
    n = 0
    for c in ctx.db.scalars(select(Commitment).where(Commitment.report_id == report_id, Commitment.state == "draft")):
        if c.lead is not None:
            assign_service.assign(ctx.db, c)
            n += 1
    return n


def publish_plan(ctx: Ctx, report_id: int) -> int:
    """Publish every assigned (active) commitment of the report and create its periods (the
    ledger's ``publication.publish``); returns how many were published now."""
    _admin(ctx)
    return publication.publish(ctx.db, get(ctx.db, Report, report_id)).published


# --------------------------------------------------------------------------- periods & notices


def configure_cycle(ctx: Ctx, report_id: int, cycle: str) -> None:
    _admin(ctx)
    period_service.configure(ctx.db, get(ctx.db, Report, report_id), cycle=cycle)


def set_statistics_date(ctx: Ctx, report_id: int, value: str) -> Any:
    """Fix the day the ledger is judged on (统计日期), or clear it with an empty value (the ledger's
    clock then follows the calendar); the rule and its audit are the ledger's (periods.configure)."""
    _admin(ctx)
    return period_service.configure(ctx.db, get(ctx.db, Report, report_id), statistics_date=value.strip() or None)


def generate_periods(ctx: Ctx, report_id: int) -> list[Period]:
    _admin(ctx)
    return period_service.generate_periods(ctx.db, get(ctx.db, Report, report_id))


def set_period_closed(ctx: Ctx, period_id: int, closed: bool) -> Period:
    _admin(ctx)
    p = get(ctx.db, Period, period_id)
    return period_service.close_period(ctx.db, p) if closed else period_service.reopen_period(ctx.db, p)


def preview_notices(ctx: Ctx, period_id: int) -> notices_service.Preview:
    """What issuing the period's notices today would do (nothing written)."""
    _admin(ctx)
    p = get(ctx.db, Period, period_id)
    report = get(ctx.db, Report, p.report_id)
    return notices_service.preview(ctx.db, report, p, on=ledger_clock(ctx.db, report).today())


def issue_notices(ctx: Ctx, period_id: int) -> list[Notice]:
    _admin(ctx)
    p = get(ctx.db, Period, period_id)
    report = get(ctx.db, Report, p.report_id)
    return notices_service.generate_notices(ctx.db, report, p, on=ledger_clock(ctx.db, report).today())


def _notice(ctx: Ctx, nid: int) -> Notice:
    n = ctx.db.get(Notice, nid)
    if n is None:
        raise NotFoundError(f"督办单 {nid} 不存在")
    return n


def _account(ctx: Ctx) -> User:
    user = ctx.db.get(User, ctx.user.id) if ctx.user.id is not None else None
    if user is None:
        raise PermissionDenied("没有权限执行此操作")
    return user


def answer_notice(ctx: Ctx, nid: int, answer: str) -> Notice:
    """The office, or a liaison of the unit the notice was sent to (or of the lead unit)."""
    ctx.require(policy.answers_notices)
    n = _notice(ctx, nid)
    return notices_service.answer_notice_as(ctx.db, n, answer, _account(ctx),
                                            now=ledger_clock(ctx.db, n.commitment.report).now())


def close_notice(ctx: Ctx, nid: int) -> Notice:
    _admin(ctx)
    return notices_service.close_notice_as(ctx.db, _notice(ctx, nid), _account(ctx))


# --------------------------------------------------------------------------- comments


def comments(ctx: Ctx, cid: int) -> list[Comment]:
    """Comments on a commitment: leaders, the office, and liaisons of its units; never the public."""
    ctx.require(policy.is_member)
    return comment_service.list_for(ctx.db, _commitment(ctx, cid), _account(ctx))


def add_comment(ctx: Ctx, cid: int, body: str) -> Comment:
    """A leader's or the office's comment (领导批示 / 督查室意见) on a commitment."""
    ctx.require(policy.is_overseer)
    return comment_service.add(ctx.db, _commitment(ctx, cid), _account(ctx), body)


# --------------------------------------------------------------------------- progress


def submit_progress(ctx: Ctx, cid: int, period_id: int, *, percent: Any = None, value: Any = None,
                    narrative: str = "", files: list[tuple[str, bytes | BinaryIO]] | None = None,
                    version: Any = None) -> ProgressReport:
    c = _commitment(ctx, cid)
    may_report(ctx, c)
    p = get(ctx.db, Period, period_id)
    files = [(name, data) for name, data in (files or []) if data]
    pr = progress_service.save_draft(ctx.db, c, p, author=ctx.user.display_name, percent=percent, value=value,
                                     narrative=(narrative or "").strip(), expected_version=_version(version))
    for name, data in files:
        progress_service.attach(ctx.db, pr, name, data, max_bytes=ctx.settings.max_evidence_bytes)
    return progress_service.submit(ctx.db, pr)  # timed by the ledger's clock


def evidence_target(ctx: Ctx, pid: int) -> ProgressReport:
    """The progress report ``pid``, if the caller may attach evidence to it: whoever may report on
    its commitment (:func:`may_report`), the same rule as for the report itself."""
    pr = ctx.db.get(ProgressReport, pid)
    if pr is None:
        raise ctx.not_found("进度报告")
    may_report(ctx, _commitment(ctx, pr.commitment_id))
    return pr


def attach_evidence(ctx: Ctx, pid: int, filename: str, data: bytes | BinaryIO) -> Evidence:
    """Attach one evidence file to an unreviewed progress report (checked by :func:`evidence_target`)."""
    pr = evidence_target(ctx, pid)
    return progress_service.attach(ctx.db, pr, filename or "evidence", data,
                                   max_bytes=ctx.settings.max_evidence_bytes)


def _progress(ctx: Ctx, pid: int) -> ProgressReport:
    pr = ctx.db.get(ProgressReport, pid)
    if pr is None:
        raise NotFoundError(f"进度报告 {pid} 不存在")
    return pr


def review_progress(ctx: Ctx, pid: int, decision: str, reason: str | None = None,
                    version: Any = None) -> ProgressReport:
    _admin(ctx)
    pr = _progress(ctx, pid)
    if decision == "accept":
        return progress_service.accept(ctx.db, pr, expected_version=_version(version))
    if decision == "return":
        return progress_service.return_report(ctx.db, pr, reason or "", expected_version=_version(version))
    raise ValidationError(f"审核结果应为 accept 或 return：{decision!r}")


# --------------------------------------------------------------------------- evaluation


def evaluate(ctx: Ctx, cid: int, *, final_value: Any = None, result: str | None = None,
             reason: str | None = None, version: Any = None) -> Any:
    _admin(ctx)
    c = _commitment(ctx, cid)
    return evaluation_service.evaluate(ctx.db, c, by=ctx.user.username, final_value=final_value,
                                       result=result or None, reason=reason or None,
                                       expected_version=_version(version))


def evaluate_all(ctx: Ctx, report_id: int) -> tuple[int, list[tuple[int, str]]]:
    _admin(ctx)
    done, skipped = evaluation_service.evaluate_all(ctx.db, get(ctx.db, Report, report_id), by=ctx.user.username)
    return len(done), skipped


def finalise_evaluations(ctx: Ctx, report_id: int, reason: str | None) -> Any:
    """Make the year's 预评价 official (a reason is required before the last period is due)."""
    _admin(ctx)
    report = get(ctx.db, Report, report_id)
    now = ledger_clock(ctx.db, report).now()
    return evaluation_service.finalise(ctx.db, report, on=now.date(), reason=reason, now=now)


def working_days_left(ctx: Ctx, period: Period) -> int:
    """Working days from the ledger's today to ``period``'s due date (negative once past it)."""
    from luoshi.ledger.services.calendar import workdays_left

    today = ledger_clock(ctx.db, get(ctx.db, Report, period.report_id)).today()
    return workdays_left(ctx.db, period.due, today)


# --------------------------------------------------------------------------- bulk work


@dataclass
class BulkResult:
    """What a bulk action did, item by item: each item is its own change (own savepoint, own audit
    rows), so one refusal leaves the others done; ``failed`` says which and why."""

    verb: str  # what was done to each item, for the message: 采纳, 办结 …
    noun: str  # what an item is: 任务, 进度报告, 督办单
    done: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"done": self.done, "unchanged": self.unchanged,
                "failed": [{"id": i, "error": e} for i, e in self.failed], "message": self.message()}

    def message(self, listed: int = 5) -> str:
        """One line for the banner: counts first, then the refused items with their reasons."""
        parts = [f"已{self.verb} {len(self.done)} 项{self.noun}"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} 项无需处理")
        if self.failed:
            shown = "；".join(f"{self.noun} {i}：{e}" for i, e in self.failed[:listed])
            more = f"；另有 {len(self.failed) - listed} 项" if len(self.failed) > listed else ""
            parts.append(f"{len(self.failed)} 项未处理（{shown}{more}）")
        return "，".join(parts)


MAX_BULK = 500  # items one bulk request may touch


def _ids(ids: list[Any]) -> list[int]:
    from luoshi.web.params import MAX_ID

    out: list[int] = []
    for i in ids:
        try:
            n = int(i)
        except (TypeError, ValueError):
            raise ValidationError(f"编号应为整数：{i!r}") from None
        if not 1 <= n <= MAX_ID:
            raise ValidationError(f"编号超出范围：{n}")
        if n not in out:
            out.append(n)
    if not out:
        raise ValidationError("请先勾选要处理的项目")
    if len(out) > MAX_BULK:
        raise ValidationError(f"一次最多处理 {MAX_BULK} 项，本次勾选了 {len(out)} 项")
    return out


def _each(ctx: Ctx, result: BulkResult, ids: list[int], one: Callable[[int], bool | None]) -> BulkResult:
    """Run ``one`` for every id in its own savepoint: a refused item rolls back alone and is listed
    with its message. ``one`` returns False when the item needed nothing."""
    for i in ids:
        savepoint = ctx.db.begin_nested()
        try:
            changed = one(i)
            ctx.db.flush()
        except Exception as exc:
            savepoint.rollback()
            error = exc if isinstance(exc, LuoshiError) else as_conflict(exc)
            if error is None:
                raise
            result.failed.append((i, error.said_for(WEB)))  # what the single action's page says
            continue
        savepoint.commit()
        (result.unchanged if changed is False else result.done).append(i)
    return result


def bulk_assign(ctx: Ctx, ids: list[Any], lead: str | None, support: list[str] | None) -> BulkResult:
    """Assign the same lead/support units to many commitments, or confirm each one's suggested
    units when no name is given."""
    _admin(ctx)
    return _each(ctx, BulkResult("分配", "任务"), _ids(ids), lambda i: bool(assign_units(ctx, i, lead, support)))


def bulk_publish(ctx: Ctx, ids: list[Any]) -> BulkResult:
    """Publish the chosen assigned commitments (``publication.publish_commitment``)."""
    _admin(ctx)
    return _each(ctx, BulkResult("发布", "任务"), _ids(ids),
                 lambda i: publication.publish_commitment(ctx.db, _commitment(ctx, i)))


def bulk_accept(ctx: Ctx, ids: list[Any]) -> BulkResult:
    """Accept many submitted progress reports."""
    _admin(ctx)
    return _each(ctx, BulkResult("采纳", "进度报告"), _ids(ids),
                 lambda i: bool(review_progress(ctx, i, "accept")))


def bulk_close_notices(ctx: Ctx, ids: list[Any]) -> BulkResult:
    """Close (办结) many notices; an already closed one needs nothing."""
    _admin(ctx)

    def one(i: int) -> bool:
        n = _notice(ctx, i)
        if n.closed:
            return False
        close_notice(ctx, i)
        return True

    return _each(ctx, BulkResult("办结", "督办单"), _ids(ids), one)


BULK_ACTIONS: dict[str, Callable[..., BulkResult]] = {
    "assign": bulk_assign, "publish": bulk_publish, "accept": bulk_accept, "close-notices": bulk_close_notices,
}
