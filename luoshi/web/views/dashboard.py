"""Leader dashboard: completion, lights by area and unit, lagging list, ranking, trend, drill-down;
and the same summary and unit scorecard under /api."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from luoshi.ledger import policy
from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web import summary as sm
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id
from luoshi.web.templating import render
from luoshi.web.views.common import report_or_latest

router = APIRouter(prefix="/dashboard", include_in_schema=False, route_class=LedgerRoute)
api_router = APIRouter(prefix="/api", route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


@router.get("", response_class=HTMLResponse)
def dashboard(ctx: CtxDep) -> Response:
    ctx.require(policy.is_overseer)
    report = qs.current_report(ctx.db, user=ctx.user)
    if report is None:
        return render(ctx, "dashboard/index.html", summary=None, trend=None, ranking=[])
    return render(ctx, "dashboard/index.html", summary=sm.summary(ctx.db, ctx.user, report),
                  trend=sm.trend(ctx.db, report), ranking=sm.ranking(ctx.db, report))


@router.get("/c/{cid}", response_class=HTMLResponse)
def drilldown(ctx: CtxDep, cid: Id) -> Response:
    ctx.require(policy.is_overseer)
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return render(ctx, "dashboard/commitment.html", c=qs.commitment_detail(ctx.db, ctx.user, c),
                  history=qs.history(ctx.db, ctx.user, c),
                  comments=[ser.comment_json(m) for m in actions.comments(ctx, cid)],
                  comment_action=f"/dashboard/c/{cid}/comments")


@api_router.get("/scorecard", tags=["dashboard"], summary="单位考核得分与排名（含较上期变化）")
def api_scorecard(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    ctx.require(policy.is_overseer)
    return sm.ranking(ctx.db, report_or_latest(ctx, report))


@api_router.get("/dashboard", tags=["dashboard"], summary="看板汇总：完成率、红黄绿灯、滞后清单、趋势")
def api_dashboard(ctx: CtxDep, report: Id | None = None) -> dict:
    r = report_or_latest(ctx, report)
    viewer = ctx.user if policy.is_overseer(ctx.user) else qs.public_view(ctx.user)
    data = sm.summary(ctx.db, viewer, r)
    data["trend"] = sm.trend(ctx.db, r)
    return data

