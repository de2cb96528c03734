"""Year-end evaluations: the list and the office's evaluation of one commitment.

Reads and writes of one resource sit together and answer the shapes of ``luoshi.web.serializers``;
writes run the same actions (and permission checks) as the HTML forms. Cookie-authenticated writes
must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or ``GET /api/me``); Bearer-token
calls need none.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import LedgerRoute
from luoshi.web.params import Id
from luoshi.web.views.common import CtxDep, committed, report_or_latest

router = APIRouter(prefix="/api", route_class=LedgerRoute)


@router.get("/evaluations", tags=["evaluations"], summary="年终评价")
def api_evaluations(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    return qs.evaluations(ctx.db, ctx.user, report_or_latest(ctx, report).id)


class EvaluationIn(BaseModel):
    final_value: float | None = None
    result: Literal["超额完成", "完成", "基本完成", "未完成"] | None = None
    reason: str | None = None
    version: int | None = None


@router.put("/commitments/{cid}/evaluation", tags=["evaluations"], summary="年终评价（督查室；改变规则结果须写理由）")
def api_evaluate(ctx: CtxDep, cid: Id, body: EvaluationIn) -> dict:
    e = actions.evaluate(ctx, cid, final_value=body.final_value, result=body.result, reason=body.reason,
                         version=body.version)
    ctx.commit()
    return ser.evaluation_json(e, private=True)


class FinaliseIn(BaseModel):
    reason: str | None = None


@router.post("/reports/{rid}/evaluations/finalise", tags=["evaluations"],
             summary="年度评价定稿：预评价转为正式结果（最后一期报送截止日未过时须写理由；督查室）")
def api_finalise(ctx: CtxDep, rid: Id, body: FinaliseIn) -> dict:
    f = actions.finalise_evaluations(ctx, rid, body.reason)
    return committed(ctx, {"finalised": f.count, "early": f.early, "reason": f.reason})

