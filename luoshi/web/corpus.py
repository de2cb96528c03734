"""The cross-year pages (历年承诺) inside the app, and what they say before a corpus exists.

``luoshi.reconcile.web.make_router`` serves promise history and scorecards from a corpus database
(``$LUOSHI_CORPUS``, else ``corpus.sqlite`` in the app's home). It is mounted under ``/reconcile``
behind one dependency: while the corpus file does not exist, an HTML request gets a normal 200
page that says how to build it, a JSON/CSV request a 404 ``{"error": ...}`` — never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from luoshi.errors import NotFoundError
from luoshi.web.auth import ANONYMOUS
from luoshi.web.config import Settings
from luoshi.web.context import get_ctx

PREFIX = "/reconcile"
CORPUS_NAME = "corpus.sqlite"


def corpus_file(settings: Settings) -> Path:
    """Where the corpus database is: ``$LUOSHI_CORPUS``, else ``<home>/corpus.sqlite``."""
    env = os.environ.get("LUOSHI_CORPUS")
    return Path(env) if env else settings.home / CORPUS_NAME


def build_command(path: Path) -> str:
    return f"luoshi corpus build 报告目录 --out {path}"


class CorpusMissing(NotFoundError):
    """The corpus database has not been built yet."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"尚未建立历年报告语料库（{path}）；请运行 {build_command(path)}")
        self.path = path


def _wants_json(request: Request) -> bool:
    fmt = request.query_params.get("format", "html")
    return fmt != "html" or "application/json" in request.headers.get("accept", "").split(",")[0]


async def _missing(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CorpusMissing)
    if _wants_json(request):
        return JSONResponse({"error": exc.message, "detail": {"corpus": str(exc.path),
                                                              "build": build_command(exc.path)}}, status_code=404)
    from luoshi.web.templating import templates

    return templates.TemplateResponse(
        request, "reconcile_missing.html",
        {"request": request, "user": getattr(request.state, "user", None) or ANONYMOUS,
         "csrf_token": getattr(request.state, "csrf_token", ""),
         "path": request.url.path, "flash": None, "flash_error": None, "corpus": str(exc.path),
         "command": build_command(exc.path)},
    )


def mount(app: FastAPI, settings: Settings) -> None:
    """Include the reconcile pages under ``/reconcile``, guarded by the corpus check."""
    from luoshi.reconcile.web import make_router

    def path() -> Path:
        return corpus_file(settings)

    def corpus_ready() -> None:
        p = path()
        if not p.is_file():
            raise CorpusMissing(p)

    app.add_exception_handler(CorpusMissing, _missing)
    app.include_router(make_router(path), prefix=PREFIX, dependencies=[Depends(get_ctx), Depends(corpus_ready)], tags=["reconcile"])
