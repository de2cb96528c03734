"""督查室 (admin) pages: import and review, assignment, publishing, periods, notices, review of
progress reports, year-end evaluation."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from luoshi.errors import NotFoundError
from luoshi.ledger import policy
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.models import Commitment, Notice, Period, ProgressReport, Report, Unit
from luoshi.web import actions
from luoshi.web import notice_list as nl
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.highlight import mark_spans
from luoshi.web.limits import upload
from luoshi.web.params import Id, Offset, form_id
from luoshi.web.signing import BadToken, sign, unsign
from luoshi.web.switcher import chosen
from luoshi.web.templating import render
from luoshi.web.views.forms import attempt, attempt_sync, files, form_of, redirect, text

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _report_or_404(ctx: Ctx, rid: int) -> Report:
    r = ctx.db.get(Report, rid)
    if r is None:
        raise NotFoundError(f"报告 {rid} 不存在")
    return r


@router.get("", response_class=HTMLResponse)
def overview(ctx: CtxDep, report: Id | None = None) -> Response:
    ctx.require(policy.is_office)
    chosen(ctx, report)
    reports = []
    for r in ctx.db.scalars(select(Report).order_by(Report.year.desc(), Report.id.desc())):
        counts = dict(ctx.db.execute(select(Commitment.state, func.count()).where(Commitment.report_id == r.id)
                                     .group_by(Commitment.state)).all())
        published = ctx.db.scalar(select(func.count()).where(Commitment.report_id == r.id,
                                                             Commitment.published.is_(True)))
        reports.append({**ser.report_json(r), "states": counts, "published": published})
    pending = ctx.db.scalar(select(func.count()).select_from(ProgressReport).where(ProgressReport.state == "submitted"))
    open_notices = ctx.db.scalar(select(func.count()).select_from(Notice).where(Notice.closed.is_(False)))
    return render(ctx, "admin/index.html", reports=reports, pending=pending, open_notices=open_notices)


@router.post("/reports")
@upload("report")
async def upload(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    uploaded = files(form, "file", ctx.settings.max_upload_bytes)
    if not uploaded:
        ctx.require(policy.is_office)
        return redirect("/admin", err="请选择要上传的报告文件")
    name, data = uploaded[0]
    done = {"new": "已导入", "unchanged": "该文件已导入过，未作改动", "revised": "已按新版本更新"}

    def review_page(result: tuple[Report, str, list[dict[str, str]]]) -> str:
        report, _status, warnings = result
        url = f"/admin/reports/{report.id}"
        return url + ("?w=" + quote(_sign_warnings(ctx, report.id, warnings)) if warnings else "")

    return await attempt(ctx, "/admin", lambda: actions.import_upload(ctx, name, data),
                         lambda result: done[result[1]], to=review_page)


# The extraction's warnings travel to the review page in the redirect, signed so that a link
# cannot put other words on the page; they concern this upload only, so they expire.
_WARNINGS_PURPOSE = "upload-warnings"


def _sign_warnings(ctx: Ctx, rid: int, warnings: list[dict[str, str]]) -> str:
    pairs = [[w["code"], w["message"]] for w in warnings]
    return sign(ctx.settings.secret_key, _WARNINGS_PURPOSE, {"r": rid, "w": pairs}, ttl=3600)


def _signed_warnings(ctx: Ctx, rid: int, token: str | None) -> list[dict[str, str]]:
    if not token:
        return []
    try:
        body = unsign(ctx.settings.secret_key, _WARNINGS_PURPOSE, token)
    except BadToken:
        return []
    if body.get("r") != rid:
        return []
    return [{"code": code, "message": message} for code, message in body.get("w", [])]


@router.get("/reports/{rid}", response_class=HTMLResponse)
def review(ctx: CtxDep, rid: Id, w: str | None = None) -> Response:
    ctx.require(policy.is_office)
    r = _report_or_404(ctx, rid)
    rows = qs.load_rows(ctx.db, select(*qs.ROW_COLUMNS).where(Commitment.report_id == r.id)
                        .order_by(Commitment.start.is_(None), Commitment.start, Commitment.id))
    spans = [(c.start, c.end, c.id, c.kind) for c in rows if c.start is not None and c.end is not None
             and c.state != "closed"]
    marked = mark_spans(r.source_text, spans)
    unit_names = list(ctx.db.scalars(select(Unit.name).where(Unit.government_id == r.government_id,
                                                              Unit.active.is_(True)).order_by(Unit.id)))
    items = []
    for c in rows:
        d = ser.commitment_json(c, None)
        d.update(start=c.start, value=c.value, unit=c.unit, version=c.version,
                 suggestions=[{"name": a.unit.name, "role": a.role, "triggers": a.suggested_by,
                               "confirmed": a.confirmed} for a in c.assignments])
        items.append(d)
    counts = {"total": len(rows), "draft": sum(c.state == "draft" for c in rows),
              "active": sum(c.state == "active" for c in rows),
              "published": sum(c.published for c in rows),
              "suggested": sum(c.state == "draft" and c.lead is not None for c in rows)}
    return render(ctx, "admin/review.html", report=ser.report_json(r), marked=marked, items=items,
                  unit_names=unit_names, counts=counts, warnings=_signed_warnings(ctx, r.id, w))


@router.post("/reports/{rid}/confirm")
def confirm_all(ctx: CtxDep, rid: Id) -> Response:
    return attempt_sync(ctx, f"/admin/reports/{rid}", lambda: actions.confirm_all(ctx, rid),
                   lambda n: f"已确认 {n} 项建议的责任单位")


@router.post("/reports/{rid}/publish")
def publish(ctx: CtxDep, rid: Id) -> Response:
    return attempt_sync(ctx, f"/admin/reports/{rid}", lambda: actions.publish_plan(ctx, rid),
                   lambda n: f"已发布 {n} 项任务，报送周期已生成")


@router.post("/reports/{rid}/commitments")
async def add(ctx: CtxDep, rid: Id) -> Response:
    form = await form_of(ctx)
    back = f"/admin/reports/{rid}"
    return await attempt(ctx, back, lambda: actions.add_commitment(ctx, rid, text(form, "kind", "measure"),
                                                             text(form, "title"), text(form, "text"),
                                                             text(form, "deadline") or None),
                   lambda c: f"已新增任务 {c.id}")


@router.post("/reports/{rid}/merge")
async def merge(ctx: CtxDep, rid: Id) -> Response:
    form = await form_of(ctx)
    ids = [i for i in map(form_id, form.getlist("ids")) if i is not None]
    return await attempt(ctx, f"/admin/reports/{rid}", lambda: actions.merge_commitments(ctx, ids),
                   lambda c: f"已合并为任务 {c.id}")


def _back(ctx: Ctx, default: str) -> str:
    ref = ctx.request.headers.get("referer", "")
    host = ctx.request.url.netloc
    if ref and host and f"//{host}/" in ref:
        return ref.split(host, 1)[1].split("?")[0].split("#")[0]
    return default


@router.post("/commitments/{cid}/assign")
async def assign(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    support = [s for s in text(form, "support").replace("，", ",").replace("、", ",").split(",") if s.strip()]
    return await attempt(ctx, _back(ctx, f"/admin/commitments/{cid}"),
                   lambda: actions.assign_units(ctx, cid, text(form, "lead"), support, text(form, "version")),
                   lambda c: f"任务 {c.id} 的责任单位已确认")


@router.get("/commitments/{cid}", response_class=HTMLResponse)
def edit_form(ctx: CtxDep, cid: Id) -> Response:
    ctx.require(policy.is_office)
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    data = qs.commitment_detail(ctx.db, ctx.user, c)
    unit_names = list(ctx.db.scalars(select(Unit.name).where(Unit.government_id == c.report.government_id)))
    return render(ctx, "admin/commitment.html", c=data, unit_names=unit_names,
                  history=qs.history(ctx.db, ctx.user, c),
                  comments=[ser.comment_json(m) for m in actions.comments(ctx, cid)],
                  comment_action=f"/admin/commitments/{cid}/comments")


@router.post("/commitments/{cid}")
async def edit(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    fields = {k: text(form, k) for k in actions.FIELD_TYPES if k in form}
    fields["published"] = text(form, "published") == "1"
    return await attempt(ctx, f"/admin/commitments/{cid}",
                   lambda: actions.edit_commitment(ctx, cid, fields, text(form, "version")),
                   lambda c: "已保存")


@router.post("/commitments/{cid}/split")
async def split(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    parts = text(form, "parts").splitlines()
    return await attempt(ctx, f"/admin/commitments/{cid}",
                         lambda: actions.split_commitment(ctx, cid, list(parts), text(form, "version")),
                         lambda new: "已拆分为任务 " + "、".join(str(c.id) for c in new),
                         to=lambda new: f"/admin/reports/{new[0].report_id}")


@router.post("/commitments/{cid}/drop")
async def drop(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    return await attempt(ctx, _back(ctx, f"/admin/commitments/{cid}"),
                   lambda: actions.drop_commitment(ctx, cid, text(form, "version")),
                   lambda c: f"任务 {c.id} 已删除（销号并取消公开）")


@router.post("/commitments/{cid}/evaluate")
async def evaluate(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    return await attempt(ctx, _back(ctx, "/admin/evaluations"),
                   lambda: actions.evaluate(ctx, cid, final_value=text(form, "final_value") or None,
                                            result=text(form, "result") or None, reason=text(form, "reason"),
                                            version=text(form, "version")),
                   lambda e: f"任务 {cid} 评价为“{e.result}”")


# --------------------------------------------------------------------------- periods, notices


@router.get("/periods", response_class=HTMLResponse)
def periods_page(ctx: CtxDep, report: Id | None = None) -> Response:
    ctx.require(policy.is_office)
    r = chosen(ctx, report)
    if r is None:
        return redirect("/admin", err="请先导入报告")
    from luoshi.ledger.models import LedgerSettings

    s = ctx.db.scalar(select(LedgerSettings).where(LedgerSettings.report_id == r.id))
    rows = qs.periods(ctx.db, r.id)
    for p in rows:
        p["reports"] = ctx.db.scalar(select(func.count()).select_from(ProgressReport)
                                     .where(ProgressReport.period_id == p["id"]))
        p["notices"] = ctx.db.scalar(select(func.count()).select_from(Notice).where(Notice.period_id == p["id"]))
    return render(ctx, "admin/periods.html", report=ser.report_json(r), periods=rows,
                  cycle=s.cycle if s else "季", today=ledger_clock(ctx.db, r).today(),
                  statistics_date=s.statistics_date if s else None)


@router.post("/periods")
async def periods_action(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    rid = form_id(text(form, "report")) or 0
    op = text(form, "op")
    back = f"/admin/periods?report={rid}"
    if op == "cycle":
        return await attempt(ctx, back, lambda: actions.configure_cycle(ctx, rid, text(form, "cycle")),
                       lambda _: "报送周期已设置")
    if op == "generate":
        return await attempt(ctx, back, lambda: actions.generate_periods(ctx, rid), lambda ps: f"已生成 {len(ps)} 个周期")
    if op == "statdate":
        return await attempt(ctx, back, lambda: actions.set_statistics_date(ctx, rid, text(form, "statistics_date")),
                             lambda st: f"统计日期已设为 {st.statistics_date}" if st.statistics_date
                             else "统计日期已清除：按当天日期评判")
    pid = form_id(text(form, "period")) or 0
    if op in ("close", "reopen"):
        return await attempt(ctx, back, lambda: actions.set_period_closed(ctx, pid, op == "close"),
                       lambda p: f"周期 {p.label} 已{'关闭' if p.closed else '重新开放'}")
    if op == "notices":  # the office sees what would be issued before confirming
        ctx.require(policy.is_office)
        return redirect(f"/admin/notices/preview?period={pid}")
    if op == "issue":
        return await attempt(ctx, back, lambda: actions.issue_notices(ctx, pid), _issued, to=lambda _: "/admin/notices")
    ctx.require(policy.is_office)
    return redirect(back, err="未知操作")


def _issued(ns: list[Notice]) -> str:
    if not ns:
        return "没有需要新签发的督办单"
    return f"已签发督办单 {len(ns)} 份（{ns[0].number}—{ns[-1].number}）"


@router.get("/notices/preview", response_class=HTMLResponse)
def notices_preview(ctx: CtxDep, period: Id) -> Response:
    """What 生成督办单 would issue for a period today, with counts by reason and a confirm button."""
    plan = actions.preview_notices(ctx, period)
    p = ctx.db.get(Period, period)
    return render(ctx, "admin/notices_preview.html", plan={**plan.to_dict(), "period_id": plan.period_id},
                  report_id=p.report_id if p else None)


@router.get("/notices", response_class=HTMLResponse)
def notices_page(ctx: CtxDep, report: Id | None = None, unit: Annotated[str | None, Query()] = None,
                 period: Annotated[str | None, Query()] = None, status: str | None = None,
                 reason: str | None = None, sort: str = "number", offset: Offset = 0,
                 printable: Annotated[bool, Query(alias="print")] = False) -> Response:
    """The report's notices, filtered, sorted and paged in SQL; ``print=1`` gives the whole filtered
    list as one printable document."""
    ctx.require(policy.is_office)
    r = chosen(ctx, report)
    f = nl.NoticeFilters(report_id=r.id if r else None, unit=form_id(unit), period=form_id(period),
                         status=status or None, reason=reason or None, sort=sort or "number",
                         offset=0 if printable else offset, limit=nl.PRINT_LIMIT if printable else nl.PAGE_SIZE)
    page = nl.notice_page(ctx.db, ctx.user, f)
    params = f.params() if report is not None else {k: v for k, v in f.params().items() if k != "report"}
    data = {"page": page, "params": params, "choices": nl.choices(ctx.db, ctx.user, f.report_id),
            "report": ser.report_json(r) if r else None}
    return render(ctx, "admin/notices_print.html" if printable else "admin/notices.html", **data)


@router.post("/notices/{nid}/close")
def close_notice(ctx: CtxDep, nid: Id) -> Response:
    return attempt_sync(ctx, _list_back(ctx, "/admin/notices"), lambda: actions.close_notice(ctx, nid),
                        lambda n: f"督办单 {n.id} 已办结")


def _list_back(ctx: Ctx, path: str) -> str:
    """``path`` with the filters and page the reader was on (from the list that sent the form), so
    closing one notice does not throw away the list they narrowed down."""
    ref = ctx.request.headers.get("referer", "")
    host = ctx.request.url.netloc
    if ref and host and f"//{host}{path}?" in ref:
        kept = [(k, v) for k, v in parse_qsl(ref.split("?", 1)[1].split("#")[0]) if k not in ("msg", "err")]
        return path + ("?" + urlencode(kept) if kept else "")
    return path


# --------------------------------------------------------------------------- progress review, evaluation


@router.get("/progress", response_class=HTMLResponse)
def progress_queue(ctx: CtxDep, state: str = "submitted", offset: Offset = 0, report: Id | None = None) -> Response:
    """Progress reports to review: of every report, or of the one chosen in the header's switcher
    (a report still waiting in an older year's ledger is not hidden unless the office narrows)."""
    ctx.require(policy.is_office)
    r = chosen(ctx, report) if report is not None else None
    page = qs.progress_list(ctx.db, ctx.user, state=state or None, limit=50, offset=max(0, offset),
                            report_id=r.id if r else None)
    params = {"state": state} | ({"report": r.id} if r else {})
    return render(ctx, "admin/progress.html", page=page, state=state, params=params)


@router.post("/progress/{pid}")
async def review_progress(ctx: CtxDep, pid: Id) -> Response:
    form = await form_of(ctx)
    decision = text(form, "decision")
    return await attempt(ctx, "/admin/progress",
                   lambda: actions.review_progress(ctx, pid, decision, text(form, "reason"), text(form, "version")),
                   lambda pr: f"进度报告 {pr.id} 已{'采纳' if pr.state == 'accepted' else '退回'}")


@router.get("/evaluations", response_class=HTMLResponse)
def evaluations_page(ctx: CtxDep, report: Id | None = None, offset: Offset = 0) -> Response:
    ctx.require(policy.is_office)
    r = chosen(ctx, report)
    if r is None:
        return redirect("/admin", err="请先导入报告")
    evals = {e["commitment_id"]: e for e in qs.evaluations(ctx.db, ctx.user, r.id)}
    f = qs.Filters(report_id=r.id, limit=40, offset=max(0, offset), states=("active", "closed"))
    page = qs.list_commitments(ctx.db, ctx.user, f)
    from luoshi.ledger.services.evaluation import draft_note, year_due

    drafts = sum(1 for e in evals.values() if e["state"] == "draft")
    today = ledger_clock(ctx.db, r).today()
    return render(ctx, "admin/evaluations.html", report=ser.report_json(r), page=page, evals=evals,
                  params={"report": r.id}, note=draft_note(ctx.db, r, on=today),
                  drafts=drafts, year_due=year_due(ctx.db, r), on=today.isoformat())


@router.post("/evaluations")
async def evaluate_all(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    rid = form_id(text(form, "report")) or 0
    if text(form, "op") == "finalise":
        back = f"/admin/evaluations?report={rid}"
        return await attempt(ctx, back, lambda: actions.finalise_evaluations(ctx, rid, text(form, "reason") or None),
                             lambda f: f"已定稿 {f.count} 项年度评价" + ("（提前定稿，理由已记录）" if f.early else ""))
    return await attempt(ctx, "/admin/evaluations", lambda: actions.evaluate_all(ctx, rid),
                   lambda res: f"已评价 {res[0]} 项；{len(res[1])} 项需人工评价")
