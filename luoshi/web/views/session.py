"""Logging in and out: the HTML form, the JSON equivalent, and who-am-I.

Logging out ends the session on the server (its row in ``user_sessions``), so a copy of the
cookie kept from before is refused afterwards, not only the browser's own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from luoshi.ledger import policy
from luoshi.web.auth import (
    PASSWORD_PAGE,
    Principal,
    TooManyAttempts,
    Unauthenticated,
    clear_session_cookie,
    end_session,
    find_user,
    issue_session,
    principal_of,
    set_session_cookie,
)
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Text
from luoshi.web.passwords import verify_password
from luoshi.web.ratelimit import LoginThrottle
from luoshi.web.templating import render

router = APIRouter(route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


HOME = {"admin": "/admin", "liaison": "/my", "leader": "/dashboard"}  # where each role lands after login


def _safe_next(target: str | None, role: str) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME.get(role, "/")


def check_credentials(ctx: Ctx, username: str, password: str) -> tuple[str, str, Principal]:
    """Verify a login under the throttle and start a session; returns (cookie value, session id,
    principal). The attempt is counted before the password is checked (see ``LoginThrottle``)."""
    throttle: LoginThrottle = ctx.request.app.state.throttle
    ip = _client_ip(ctx.request)
    wait = throttle.reserve(username, ip)
    if wait:
        raise TooManyAttempts(f"登录失败次数过多，请 {wait // 60 + 1} 分钟后再试", wait)
    user = find_user(ctx.db, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not policy.may_log_in(user):
        raise Unauthenticated("用户名或密码错误")
    throttle.succeeded(username, ip)
    end_session(ctx.db, ctx.user.sid)  # signing in again (maybe as someone else) ends this browser's last one
    token, sid = issue_session(ctx.settings, ctx.db, user)
    ctx.commit()
    return token, sid, principal_of(user, "session", sid)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(ctx: CtxDep, next: str = "") -> Response:
    return render(ctx, "login.html", next=next, username="", error=None, expired=ctx.session_expired)


@router.post("/login", include_in_schema=False)
def login_submit(ctx: CtxDep, username: Annotated[Text, Form()], password: Annotated[str, Form()],
                 next: Annotated[Text, Form()] = "") -> Response:
    try:
        token, _sid, who = check_credentials(ctx, username, password)
    except TooManyAttempts as exc:
        resp = render(ctx, "login.html", status_code=429, next=next, username=username, error=exc.message,
                      expired=False)
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    except Unauthenticated as exc:
        return render(ctx, "login.html", status_code=401, next=next, username=username, error=exc.message,
                      expired=False)
    target = PASSWORD_PAGE if who.must_change_password else _safe_next(next, who.role)
    resp = RedirectResponse(target, status_code=303)
    set_session_cookie(resp, ctx.request, token, ctx.settings)
    return resp


@router.post("/logout", include_in_schema=False)
def logout(ctx: CtxDep) -> Response:
    end_session(ctx.db, ctx.user.sid)
    ctx.commit()
    resp = RedirectResponse("/", status_code=303)
    clear_session_cookie(resp)
    return resp


class LoginIn(BaseModel):
    username: Text
    password: str


@router.post("/api/session", tags=["session"], summary="登录（设置会话 Cookie，返回 CSRF 令牌）")
def api_login(ctx: CtxDep, body: LoginIn) -> Response:
    token, sid, who = check_credentials(ctx, body.username, body.password)
    from luoshi.web import csrf

    data = {"user": _user_json(who), "csrf_token": csrf.token_for(ctx.settings.secret_key, sid, ctx.request)}
    resp = JSONResponse(data)
    set_session_cookie(resp, ctx.request, token, ctx.settings)
    return resp


@router.delete("/api/session", tags=["session"], summary="退出登录")
def api_logout(ctx: CtxDep) -> Response:
    end_session(ctx.db, ctx.user.sid)
    ctx.commit()
    resp = JSONResponse({"ok": True})
    clear_session_cookie(resp)
    return resp


def _user_json(u: Principal) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "unit_id": u.unit_id}


@router.get("/api/me", tags=["session"], summary="当前用户（匿名时 role=public）")
def api_me(ctx: CtxDep) -> dict:
    data = _user_json(ctx.user)
    if not ctx.user.is_anonymous and ctx.user.via == "session":
        data["csrf_token"] = ctx.csrf_token
    return data
