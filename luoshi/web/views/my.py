"""单位联络员 pages: my commitments, what is due, reporting progress with evidence, notices."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from luoshi.ledger import policy
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.models import ProgressReport
from luoshi.ledger.services import periods as period_service
from luoshi.ledger.services.periods import REPORTING
from luoshi.web import actions
from luoshi.web import notice_list as nl
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.flash import typed_fields
from luoshi.web.limits import MAX_EVIDENCE_FILES, MB, FileTooLarge, upload
from luoshi.web.params import Id, Offset, form_id
from luoshi.web.switcher import chosen
from luoshi.web.templating import render
from luoshi.web.views.forms import attempt, files, form_of, refused, text

router = APIRouter(prefix="/my", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def my_items(ctx: Ctx, report_id: int | None = None) -> dict:
    report = chosen(ctx, report_id)
    if report is None:
        return {"items": [], "period": None, "on": None, "report": None, "returned": [], "notices": []}
    f = qs.Filters(report_id=report.id, unit=ctx.user.unit_id, limit=qs.MAX_LIMIT)
    page = qs.list_commitments(ctx.db, ctx.user, f)
    today = ledger_clock(ctx.db, report).today()  # the statistics date the lights are judged on
    period = period_service.current_period(ctx.db, report, today, REPORTING)
    reports = {}
    if period is not None:
        ids = [i["id"] for i in page["items"]]
        for pr in ctx.db.scalars(select(ProgressReport).where(ProgressReport.period_id == period.id,
                                                              ProgressReport.commitment_id.in_(ids))):
            reports[pr.commitment_id] = {"id": pr.id, "state": pr.state, "percent": pr.percent,
                                         "return_reason": pr.return_reason}
    ids = [i["id"] for i in page["items"]]
    titles = {i["id"]: i["title"] for i in page["items"]}
    returned = [{"id": pr.id, "commitment_id": pr.commitment_id, "title": titles[pr.commitment_id],
                 "period": pr.period.label, "period_id": pr.period_id, "reason": pr.return_reason,
                 "percent": pr.percent}
                for pr in ctx.db.scalars(select(ProgressReport).where(ProgressReport.state == "returned",
                                                                      ProgressReport.commitment_id.in_(ids))
                                         .order_by(ProgressReport.id))] if ids else []
    items = []
    for i in page["items"]:
        if i["state"] != "active":
            continue
        i = dict(i)
        i["role"] = next((u["role"] for u in i["units"] if u["id"] == ctx.user.unit_id), None)
        i["current"] = reports.get(i["id"])
        items.append(i)
    # returned first, then not yet reported, then the rest; red before green
    order = {"returned": 0, None: 1, "draft": 1, "submitted": 2, "accepted": 3}
    lights = {"red": 0, "yellow": 1, "grey": 2, "green": 3}
    items.sort(key=lambda i: (order.get((i["current"] or {}).get("state")), lights[i["light"]], i["id"]))
    due = None
    if period is not None:
        due = {"label": period.label, "due": period.due.isoformat(),
               "working_days_left": actions.working_days_left(ctx, period)}
    return {"items": items, "period": due, "on": today.isoformat(), "report": ser.report_json(report), "returned": returned,
            "notices": [n for n in qs.notices(ctx.db, ctx.user, open_only=True)]}


@router.get("", response_class=HTMLResponse)
def my_page(ctx: CtxDep, report: Id | None = None) -> Response:
    ctx.require(policy.is_liaison)
    return render(ctx, "my/index.html", **my_items(ctx, report))


@router.get("/c/{cid}/report", response_class=HTMLResponse)
def report_form(ctx: CtxDep, cid: Id, period: Id | None = None) -> Response:
    return _report_page(ctx, cid, period)


def _report_page(ctx: Ctx, cid: int, period: int | None, **refusal: Any) -> Response:
    """The progress form; after a refusal (``typed``, ``flash_error``, ``status_code``) it shows
    what was typed and why it was refused, whatever the length of the narrative."""
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    actions.may_report(ctx, c)
    periods = period_service.periods(ctx.db, c.report)
    today = ledger_clock(ctx.db, c.report).today()
    selectable = period_service.reportable(periods, today)
    default = next((p for p in selectable if p.id == period), None) or period_service.pick_period(
        periods, today, REPORTING)
    existing = {pr.period_id: pr for pr in ctx.db.scalars(select(ProgressReport)
                                                          .where(ProgressReport.commitment_id == c.id))}
    current = existing.get(default.id) if default else None
    return render(ctx, "my/report.html", c=qs.commitment_detail(ctx.db, ctx.user, c),
                  periods=[ser.period_json(p) for p in selectable],
                  default=ser.period_json(default) if default else None,
                  current=ser.progress_json(current, private=True) if current else None,
                  days_left=actions.working_days_left(ctx, default) if default else None,
                  comments=[ser.comment_json(m) for m in actions.comments(ctx, cid)], comment_action=None,
                  max_evidence_mb=f"{ctx.settings.max_evidence_bytes / MB:g}", max_evidence_files=MAX_EVIDENCE_FILES,
                  max_evidence_bytes=ctx.settings.max_evidence_bytes,
                  **refusal)


@router.post("/c/{cid}/report")
@upload("evidence_form")
async def report_submit(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    period = text(form, "period")

    def again(typed: dict[str, str], message: str) -> Response:
        return _report_page(ctx, cid, form_id(period), typed=typed, flash_error=message, status_code=422)

    try:
        evidence = files(form, "evidence", ctx.settings.max_evidence_bytes)
    except FileTooLarge as exc:  # one file over its limit: say so on the form, keep the rest
        return await run_in_threadpool(refused, ctx, f"/my/c/{cid}/report", exc.message, typed_fields(form), again)
    return await attempt(ctx, f"/my/c/{cid}/report",
                   lambda: actions.submit_progress(ctx, cid, form_id(period) or 0,
                                                   percent=text(form, "percent") or None,
                                                   value=text(form, "value") or None,
                                                   narrative=text(form, "narrative"), files=evidence,
                                                   version=text(form, "version") or None),
                   lambda pr: f"已提交 {pr.period.label} 进度（{pr.percent:g}%），等待督查室审核", page=again)


@router.get("/notices", response_class=HTMLResponse)
def notices_page(ctx: CtxDep, report: Id | None = None, period: Annotated[str | None, Query()] = None,
                 status: str | None = None, reason: str | None = None, sort: str = "number",
                 offset: Offset = 0) -> Response:
    """The unit's notices of the chosen report, filtered and paged in SQL; open ones answerable."""
    ctx.require(policy.answers_notices)
    r = chosen(ctx, report)
    f = nl.NoticeFilters(report_id=r.id if r else None, period=form_id(period), status=status or None,
                         reason=reason or None, sort=sort or "number", offset=offset)
    params = f.params() if report is not None else {k: v for k, v in f.params().items() if k != "report"}
    return render(ctx, "my/notices.html", page=nl.notice_page(ctx.db, ctx.user, f), params=params,
                  choices=nl.choices(ctx.db, ctx.user, f.report_id))


@router.post("/notices/{nid}")
async def answer(ctx: CtxDep, nid: Id) -> Response:
    form = await form_of(ctx)
    return await attempt(ctx, "/my/notices", lambda: actions.answer_notice(ctx, nid, text(form, "answer")),
                   lambda n: f"已答复督办单 {n.id}")
