"""Reporting periods: the list; set the cycle, generate, close or reopen.

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


@router.get("/periods", tags=["periods"], summary="报送周期")
def api_periods(ctx: CtxDep, report: Id | None = None) -> list[dict]:
    return qs.periods(ctx.db, report_or_latest(ctx, report).id)


class CycleIn(BaseModel):
    cycle: Literal["月", "季"]


@router.put("/reports/{rid}/cycle", tags=["periods"], summary="设置报送周期（月/季，督查室）")
def api_cycle(ctx: CtxDep, rid: Id, body: CycleIn) -> dict:
    actions.configure_cycle(ctx, rid, body.cycle)
    return committed(ctx, {"cycle": body.cycle})


@router.post("/reports/{rid}/periods", tags=["periods"], summary="生成报送周期（督查室）")
def api_generate_periods(ctx: CtxDep, rid: Id) -> list[dict]:
    actions.generate_periods(ctx, rid)
    ctx.commit()
    return qs.periods(ctx.db, rid)


class PeriodState(BaseModel):
    closed: bool


@router.put("/periods/{pid}", tags=["periods"], summary="关闭或重新开放周期（督查室）")
def api_period_state(ctx: CtxDep, pid: Id, body: PeriodState) -> dict:
    p = actions.set_period_closed(ctx, pid, body.closed)
    return committed(ctx, ser.period_json(p))

