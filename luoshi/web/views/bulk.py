"""Bulk work for the 督查室: assign or publish many commitments, accept many progress reports,
close many notices — as HTML forms (the checkboxes of the review, progress and notices pages) and
as JSON (``POST /api/bulk/<action>``).

Each item is its own change (``actions.BULK_ACTIONS``: one savepoint and its own audit rows per
item), so a refused item is reported with its reason and the others still go through.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from luoshi.errors import LuoshiError
from luoshi.ledger.conflicts import as_conflict
from luoshi.web import actions
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id, Text
from luoshi.web.views.forms import form_of, redirect, text

router = APIRouter(route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]

# where each form goes back to when it names no page of its own
DEFAULT_BACK = {"assign": "/admin", "publish": "/admin", "accept": "/admin/progress",
                "close-notices": "/admin/notices"}


def _units(value: str) -> list[str]:
    return [s.strip() for s in re.split(r"[,，、;；\n]", value) if s.strip()]


def _local(path: str, default: str) -> str:
    """A page of this site to go back to (never another host)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else default


def _params(op: str, lead: Any, support: Any) -> dict[str, Any]:
    if op != "assign":
        return {}
    support_list = _units(support) if isinstance(support, str) else [str(s) for s in support or []]
    return {"lead": (lead or "").strip() or None, "support": support_list}


def _run(ctx: Ctx, op: str, ids: list[Any], params: dict[str, Any]) -> actions.BulkResult:
    result = actions.BULK_ACTIONS[op](ctx, ids, **params)
    ctx.commit()
    return result


def _html(op: str) -> Any:
    async def view(ctx: CtxDep) -> Response:
        form = await form_of(ctx)
        back = _local(text(form, "back"), DEFAULT_BACK[op])
        ids = [v for v in form.getlist("ids") if isinstance(v, str)]
        params = _params(op, text(form, "lead"), text(form, "support"))

        def run() -> Response:
            try:
                result = _run(ctx, op, ids, params)
            except Exception as exc:
                ctx.db.rollback()
                error = exc if isinstance(exc, LuoshiError) else as_conflict(exc)
                if error is None or error.http_status in (401, 403):
                    raise
                return redirect(back, err=error.message, ctx=ctx)
            if result.failed:  # red, so that what was refused is noticed; the counts still say what was done
                return redirect(back, err=result.message(), ctx=ctx)
            return redirect(back, msg=result.message(), ctx=ctx)

        return await run_in_threadpool(run)

    view.__name__ = f"bulk_{op.replace('-', '_')}_form"
    return view


def _api(op: str) -> Any:
    def view(ctx: CtxDep, ids: Annotated[list[Id], Body(embed=True, max_length=actions.MAX_BULK)],
             lead: Annotated[Text | None, Body(embed=True)] = None,
             support: Annotated[list[Text] | None, Body(embed=True, max_length=50)] = None) -> dict[str, Any]:
        return _run(ctx, op, list(ids), _params(op, lead, support)).to_dict()

    view.__name__ = f"bulk_{op.replace('-', '_')}_api"
    return view


_SUMMARIES = {"assign": "批量分配责任单位（督查室）", "publish": "批量发布任务（督查室）",
              "accept": "批量采纳进度报告（督查室）", "close-notices": "批量办结督办单（督查室）"}

for _op in actions.BULK_ACTIONS:
    router.add_api_route(f"/admin/bulk/{_op}", _html(_op), methods=["POST"], include_in_schema=False)
    router.add_api_route(f"/api/bulk/{_op}", _api(_op), methods=["POST"], tags=["bulk"], summary=_SUMMARIES[_op])
