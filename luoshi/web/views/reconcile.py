"""Cross-year pages (历年承诺): promise history, scorecards and comparisons read from the corpus.

The comparisons themselves are the reconcile package's (``luoshi.reconcile.service``); the reports
come from the corpus (``luoshi.corpus.query``) found by ``luoshi.web.corpus``. Like every page,
each answers ``?format=json`` with its data; these also offer ``?format=csv`` (the table the page
is about, for a spreadsheet). Errors go through the app's handlers: a page to a browser, JSON to
the twin.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from annotated_types import Ge, Le
from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from luoshi.corpus.query import load_reports
from luoshi.reconcile.items import ReportItems
from luoshi.reconcile.service import compare_view, government_view, table_rows, to_csv
from luoshi.web.context import Ctx, LedgerRoute, get_ctx
from luoshi.web.corpus import existing_corpus
from luoshi.web.templating import page_format, render

router = APIRouter(prefix="/reconcile", include_in_schema=False, route_class=LedgerRoute, tags=["reconcile"])
CtxDep = Annotated[Ctx, Depends(get_ctx)]
FORMATS = ("html", "json", "csv")
Year = Annotated[int, Ge(1), Le(9999)]  # a plan year; bounded like every integer the app takes


def _reports(ctx: Ctx, **where: Any) -> list[ReportItems]:
    return load_reports(existing_corpus(ctx.settings), **where)


def _page(ctx: Ctx, name: str, data: dict[str, Any], rows: list[dict[str, Any]], filename: str,
          **shown: Any) -> Response:
    """The page, its JSON twin (``data``), or ``rows`` as a CSV download named ``filename``.csv."""
    if page_format(ctx.request, FORMATS) == "csv":
        return Response(to_csv(rows, bom=True), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename, safe='')}.csv"})
    if page_format(ctx.request, FORMATS) == "json":
        return render(ctx, name, **data)
    return render(ctx, name, **data, **shown)


def _series(outcomes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chart series: per catalogue headline indicator with numbers, target and actual per year."""
    series: dict[str, dict[str, Any]] = {}
    for o in outcomes:
        if not o["headline"] or o["value"] is None or o["indicator_key"].startswith("~"):
            continue
        s = series.setdefault(o["indicator_key"], {"title": o["indicator_name"], "unit": o["unit"] or "", "points": []})
        if any(p["year"] == o["year"] for p in s["points"]):
            continue
        s["points"].append({"year": o["year"], "value": o["value"], "value_max": o["value_max"],
                            "actual": o["actual_value"], "status": o["status"]})
    return [s for s in series.values() if len(s["points"]) >= 2]


@router.get("/", response_class=HTMLResponse)
def reconcile_index(ctx: CtxDep) -> Response:
    """语料库中的政府及年份。"""
    page_format(ctx.request, FORMATS)
    govs: dict[str, list[int]] = {}
    for r in _reports(ctx):
        govs.setdefault(r.government or "", [])
        if r.year is not None:
            govs[r.government or ""].append(r.year)
    data = {"governments": [{"government": g, "years": sorted(ys)} for g, ys in sorted(govs.items())],
            "years": sorted({y for ys in govs.values() for y in ys})}
    rows = [{"government": g["government"], "years": " ".join(map(str, g["years"]))} for g in data["governments"]]
    return _page(ctx, "reconcile/index.html", data, rows, "governments")


@router.get("/gov/{government}", response_class=HTMLResponse)
def reconcile_government(ctx: CtxDep, government: str) -> Response:
    """一个政府的历年目标、兑现记分卡与图表。"""
    page_format(ctx.request, FORMATS)
    view = government_view(_reports(ctx, government=government), government)
    data = {k: v for k, v in view.items() if k not in {"outcomes", "ambition"}}
    return _page(ctx, "reconcile/government.html", data, view["scorecards"], f"{government}-scorecards",
                 series=_series(view["outcomes"]))


@router.get("/gov/{government}/{year}", response_class=HTMLResponse)
def reconcile_year(ctx: CtxDep, government: str, year: Year) -> Response:
    """一年的目标逐条对照下一年报告的实绩，以及低于上年实绩的目标。"""
    page_format(ctx.request, FORMATS)
    view = government_view(_reports(ctx, government=government), government, year=year)
    data = {k: v for k, v in view.items() if k != "history"}
    return _page(ctx, "reconcile/year.html", data, view["outcomes"], f"{government}-{year}",
                 card=view["scorecards"][0], below=[a for a in view["ambition"] if a["below_last_year"]])


@router.get("/gov/{government}/{year}/ambition", response_class=HTMLResponse)
def reconcile_ambition(ctx: CtxDep, government: str, year: Year) -> Response:
    """低于上年实绩的目标。"""
    page_format(ctx.request, FORMATS)
    view = government_view(_reports(ctx, government=government), government, year=year)
    below = [a for a in view["ambition"] if a["below_last_year"]]
    data = {"government": government, "year": year, "ambition": below}
    return _page(ctx, "reconcile/ambition.html", data, below, f"{government}-{year}-ambition")


@router.get("/compare", response_class=HTMLResponse)
def reconcile_compare(ctx: CtxDep, year: Year | None = None, government: str | None = None) -> Response:
    """主要预期目标对比：某年各政府，或某政府历年。"""
    page_format(ctx.request, FORMATS)
    view = compare_view(_reports(ctx), year=year, government=government)
    return _page(ctx, "reconcile/compare.html", view, table_rows(view["table"]), f"compare-{year or government}")
