"""Pages of promise history and scorecards (HTML, and the same data as JSON and CSV).

``make_router(corpus)`` returns a FastAPI ``APIRouter`` (mounted under ``/reconcile`` by the app);
``corpus`` is the corpus database path, or a callable returning it, default ``$LUOSHI_CORPUS`` or
``$LUOSHI_HOME/corpus.sqlite``. Every page takes ``?format=json`` or ``?format=csv``. Templates
extend the app's ``base.html`` when the web package provides one, else a self-contained layout.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from luoshi.errors import LuoshiError, ValidationError
from luoshi.reconcile import charts
from luoshi.reconcile.service import (
    compare_view,
    government_view,
    reports_from_corpus,
    table_rows,
    to_csv,
)

HERE = Path(__file__).parent
WEB_TEMPLATES = HERE.parent / "web" / "templates"
FORMATS = {"html", "json", "csv"}


def default_corpus() -> Path:
    env = os.environ.get("LUOSHI_CORPUS")
    if env:
        return Path(env)
    return Path(os.environ.get("LUOSHI_HOME", "var")) / "corpus.sqlite"


def _environment() -> Environment:
    loaders = [FileSystemLoader(str(HERE / "templates"))]
    if WEB_TEMPLATES.is_dir():
        loaders.append(FileSystemLoader(str(WEB_TEMPLATES)))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["html"]))
    env.globals["base_template"] = "base.html" if (WEB_TEMPLATES / "base.html").is_file() else "reconcile/_standalone.html"
    return env


def _points(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Chart series: per catalogue headline indicator with numbers, target and actual per year."""
    series: dict[str, dict[str, Any]] = {}
    for o in view["all_outcomes"]:
        if not o["headline"] or o["value"] is None or o["indicator_key"].startswith("~"):
            continue
        s = series.setdefault(o["indicator_key"], {"title": o["indicator_name"], "unit": o["unit"] or "", "points": []})
        if any(p["year"] == o["year"] for p in s["points"]):
            continue
        s["points"].append({"year": o["year"], "value": o["value"], "value_max": o["value_max"],
                            "actual": o["actual_value"], "status": o["status"]})
    return [s for s in series.values() if len(s["points"]) >= 2]


def make_router(corpus: str | Path | Callable[[], str | Path] | None = None) -> APIRouter:
    router = APIRouter()
    env = _environment()

    def corpus_path() -> Path:
        if corpus is None:
            return default_corpus()
        return Path(corpus() if callable(corpus) else corpus)

    def fmt_of(request: Request) -> str:
        f = request.query_params.get("format", "html")
        if f not in FORMATS:
            raise ValidationError(f"format 只能是 html、json 或 csv，收到 {f!r}")
        return f

    def render(request: Request, name: str, fmt: str, data: dict[str, Any], csv_rows: list[dict[str, Any]],
               filename: str, **ctx: Any) -> Response:
        if fmt == "json":
            return JSONResponse(data)
        if fmt == "csv":
            return Response(to_csv(csv_rows, bom=True), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(filename)}.csv"})
        def url(route: str, **params: Any) -> str:
            return request.url_for(route, **params).path

        html = env.get_template(name).render(request=request, path=request.url.path, data=data,
                                             user=getattr(request.state, "user", None),
                                             csrf_token=getattr(request.state, "csrf_token", ""),
                                             charts=charts, url=url, **ctx)
        return HTMLResponse(html)

    def guarded(fn: Callable[..., Response]) -> Callable[..., Response]:
        def inner(*args: Any, **kwargs: Any) -> Response:
            try:
                return fn(*args, **kwargs)
            except LuoshiError as exc:
                return JSONResponse({"error": exc.message}, status_code=exc.http_status)
        inner.__name__ = fn.__name__
        inner.__doc__ = fn.__doc__
        import inspect

        inner.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]
        return inner

    @router.get("/", response_class=HTMLResponse)
    @guarded
    def index(request: Request) -> Response:
        """语料库中的政府及年份。"""
        fmt = fmt_of(request)
        reports = reports_from_corpus(corpus_path())
        govs: dict[str, list[int]] = {}
        for r in reports:
            govs.setdefault(r.government or "", [])
            if r.year is not None:
                govs[r.government or ""].append(r.year)
        years = sorted({y for ys in govs.values() for y in ys})
        data = {"governments": [{"government": g, "years": sorted(ys)} for g, ys in sorted(govs.items())],
                "years": years}
        rows = [{"government": g["government"], "years": " ".join(map(str, g["years"]))} for g in data["governments"]]
        return render(request, "reconcile/index.html", fmt, data, rows, "governments")

    @router.get("/gov/{government}", response_class=HTMLResponse)
    @guarded
    def government_page(request: Request, government: str) -> Response:
        """一个政府的历年目标、兑现记分卡与图表。"""
        fmt = fmt_of(request)
        view = government_view(reports_from_corpus(corpus_path(), government=government), government)
        view["all_outcomes"] = view["outcomes"]
        data = {k: v for k, v in view.items() if k not in {"outcomes", "all_outcomes", "ambition"}}
        series = _points(view)
        return render(request, "reconcile/government.html", fmt, data, view["scorecards"], f"{government}-scorecards",
                      series=series)

    @router.get("/gov/{government}/{year}", response_class=HTMLResponse)
    @guarded
    def year_page(request: Request, government: str, year: int) -> Response:
        """一年的目标逐条对照下一年报告的实绩，以及低于上年实绩的目标。"""
        fmt = fmt_of(request)
        view = government_view(reports_from_corpus(corpus_path(), government=government), government, year=year)
        data = {k: v for k, v in view.items() if k != "history"}
        return render(request, "reconcile/year.html", fmt, data, view["outcomes"], f"{government}-{year}",
                      card=view["scorecards"][0], below=[a for a in view["ambition"] if a["below_last_year"]])

    @router.get("/gov/{government}/{year}/ambition", response_class=HTMLResponse)
    @guarded
    def ambition_page(request: Request, government: str, year: int) -> Response:
        """低于上年实绩的目标。"""
        fmt = fmt_of(request)
        view = government_view(reports_from_corpus(corpus_path(), government=government), government, year=year)
        below = [a for a in view["ambition"] if a["below_last_year"]]
        data = {"government": government, "year": year, "ambition": below}
        return render(request, "reconcile/ambition.html", fmt, data, below, f"{government}-{year}-ambition")

    @router.get("/compare", response_class=HTMLResponse)
    @guarded
    def compare_page(request: Request, year: int | None = None, government: str | None = None) -> Response:
        """主要预期目标对比：某年各政府，或某政府历年。"""
        fmt = fmt_of(request)
        view = compare_view(reports_from_corpus(corpus_path()), year=year, government=government)
        return render(request, "reconcile/compare.html", fmt, view, table_rows(view["table"]),
                      f"compare-{year or government}")

    return router


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")


router = make_router()
