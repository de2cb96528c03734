"""Downloads and uploads of the office's documents: the 分工方案 (.xlsx/.docx), progress templates
per unit and period, the 督查通报 per period, the extraction workbook; and the import of an edited
plan or a filled template, previewed row by row before it is applied.

Every document is made by ``luoshi.export.downloads`` — the very functions the CLI calls — and who
may have which is decided by ``luoshi.ledger.policy`` (the office everything; a liaison their own
unit's templates). An upload is checked in full and shown as a diff without touching the ledger;
the file waits on the server (named by a random id in a signed token, for an hour) until the
user applies it, so the apply runs the same import again on the same bytes — the ledger is judged
anew at that moment, never from the preview's stale picture. Changes go through the ledger
services, so every one is audited under the user's name.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from luoshi.errors import LuoshiError, NotFoundError, PermissionDenied, ValidationError
from luoshi.export import downloads as docs
from luoshi.export.errors import WorkbookRejected
from luoshi.export.plan_import import PlanDiff
from luoshi.export.template_import import TemplateDiff
from luoshi.ledger import policy
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.models import Assignment, Commitment, Period, Report, Unit
from luoshi.ledger.services import periods as period_service
from luoshi.ledger.services.periods import JUDGING, REPORTING
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.limits import MB, max_workbook_bytes, upload
from luoshi.web.params import Id
from luoshi.web.signing import BadToken, sign, unsign
from luoshi.web.templating import render
from luoshi.web.views.forms import files, form_of, redirect, text

router = APIRouter(include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]

PAGE = "/downloads"
PENDING_DIR = "pending-workbooks"
PENDING_TTL = 3600  # seconds an uploaded workbook waits for its 确认导入
_PURPOSE = "workbook-upload"
DocNumber = Annotated[int, Ge(1), Le(99999)]  # the 文号's serial number of a 印发通知
IssueNumber = Annotated[int, Ge(1), Le(9999)]  # the 期号 of a 督查通报


# --------------------------------------------------------------------------- files out


def attachment(d: docs.Download, fallback: str) -> Response:
    """The document as a download: its MIME type, and its Chinese file name per RFC 6266/5987
    (``filename*``), with an ASCII ``filename`` for clients that do not read the other."""
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(d.filename, safe='')}"
    return Response(d.content, media_type=d.media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def _report(ctx: Ctx, report: int | None) -> Report:
    """The report asked for (404 unless the caller may see it), else the caller's default ledger."""
    if report is not None:
        return qs.get_report(ctx.db, ctx.user, report)
    r = qs.current_report(ctx.db, user=ctx.user)
    if r is None:
        raise NotFoundError("还没有导入任何报告" if policy.may_see_drafts(ctx.user) else "还没有公开的报告")
    return r


def _period(ctx: Ctx, r: Report, period: int | None, purpose: Any) -> Period:
    """Period ``period`` of report ``r``; by default the one ``purpose`` calls current."""
    if period is not None:
        p = ctx.db.get(Period, period)
        if p is None or p.report_id != r.id:
            raise NotFoundError(f"报送周期 {period} 不存在")
        return p
    ps = period_service.periods(ctx.db, r)
    if not ps:
        raise ValidationError("该报告还没有报送周期：请先发布任务分工方案")
    return period_service.pick_period(ps, ledger_clock(ctx.db, r).today(), purpose) or ps[0]


def _documents(ctx: Ctx) -> None:
    ctx.require(policy.may_issue_documents)


@router.get("/downloads/plan.xlsx")
def plan_xlsx(ctx: CtxDep, report: Id | None = None, leader: bool = False) -> Response:
    """The 分工方案 as a workbook the office can edit and upload again."""
    _documents(ctx)
    r = _report(ctx, report)
    return attachment(docs.plan_download(ctx.db, r, fmt="xlsx", with_leader=leader), f"plan-{r.year}.xlsx")


@router.get("/downloads/plan.docx")
def plan_docx(ctx: CtxDep, report: Id | None = None, leader: bool = False,
              number: DocNumber | None = None) -> Response:
    """The 分工方案 as the 印发通知 with the plan as 附件, for print; ``number`` is the 文号's serial."""
    _documents(ctx)
    r = _report(ctx, report)
    return attachment(docs.plan_download(ctx.db, r, fmt="docx", with_leader=leader, number=number),
                      f"plan-{r.year}.docx")


@router.get("/downloads/template.xlsx")
def template_xlsx(ctx: CtxDep, unit: Id | None = None, period: Id | None = None, report: Id | None = None) -> Response:
    """A unit's progress template for one period: the office any unit's, a liaison their own
    (the default unit for a liaison); the period defaults to the one being reported now."""
    ctx.require(policy.exchanges_workbooks)
    unit_id = unit if unit is not None else ctx.user.unit_id
    if unit_id is None:
        raise ValidationError("请选择单位")
    if not policy.may_fill_template(ctx.user, unit_id):
        raise PermissionDenied("只能下载本单位的填报模板")
    r = _report(ctx, report)
    p = _period(ctx, r, period, REPORTING)
    return attachment(docs.template_download(ctx.db, unit_id, p, report=r), f"template-{p.label}.xlsx")


@router.get("/downloads/bulletin.docx")
def bulletin_docx(ctx: CtxDep, period: Id | None = None, report: Id | None = None,
                  number: IssueNumber | None = None) -> Response:
    """The 督查通报 of one period (default: the last period judged); ``number`` is its 期号."""
    _documents(ctx)
    r = _report(ctx, report)
    p = _period(ctx, r, period, JUDGING)
    return attachment(docs.bulletin_download(ctx.db, p, report=r, number=number), f"bulletin-{p.label}.docx")


@router.get("/downloads/extraction.xlsx")
def extraction_xlsx(ctx: CtxDep, report: Id | None = None) -> Response:
    """What the extraction reads in the report, as a workbook (targets, tasks, actuals)."""
    _documents(ctx)
    r = _report(ctx, report)
    return attachment(docs.extraction_download(ctx.db, r), f"extraction-{r.year}.xlsx")


# --------------------------------------------------------------------------- the page


@router.get(PAGE, response_class=HTMLResponse)
def downloads_page(ctx: CtxDep, report: Id | None = None) -> Response:
    """What the caller may download for a report, and the upload form."""
    ctx.require(policy.exchanges_workbooks)
    office = policy.may_issue_documents(ctx.user)
    r = qs.get_report(ctx.db, ctx.user, report) if report is not None else qs.current_report(ctx.db, user=ctx.user)
    data: dict[str, Any] = {"office": office, "report": None, "reports": [], "periods": [], "units": [],
                            "reporting_period": None, "judged_period": None,
                            "max_mb": f"{max_workbook_bytes(ctx.settings) / MB:g}"}
    if office:
        data["reports"] = [{"id": x["id"], "year": x["year"], "government": x["government"]}
                           for x in qs.reports(ctx.db, ctx.user)]
    if r is None:
        return render(ctx, "downloads/index.html", **data)
    ps = period_service.periods(ctx.db, r)
    today = ledger_clock(ctx.db, r).today()
    reporting, judged = (period_service.pick_period(ps, today, p) if ps else None for p in (REPORTING, JUDGING))
    q = select(Unit).where(Unit.government_id == r.government_id, Unit.active.is_(True)).order_by(Unit.kind, Unit.id)
    if office:  # the units that lead something in this plan: those who have a template to fill
        q = q.where(Unit.id.in_(select(Assignment.unit_id).join(Commitment).where(
            Commitment.report_id == r.id, Assignment.role == "lead")))
    else:
        q = q.where(Unit.id == ctx.user.unit_id)
    data.update(report=ser.report_json(r), periods=[ser.period_json(p) for p in ps],
                units=[{"id": u.id, "name": u.name} for u in ctx.db.scalars(q)],
                reporting_period=reporting.id if reporting else None, judged_period=judged.id if judged else None)
    return render(ctx, "downloads/index.html", **data)


# --------------------------------------------------------------------------- uploads


def _pending_dir(ctx: Ctx) -> Path:
    d = ctx.settings.upload_dir / PENDING_DIR
    d.mkdir(parents=True, exist_ok=True)
    return d


def _stash(ctx: Ctx, filename: str, data: bytes) -> str:
    """Keep an uploaded workbook until it is applied; returns the signed token naming it.

    Workbooks left waiting longer than :data:`PENDING_TTL` are removed on the way.
    """
    d = _pending_dir(ctx)
    cutoff = time.time() - PENDING_TTL
    for old in d.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    name = secrets.token_hex(16)
    (d / f"{name}.xlsx").write_bytes(data)
    return sign(ctx.settings.secret_key, _PURPOSE, {"f": name, "n": filename}, ttl=PENDING_TTL)


def _stashed(ctx: Ctx, token: str) -> tuple[Path, str] | None:
    """The waiting workbook a token names, if the token is this server's and the file still there.

    Whoever applies it, the import checks again what the caller may import (as on upload), so a
    token passed on gives no more than the caller's own rights.
    """
    try:
        body = unsign(ctx.settings.secret_key, _PURPOSE, token)
    except BadToken:
        return None
    name = str(body.get("f", ""))
    path = _pending_dir(ctx) / f"{name}.xlsx"
    if not name.isalnum() or not path.is_file():
        return None
    return path, str(body.get("n", ""))


def _import(ctx: Ctx, data: bytes, *, apply: bool) -> PlanDiff | TemplateDiff:
    """The one import, as the CLI runs it, limited to what the caller may import: the office any
    workbook, a liaison only their own unit's templates (never a plan)."""
    ctx.require(policy.exchanges_workbooks)
    office = policy.may_issue_documents(ctx.user)
    if not office and not policy.may_fill_template(ctx.user, ctx.user.unit_id):
        raise PermissionDenied("账号没有所属单位，不能导入填报模板")
    return docs.import_upload(ctx.db, data, apply=apply, author=ctx.user.display_name,
                              unit_id=None if office else ctx.user.unit_id, allow_plan=office,
                              max_bytes=max_workbook_bytes(ctx.settings))


def is_no_change(diff: PlanDiff | TemplateDiff) -> bool:
    return diff.empty if isinstance(diff, PlanDiff) else not diff.rows


def preview_json(diff: PlanDiff | TemplateDiff) -> dict[str, Any]:
    """The diff as the preview page shows it: one row per changed field (plan) or per report
    (template), with the counts."""
    out = diff.to_dict()
    out["no_change"] = is_no_change(diff)
    if isinstance(diff, PlanDiff):
        out["rows"] = [{"row": r.row, "commitment_id": r.commitment_id, "text": r.text, "field": c.field,
                        "before": c.before, "after": c.after}
                       for r in [*diff.updates, *diff.creations] for c in r.changes]
    return out


def done_message(diff: PlanDiff | TemplateDiff) -> str:
    """What the banner says after an apply."""
    if isinstance(diff, PlanDiff):
        if diff.empty:
            return "无变化：分工方案与台账一致，未作改动"
        return f"已导入分工方案：修改 {len(diff.updates)} 项，新增 {len(diff.creations)} 项"
    if not diff.rows:
        return "无变化：本表内容与已报送的进度相同"
    return f"已导入 {diff.unit} {diff.period} 进度 {len(diff.rows)} 项，等待督查室审核"


def _report_id(form: Any) -> int | None:
    rid = text(form, "report")
    return int(rid) if rid.isdigit() and len(rid) < 12 else None


def _back(report_id: int | None) -> str:
    return f"{PAGE}?report={report_id}" if report_id else PAGE


@router.post("/downloads/upload", response_class=HTMLResponse)
@upload("workbook")
async def upload_workbook(ctx: CtxDep) -> Response:
    """Check an uploaded workbook and show what importing it would change (nothing is written)."""
    form = await form_of(ctx)
    report_id = _report_id(form)
    back = _back(report_id)
    uploaded = files(form, "file", max_workbook_bytes(ctx.settings))
    ctx.require(policy.exchanges_workbooks)
    if not uploaded:
        return redirect(back, err="请选择要上传的工作簿（.xlsx）", ctx=ctx)
    filename, spooled = uploaded[0]

    def run() -> Response:
        data = spooled.read()
        try:
            diff = _import(ctx, data, apply=False)
        except WorkbookRejected as exc:
            ctx.db.rollback()
            return render(ctx, "downloads/preview.html", status_code=422, filename=filename, back=back,
                          report_id=report_id,
                          message=f"工作簿有{len(exc.errors)}处问题", errors=[e.to_dict() for e in exc.errors],
                          preview=None, token=None)
        except LuoshiError as exc:
            ctx.db.rollback()
            if exc.http_status in (401, 403):
                raise
            return redirect(back, err=exc.message, ctx=ctx)
        ctx.db.rollback()  # a preview keeps nothing
        token = None if is_no_change(diff) else _stash(ctx, filename, data)
        return render(ctx, "downloads/preview.html", filename=filename, back=back, report_id=report_id,
                      message=None, errors=[],
                      preview=preview_json(diff), token=token)

    return await run_in_threadpool(run)


@router.post("/downloads/apply")
async def apply_workbook(ctx: CtxDep) -> Response:
    """Import the previewed workbook for real (checked again in full: all or nothing)."""
    form = await form_of(ctx)
    back = _back(_report_id(form))
    ctx.require(policy.exchanges_workbooks)
    found = _stashed(ctx, text(form, "token"))
    if found is None:
        return redirect(back, err="预览已过期，请重新上传工作簿", ctx=ctx)
    path, _filename = found

    def run() -> Response:
        try:
            diff = _import(ctx, path.read_bytes(), apply=True)
            ctx.commit()
        except LuoshiError as exc:
            ctx.db.rollback()
            if exc.http_status in (401, 403):
                raise
            return redirect(back, err=exc.message, ctx=ctx)
        path.unlink(missing_ok=True)
        return redirect(back, msg=done_message(diff), ctx=ctx)

    return await run_in_threadpool(run)
