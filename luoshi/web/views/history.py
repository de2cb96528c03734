"""The office's 变更记录 (/admin/history): the whole ledger's audit trail in people's words.

Filters by who (an account, or 系统操作), what (a kind of record), which task and when (local
calendar days), fifty events a page, newest first. The words — names, units, local times, field
names and values in Chinese — come from ``luoshi.ledger.services.history.present``; this module only
reads the query and shows the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from luoshi.errors import ValidationError
from luoshi.ledger import policy
from luoshi.ledger import vocabulary as words
from luoshi.ledger.services.history import TrailFilter, office_trail, trail_actors
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.params import Offset
from luoshi.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]
PAGE_SIZE = 50


def _day(value: str, label: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{label}应为日期，例如 2024-05-15，收到“{value[:20]}”") from None


@router.get("/history", response_class=HTMLResponse)
def office_history(ctx: CtxDep, who: str = "", what: str = "", task: str = "", since: str = "", until: str = "",
                   offset: Offset = 0) -> Response:
    ctx.require(policy.is_office)
    if what and what not in words.ENTITIES:
        raise ValidationError("请从列表中选择要查看的记录类别")
    task_id = None
    if task:
        if not task.strip().isdigit():
            raise ValidationError(f"任务编号应为数字，收到“{task[:20]}”")
        task_id = int(task.strip())
    f = TrailFilter(actor=who or None, entity=what or None, commitment_id=task_id,
                    since=_day(since, "起始日期"), until=_day(until, "截止日期"))
    if f.since and f.until and f.since > f.until:
        raise ValidationError("起始日期不能晚于截止日期")
    total, items = office_trail(ctx.db, ctx.user, f, offset=offset, limit=PAGE_SIZE)
    params = {"who": who, "what": what, "task": task, "since": since, "until": until}
    return render(ctx, "admin/history.html", page={"total": total, "limit": PAGE_SIZE, "offset": offset,
                                                   "items": items},
                  params=params, actors=trail_actors(ctx.db),
                  kinds=[{"value": k, "label": v} for k, v in words.ENTITIES.items()])
