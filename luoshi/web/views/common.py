"""What the resource modules of the JSON API share: the request context, the report a call is
about, and committing before answering."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from luoshi.errors import NotFoundError
from luoshi.ledger import policy
from luoshi.ledger.models import Report
from luoshi.web import queries as qs
from luoshi.web.context import Ctx, get_ctx

CtxDep = Annotated[Ctx, Depends(get_ctx)]


def report_or_latest(ctx: Ctx, report: int | None) -> Report:
    """The report asked for (404 unless the caller may see it), else the caller's default ledger."""
    if report is not None:
        return qs.get_report(ctx.db, ctx.user, report)
    r = qs.current_report(ctx.db, user=ctx.user)
    if r is None:
        raise NotFoundError("还没有导入任何报告" if policy.may_see_drafts(ctx.user) else "还没有公开的报告")
    return r


def committed(ctx: Ctx, value: Any) -> Any:
    """Commit the request's changes, then answer ``value``."""
    ctx.commit()
    return value


def commitment_out(ctx: Ctx, cid: int) -> dict:
    """The commitment after a write, in the same shape as ``GET /api/commitments/{id}`` returns it."""
    c = qs.get_commitment(ctx.db, ctx.user, cid)
    return qs.commitment_detail(ctx.db, ctx.user, c)
