"""Progress reports: a commitment's history, the review queue; report, attach evidence, accept or return.

Reads and writes of one resource sit together and answer the shapes of ``luoshi.web.serializers``;
writes run the same actions (and permission checks) as the HTML forms. Cookie-authenticated writes
must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or ``GET /api/me``); Bearer-token
calls need none.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web import serializers as ser
from luoshi.web.context import LedgerRoute
from luoshi.web.limits import upload, within
from luoshi.web.params import Id, Offset
from luoshi.web.views.common import CtxDep

router = APIRouter(prefix="/api", route_class=LedgerRoute)


@router.get("/commitments/{cid}/progress", tags=["progress"], summary="任务的进度记录")
def api_commitment_progress(ctx: CtxDep, cid: Id) -> list[dict]:
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return qs.progress_history(ctx.db, ctx.user, c)


@router.get("/progress", tags=["progress"], summary="进度报告（需登录；联络员只看本单位）")
def api_progress(ctx: CtxDep, state: str | None = None, unit: Id | None = None, commitment: Id | None = None,
                 limit: Annotated[int, Query(ge=1, le=qs.MAX_LIMIT)] = 100,
                 offset: Offset = 0) -> dict:
    ctx.require()
    return qs.progress_list(ctx.db, ctx.user, state=state, unit=unit, commitment=commitment, limit=limit,
                            offset=offset)


class ProgressIn(BaseModel):
    period_id: Id
    percent: float | None = None
    value: float | None = None
    narrative: str = ""
    version: int | None = None


@router.post("/commitments/{cid}/progress", tags=["progress"], status_code=201,
             summary="报送进度（牵头或配合单位的联络员、督查室）")
def api_report(ctx: CtxDep, cid: Id, body: ProgressIn) -> dict:
    pr = actions.submit_progress(ctx, cid, body.period_id, percent=body.percent, value=body.value,
                                 narrative=body.narrative, version=body.version)
    ctx.commit()
    return ser.progress_json(pr, private=True)


@router.post("/progress/{pid}/evidence", tags=["progress"], status_code=201, summary="为未审核的进度报告附加佐证材料")
@upload("evidence")
async def api_evidence(ctx: CtxDep, pid: Id, file: Annotated[UploadFile, File()]) -> dict:
    def check() -> None:
        actions.evidence_target(ctx, pid)  # refuse before reading the upload
        ctx.db.rollback()  # give the connection back while the upload is read

    # database work runs in worker threads, never on the event loop (see views.forms.attempt)
    await run_in_threadpool(check)
    within(file, ctx.settings.max_evidence_bytes)

    def store() -> dict:
        ev = actions.attach_evidence(ctx, pid, file.filename or "evidence", file.file)
        ctx.commit()
        return ser.evidence_json(ev)

    return await run_in_threadpool(store)


class ReviewIn(BaseModel):
    decision: Literal["accept", "return"]
    reason: str | None = None
    version: int | None = None


@router.post("/progress/{pid}/review", tags=["progress"], summary="采纳或退回进度报告（督查室）")
def api_review(ctx: CtxDep, pid: Id, body: ReviewIn) -> dict:
    pr = actions.review_progress(ctx, pid, body.decision, body.reason, body.version)
    ctx.commit()
    return ser.progress_json(pr, private=True)

