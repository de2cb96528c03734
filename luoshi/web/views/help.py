"""The 使用手册 at /help: the Markdown pages under ``docs/`` rendered on the server, offline.

The manual is written once, in Markdown, so that it reads the same in the repository, in the app
(/help, /help/<page>) and in the PDF built by ``luoshi docs pdf``. Rendering uses markdown-it-py
(CommonMark plus tables) with raw HTML switched off: a page can only produce the markup Markdown
itself produces, and the strict CSP of every page (no inline script or style) still holds.
Links between pages are written as ``admin.md`` (so they also work when browsing the repository)
and rewritten here to /help/admin, or to in-document anchors for the PDF.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse, Response
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from luoshi.errors import NotFoundError
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.templating import render

router = APIRouter(prefix="/help", include_in_schema=False, route_class=LedgerRoute)
CtxDep = Annotated[Ctx, Depends(get_ctx)]

# Reading order of the manual: the /help sidebar and the PDF follow it.
PAGES: tuple[str, ...] = ("index", "duchashi", "liaison", "leader", "public", "researcher", "admin", "deploy")
IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.png")
PAGE_LINK = re.compile(r"^(?P<slug>[a-z]+)\.md(?:#(?P<anchor>[\w-]+))?$")


def docs_dir() -> Path:
    """Where the Markdown lives: ``LUOSHI_DOCS`` or the ``docs/`` folder beside the package."""
    env = os.environ.get("LUOSHI_DOCS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "docs"


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    html: Markup


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _rewrite(tokens: list[Token], slug: str, link: Callable[[str, str | None], str],
             image: Callable[[str], str]) -> None:
    """Point page links and images where the reader is (web or PDF) and give headings stable ids."""
    n = 0
    for tok in tokens:
        if tok.type == "heading_open":
            n += 1
            tok.attrSet("id", f"{slug}-{n}")
        for child in tok.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                m = PAGE_LINK.match(href)
                if m and m["slug"] in PAGES:
                    child.attrSet("href", link(m["slug"], m["anchor"]))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                if src.startswith("images/") and IMAGE_NAME.fullmatch(src.removeprefix("images/")):
                    child.attrSet("src", image(src.removeprefix("images/")))


def render_page(slug: str, *, link: Callable[[str, str | None], str] | None = None,
                image: Callable[[str], str] | None = None, root: Path | None = None) -> Page:
    """One manual page as HTML; raises NotFoundError for a page that is not part of the manual."""
    if slug not in PAGES:
        raise NotFoundError(f"使用手册中没有“{slug}”这一页")
    path = (root or docs_dir()) / f"{slug}.md"
    if not path.is_file():
        raise NotFoundError(f"使用手册文件缺失：{path.name}（应在 {path.parent}）")
    source = path.read_text(encoding="utf-8")
    md = _parser()
    tokens = md.parse(source)
    _rewrite(tokens, slug,
             link or (lambda s, a: ("/help" if s == "index" else f"/help/{s}") + (f"#{a}" if a else "")),
             image or (lambda name: f"/help/images/{name}"))
    title = next((tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"),
                 slug)
    return Page(slug, title, Markup(md.renderer.render(tokens, md.options, {})))


@lru_cache(maxsize=1)
def _titles(root: str, stamp: tuple[float, ...]) -> list[tuple[str, str]]:
    out = []
    for slug in PAGES:
        try:
            out.append((slug, render_page(slug, root=Path(root)).title))
        except NotFoundError:
            continue
    return out


def contents() -> list[tuple[str, str]]:
    """(slug, title) of every page present, in reading order (cached until a file changes)."""
    root = docs_dir()
    stamp = tuple((root / f"{s}.md").stat().st_mtime if (root / f"{s}.md").exists() else 0.0 for s in PAGES)
    return _titles(str(root), stamp)


def _show(ctx: Ctx, slug: str) -> Response:
    page = render_page(slug)
    # plain data, so the page's JSON twin (?format=json) carries the same text
    return render(ctx, "help.html", page={"slug": page.slug, "title": page.title, "html": page.html},
                  pages=[list(p) for p in contents()])


@router.get("", response_class=HTMLResponse)
def help_index(ctx: CtxDep) -> Response:
    return _show(ctx, "index")


@router.get("/images/{name}")
def help_image(name: str) -> Response:
    path = docs_dir() / "images" / name
    if not IMAGE_NAME.fullmatch(name) or not path.is_file():
        raise NotFoundError(f"没有这张插图：{name}")
    return FileResponse(path, media_type="image/png")


@router.get("/{slug}", response_class=HTMLResponse)
def help_page(ctx: CtxDep, slug: str) -> Response:
    return _show(ctx, slug)
