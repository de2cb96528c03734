"""Accounts in the browser: the office's liaison accounts per unit, and everyone's own password.

The rules (password policy, one-time passwords, what ends sessions) live in
:mod:`luoshi.web.accounts`, which the ``luoshi user`` command calls too. A one-time password is
shown once, in the response to the request that made it — never in a link, a redirect or the flash
cookie — and that page is not kept by the browser's cache.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from luoshi.errors import LuoshiError, NotFoundError, ValidationError
from luoshi.ledger import policy
from luoshi.ledger.models import Unit, User
from luoshi.web import accounts
from luoshi.web.auth import PASSWORD_PAGE, issue_session, set_session_cookie
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id, form_id
from luoshi.web.passwords import MIN_DISTINCT, MIN_LENGTH
from luoshi.web.templating import render
from luoshi.web.views.forms import attempt, form_of, redirect, text
from luoshi.web.views.session import HOME

router = APIRouter(include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]

POLICY = (f"至少 {MIN_LENGTH} 个字符、{MIN_DISTINCT} 个以上不同字符，混用字母、数字或符号中的两类以上，"
          "且不能是常见密码")


def _one_time_page(ctx: Ctx, user: User, password: str, what: str) -> Response:
    unit = user.unit
    response = render(ctx, "admin/one_time.html", what=what, username=user.username,
                      display_name=user.display_name, password=password,
                      unit={"id": unit.id, "name": unit.name} if unit is not None else None)
    response.headers["Cache-Control"] = "no-store"
    return response


def _unit_back(user: User | None, unit_id: int | None = None) -> str:
    uid = unit_id or (user.unit_id if user is not None else None)
    return f"/admin/units/{uid}" if uid else "/admin/units"


@router.post("/admin/units/{uid}/liaisons")
async def add_liaison(ctx: CtxDep, uid: Id) -> Response:
    form = await form_of(ctx)

    def run() -> Response:
        ctx.require(policy.is_office)
        if ctx.db.get(Unit, uid) is None:
            raise NotFoundError(f"单位 {uid} 不存在")
        try:
            user, password = accounts.add_liaison(ctx.db, uid, text(form, "username"),
                                                  text(form, "display_name").strip() or None)
            ctx.commit()
        except LuoshiError as exc:
            ctx.db.rollback()
            return redirect(f"/admin/units/{uid}", err=exc.message, ctx=ctx)
        return _one_time_page(ctx, user, password, "新建联络员账号")

    return await run_in_threadpool(run)


@router.post("/admin/accounts/{username}/reset")
def reset(ctx: CtxDep, username: str) -> Response:
    ctx.require(policy.is_office)
    try:
        user, password = accounts.reset_password(ctx.db, username)
        ctx.commit()
    except LuoshiError as exc:
        ctx.db.rollback()
        found = ctx.db.scalar(select(User).where(User.username == username))
        return redirect(_unit_back(found), err=exc.message, ctx=ctx)
    return _one_time_page(ctx, user, password, "重置密码")


@router.post("/admin/accounts/{username}/active")
async def set_active(ctx: CtxDep, username: str) -> Response:
    form = await form_of(ctx)
    on = text(form, "active") == "1"
    back = _unit_back(None, form_id(text(form, "unit")))

    def action() -> User:
        ctx.require(policy.is_office)
        if username == ctx.user.username and not on:
            raise ValidationError("不能停用自己正在使用的账号")
        return accounts.enable(ctx.db, username) if on else accounts.disable(ctx.db, username)

    return await attempt(ctx, back, action,
                         lambda u: f"账号“{u.username}”已{'启用' if on else '停用，其登录和 API 令牌已失效'}")


# --------------------------------------------------------------------------- one's own password


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
def password_form(ctx: CtxDep) -> Response:
    ctx.require()
    return render(ctx, "account_password.html", error=None, policy=POLICY, forced=ctx.user.must_change_password)


@router.post(PASSWORD_PAGE)
async def password_submit(ctx: CtxDep) -> Response:
    form = await form_of(ctx)

    def run() -> Response:
        who = ctx.require()
        if who.id is None or who.via != "session":
            return redirect("/login")
        try:
            user = accounts.change_own_password(ctx.db, who.id, text(form, "old"), text(form, "new"),
                                                text(form, "repeat"))
            token, _sid = issue_session(ctx.settings, ctx.db, user)  # the others ended with the change
            ctx.commit()
        except LuoshiError as exc:
            ctx.db.rollback()
            return render(ctx, "account_password.html", status_code=422, error=exc.message, policy=POLICY,
                          forced=who.must_change_password)
        response = redirect(HOME.get(user.role, "/"), msg="密码已修改；在其他设备上的登录已退出", ctx=ctx)
        set_session_cookie(response, ctx.request, token, ctx.settings)
        return response

    return await run_in_threadpool(run)
