"""The report/year switcher in the page header.

Why: one ledger per report — a city keeps several years, and may import a State Council report
besides its own — so a page bound to a report lets the reader pick which one. The list is the
reports the caller may see (``policy.reports_clause``: the public sees published ones only); the
choice travels in the query string (``?report=ID``), which the header's links carry on, so moving
between pages keeps the year. A view that shows one report resolves it with :func:`chosen` (an
unknown or hidden id is a 404, never another report silently), which also tells the header which
report the page shows.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.models import Report
from luoshi.web import queries as qs
from luoshi.web.auth import Principal
from luoshi.web.context import Ctx

PUBLIC_PATHS = ("/", "/screen")
"""Pages that show what the public sees, whoever is logged in: their switcher lists what the
public may see."""


def chosen(ctx: Ctx, report: int | None, *, viewer: Principal | None = None) -> Report | None:
    """The report asked for (404 unless ``viewer`` — default the caller — may see it), else the
    viewer's default ledger (the latest they may see); None when there is none yet."""
    who = ctx.user if viewer is None else viewer
    r = qs.get_report(ctx.db, who, report) if report is not None else qs.current_report(ctx.db, user=who)
    if r is not None:
        ctx.request.state.report_id = r.id
        ctx.request.state.report_chosen = report is not None
    return r


def reports_for(db: Session, user: Principal) -> list[dict[str, Any]]:
    """The reports ``user`` may see, newest first, labelled as the header lists them."""
    q = select(Report).order_by(Report.year.desc(), Report.id.desc())
    clause = policy.reports_clause(user)
    if clause is not None:
        q = q.where(clause)
    return [{"id": r.id, "label": f"{r.year}年 · {r.government.name}"} for r in db.scalars(q)]


def header(request: Request, user: Principal) -> dict[str, Any]:
    """What the header needs: the reports to offer (only on a page bound to one report), the one
    shown, and the query string its links carry (``?report=ID`` once the reader chose one)."""
    cached = getattr(request.state, "report_header", None)
    if cached is not None:
        return cached
    try:
        out = _header(request, user)
    except Exception:  # a page must never fail because of its header
        out = {"reports": [], "current": None, "carry": _carried(request)}
    request.state.report_header = out
    return out


def _header(request: Request, user: Principal) -> dict[str, Any]:
    current = getattr(request.state, "report_id", None)
    picked = getattr(request.state, "report_chosen", False)
    carry = f"?report={current}" if picked and current is not None else ""
    if current is None:
        return {"reports": [], "current": None, "carry": _carried(request)}
    sessions = getattr(request.app.state, "sessions", None)
    if sessions is None:
        return {"reports": [], "current": current, "carry": carry}
    viewer = qs.public_view(user) if request.url.path in PUBLIC_PATHS else user
    with sessions() as db:
        reports = reports_for(db, viewer)
    return {"reports": reports, "current": current, "carry": carry}


def _carried(request: Request) -> str:
    """A page that shows no single report (a help page, the inbox) still passes on the choice."""
    value = request.query_params.get("report", "")
    return f"?report={value}" if value.isascii() and value.isdigit() and len(value) < 11 else ""


def _install() -> None:
    from luoshi.web.templating import templates

    templates.env.globals["report_header"] = header


_install()
