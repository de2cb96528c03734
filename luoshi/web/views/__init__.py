"""Routers by resource; ``app.create_app`` includes them in this order."""

from __future__ import annotations

from fastapi import APIRouter

from luoshi.web.views import admin, api, api_write, comments, dashboard, inbox, my, public, session

ROUTERS: list[APIRouter] = [
    session.router, public.router, dashboard.router, my.router, admin.router, api.router, api_write.router,
    comments.router, inbox.router,
]
