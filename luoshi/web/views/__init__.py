"""Routers by resource; ``app.create_app`` includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from luoshi.web.views import accounts, admin, api, api_write, comments, dashboard, my, public, session, units

ROUTERS: list[APIRouter] = [
    session.router, public.router, dashboard.router, my.router, admin.router, api.router, api_write.router,
    comments.router, units.router, accounts.router,
]
