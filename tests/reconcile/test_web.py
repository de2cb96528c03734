"""Promise pages: HTML with inline SVG, and the same data as JSON and CSV."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPORTS
from fastapi import FastAPI
from fastapi.testclient import TestClient

from luoshi.corpus.build import build
from luoshi.reconcile.web import make_router


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    d = tmp_path_factory.mktemp("rep")
    for p in REPORTS.glob("*.txt"):
        shutil.copy(p, d / p.name)
    out = d / "corpus.sqlite"
    build(d, out, workers=1, progress=False)
    app = FastAPI()
    app.include_router(make_router(out), prefix="/reconcile")
    return TestClient(app)


def test_government_page_has_scorecards_and_charts(client):
    r = client.get("/reconcile/gov/国务院")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'lang="zh-CN"' in html and "<svg" in html and "历年" in html
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "生产总值增长" in html and "未达成" in html


def test_json_and_csv_variants(client):
    j = client.get("/reconcile/gov/国务院/2022", params={"format": "json"}).json()
    assert j["scorecards"][0]["headline_missed"] == 1
    gdp = next(o for o in j["outcomes"] if o["indicator_key"] == "gdp_growth")
    assert gdp["target_quote"] == "国内生产总值增长5.5%左右" and gdp["actual_quote"] == "国内生产总值增长3%"
    c = client.get("/reconcile/gov/国务院/2022", params={"format": "csv"})
    assert c.headers["content-type"].startswith("text/csv") and "国内生产总值增长3%" in c.text
    pages = [("/reconcile/", {}), ("/reconcile/gov/国务院", {}), ("/reconcile/compare", {"year": 2024}),
             ("/reconcile/compare", {"government": "国务院"}), ("/reconcile/gov/枣庄市/2024/ambition", {})]
    for url, params in pages:
        for fmt in ("json", "csv"):
            assert client.get(url, params={**params, "format": fmt}).status_code == 200, (url, fmt)


def test_year_page_shows_quotes_side_by_side_and_ambition(client):
    html = client.get("/reconcile/gov/枣庄市/2024").text
    assert "无数据" in html and "低于上年实绩的目标" in html and "建成生态街巷119条" in html


def test_errors_are_json_4xx(client):
    assert client.get("/reconcile/gov/北京").status_code == 404
    assert client.get("/reconcile/gov/国务院", params={"format": "xml"}).status_code == 422
    assert client.get("/reconcile/compare").status_code == 422
