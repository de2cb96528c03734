"""Helpers for HTML form handlers: read the submitted form, redirect with a message (PRG).

Uploaded files are never read into memory here: the multipart parser spools each one to a
temporary file as it arrives (the body's ceiling is checked meanwhile by
:class:`luoshi.web.limits.BodyLimit`), and :func:`files` hands on those files, after checking
each one's size against its own limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from luoshi.errors import WEB, LuoshiError, ValidationError
from luoshi.ledger.conflicts import as_conflict
from luoshi.web import flash
from luoshi.web.context import Ctx
from luoshi.web.flash import typed_fields
from luoshi.web.limits import read_form, within


async def form_of(ctx: Ctx) -> FormData:
    return await read_form(ctx.request, ctx.settings)




def text(form: FormData, name: str, default: str = "") -> str:
    """A text field; NUL characters (which the database cannot store) are refused with 422."""
    value = form.get(name)
    if not isinstance(value, str):
        return default
    if "\x00" in value:
        raise ValidationError("填写的内容含有无法保存的空字符（NUL），请删除后重新提交")
    return value


def files(form: FormData, name: str, max_bytes: int) -> list[tuple[str, BinaryIO]]:
    """The non-empty files sent in field ``name`` as (file name, spooled file), each ≤ ``max_bytes``.

    A larger one is refused with 413 before anything reads it.
    """
    return [(item.filename, item.file) for item in form.getlist(name)
            if isinstance(item, UploadFile) and item.filename and within(item, max_bytes)]


def redirect(url: str, msg: str | None = None, err: str | None = None, *, ctx: Ctx | None = None) -> RedirectResponse:
    """Redirect (303) to ``url`` with a banner: a fixed code of :mod:`luoshi.web.flash` in the query,
    or — for any other text, which needs ``ctx`` — the text in the signed flash cookie."""
    kind, message = ("msg", msg) if msg else ("err", err) if err else ("", None)
    if not message:
        return RedirectResponse(url, status_code=303)
    code = flash.code_for(kind, message)
    if code is None and ctx is None:
        raise ValueError(f"no fixed banner code for {message!r}")
    sep = "&" if "?" in url else "?"
    response = RedirectResponse(f"{url}{sep}{kind}={code or flash.GENERIC[kind]}", status_code=303)
    if code is None and ctx is not None:
        flash.remember(response, ctx.request, ctx.settings.secret_key, kind, message, url)
    return response


Page = Callable[[dict[str, str], str], Response]
"""Re-renders a refused form: (what was typed, the message) → the form's page, status 422."""


async def attempt(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str],
                  to: Callable[[Any], str] | None = None, page: Page | None = None) -> Response:
    """Run ``action`` and commit in a worker thread; on a user error roll back and go back with the message.

    On success the redirect goes to ``to(result)`` if given, else back, with ``ok(result)`` as banner.
    On a refusal the form is shown again with what was typed: by ``page`` when given (any length),
    else by going back with the typed values in a signed cookie (:func:`luoshi.web.flash.remember_typed`).
    Form handlers are async (they await the submitted form), but the database is never used on the
    event loop: a blocking wait for a pooled connection there would stall every request of the
    worker, including those about to give their connection back.
    Permission and login errors are not turned into messages: they propagate (403 page / login).
    """
    form = await form_of(ctx) if _is_form(ctx) else None
    return await run_in_threadpool(attempt_sync, ctx, back, action, ok, to, page, form)


def _is_form(ctx: Ctx) -> bool:
    return ctx.request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data"))


def attempt_sync(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str],
                 to: Callable[[Any], str] | None = None, page: Page | None = None,
                 form: FormData | None = None) -> Response:
    try:
        result = action()
        ctx.commit()
    except Exception as exc:
        ctx.db.rollback()
        error = exc if isinstance(exc, LuoshiError) else as_conflict(exc)
        if error is None or error.http_status in (401, 403):
            raise
        return refused(ctx, back, error.said_for(WEB), typed_fields(form), page)
    return redirect(to(result) if to else back, msg=ok(result), ctx=ctx)


def refused(ctx: Ctx, back: str, message: str, typed: dict[str, str], page: Page | None = None) -> Response:
    """A refused form, shown again with ``message`` and what was ``typed`` (see :func:`attempt`)."""
    if page is not None:
        return page(typed, message)
    response = redirect(back, err=message, ctx=ctx)
    if typed:
        flash.remember_typed(response, ctx.request, ctx.settings.secret_key, typed, back)
    return response
