"""站内消息 (/inbox) for every signed-in role, the unread count in the page header, and — for the
supervision office — what the notification worker could not deliver (retry / confirm).

The rules (who reads what, what may be retried) are ``luoshi.notify.config``'s; this module shows.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from luoshi.errors import ValidationError
from luoshi.ledger import policy
from luoshi.notify import config, worker
from luoshi.web import serializers as ser
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import form_id
from luoshi.web.templating import render, templates
from luoshi.web.views.forms import attempt, form_of, text

router = APIRouter(prefix="/inbox", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def unread(request: Request, user: Any) -> int:
    """Unread messages of the signed-in user, for the header (0 when anything is amiss: a page must
    never fail because of its header)."""
    if user is None or getattr(user, "id", None) is None:
        return 0
    try:
        with request.app.state.sessions() as s:
            return config.unread_count(s, user.id)
    except Exception:
        return 0


templates.env.globals["inbox_unread"] = unread


@router.get("", response_class=HTMLResponse)
def inbox_page(ctx: CtxDep) -> Response:
    user = ctx.require()
    messages = [ser.message_json(m) for m in config.inbox(ctx.db, user.id)]
    data: dict[str, Any] = {"messages": messages, "unread_here": sum(m["read_at"] is None for m in messages)}
    if policy.is_office(user):
        data["counts"] = worker.counts(ctx.db)
        data["problems"] = [config.delivery_dict(d) for d in worker.problems(ctx.db)]
        data["channels"] = [config.channel_dict(c) for c in config.channels_list(ctx.db)]
        data["labels"] = config.STATE_LABELS
    return render(ctx, "inbox.html", **data)


@router.post("/read")
async def read(ctx: CtxDep) -> Response:
    """Mark one message (form field ``id``) or, without it, all of the caller's messages read."""
    user = ctx.require()
    form = await form_of(ctx)
    raw = text(form, "id")
    if raw:
        mid = _id(raw)
        return await attempt(ctx, "/inbox", lambda: config.mark_read(ctx.db, user.id, mid), lambda n: "已标为已读")
    return await attempt(ctx, "/inbox", lambda: config.mark_read(ctx.db, user.id),
                         lambda n: f"已将 {n} 条消息标为已读")


def _id(raw: str) -> int:
    value = form_id(raw)
    if value is None:
        raise ValidationError(f"消息编号无效：{raw!r}")
    return value


ACTIONS = {"retry": (config.retry, "已排队重发"), "confirm": (config.confirm, "已确认送达")}


@router.post("/deliveries")
async def settle(ctx: CtxDep) -> Response:
    """The office settles a failed or uncertain message: ``action`` retry or confirm, ``id``."""
    ctx.require(policy.is_office)
    form = await form_of(ctx)
    action = ACTIONS.get(text(form, "action"))
    if action is None:
        raise ValidationError("操作应为 retry（重发）或 confirm（确认已送达）")
    did = _id(text(form, "id"))
    run, done = action
    return await attempt(ctx, "/inbox", lambda: run(ctx.db, did), lambda d: f"消息 {d.id} {done}")
