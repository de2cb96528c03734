"""Helpers for HTML form handlers: read the submitted form, redirect with a message (PRG).

Uploaded files are never read into memory here: the multipart parser spools each one to a
temporary file as it arrives (the body's ceiling is checked meanwhile by
:class:`luoshi.web.limits.BodyLimit`), and :func:`files` hands on those files, after checking
each one's size against its own limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from luoshi.errors import LuoshiError, ValidationError
from luoshi.ledger.conflicts import as_conflict
from luoshi.web import flash
from luoshi.web.context import Ctx
from luoshi.web.limits import read_form, within


async def form_of(ctx: Ctx) -> FormData:
    return await read_form(ctx.request, ctx.settings)


def text(form: FormData, name: str, default: str = "") -> str:
    """A text field; NUL characters (which the database cannot store) are refused with 422."""
    value = form.get(name)
    if not isinstance(value, str):
        return default
    if "\x00" in value:
        raise ValidationError(f"字段 {name} 不能包含空字符（NUL）")
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


async def attempt(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str],
                  to: Callable[[Any], str] | None = None) -> RedirectResponse:
    """Run ``action`` and commit in a worker thread; on a user error roll back and go back with the message.

    On success the redirect goes to ``to(result)`` if given, else back, with ``ok(result)`` as banner.
    Form handlers are async (they await the submitted form), but the database is never used on the
    event loop: a blocking wait for a pooled connection there would stall every request of the
    worker, including those about to give their connection back.
    Permission and login errors are not turned into messages: they propagate (403 page / login).
    """
    return await run_in_threadpool(attempt_sync, ctx, back, action, ok, to)


def attempt_sync(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str],
                 to: Callable[[Any], str] | None = None) -> RedirectResponse:
    try:
        result = action()
        ctx.commit()
    except Exception as exc:
        ctx.db.rollback()
        error = exc if isinstance(exc, LuoshiError) else as_conflict(exc)
        if error is None or error.http_status in (401, 403):
            raise
        return redirect(back, err=error.message, ctx=ctx)
    return redirect(to(result) if to else back, msg=ok(result), ctx=ctx)
