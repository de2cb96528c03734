"""One error shape: JSON ``{"error": ..., "detail": ...}`` for API clients, a Chinese error page for browsers.

A request gets JSON when it is under /api, asks for a page's twin (``?format=json``, see
``luoshi.web.templating``) or puts ``application/json`` first in its Accept header; every other
request (a browser) gets the error page, whichever router raised — the cross-year pages included.

``LuoshiError.http_status`` gives the code (a write that collided with a parallel one is a 409, see
``luoshi.ledger.conflicts``); request validation is 422; unknown routes 404. An HTML
request that needs a login is redirected to ``/login?next=…`` instead of shown a 401 page. A request
carrying a NUL character is refused with 422 before routing (``luoshi.web.params.RejectNul``), and
one whose body passes its size limit with 413 (``luoshi.web.limits.BodyLimit``); both are installed
here with the handlers since they answer in the same shape.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from luoshi.errors import WEB, LuoshiError
from luoshi.ledger.conflicts import as_conflict
from luoshi.web.auth import PASSWORD_PAGE, PasswordChangeRequired, Unauthenticated
from luoshi.web.context import is_api
from luoshi.web.csrf import FormExpired
from luoshi.web.templating import wants_twin

log = logging.getLogger("luoshi.web")

STATUS_TEXT = {400: "请求有误", 401: "需要登录", 403: "没有权限", 404: "页面不存在", 405: "不支持的请求方法",
               409: "数据冲突", 413: "文件太大", 422: "输入有误", 429: "尝试次数过多", 500: "服务器内部错误"}


def wants_json(request: Request) -> bool:
    """An API client (JSON) rather than a browser (an HTML page)."""
    return is_api(request) or wants_twin(request) or \
        "application/json" in request.headers.get("accept", "").split(",")[0]


def page(request: Request, name: str, status_code: int, headers: dict[str, str] | None = None,
         **data: Any) -> HTMLResponse:
    """A page shown outside a view (no ``Ctx``): the base layout with no form token and no flash."""
    from luoshi.web.auth import ANONYMOUS
    from luoshi.web.templating import templates

    return templates.TemplateResponse(
        request, name,
        {"request": request, "user": getattr(request.state, "user", None) or ANONYMOUS, "csrf_token": "",
         "path": request.url.path, "flash": None, "flash_error": None, "typed": {}, **data},
        status_code=status_code, headers=headers,
    )


def _error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return page(request, "error.html", status, headers, status=status, title=STATUS_TEXT.get(status, "出错了"),
                message=message)


def error_response(request: Request, status: int, message: str, detail: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message, "detail": detail}, status_code=status, headers=headers)
    return _error_page(request, status, message, headers)


def _form_expired(request: Request, exc: FormExpired) -> Response:
    """Back to the form's page, which shows what was typed and says the page timed out."""
    from luoshi.web import flash

    secret = request.app.state.settings.secret_key
    back = exc.back or "/"
    path = back.split("?", 1)[0]
    query = back.split("?", 1)[1] if "?" in back else ""
    query = "&".join(p for p in query.split("&") if p and not p.startswith(("msg=", "err=")))
    target = f"{path}?{query + '&' if query else ''}err={flash.GENERIC['err']}"
    response = RedirectResponse(target, status_code=303)
    flash.remember(response, request, secret, "err", exc.message, path)
    if exc.typed:
        flash.remember_typed(response, request, secret, exc.typed, path)
    return response


def install(app: FastAPI) -> None:
    from luoshi.web.limits import BodyLimit
    from luoshi.web.params import RejectNul

    app.add_middleware(RejectNul)
    app.add_middleware(BodyLimit)  # outside RejectNul: the body it buffers is already bounded

    @app.exception_handler(LuoshiError)
    async def luoshi_error(request: Request, exc: LuoshiError) -> Response:
        if isinstance(exc, Unauthenticated) and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            resp = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            if "过期" in exc.message or "失效" in exc.message:
                resp.delete_cookie("luoshi_session", path="/")
            return resp
        if isinstance(exc, PasswordChangeRequired) and not wants_json(request):
            return RedirectResponse(PASSWORD_PAGE, status_code=303)
        if isinstance(exc, FormExpired) and exc.back and not wants_json(request):
            return _form_expired(request, exc)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return error_response(request, exc.http_status, exc.said_for(WEB), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        return error_response(request, 422, "请求参数无效", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) and exc.detail not in {"Not Found", "Method Not Allowed"} \
            else STATUS_TEXT.get(exc.status_code, "出错了")
        return error_response(request, exc.status_code, message, headers=getattr(exc, "headers", None))

    async def database_error(request: Request, exc: Exception) -> Response:
        conflict = as_conflict(exc)  # a parallel write collided: 409 and "try again", not a 500
        if conflict is not None:
            return await luoshi_error(request, conflict)
        return await unexpected(request, exc)

    # the errors a colliding write raises (see luoshi.ledger.conflicts); others of these types are 500s
    app.add_exception_handler(StaleDataError, database_error)
    app.add_exception_handler(DBAPIError, database_error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "服务器内部错误，请稍后重试")
