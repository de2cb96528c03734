"""Leader dashboard: completion, lights by area and unit, lagging list, ranking, trend, drill-down;
and the same summary and unit scorecard under /api."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from luoshi.errors import ValidationError
from luoshi.ledger import policy
from luoshi.ledger.models import Report, Unit
from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web import summary as sm
from luoshi.web.charts import LIGHT_LABELS, LIGHTS
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id, Offset, form_id
from luoshi.web.shared_pages import share
from luoshi.web.switcher import chosen
from luoshi.web.templating import render
from luoshi.web.views.common import report_or_latest

router = APIRouter(prefix="/dashboard", include_in_schema=False, route_class=LedgerRoute)
api_router = APIRouter(prefix="/api", route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


@router.get("", response_class=HTMLResponse)
def dashboard(ctx: CtxDep, report: Id | None = None) -> Response:
    ctx.require(policy.is_overseer)
    r = chosen(ctx, report)
    params = {"report": r.id} if report is not None and r else {}
    if r is None:
        return render(ctx, "dashboard/index.html", summary=None, trend=None, ranking=[], params=params)
    return render(ctx, "dashboard/index.html", summary=sm.summary(ctx.db, ctx.user, r),
                  trend=sm.trend(ctx.db, r), ranking=sm.ranking(ctx.db, r), params=params)


LIST_SIZE = 30


@router.get("/list", response_class=HTMLResponse)
def drill_list(ctx: CtxDep, report: Id | None = None, area: str | None = None,
               unit: Annotated[str | None, Query()] = None, status: str | None = None,
               lagging: bool = False, offset: Offset = 0) -> Response:
    """What a leader reaches by clicking an area, a unit or a bar, or 「更多」 under the lagging
    items: the whole list, paged, each item opening in the leader's own view."""
    ctx.require(policy.is_overseer)
    r = chosen(ctx, report)
    if status and status not in LIGHTS:
        raise ValidationError(f"状态只能是{'、'.join(LIGHT_LABELS.values())}之一")
    f = qs.Filters(report_id=r.id if r else None, area=area or None, unit=form_id(unit), status=status or None,
                   offset=max(0, offset), limit=LIST_SIZE)
    params = f.params() | ({"report": r.id} if report is not None and r else {}) | ({"lagging": 1} if lagging else {})
    if r is None:
        page: dict = {"total": 0, "limit": LIST_SIZE, "offset": 0, "items": []}
    elif lagging:  # red and yellow, worst first: the dashboard's own order, every one of them
        items = sm.summary(ctx.db, ctx.user, r, lagging_limit=None)["lagging"]
        page = {"total": len(items), "limit": LIST_SIZE, "offset": f.offset,
                "items": items[f.offset:f.offset + LIST_SIZE]}
    else:
        page = qs.list_commitments(ctx.db, ctx.user, f)
    heading = _heading(ctx, r, f, lagging)
    return render(ctx, "dashboard/list.html", page=page, params=params, heading=heading)


def _heading(ctx: Ctx, r: Report | None, f: qs.Filters, lagging: bool) -> str:
    """The list's title in words: 滞后任务, or the area, unit and light it is narrowed to."""
    if lagging:
        return "滞后任务"
    parts = []
    if r is not None and f.area:
        titles = {a["key"]: a["title"] for a in qs.areas(ctx.db, r.id, ctx.user)}
        parts.append(titles.get(f.area, "所选领域"))
    if f.unit:
        unit = ctx.db.get(Unit, f.unit)
        parts.append(unit.name if unit else "所选单位")
    if f.status:
        parts.append(LIGHT_LABELS[f.status])
    return " · ".join(parts) + "的任务" if parts else "全部任务"


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
    share(ctx.request)
    r = report_or_latest(ctx, report)
    viewer = ctx.user if policy.is_overseer(ctx.user) else qs.public_view(ctx.user)
    data = sm.summary(ctx.db, viewer, r)
    data["trend"] = sm.trend(ctx.db, r)
    return data

