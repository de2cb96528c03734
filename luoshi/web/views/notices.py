"""Supervision notices (督办单): the caller's notices; issue for a period, answer, close.

Reads and writes of one resource sit together and answer the shapes of ``luoshi.web.serializers``;
writes run the same actions (and permission checks) as the HTML forms. Cookie-authenticated writes
must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or ``GET /api/me``); Bearer-token
calls need none.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import LedgerRoute
from luoshi.web.params import Id
from luoshi.web.views.common import CtxDep

router = APIRouter(prefix="/api", route_class=LedgerRoute)


@router.get("/notices", tags=["notices"], summary="督办单（需登录；联络员只看本单位）")
def api_notices(ctx: CtxDep, open_only: bool = False) -> list[dict]:
    ctx.require()
    return qs.notices(ctx.db, ctx.user, open_only=open_only)


@router.get("/periods/{pid}/notices/preview", tags=["notices"],
            summary="预览该周期将签发的督办单（按原因计数，不签发；督查室）")
def api_preview(ctx: CtxDep, pid: Id) -> dict:
    return actions.preview_notices(ctx, pid).to_dict()


@router.post("/periods/{pid}/notices", tags=["notices"],
             summary="签发该周期的督办单：报送截止日过后，每项任务一份，列明全部原因（督查室）")
def api_issue(ctx: CtxDep, pid: Id) -> list[dict]:
    created = actions.issue_notices(ctx, pid)
    ctx.commit()
    return [ser.notice_json(n) for n in created]


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1)


@router.post("/notices/{nid}/answer", tags=["notices"], summary="答复督办单（责任单位联络员）")
def api_answer(ctx: CtxDep, nid: Id, body: AnswerIn) -> dict:
    n = actions.answer_notice(ctx, nid, body.answer)
    ctx.commit()
    return ser.notice_json(n)


@router.post("/notices/{nid}/close", tags=["notices"], summary="办结督办单（督查室）")
def api_close_notice(ctx: CtxDep, nid: Id) -> dict:
    n = actions.close_notice(ctx, nid)
    ctx.commit()
    return ser.notice_json(n)

