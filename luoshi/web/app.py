"""The web application: HTML pages for each role and a JSON API for everything they show.

Kept small on purpose (like Datasette's ``app.py``): it wires settings, the database, middleware,
error handlers, static files and the routers in ``luoshi.web.views``. Nothing here downloads
anything: the OpenAPI document is served at /api/openapi.json, the CDN-based docs pages are off.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from luoshi.errors import ValidationError
from luoshi.ledger.db import make_engine, session_factory
from luoshi.web import corpus, errors
from luoshi.web.config import Settings
from luoshi.web.head import HeadAsGet
from luoshi.web.ratelimit import LoginThrottle
from luoshi.web.security import SecurityHeaders
from luoshi.web.shared_pages import SharedPages

STATIC = Path(__file__).resolve().parent / "static"


def worker_threads() -> int:
    """Threads that run views (and so hold database connections) per worker process.

    Every view's database work runs in these threads, one connection each at most, so keeping
    them below the connection pool's size (``luoshi.ledger.db``) means a burst of requests waits
    for a thread instead of timing out waiting for a connection.
    """
    value = os.environ.get("LUOSHI_THREADS", "32")
    if not value.strip().isdigit():
        raise ValidationError(f"LUOSHI_THREADS 应为正整数：{value!r}")
    return max(4, int(value))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = worker_threads()
    from luoshi.web.templating import compile_all

    await anyio.to_thread.run_sync(compile_all)  # before the first connection, not during it
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    app = FastAPI(
        title="luoshi 落实",
        summary="政府工作报告任务台账：督办、进度、考核与公开亮屏",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.throttle = LoginThrottle(engine, settings.login_max_failures, settings.login_window_seconds)
    errors.install(app)
    corpus.install(app)
    app.add_middleware(SharedPages)  # inside SecurityHeaders: kept pages get the headers, never a cookie
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)  # outermost: HEAD runs as GET through everything else
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    from luoshi.web.views import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
    return app
