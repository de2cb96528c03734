"""Where the corpus of past reports is, for the cross-year pages (历年承诺) and the demo.

The one lookup: ``$LUOSHI_CORPUS``, else ``corpus.sqlite`` in the app's home. While the file does
not exist the pages raise :class:`CorpusMissing`; an HTML request then gets a normal 200 page that
says it is not built yet and where the manual tells how, a JSON or CSV request a 404
``{"error": ..., "detail": ...}`` whose detail carries the path and the build command (see
:func:`install`) — never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response

from luoshi.errors import CLI, WEB, NotFoundError
from luoshi.web.config import Settings

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
        super().__init__("尚未建立历年报告语料库", hints={
            CLI: f"（{path}）；请运行 {build_command(path)}", WEB: "；建立方法见使用手册“研究人员”一节"})
        self.path = path


def existing_corpus(settings: Settings) -> Path:
    """The corpus file, or :class:`CorpusMissing` when it has not been built."""
    path = corpus_file(settings)
    if not path.is_file():
        raise CorpusMissing(path)
    return path


def install(app: FastAPI) -> None:
    """Answer :class:`CorpusMissing` with the build instructions, as a page or as JSON."""
    from luoshi.web import errors

    async def missing(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CorpusMissing)
        detail = {"corpus": str(exc.path), "build": build_command(exc.path)}
        if errors.wants_json(request):
            return errors.error_response(request, 404, exc.said_for(WEB), detail)  # the command for tools
        # not an error for a person: the section exists, it only waits for its data (how to build
        # it is the manual's business: a visitor is never shown a command line or a server path)
        return errors.page(request, "reconcile/missing.html", 200)

    app.add_exception_handler(CorpusMissing, missing)
