"""Leader dashboard: completion, lights by area and unit, lagging list, ranking, trend, drill-down."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web import summary as sm
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id
from luoshi.web.templating import render

router = APIRouter(prefix="/dashboard", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


@router.get("", response_class=HTMLResponse)
def dashboard(ctx: CtxDep) -> Response:
    ctx.require("admin", "leader")
    report = qs.current_report(ctx.db, user=ctx.user)
    if report is None:
        return render(ctx, "dashboard/index.html", summary=None, trend=None, ranking=[])
    return render(ctx, "dashboard/index.html", summary=sm.summary(ctx.db, ctx.user, report),
                  trend=sm.trend(ctx.db, report), ranking=sm.ranking(ctx.db, report))


@router.get("/c/{cid}", response_class=HTMLResponse)
def drilldown(ctx: CtxDep, cid: Id) -> Response:
    ctx.require("admin", "leader")
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return render(ctx, "dashboard/commitment.html", c=qs.commitment_detail(ctx.db, ctx.user, c),
                  history=qs.history(ctx.db, ctx.user, c),
                  comments=[ser.comment_json(m) for m in actions.comments(ctx, cid)],
                  comment_action=f"/dashboard/c/{cid}/comments")
