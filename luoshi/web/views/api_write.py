"""JSON API, write side. Same actions (and permission checks) as the HTML forms.

Cookie-authenticated calls must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or
``GET /api/me``); Bearer-token calls need none.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from luoshi.ledger.services import commitments as commitment_service
from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.limits import upload, within
from luoshi.web.params import Id, Version

router = APIRouter(prefix="/api", route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _done(ctx: Ctx, value: Any) -> Any:
    ctx.commit()
    return value


def _commitment_out(ctx: Ctx, cid: int) -> dict:
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return commitment_service.to_dict(c)


@router.post("/reports", tags=["reports"], status_code=201, summary="上传报告文件并导入（督查室）")
@upload("report")
async def api_upload(ctx: CtxDep, file: Annotated[UploadFile, File()]) -> dict:
    ctx.require("admin")
    within(file, ctx.settings.max_upload_bytes)

    def run() -> dict:  # in a worker thread: no database work on the event loop
        report, status, warnings = actions.import_upload(ctx, file.filename or "report.txt", file.file)
        ctx.commit()
        return {"status": status, "report": qs.report_json(report), "warnings": warnings}

    return await run_in_threadpool(run)


@router.post("/reports/{rid}/confirm", tags=["reports"], summary="确认全部建议的责任单位（督查室）")
def api_confirm(ctx: CtxDep, rid: Id) -> dict:
    return _done(ctx, {"confirmed": actions.confirm_all(ctx, rid)})


@router.post("/reports/{rid}/publish", tags=["reports"], summary="发布任务分工方案（督查室）")
def api_publish(ctx: CtxDep, rid: Id) -> dict:
    return _done(ctx, {"published": actions.publish_plan(ctx, rid)})


class CommitmentPatch(BaseModel):
    version: int | None = None
    title: str | None = None
    text: str | None = None
    indicator: str | None = None
    metric: str | None = None
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    comparator: str | None = None
    modality: str | None = None
    deadline: str | None = None
    published: bool | None = None


@router.patch("/commitments/{cid}", tags=["commitments"], summary="修改任务（督查室，version 用于并发检查）")
def api_edit(ctx: CtxDep, cid: Id, body: CommitmentPatch) -> dict:
    fields = body.model_dump(exclude_unset=True)
    version = fields.pop("version", None)
    c = actions.edit_commitment(ctx, cid, fields, version)
    ctx.commit()
    return _commitment_out(ctx, c.id)


class CommitmentNew(BaseModel):
    report_id: Id
    kind: Literal["target", "milestone", "measure"] = "measure"
    title: str = Field(min_length=1)  # length: the ledger checks it (luoshi.ledger.limits)
    text: str | None = None
    deadline: str | None = None


@router.post("/commitments", tags=["commitments"], status_code=201, summary="新增任务（督查室）")
def api_add(ctx: CtxDep, body: CommitmentNew) -> dict:
    c = actions.add_commitment(ctx, body.report_id, body.kind, body.title, body.text, body.deadline)
    ctx.commit()
    return _commitment_out(ctx, c.id)


@router.delete("/commitments/{cid}", tags=["commitments"], summary="从方案中删除（销号并取消公开，督查室）")
def api_drop(ctx: CtxDep, cid: Id, version: Version | None = None) -> dict:
    c = actions.drop_commitment(ctx, cid, version)
    ctx.commit()
    return _commitment_out(ctx, c.id)


class SplitIn(BaseModel):
    """Each part is a piece of the commitment's quote, or ``[start, end]`` offsets into the report text."""

    parts: list[str | tuple[int, int]] = Field(min_length=2)
    version: int | None = None


@router.post("/commitments/{cid}/split", tags=["commitments"],
             summary="拆分任务（督查室；每段摘自原文或给出原文字符位置，各自保留原文位置）")
def api_split(ctx: CtxDep, cid: Id, body: SplitIn) -> list[dict]:
    new = actions.split_commitment(ctx, cid, body.parts, body.version)
    ctx.commit()
    return [_commitment_out(ctx, c.id) for c in new]


class MergeIn(BaseModel):
    ids: list[Id] = Field(min_length=2)
    versions: dict[Id, int] | None = None  # commitment id → version the caller saw


@router.post("/commitments/merge", tags=["commitments"],
             summary="合并同一报告的任务到第一项（督查室；原文位置取并集范围）")
def api_merge(ctx: CtxDep, body: MergeIn) -> dict:
    c = actions.merge_commitments(ctx, body.ids, dict(body.versions or {}))
    ctx.commit()
    return _commitment_out(ctx, c.id)


class AssignIn(BaseModel):
    lead: str | None = None
    support: list[str] = []
    version: int | None = None


@router.put("/commitments/{cid}/assignments", tags=["commitments"],
            summary="确认建议（空请求体）或指定牵头/配合单位（督查室）")
def api_assign(ctx: CtxDep, cid: Id, body: AssignIn) -> dict:
    c = actions.assign_units(ctx, cid, body.lead, body.support, body.version)
    ctx.commit()
    return _commitment_out(ctx, c.id)


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
    return qs.progress_json(pr, private=True)


@router.post("/progress/{pid}/evidence", tags=["progress"], status_code=201, summary="为未审核的进度报告附加佐证材料")
@upload("evidence")
async def api_evidence(ctx: CtxDep, pid: Id, file: Annotated[UploadFile, File()]) -> dict:
    from luoshi.ledger.models import ProgressReport
    from luoshi.ledger.services import progress as progress_service

    def check() -> ProgressReport:
        pr = ctx.db.get(ProgressReport, pid)
        if pr is None:
            raise ctx.not_found("进度报告")
        actions.may_report(ctx, qs.get_commitment(ctx.db, ctx.user, pr.commitment_id))
        ctx.db.rollback()  # give the connection back while the upload is read
        return pr

    # database work runs in worker threads, never on the event loop (see views.forms.attempt)
    await run_in_threadpool(check)
    within(file, ctx.settings.max_evidence_bytes)

    def store() -> dict:
        pr = ctx.db.get(ProgressReport, pid)
        if pr is None:
            raise ctx.not_found("进度报告")
        ev = progress_service.attach(ctx.db, pr, file.filename or "evidence", file.file,
                                     max_bytes=ctx.settings.max_evidence_bytes)
        ctx.commit()
        return qs.evidence_json(ev)

    return await run_in_threadpool(store)


class ReviewIn(BaseModel):
    decision: Literal["accept", "return"]
    reason: str | None = None
    version: int | None = None


@router.post("/progress/{pid}/review", tags=["progress"], summary="采纳或退回进度报告（督查室）")
def api_review(ctx: CtxDep, pid: Id, body: ReviewIn) -> dict:
    pr = actions.review_progress(ctx, pid, body.decision, body.reason, body.version)
    ctx.commit()
    return qs.progress_json(pr, private=True)


class CycleIn(BaseModel):
    cycle: Literal["月", "季"]


@router.put("/reports/{rid}/cycle", tags=["periods"], summary="设置报送周期（月/季，督查室）")
def api_cycle(ctx: CtxDep, rid: Id, body: CycleIn) -> dict:
    actions.configure_cycle(ctx, rid, body.cycle)
    return _done(ctx, {"cycle": body.cycle})


@router.post("/reports/{rid}/periods", tags=["periods"], summary="生成报送周期（督查室）")
def api_periods(ctx: CtxDep, rid: Id) -> list[dict]:
    actions.generate_periods(ctx, rid)
    ctx.commit()
    return qs.periods(ctx.db, rid)


class PeriodState(BaseModel):
    closed: bool


@router.put("/periods/{pid}", tags=["periods"], summary="关闭或重新开放周期（督查室）")
def api_period_state(ctx: CtxDep, pid: Id, body: PeriodState) -> dict:
    p = actions.set_period_closed(ctx, pid, body.closed)
    return _done(ctx, {"id": p.id, "label": p.label, "closed": p.closed})


@router.get("/periods/{pid}/notices/preview", tags=["notices"],
            summary="预览该周期将签发的督办单（按原因计数，不签发；督查室）")
def api_preview(ctx: CtxDep, pid: Id) -> dict:
    return actions.preview_notices(ctx, pid).to_dict()


@router.post("/periods/{pid}/notices", tags=["notices"],
             summary="签发该周期的督办单：报送截止日过后，每项任务一份，列明全部原因（督查室）")
def api_issue(ctx: CtxDep, pid: Id) -> list[dict]:
    created = actions.issue_notices(ctx, pid)
    ctx.commit()
    return [qs.notice_json(n) for n in created]


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1)


@router.post("/notices/{nid}/answer", tags=["notices"], summary="答复督办单（责任单位联络员）")
def api_answer(ctx: CtxDep, nid: Id, body: AnswerIn) -> dict:
    n = actions.answer_notice(ctx, nid, body.answer)
    ctx.commit()
    return qs.notice_json(n)


@router.post("/notices/{nid}/close", tags=["notices"], summary="办结督办单（督查室）")
def api_close_notice(ctx: CtxDep, nid: Id) -> dict:
    n = actions.close_notice(ctx, nid)
    ctx.commit()
    return qs.notice_json(n)


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
    return {"commitment_id": cid, "result": e.result, "computed_result": e.computed_result, "score": e.score,
            "final_value": e.final_value, "override_reason": e.override_reason, "version": e.version,
            "state": e.state}


class FinaliseIn(BaseModel):
    reason: str | None = None


@router.post("/reports/{rid}/evaluations/finalise", tags=["evaluations"],
             summary="年度评价定稿：预评价转为正式结果（最后一期报送截止日未过时须写理由；督查室）")
def api_finalise(ctx: CtxDep, rid: Id, body: FinaliseIn) -> dict:
    f = actions.finalise_evaluations(ctx, rid, body.reason)
    return _done(ctx, {"finalised": f.count, "early": f.early, "reason": f.reason})
