"""Public 亮屏 pages (no login): the published ledger, one page per commitment, the hall display."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from luoshi.errors import NotFoundError
from luoshi.ledger import policy
from luoshi.ledger.models import Evidence
from luoshi.ledger.services.evidence import SAFE_MIME_TYPES
from luoshi.web import queries as qs
from luoshi.web import summary as sm
from luoshi.web.charts import LIGHTS
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id, Offset, form_id
from luoshi.web.security import CSP
from luoshi.web.shared_pages import share
from luoshi.web.switcher import chosen
from luoshi.web.templating import render

router = APIRouter(include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def list_filters(area: str | None, unit: int | None, status: str | None, kind: str | None, q: str | None,
                 offset: int, limit: int, report: int | None = None) -> qs.Filters:
    return qs.Filters(report_id=report, area=area or None, unit=unit, status=status or None, kind=kind or None,
                      q=(q or "").strip() or None, offset=max(0, offset), limit=limit)


@router.get("/", response_class=HTMLResponse)
def home(ctx: CtxDep, area: str | None = None, unit: Annotated[str | None, Query()] = None,
         status: str | None = None, kind: str | None = None, q: str | None = None,
         offset: Offset = 0, report: Id | None = None) -> Response:
    share(ctx.request)
    unit_id = form_id(unit)
    viewer = qs.public_view(ctx.user)
    r = chosen(ctx, report, viewer=viewer)  # the public ledger, whoever is logged in
    f = list_filters(area, unit_id, status, kind, q, offset, 30, r.id if r else None)
    f.published = True
    page = qs.list_commitments(ctx.db, ctx.user, f)
    params = f.params() | ({"report": r.id} if report is not None and r else {})
    summary = None
    if r is not None:  # the ring and the counts follow the filter: they count the listed rows
        narrowed = any(params.get(k) for k in ("area", "unit", "kind", "q"))
        summary = sm.summary(ctx.db, viewer, r, narrow=qs.filters_clause(viewer, f, r) if narrowed else None,
                             light=f.status if f.status in LIGHTS else None)
    return render(ctx, "public/index.html", page=page, params=params, summary=summary,
                  areas=qs.areas(ctx.db, r.id, viewer) if r else [],
                  units=qs.units(ctx.db, r, viewer) if r else [])


@router.get("/c/{cid}", response_class=HTMLResponse)
def commitment_page(ctx: CtxDep, cid: Id) -> Response:
    share(ctx.request, commitment=cid)
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    data = qs.commitment_detail(ctx.db, ctx.user, c)
    return render(ctx, "public/commitment.html", c=data, can_report=policy.liaison_of(ctx.user, c))


@router.get("/screen", response_class=HTMLResponse)
def screen(ctx: CtxDep, area: str | None = None, offset: Offset = 0, report: Id | None = None) -> Response:
    share(ctx.request)
    viewer = qs.public_view(ctx.user)
    chosen_id = report
    report = chosen(ctx, chosen_id, viewer=viewer)
    f = qs.Filters(report_id=report.id if report else None, area=area or None, published=True, limit=12,
                   offset=max(0, offset))
    page = qs.list_commitments(ctx.db, viewer, f)
    summary = sm.summary(ctx.db, viewer, report) if report else None
    nxt = page["offset"] + page["limit"]
    next_url = (f"/screen?offset={nxt if nxt < page['total'] else 0}" + (f"&area={quote(area)}" if area else "")
                + (f"&report={report.id}" if chosen_id is not None and report else ""))
    return render(ctx, "public/screen.html", page=page, summary=summary, next_url=next_url,
                  refresh=ctx.settings.screen_refresh_seconds)


@router.get("/favicon.ico")
def favicon() -> Response:
    from luoshi.web.app import STATIC

    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


@router.get("/evidence/{eid}")
def evidence_file(ctx: CtxDep, eid: Id) -> Response:
    ctx.require()
    e = ctx.db.get(Evidence, eid)
    if e is None:
        raise NotFoundError(f"附件 {eid} 不存在")
    c = qs.get_commitment(ctx.db, ctx.user, e.progress_report.commitment_id)
    if not policy.may_see_private_progress(ctx.user, c):
        raise NotFoundError(f"附件 {eid} 不存在")
    path = qs.evidence_path(e)
    if not path.exists():
        raise NotFoundError(f"附件 {e.filename} 的文件已丢失")
    # always a download, typed only from the allowed list, never rendered as a page of this site
    media_type = e.content_type if e.content_type in SAFE_MIME_TYPES else "application/octet-stream"
    return FileResponse(path, media_type=media_type, filename=e.filename, content_disposition_type="attachment",
                        headers={"Content-Security-Policy": f"{CSP}; sandbox",
                                 "X-Content-Type-Options": "nosniff"})
