"""Helpers for HTML form handlers: read the submitted form, redirect with a message (PRG)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from luoshi.errors import LuoshiError, ValidationError
from luoshi.ledger.conflicts import as_conflict
from luoshi.web.context import Ctx


async def form_of(ctx: Ctx) -> FormData:
    return await ctx.request.form(max_part_size=ctx.settings.max_upload_bytes)


def text(form: FormData, name: str, default: str = "") -> str:
    """A text field; NUL characters (which the database cannot store) are refused with 422."""
    value = form.get(name)
    if not isinstance(value, str):
        return default
    if "\x00" in value:
        raise ValidationError(f"字段 {name} 不能包含空字符（NUL）")
    return value


async def files(form: FormData, name: str) -> list[tuple[str, bytes]]:
    out = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            out.append((item.filename, await item.read()))
    return out


def redirect(url: str, msg: str | None = None, err: str | None = None) -> RedirectResponse:
    sep = "&" if "?" in url else "?"
    if msg:
        url += f"{sep}msg={quote(msg)}"
    elif err:
        url += f"{sep}err={quote(err)}"
    return RedirectResponse(url, status_code=303)


async def attempt(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str]) -> RedirectResponse:
    """Run ``action`` and commit in a worker thread; on a user error roll back and go back with the message.

    Form handlers are async (they await the submitted form), but the database is never used on the
    event loop: a blocking wait for a pooled connection there would stall every request of the
    worker, including those about to give their connection back.
    Permission and login errors are not turned into messages: they propagate (403 page / login).
    """
    return await run_in_threadpool(attempt_sync, ctx, back, action, ok)


def attempt_sync(ctx: Ctx, back: str, action: Callable[[], Any], ok: Callable[[Any], str]) -> RedirectResponse:
    try:
        result = action()
        ctx.commit()
    except Exception as exc:
        ctx.db.rollback()
        error = exc if isinstance(exc, LuoshiError) else as_conflict(exc)
        if error is None or error.http_status in (401, 403):
            raise
        return redirect(back, err=error.message)
    return redirect(back, msg=ok(result))
