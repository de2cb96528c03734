"""督查室 (admin) unit directory pages: list, add, rename, alias, merge, deactivate, load a list.

Every rule is in :mod:`luoshi.ledger.services.units` (the ``luoshi ledger units`` command calls the
same functions); these views read the form, call the service, commit and say what happened. A list
loaded from a file is shown first as a preview of what it will add, rename and change; the parsed
list travels to the apply step signed (so what is applied is exactly what was previewed and nobody
can slip other rows into the form) and expires after an hour.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from luoshi.errors import LuoshiError, NotFoundError, ValidationError
from luoshi.ledger import policy
from luoshi.ledger import vocabulary as words
from luoshi.ledger.models import UNIT_KINDS, Government, Report, Unit
from luoshi.ledger.services import history, publication
from luoshi.ledger.services import units as unit_service
from luoshi.web import accounts
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.limits import upload
from luoshi.web.params import Id, form_id
from luoshi.web.signing import BadToken, sign, unsign
from luoshi.web.templating import render
from luoshi.web.views.forms import attempt, files, form_of, redirect, text

router = APIRouter(prefix="/admin/units", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]

_IMPORT_PURPOSE = "unit-directory"
_IMPORT_TTL = 3600


def _names(value: str) -> list[str]:
    """Aliases typed in one field, separated by 、 ， , ； or spaces."""
    for sep in ("，", ",", "；", ";", " ", "\u3000"):
        value = value.replace(sep, "、")
    return [v.strip() for v in value.split("、") if v.strip()]


def _government(ctx: Ctx, gov: int | None) -> Government | None:
    """The government asked for, else the one of the latest report (the one being worked on)."""
    if gov is not None:
        found = ctx.db.get(Government, gov)
        if found is None:
            raise NotFoundError(f"政府 {gov} 不存在")
        return found
    latest = publication.latest_report(ctx.db, published_only=False)
    if latest is not None:
        return latest.government
    return ctx.db.scalars(select(Government).order_by(Government.id)).first()


def _unit_or_404(ctx: Ctx, uid: int) -> Unit:
    unit = ctx.db.get(Unit, uid)
    if unit is None:
        raise NotFoundError(f"单位 {uid} 不存在")
    return unit


def _row(r: unit_service.DirectoryRow) -> dict[str, Any]:
    u = r.unit
    return {"id": u.id, "name": u.name, "short_name": u.short_name or "", "aliases": list(u.aliases),
            "kind": u.kind, "parent": u.parent.name if u.parent is not None else "", "active": u.active,
            "note": u.note or "", "version": u.version, "assignments": r.assignments,
            "open_leads": r.open_leads, "liaisons": r.liaisons}


@router.get("", response_class=HTMLResponse)
def directory_page(ctx: CtxDep, gov: Id | None = None) -> Response:
    ctx.require(policy.is_office)
    government = _government(ctx, gov)
    governments = [{"id": g.id, "name": g.name} for g in ctx.db.scalars(select(Government).order_by(Government.id))]
    rows = [] if government is None else [_row(r) for r in unit_service.directory(ctx.db, government.id)]
    years = [] if government is None else list(ctx.db.scalars(
        select(Report.year).where(Report.government_id == government.id).order_by(Report.year.desc())))
    return render(ctx, "admin/units.html", government=government and {"id": government.id, "name": government.name},
                  governments=governments, rows=rows, kinds=UNIT_KINDS, years=years,
                  active_count=sum(r["active"] for r in rows))


@router.post("")
async def add(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    gov_id = form_id(text(form, "gov")) or 0
    back = f"/admin/units?gov={gov_id}"

    def action() -> Unit:
        ctx.require(policy.is_office)
        government = ctx.db.get(Government, gov_id)
        if government is None:
            raise NotFoundError("请先导入报告：单位名录属于某个政府")
        return unit_service.add_unit(ctx.db, government.name, text(form, "name"), kind=text(form, "kind") or "部门",
                                     short_name=text(form, "short_name").strip() or None,
                                     aliases=_names(text(form, "aliases")), parent=text(form, "parent") or None)

    return await attempt(ctx, back, action, lambda u: f"已新增单位“{u.name}”")


_HIDDEN = {"id", "government_id", "version", "created_at", "api_token_expires_at"}


def _trail(ctx: Ctx, unit: Unit, people: list[Any]) -> list[dict[str, Any]]:
    """The unit's changes and its accounts', newest first, in the ledger's words (one vocabulary)."""
    rows = [(e, "单位") for e in history.events(ctx.db, entity_type="Unit", entity_id=str(unit.id), limit=100)]
    for person in people:
        rows += [(e, f"账号 {person.username}") for e in
                 history.events(ctx.db, entity_type="User", entity_id=str(person.id), limit=50)]
    unit_ids = {v for e, _ in rows for side in (e.before or {}, e.after or {})
                for k, v in side.items() if k in ("unit_id", "parent_id") and isinstance(v, int)}
    names = {(k, u.id): u.name for u in ctx.db.scalars(select(Unit).where(Unit.id.in_(unit_ids)))
             for k in ("unit_id", "parent_id")} if unit_ids else {}
    out = []
    for e, what in sorted(rows, key=lambda r: r[0].id, reverse=True):
        after, before = e.after or {}, e.before or {}

        def said(k: str, v: Any, entity: str = e.entity_type) -> str:
            return words.value_text(entity, k, v, names)

        changes = [f"{words.field_label(e.entity_type, k)}：{said(k, before.get(k))} → {said(k, v)}"
                   if e.action == "update" else f"{words.field_label(e.entity_type, k)}：{said(k, v)}"
                   for k, v in after.items() if k not in _HIDDEN
                   and (e.action == "update" or v not in (None, []))]  # a new row's empty fields say nothing
        out.append({"at": e.at, "actor": e.actor, "what": what, "action": words.ACTIONS.get(e.action, e.action),
                    "changes": changes})
    return out


@router.get("/{uid}", response_class=HTMLResponse)
def unit_page(ctx: CtxDep, uid: Id) -> Response:
    ctx.require(policy.is_office)
    unit = _unit_or_404(ctx, uid)
    rows = unit_service.directory(ctx.db, unit.government_id)
    this = next(r for r in rows if r.unit.id == unit.id)
    others = [{"id": r.unit.id, "name": r.unit.name} for r in rows if r.unit.active and r.unit.id != unit.id]
    users = accounts.unit_accounts(ctx.db, unit.id)
    people = [{"username": u.username, "display_name": u.display_name, "active": u.active,
               "must_change": u.must_change_password, "changed": u.password_changed_at} for u in users]
    return render(ctx, "admin/unit.html", unit=_row(this), gov={"id": unit.government_id, "name": unit.government.name},
                  others=others, people=people, trail=_trail(ctx, unit, users))


@router.post("/{uid}/rename")
async def rename(ctx: CtxDep, uid: Id) -> Response:
    form = await form_of(ctx)

    def action() -> tuple[str, Unit]:
        ctx.require(policy.is_office)
        old = _unit_or_404(ctx, uid).name
        return old, unit_service.rename_unit(ctx.db, uid, text(form, "name"), expected_version=_version(form))

    return await attempt(ctx, f"/admin/units/{uid}", action,
                         lambda r: f"已更名为“{r[1].name}”，原名称“{r[0]}”保留为别名")


@router.post("/{uid}/alias")
async def alias(ctx: CtxDep, uid: Id) -> Response:
    form = await form_of(ctx)

    def action() -> Unit:
        ctx.require(policy.is_office)
        names = _names(text(form, "alias"))
        if not names:
            raise ValidationError("请填写要添加的别名")
        unit = _unit_or_404(ctx, uid)
        for name in names:
            unit = unit_service.add_alias(ctx.db, uid, name)
        return unit

    return await attempt(ctx, f"/admin/units/{uid}", action, lambda u: f"别名现为：{'、'.join(u.aliases)}")


@router.post("/{uid}/merge")
async def merge(ctx: CtxDep, uid: Id) -> Response:
    form = await form_of(ctx)

    def action() -> tuple[str, unit_service.MergeResult]:
        ctx.require(policy.is_office)
        target = form_id(text(form, "into"))
        if target is None:
            raise ValidationError("请选择要并入的单位")
        name = _unit_or_404(ctx, uid).name
        return name, unit_service.merge_units(ctx.db, uid, target, expected_version=_version(form))

    def said(r: tuple[str, unit_service.MergeResult]) -> str:
        name, m = r
        return (f"已将“{name}”并入“{m.target.name}”：转移任务分工 {m.moved + m.joined} 条、联络员 {m.liaisons} 个、"
                f"督办单 {m.notices} 份；“{name}”已成为“{m.target.name}”的别名")

    return await attempt(ctx, f"/admin/units/{uid}", action, said, to=lambda r: f"/admin/units/{r[1].target.id}")


@router.post("/{uid}/active")
async def set_active(ctx: CtxDep, uid: Id) -> Response:
    form = await form_of(ctx)
    on = text(form, "active") == "1"

    def action() -> Unit:
        ctx.require(policy.is_office)
        if on:
            return unit_service.activate_unit(ctx.db, uid, expected_version=_version(form))
        return unit_service.deactivate_unit(ctx.db, uid, expected_version=_version(form))

    return await attempt(ctx, f"/admin/units/{uid}", action,
                         lambda u: f"单位“{u.name}”已{'重新启用' if on else '停用'}")


def _version(form: Any) -> int | None:
    return form_id(text(form, "version"))


# --------------------------------------------------------------------------- loading a list


@router.post("/import")
@upload("report")
async def import_preview(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    gov_id = form_id(text(form, "gov")) or 0
    back = f"/admin/units?gov={gov_id}"
    uploaded = files(form, "file", ctx.settings.max_upload_bytes)

    def preview() -> Response:
        ctx.require(policy.is_office)
        government = ctx.db.get(Government, gov_id)
        if government is None:
            return redirect("/admin/units", err="请先导入报告：单位名录属于某个政府", ctx=ctx)
        if not uploaded:
            return redirect(back, err="请选择单位名录文件（.xlsx 或 .csv）", ctx=ctx)
        name, stream = uploaded[0]
        try:
            data = unit_service.read_directory_bytes(name, stream.read())
            changes = unit_service.plan_directory(ctx.db, data, government.name, where=name)
        except LuoshiError as exc:
            return redirect(back, err=exc.message, ctx=ctx)
        token = sign(ctx.settings.secret_key, _IMPORT_PURPOSE, {"g": government.id, "u": data["units"], "f": name},
                     ttl=_IMPORT_TTL)
        counts = {a: sum(c.action == a for c in changes) for a in unit_service.CHANGE_LABELS}
        return render(ctx, "admin/units_import.html", gov={"id": government.id, "name": government.name},
                      filename=name, changes=changes, counts=counts, token=token,
                      field_labels=unit_service.FIELD_LABELS)

    return await run_in_threadpool(preview)


@router.post("/import/apply")
async def import_apply(ctx: CtxDep) -> Response:
    form = await form_of(ctx)
    try:
        body = unsign(ctx.settings.secret_key, _IMPORT_PURPOSE, text(form, "token"))
    except BadToken:
        ctx.require(policy.is_office)
        return redirect("/admin/units", err="预览已过期，请重新上传单位名录文件", ctx=ctx)
    gov_id = int(body["g"])

    def action() -> unit_service.LoadResult:
        ctx.require(policy.is_office)
        government = ctx.db.get(Government, gov_id)
        if government is None:
            raise NotFoundError(f"政府 {gov_id} 不存在")
        return unit_service.load_directory(ctx.db, {"units": body["u"]}, government.name, where=str(body["f"]))

    return await attempt(ctx, f"/admin/units?gov={gov_id}", action,
                         lambda r: f"单位名录已导入：新增 {r.added} 个，更名 {r.renamed} 个，修改 {r.updated} 个，"
                                   f"{r.unchanged} 个不变")
