"""Comments on a commitment (领导批示 / 督查室意见): JSON API and the two HTML forms.

Leaders and the office post; liaisons of the commitment's units read; the public never (the rule
lives in ``luoshi.ledger.services.comments``). The forms sit on the leader drill-down page and on
the office's commitment page and go back there after posting.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from luoshi.ledger.services import comments as comment_service
from luoshi.web import actions
from luoshi.web import serializers as ser
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Id
from luoshi.web.views.forms import attempt, form_of, text

router = APIRouter(route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


@router.get("/api/commitments/{cid}/comments", tags=["comments"],
            summary="任务的领导批示和督查室意见（领导、督查室、该任务责任单位的联络员）")
def api_list(ctx: CtxDep, cid: Id) -> list[dict]:
    return [ser.comment_json(c) for c in actions.comments(ctx, cid)]


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=comment_service.MAX_LENGTH)


@router.post("/api/commitments/{cid}/comments", tags=["comments"], status_code=201,
             summary="发表意见（领导、督查室；只能新增，不能修改或删除）")
def api_add(ctx: CtxDep, cid: Id, body: CommentIn) -> dict:
    c = actions.add_comment(ctx, cid, body.body)
    ctx.commit()
    return ser.comment_json(c)


@router.post("/dashboard/c/{cid}/comments", include_in_schema=False)
async def leader_form(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    return await attempt(ctx, f"/dashboard/c/{cid}", lambda: actions.add_comment(ctx, cid, text(form, "body")),
                   lambda c: "意见已提交")


@router.post("/admin/commitments/{cid}/comments", include_in_schema=False)
async def admin_form(ctx: CtxDep, cid: Id) -> Response:
    form = await form_of(ctx)
    return await attempt(ctx, f"/admin/commitments/{cid}",
                   lambda: actions.add_comment(ctx, cid, text(form, "body")), lambda c: "意见已提交")
