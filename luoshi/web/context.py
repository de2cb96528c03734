"""The per-request context every view receives: settings, a ledger session, the caller, CSRF.

``Ctx`` is a FastAPI dependency. It opens one :class:`~luoshi.ledger.db.LedgerSession` whose
audit actor is the caller's username, authenticates the request and, for every state-changing
request made with the session cookie (and the anonymous login form), checks the CSRF token (form
field or ``X-CSRF-Token`` header) before the view runs. Views commit explicitly with
:meth:`Ctx.commit` after calling the ledger services.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from luoshi.errors import NotFoundError, PermissionDenied
from luoshi.ledger.conflicts import as_conflict
from luoshi.ledger.db import LedgerSession
from luoshi.web import csrf
from luoshi.web.auth import (
    ANONYMOUS,
    PASSWORD_PAGE,
    SESSION_COOKIE,
    PasswordChangeRequired,
    Principal,
    Unauthenticated,
    authenticate,
)
from luoshi.web.config import Settings
from luoshi.web.flash import typed_fields
from luoshi.web.limits import read_form


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


@dataclass
class Ctx:
    request: Request
    settings: Settings
    db: LedgerSession
    user: Principal = ANONYMOUS
    session_expired: bool = False
    flashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def csrf_token(self) -> str:
        return csrf.token_for(self.settings.secret_key, self.user.sid, self.request)

    def commit(self) -> None:
        self.db.info.pop("luoshi_status_cache", None)
        try:
            self.db.commit()
        except Exception as exc:
            self.db.rollback()
            conflict = as_conflict(exc)
            if conflict is None:
                raise
            raise conflict from exc

    def require(self, rule: Callable[[Principal], bool] | None = None) -> Principal:
        """A signed-in caller, allowed by ``rule`` (a predicate of ``luoshi.ledger.policy``) when one
        is given; anonymous callers get 401 (login), others 403."""
        if self.user.is_anonymous:
            raise Unauthenticated("登录已过期，请重新登录" if self.session_expired else "请先登录")
        if rule is not None and not rule(self.user):
            raise PermissionDenied("没有权限执行此操作")
        return self.user

    def not_found(self, what: str = "记录") -> NotFoundError:
        return NotFoundError(f"{what}不存在或未公开")


def _authenticate_and_release(settings: Settings, db: LedgerSession, request: Request) -> Principal:
    """Authenticate, then give the connection back until the view needs one.

    A request may wait a while for a worker thread after authenticating; holding a pooled
    connection while it waits would let a burst of requests exhaust the pool.
    """
    try:
        return authenticate(settings, db, request)
    finally:
        db.commit()


def same_site_page(request: Request) -> str | None:
    """The path of the page (on this site) a form was sent from, from the Referer; None if unknown."""
    ref = request.headers.get("referer", "")
    host = request.url.netloc
    if not (ref and host and f"//{host}/" in ref):
        return None
    path = ref.split(host, 1)[1].split("#")[0]
    return path if path.startswith("/") and not path.startswith("//") else None


async def get_ctx(request: Request) -> AsyncIterator[Ctx]:
    settings: Settings = request.app.state.settings
    db: LedgerSession = request.app.state.sessions()
    ctx = Ctx(request, settings, db)
    try:
        try:
            # authentication queries the database: keep that off the event loop, which must stay
            # free to hand connections back to the pool while other requests wait for one
            if request.headers.get("authorization") or request.cookies.get(SESSION_COOKIE):
                ctx.user = await run_in_threadpool(_authenticate_and_release, settings, db, request)
            else:  # no credentials: the anonymous visitor, known without the database or a thread
                ctx.user = ANONYMOUS
        except Unauthenticated:
            if is_api(request) or request.headers.get("authorization"):
                raise
            ctx.session_expired = True
            request.state.clear_session = True
        db.info["actor"] = ctx.user.username
        request.state.user = ctx.user  # error pages and mounted routers show who is logged in
        request.state.csrf_token = ctx.csrf_token
        # Only ambient credentials (the session cookie) need CSRF protection; anonymous API calls
        # carry none and are refused by the views (401), the anonymous login form has its own token.
        needs_csrf = ctx.user.via == "session" or (ctx.user.via == "anonymous" and not is_api(request))
        if request.method not in csrf.SAFE_METHODS and needs_csrf:
            given = request.headers.get(csrf.HEADER)
            form = None
            if given is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")
            ):
                form = await read_form(request, settings)
                value = form.get(csrf.FIELD)
                given = value if isinstance(value, str) else None
            try:
                csrf.verify(settings.secret_key, ctx.user.sid, request, given)
            except csrf.CsrfError:
                if form is None or is_api(request):
                    raise
                raise csrf.FormExpired(same_site_page(request), typed_fields(form)) from None
        if ctx.user.must_change_password and request.url.path not in _ALLOWED_BEFORE_CHANGE:
            raise PasswordChangeRequired("请先修改初始密码：管理员发放的一次性密码只能用来设置你自己的新密码")
        yield ctx
    finally:
        # On the event loop, not in a worker thread: closing only hands the connection back (and
        # rolls back what a failed view left open), which never waits for the pool, whereas
        # waiting here for a free thread could deadlock with views that wait for a connection
        # (or, on SQLite, for the write lock this session may still hold).
        db.close()


# what an account with a one-time password may reach until it has chosen its own
_ALLOWED_BEFORE_CHANGE = frozenset({PASSWORD_PAGE, "/logout", "/login", "/api/session", "/api/me"})


def _close_request_session(kwargs: dict[str, Any]) -> None:
    ctx = kwargs.get("ctx")
    if isinstance(ctx, Ctx):
        ctx.db.close()


def _release_after(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):

        @wraps(endpoint)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await endpoint(*args, **kwargs)
            finally:
                _close_request_session(kwargs)

        return run_async

    @wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            _close_request_session(kwargs)

    return run


class LedgerRoute(APIRoute):
    """A route whose view gives its database connection back the moment it returns.

    Views build plain data (dicts, rendered templates) before returning, so nothing needs the
    session afterwards. Without this, a request would keep its pooled connection while it waits
    for a thread to serialise its response and for the event loop to send it; under a burst those
    waiting requests exhaust the pool while views holding threads wait for a connection.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _release_after(endpoint), **kwargs)
