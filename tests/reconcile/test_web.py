"""Promise pages inside the app: HTML with inline SVG, the same data as JSON and CSV, the app's errors."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPORTS
from fastapi.testclient import TestClient

from luoshi.corpus.build import build


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("rep")
    for p in REPORTS.glob("*.txt"):
        shutil.copy(p, d / p.name)
    out = d / "corpus.sqlite"
    build(d, out, workers=1, progress=False)
    return str(out)


@pytest.fixture
def client(corpus: str, sqlite_engine, tmp_path, monkeypatch) -> TestClient:
    """The whole app (its templates, its error handlers) over a ledger-less home and the corpus."""
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    monkeypatch.setenv("LUOSHI_CORPUS", corpus)
    settings = Settings(home=tmp_path, database_url=str(sqlite_engine.url), secret_key=b"test-secret-key" * 3)
    return TestClient(create_app(settings, engine=sqlite_engine))


def test_government_page_has_scorecards_and_charts(client):
    r = client.get("/reconcile/gov/国务院")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'lang="zh-CN"' in html and "<svg" in html and "历年" in html
    assert "http://" not in html and "https://" not in html  # no CDN
    assert "生产总值增长" in html and "未兑现" in html


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


def test_errors_are_pages_for_browsers_and_json_for_the_twin(client):
    page = client.get("/reconcile/gov/北京", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "没有北京的报告" in page.text and "页面不存在" in page.text
    twin = client.get("/reconcile/gov/北京", params={"format": "json"})
    assert twin.status_code == 404 and twin.json()["error"] == "没有北京的报告"
    bad = client.get("/reconcile/gov/国务院", params={"format": "xml"})
    assert bad.status_code == 422 and "format 只能是 html、json、csv" in bad.json()["error"]
    missing = client.get("/reconcile/compare", headers={"Accept": "text/html"})
    assert missing.status_code == 422 and "请指定年份（year）或政府（government）之一" in missing.text
