"""Reports: the list, one report with its sections, its areas and units; upload, confirm and publish.

Reads and writes of one resource sit together and answer the shapes of ``luoshi.web.serializers``;
writes run the same actions (and permission checks) as the HTML forms. Cookie-authenticated writes
must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or ``GET /api/me``); Bearer-token
calls need none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from luoshi.ledger import policy
from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import LedgerRoute
from luoshi.web.limits import upload, within
from luoshi.web.params import Id
from luoshi.web.shared_pages import share
from luoshi.web.views.common import CtxDep, committed, report_or_latest

router = APIRouter(prefix="/api", route_class=LedgerRoute)


@router.get("/reports", tags=["reports"], summary="报告列表")
def api_reports(ctx: CtxDep) -> list[dict]:
    share(ctx.request)
    return qs.reports(ctx.db, ctx.user)


@router.get("/reports/{report_id}", tags=["reports"], summary="报告（with_text=1 附清洗后的原文）")
def api_report(ctx: CtxDep, report_id: Id, with_text: bool = False) -> dict:
    share(ctx.request)
    r = qs.get_report(ctx.db, ctx.user, report_id)
    data = ser.report_json(r)
    data["sections"] = [ser.section_json(s) for s in qs.sections(ctx.db, r.id)]
    if with_text:
        data["source_text"] = r.source_text
    return data


@router.get("/reports/{report_id}/sections", tags=["reports"], summary="报告的章节结构")
def api_sections(ctx: CtxDep, report_id: Id) -> list[dict]:
    r = qs.get_report(ctx.db, ctx.user, report_id)
    return [ser.section_json(s) for s in qs.sections(ctx.db, r.id)]


@router.get("/areas", tags=["reports"], summary="领域（含任务的二级标题）")
def api_areas(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    share(ctx.request)
    return qs.areas(ctx.db, report_or_latest(ctx, report).id, ctx.user)


@router.get("/units", tags=["units"], summary="责任单位名录")
def api_units(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    share(ctx.request)
    r = qs.get_report(ctx.db, ctx.user, report) if report is not None else qs.current_report(ctx.db, user=ctx.user)
    return qs.units(ctx.db, r, ctx.user)


@router.post("/reports", tags=["reports"], status_code=201, summary="上传报告文件并导入（督查室）")
@upload("report")
async def api_upload(ctx: CtxDep, file: Annotated[UploadFile, File()]) -> dict:
    ctx.require(policy.is_office)
    within(file, ctx.settings.max_upload_bytes)

    def run() -> dict:  # in a worker thread: no database work on the event loop
        report, status, warnings = actions.import_upload(ctx, file.filename or "report.txt", file.file)
        ctx.commit()
        return {"status": status, "report": ser.report_json(report), "warnings": warnings}

    return await run_in_threadpool(run)


@router.post("/reports/{rid}/confirm", tags=["reports"], summary="确认全部建议的责任单位（督查室）")
def api_confirm(ctx: CtxDep, rid: Id) -> dict:
    return committed(ctx, {"confirmed": actions.confirm_all(ctx, rid)})


@router.post("/reports/{rid}/publish", tags=["reports"], summary="发布任务分工方案（督查室）")
def api_publish(ctx: CtxDep, rid: Id) -> dict:
    return committed(ctx, {"published": actions.publish_plan(ctx, rid)})

