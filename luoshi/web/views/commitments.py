"""Commitments: the filtered list, one record, its audit history; edit, add, drop, split, merge, assign.

Reads and writes of one resource sit together and answer the shapes of ``luoshi.web.serializers``;
writes run the same actions (and permission checks) as the HTML forms. Cookie-authenticated writes
must send the ``X-CSRF-Token`` header (from ``POST /api/session`` or ``GET /api/me``); Bearer-token
calls need none.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from luoshi.errors import PermissionDenied
from luoshi.ledger import policy
from luoshi.web import actions
from luoshi.web import queries as qs
from luoshi.web.context import LedgerRoute
from luoshi.web.params import Id, Offset, Page, Version
from luoshi.web.shared_pages import share
from luoshi.web.views.common import CtxDep, commitment_out

router = APIRouter(prefix="/api", route_class=LedgerRoute)


@router.get("/commitments", tags=["commitments"], summary="任务列表（筛选 + 分页，返回 total）")
def api_commitments(
    ctx: CtxDep,
    report: Id | None = None,
    area: str | None = None,
    section: str | None = None,
    unit: Id | None = None,
    status: Annotated[str | None, Query(pattern="^(green|yellow|red|grey)$")] = None,
    kind: Annotated[str | None, Query(pattern="^(target|milestone|measure)$")] = None,
    q: str | None = None,
    published: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=qs.MAX_LIMIT)] = 50,
    offset: Offset = 0,
    page: Page | None = None,
) -> dict:
    share(ctx.request)
    if report is not None:
        qs.get_report(ctx.db, ctx.user, report)
    if page is not None:
        offset = (page - 1) * limit
    f = qs.Filters(report_id=report, area=area or section, unit=unit, status=status, kind=kind, q=q,
                   published=published, limit=limit, offset=offset)
    return qs.list_commitments(ctx.db, ctx.user, f)


@router.get("/commitments/{cid}", tags=["commitments"], summary="任务详情（原文、责任单位、进度记录）")
def api_commitment(ctx: CtxDep, cid: Id) -> dict:
    share(ctx.request, commitment=cid)
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return qs.commitment_detail(ctx.db, ctx.user, c)


@router.get("/commitments/{cid}/history", tags=["commitments"], summary="任务的变更记录（审计）")
def api_history(ctx: CtxDep, cid: Id) -> list[dict]:
    ctx.require()
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    if not policy.may_see_private_progress(ctx.user, c):
        raise PermissionDenied("只有督查室、领导和责任单位可以查看变更记录")
    return qs.history(ctx.db, ctx.user, c)


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
    return commitment_out(ctx, c.id)


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
    return commitment_out(ctx, c.id)


@router.delete("/commitments/{cid}", tags=["commitments"], summary="从方案中删除（销号并取消公开，督查室）")
def api_drop(ctx: CtxDep, cid: Id, version: Version | None = None) -> dict:
    c = actions.drop_commitment(ctx, cid, version)
    ctx.commit()
    return commitment_out(ctx, c.id)


class SplitIn(BaseModel):
    """Each part is a piece of the commitment's quote, or ``[start, end]`` offsets into the report text."""

    parts: list[str | tuple[int, int]] = Field(min_length=2)
    version: int | None = None


@router.post("/commitments/{cid}/split", tags=["commitments"],
             summary="拆分任务（督查室；每段摘自原文或给出原文字符位置，各自保留原文位置）")
def api_split(ctx: CtxDep, cid: Id, body: SplitIn) -> list[dict]:
    new = actions.split_commitment(ctx, cid, body.parts, body.version)
    ctx.commit()
    return [commitment_out(ctx, c.id) for c in new]


class MergeIn(BaseModel):
    ids: list[Id] = Field(min_length=2)
    versions: dict[Id, int] | None = None  # commitment id → version the caller saw


@router.post("/commitments/merge", tags=["commitments"],
             summary="合并同一报告的任务到第一项（督查室；原文位置取并集范围）")
def api_merge(ctx: CtxDep, body: MergeIn) -> dict:
    c = actions.merge_commitments(ctx, body.ids, dict(body.versions or {}))
    ctx.commit()
    return commitment_out(ctx, c.id)


class AssignIn(BaseModel):
    lead: str | None = None
    support: list[str] = []
    version: int | None = None


@router.put("/commitments/{cid}/assignments", tags=["commitments"],
            summary="确认建议（空请求体）或指定牵头/配合单位（督查室）")
def api_assign(ctx: CtxDep, cid: Id, body: AssignIn) -> dict:
    c = actions.assign_units(ctx, cid, body.lead, body.support, body.version)
    ctx.commit()
    return commitment_out(ctx, c.id)

