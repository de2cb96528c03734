"""The cross-year pages mounted in the app (历年承诺), with and without a corpus; HEAD on GET routes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from luoshi.web.demo_data import REPORTS
from luoshi.web.security import CSP

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of two State Council reports (2022 target → 2023 actual), built once."""
    from luoshi.corpus.build import build

    src = tmp_path_factory.mktemp("reports")
    for name in ("national-2022.txt", "national-2023.txt"):
        shutil.copy(REPORTS / name, src / name)
    out = tmp_path_factory.mktemp("corpus") / "corpus.sqlite"
    res = build(src, out, workers=1, progress=False)
    assert res.processed == 2 and not res.failures
    return out


def _secure(r) -> None:
    assert r.headers["content-security-policy"] == CSP and r.headers["x-frame-options"] == "DENY"


def test_missing_corpus_explains_how_to_build(client, ledger, luoshi_home: Path, monkeypatch) -> None:
    monkeypatch.delenv("LUOSHI_CORPUS", raising=False)
    r = client.get("/reconcile/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    _secure(r)
    expected = str(luoshi_home / "corpus.sqlite")
    assert "尚未建立历年报告语料库" in r.text and 'href="/help/researcher"' in r.text
    assert "luoshi corpus build" not in r.text and expected not in r.text  # no command or server path for visitors
    assert '<a href="/reconcile/" aria-current="page">历年承诺</a>' in r.text
    for url in ("/reconcile/?format=json", "/reconcile/gov/国务院?format=csv", "/reconcile/compare?format=json"):
        j = client.get(url)
        assert j.status_code == 404 and j.json()["error"].startswith("尚未建立历年报告语料库"), url
        assert j.json()["detail"]["build"].startswith("luoshi corpus build 报告目录 --out"), url
        assert j.json()["detail"]["corpus"] == expected
        _secure(j)
    assert client.get("/reconcile/gov/国务院/2022").status_code == 200  # HTML: the same explanation
    assert client.get("/reconcile", follow_redirects=False).status_code in (307, 308)


def test_pages_with_a_corpus(client, ledger, corpus_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    home = client.get("/reconcile/")
    assert home.status_code == 200 and "国务院" in home.text and "/reconcile/gov/" in home.text
    _secure(home)
    data = client.get("/reconcile/?format=json").json()
    assert data["governments"] == [{"government": "国务院", "years": [2022, 2023]}]
    gov = client.get("/reconcile/gov/国务院")
    assert gov.status_code == 200 and "<svg" in gov.text and "style=" not in gov.text
    _secure(gov)
    year = client.get("/reconcile/gov/国务院/2022?format=json")
    assert year.status_code == 200 and year.json()["scorecards"]
    csv = client.get("/reconcile/compare?government=国务院&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    unknown = client.get("/reconcile/gov/火星市?format=json")
    assert unknown.status_code == 404 and unknown.json()["error"]
    assert client.get("/reconcile/?format=xml").status_code == 422
    assert "历年承诺" in client.get("/").text  # nav link on every page


@pytest.mark.parametrize("path", ["/", "/screen", "/login", "/c/{a}", "/api/commitments", "/api/commitments/{a}",
                                  "/api/openapi.json", "/static/luoshi.css", "/reconcile/"])
def test_head_answers_like_get(client, ledger, path: str) -> None:
    url = path.format(a=ledger.a)
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200, url
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-security-policy"] == CSP
    if path in ("/api/commitments/{a}", "/api/openapi.json", "/static/luoshi.css"):
        assert head.headers["content-length"] == get.headers["content-length"]


def test_head_keeps_access_rules(client, ledger) -> None:
    assert client.head("/admin", follow_redirects=False).status_code == 303
    assert client.head("/api/progress").status_code == 401
    assert client.head(f"/api/commitments/{ledger.c}").status_code == 404
    assert client.head("/api/session").status_code == 405  # POST/DELETE only


def test_cross_year_pages_know_who_is_logged_in(as_user, ledger, corpus_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    leader = as_user("leader")
    page = leader.get("/reconcile/gov/国务院")
    assert page.status_code == 200
    assert 'action="/logout"' in page.text and ">登录<" not in page.text
    assert f'value="{leader.csrf}"' in page.text  # the logout form carries the session's token
