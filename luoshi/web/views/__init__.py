"""Routers by resource; ``app.create_app`` includes them in this order.

The JSON API of a resource (its reads and writes) lives in ``views/<resource>.py``; the HTML pages
are grouped by who uses them (public, dashboard, my, admin), each page answering ``?format=json``
with its data (``luoshi.web.templating``). Comments and the cross-year pages hold both.
"""

from __future__ import annotations

from fastapi import APIRouter

from luoshi.web.views import (
    accounts,
    admin,
    bulk,
    comments,
    commitments,
    dashboard,
    downloads,
    evaluations,
    help,
    history,
    inbox,
    my,
    notices,
    periods,
    progress,
    public,
    reconcile,
    reports,
    session,
    units,
)

ROUTERS: list[APIRouter] = [
    session.router, public.router, dashboard.router, my.router, admin.router,
    reports.router, commitments.router, progress.router, periods.router, notices.router, evaluations.router,
    dashboard.api_router, comments.router, reconcile.router, help.router, inbox.router, units.router,
    accounts.router, downloads.router, bulk.router, history.router,
]
