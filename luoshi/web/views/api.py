"""JSON API, read side: everything the pages show, with the same visibility rules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from luoshi.errors import NotFoundError, PermissionDenied
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web import summary as sm
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id, Offset, Page

router = APIRouter(prefix="/api", route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _report(ctx: Ctx, report: int | None) -> Any:
    if report is not None:
        return qs.get_report(ctx.db, ctx.user, report)
    r = qs.current_report(ctx.db, user=ctx.user)
    if r is None:
        raise NotFoundError("还没有导入任何报告" if qs.can_see_drafts(ctx.user) else "还没有公开的报告")
    return r


@router.get("/reports", tags=["reports"], summary="报告列表")
def api_reports(ctx: CtxDep) -> list[dict]:
    return qs.reports(ctx.db, ctx.user)


@router.get("/reports/{report_id}", tags=["reports"], summary="报告（with_text=1 附清洗后的原文）")
def api_report(ctx: CtxDep, report_id: Id, with_text: bool = False) -> dict:
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
    return qs.areas(ctx.db, _report(ctx, report).id, ctx.user)


@router.get("/commitments", tags=["commitments"], summary="任务列表（筛选 + 分页，返回 total）")
def api_commitments(
    ctx: CtxDep,
    report: Id | None = None,
    area: str | None = None,
    section: str | None = None,
    unit: Id | None = None,
    status: Annotated[str | None, Query(pattern="^(green|yellow|red|grey)$")] = None,
    kind: Annotated[str | None, Query(pattern="^(target|milestone|measure)$")] = None,
    q: str | None = None,
    published: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=qs.MAX_LIMIT)] = 50,
    offset: Offset = 0,
    page: Page | None = None,
) -> dict:
    if report is not None:
        qs.get_report(ctx.db, ctx.user, report)
    if page is not None:
        offset = (page - 1) * limit
    f = qs.Filters(report_id=report, area=area or section, unit=unit, status=status, kind=kind, q=q,
                   published=published, limit=limit, offset=offset)
    return qs.list_commitments(ctx.db, ctx.user, f)


@router.get("/commitments/{cid}", tags=["commitments"], summary="任务详情（原文、责任单位、进度记录）")
def api_commitment(ctx: CtxDep, cid: Id) -> dict:
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return qs.commitment_detail(ctx.db, ctx.user, c)


@router.get("/commitments/{cid}/progress", tags=["progress"], summary="任务的进度记录")
def api_commitment_progress(ctx: CtxDep, cid: Id) -> list[dict]:
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return qs.progress_history(ctx.db, ctx.user, c)


@router.get("/commitments/{cid}/history", tags=["commitments"], summary="任务的变更记录（审计）")
def api_history(ctx: CtxDep, cid: Id) -> list[dict]:
    ctx.require()
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    if not (qs.can_see_drafts(ctx.user) or qs.is_responsible(ctx.user, c)):
        raise PermissionDenied("只有督查室、领导和责任单位可以查看变更记录")
    return qs.history(ctx.db, ctx.user, c)


@router.get("/units", tags=["units"], summary="责任单位名录")
def api_units(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    r = qs.get_report(ctx.db, ctx.user, report) if report is not None else qs.current_report(ctx.db, user=ctx.user)
    return qs.units(ctx.db, r, ctx.user)


@router.get("/periods", tags=["periods"], summary="报送周期")
def api_periods(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    return qs.periods(ctx.db, _report(ctx, report).id)


@router.get("/progress", tags=["progress"], summary="进度报告（需登录；联络员只看本单位）")
def api_progress(ctx: CtxDep, state: str | None = None, unit: Id | None = None, commitment: Id | None = None,
                 limit: Annotated[int, Query(ge=1, le=qs.MAX_LIMIT)] = 100,
                 offset: Offset = 0) -> dict:
    ctx.require()
    return qs.progress_list(ctx.db, ctx.user, state=state, unit=unit, commitment=commitment, limit=limit,
                            offset=offset)


@router.get("/notices", tags=["notices"], summary="督办单（需登录；联络员只看本单位）")
def api_notices(ctx: CtxDep, open_only: bool = False) -> list[dict]:
    ctx.require()
    return qs.notices(ctx.db, ctx.user, open_only=open_only)


@router.get("/evaluations", tags=["evaluations"], summary="年终评价")
def api_evaluations(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    return qs.evaluations(ctx.db, ctx.user, _report(ctx, report).id)


@router.get("/scorecard", tags=["dashboard"], summary="单位考核得分与排名（含较上期变化）")
def api_scorecard(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    ctx.require("admin", "leader")
    return sm.ranking(ctx.db, _report(ctx, report))


@router.get("/dashboard", tags=["dashboard"], summary="看板汇总：完成率、红黄绿灯、滞后清单、趋势")
def api_dashboard(ctx: CtxDep, report: Id | None = None) -> dict:
    r = _report(ctx, report)
    viewer = ctx.user if ctx.user.role in ("admin", "leader") else qs.public_view(ctx.user)
    data = sm.summary(ctx.db, viewer, r)
    data["trend"] = sm.trend(ctx.db, r)
    return data
