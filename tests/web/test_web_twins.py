"""Walks the app's route table: every page has its ``?format=json`` twin showing the same records,
errors come as a page to browsers and as JSON to API clients on every route, and a commitment has
one shape whether it is read or written."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from luoshi.web.demo_data import REPORTS

pytestmark = pytest.mark.postgres

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API_CLIENT = {"Accept": "application/json"}
MISSING_ID = 987654


def _routes(routes: list) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (kept lazily by recent FastAPI)."""
    out = []
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            out += _routes(list(original.routes))
        elif isinstance(route, APIRoute):
            out.append(route)
    return out


def _pages(app) -> list[str]:
    """The path of every GET route that answers an HTML page."""
    return sorted({r.path for r in _routes(list(app.routes)) if "GET" in r.methods and r.response_class is HTMLResponse})


def _gets(app) -> list[str]:
    return sorted({r.path for r in _routes(list(app.routes)) if "GET" in r.methods})


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of two State Council reports (2022 target → 2023 actual), built once."""
    from luoshi.corpus.build import build

    src = tmp_path_factory.mktemp("reports")
    for name in ("national-2022.txt", "national-2023.txt"):
        shutil.copy(REPORTS / name, src / name)
    out = tmp_path_factory.mktemp("corpus") / "corpus.sqlite"
    build(src, out, workers=1, progress=False)
    return out


@pytest.fixture
def activity(ledger, as_user) -> dict[str, Any]:
    """Progress reports (one submitted, one accepted), notices of 2024Q1, a comment: every page has rows."""
    l1, admin = as_user("liaison1"), as_user("admin")
    r = l1.post(f"/api/commitments/{ledger.a}/progress", json={"period_id": ledger.q1, "percent": 20, "narrative": "开工"},
                headers={"X-CSRF-Token": l1.csrf})
    assert r.status_code == 201, r.text
    admin.post(f"/api/progress/{r.json()['id']}/review", json={"decision": "accept"}, headers={"X-CSRF-Token": admin.csrf})
    r2 = l1.post(f"/api/commitments/{ledger.a}/progress", json={"period_id": ledger.q2, "percent": 30, "narrative": "推进"},
                 headers={"X-CSRF-Token": l1.csrf})
    assert r2.status_code == 201, r2.text
    notices = admin.post(f"/api/periods/{ledger.q1}/notices", headers={"X-CSRF-Token": admin.csrf}).json()
    assert notices, "2024Q1 should leave commitment B unreported"
    c = admin.post(f"/api/commitments/{ledger.a}/comments", json={"body": "请加快进度"}, headers={"X-CSRF-Token": admin.csrf})
    assert c.status_code == 201
    return {"notices": [n["id"] for n in notices]}


def _anchors(html: str, prefix: str) -> list[int]:
    """Ids of the elements ``id="<prefix><n>"``: one per record a list shows."""
    return [int(n) for n in re.findall(rf'\sid="{prefix}(\d+)"', html)]


def _links(html: str, pattern: str) -> set[int]:
    return {int(n) for n in re.findall(pattern, html)}


def _ids(items: list[dict[str, Any]], key: str = "id") -> list[int]:
    return [i[key] for i in items]


# path → (account, query, check(html, twin, ledger)); the check compares what the page shows with its twin.
Check = Callable[[str, dict, Any], None]


def _home(html: str, j: dict, ledger) -> None:
    assert f"共 {j['page']['total']} 项" in html and j["page"]["total"] == 2
    assert _anchors(html, "c") == _ids(j["page"]["items"]) == [ledger.a, ledger.b]
    assert f'<span class="num">{j["summary"]["total"]}</span>项公开任务' in html


def _screen(html: str, j: dict, ledger) -> None:
    assert f"共 {j['page']['total']} 项" in html
    assert all(i["title"] in html for i in j["page"]["items"]) and len(j["page"]["items"]) == 2


def _commitment(html: str, j: dict, ledger) -> None:
    assert j["c"]["id"] == ledger.a and j["c"]["title"] in html
    assert [p["period"] for p in j["c"]["progress"]] and all(p["period"] in html for p in j["c"]["progress"])


def _dashboard(html: str, j: dict, ledger) -> None:
    assert f'<span class="num">{j["summary"]["total"]}</span>项在督任务' in html and j["summary"]["total"] == 3
    assert f"滞后任务（{j['summary']['lagging_total']} 项）" in html
    assert all(u["unit"] in html for u in j["ranking"]) and j["ranking"]


def _drilldown(html: str, j: dict, ledger) -> None:
    _commitment(html, j, ledger)
    assert _anchors(html, "comment-") == _ids(j["comments"]) and len(j["comments"]) == 1
    assert "请加快进度" in html and j["comments"][0]["body"] == "请加快进度"


def _my(html: str, j: dict, ledger) -> None:
    assert _anchors(html, "c") == _ids(j["items"]) == [ledger.a]
    assert j["period"]["label"] in html


def _report_form(html: str, j: dict, ledger) -> None:
    assert j["c"]["id"] == ledger.a and j["c"]["title"] in html
    options = [int(n) for n in re.findall(r'<option value="(\d+)"', html)]
    assert options == _ids(j["periods"]) and ledger.q2 in options
    assert j["current"]["narrative"] in html and j["default"]["id"] == ledger.q2


def _my_notices(html: str, j: dict, ledger) -> None:
    assert _anchors(html, "n") == _ids(j["page"]["items"])
    assert f"共 {j['page']['total']} 份" in html


def _admin(html: str, j: dict, ledger) -> None:
    assert _links(html, r'href="/admin/reports/(\d+)"') == set(_ids(j["reports"])) == {ledger.report}
    assert j["pending"] == 1 and j["open_notices"] >= 1
    assert f'待审核进度</h2><p class="stat"><span class="num">{j["pending"]}</span>份' in html
    assert f'未办结督办单</h2><p class="stat"><span class="num">{j["open_notices"]}</span>份' in html


def _review(html: str, j: dict, ledger) -> None:
    assert _anchors(html, "c") == _ids(j["items"]) == [ledger.a, ledger.b, ledger.c]
    assert f"共 {j['counts']['total']} 项" in html and f"已公开 {j['counts']['published']}" in html


def _edit(html: str, j: dict, ledger) -> None:
    assert f"任务 {j['c']['id']}：{j['c']['title']}" in html
    assert _anchors(html, "comment-") == _ids(j["comments"])


def _periods(html: str, j: dict, ledger) -> None:
    shown = [int(n) for n in re.findall(r'name="period" value="(\d+)"', html)]
    assert set(shown) == set(_ids(j["periods"])) and len(j["periods"]) == 4
    assert all(p["label"] in html for p in j["periods"])


def _notices_preview(html: str, j: dict, ledger) -> None:
    plan = j["plan"]
    assert plan["period"] == "2024Q1" and plan["total"] == len(plan["items"]) and plan["already"] >= 1
    assert f'<strong id="preview-total">{plan["total"]}</strong>' in html
    assert all(item["title"] in html for item in plan["items"])


def _units(html: str, j: dict, ledger) -> None:
    ids = {r["id"] for r in j["rows"]}
    assert ids >= {ledger.unit1, ledger.unit2} and j["active_count"] == sum(r["active"] for r in j["rows"])
    assert _links(html, r'href="/admin/units/(\d+)"') == ids


def _unit(html: str, j: dict, ledger) -> None:
    assert j["unit"]["id"] == ledger.unit1 and j["unit"]["name"] in html
    assert all(p["username"] in html for p in j["people"])


def _password(html: str, j: dict, ledger) -> None:
    assert j["forced"] is False and j["error"] is None and j["policy"] in html


def _inbox(html: str, j: dict, ledger) -> None:
    assert j["unread_here"] == sum(m["read_at"] is None for m in j["messages"])
    assert all(f'id="m{m["id"]}"' in html for m in j["messages"])


def _admin_notices(html: str, j: dict, ledger) -> None:
    shown = [int(n) for n in re.findall(r'<tr id="n(\d+)"', html)]
    assert shown == _ids(j["page"]["items"]) and shown
    assert f"共 {j['page']['total']} 份" in html


def _drill_list(html: str, j: dict, ledger) -> None:
    assert f"<h1>{j['heading']}（{j['page']['total']} 项）</h1>" in html
    assert _anchors(html, "c") == _ids(j["page"]["items"])
    assert all(f'href="/dashboard/c/{i}"' in html for i in _ids(j["page"]["items"]))


def _progress(html: str, j: dict, ledger) -> None:
    assert f"共 {j['page']['total']} 份" in html and j["page"]["total"] == 1
    assert _anchors(html, "p") == _ids(j["page"]["items"])


def _evaluations(html: str, j: dict, ledger) -> None:
    assert _anchors(html, "c") == _ids(j["page"]["items"]) == [ledger.a, ledger.b, ledger.c]


def _downloads(html: str, j: dict, ledger) -> None:
    assert j["office"] is True and j["report"]["id"] == ledger.report
    shown = [int(n) for n in re.findall(r'<option value="(\d+)">[^<]+</option>', html.split('id="template-unit"')[1]
                                        .split("</select>")[0])]
    assert shown == _ids(j["units"]) == [ledger.unit1, ledger.unit2]
    assert html.count("督查通报（Word）") == len(j["periods"]) == 4
    assert all(f'period={p["id"]}"' in html for p in j["periods"])


def _office_history(html: str, j: dict, ledger) -> None:
    assert f"共 {j['page']['total']} 条" in html and j["page"]["total"] > 0
    assert _anchors(html, "h") == _ids(j["page"]["items"])
    assert all(e["who"] in html and e["when"] in html for e in j["page"]["items"])


def _login(html: str, j: dict, ledger) -> None:
    assert j == {"next": "/my", "username": "", "error": None, "expired": False}
    assert 'name="next" value="/my"' in html


def _help(html: str, j: dict, ledger) -> None:
    assert [slug for slug, _ in j["pages"]][:2] == ["index", "duchashi"]
    assert f"<h1>{j['page']['title']}</h1>" in html or j["page"]["title"] in html
    assert j["page"]["html"][:200] in html


def _corpus_index(html: str, j: dict, ledger) -> None:
    assert j["governments"] == [{"government": "国务院", "years": [2022, 2023]}]
    assert all(f">{y}<" in html for y in j["governments"][0]["years"])


def _corpus_government(html: str, j: dict, ledger) -> None:
    years = [c["year"] for c in j["scorecards"]]
    assert years == [2022, 2023] and all(f">{y}年<" in html for y in years)
    card = j["scorecards"][0]
    assert (f'<td data-label="目标数" class="num-col">{card["total"]}</td>'
            f'<td data-label="兑现" class="num-col">{card["kept"]}</td>') in html


def _corpus_year(html: str, j: dict, ledger) -> None:
    card = j["scorecards"][0]
    assert f"共 {card['total']} 项：兑现 {card['kept']}，未兑现 {card['missed']}" in html
    assert html.count('<tr class="status-') == len(j["outcomes"]) > 0


def _corpus_ambition(html: str, j: dict, ledger) -> None:
    rows = html.count('<tr><td data-label="指标">')
    assert rows == len(j["ambition"]) or (not j["ambition"] and "没有低于上年实绩的目标" in html)


def _corpus_compare(html: str, j: dict, ledger) -> None:
    assert j["mode"] == "year" and j["table"]["title"] in html
    assert html.count('<th scope="row">') == len(j["table"]["rows"]) > 0


PAGES: dict[str, tuple[str | None, dict[str, Any], Check]] = {
    "/": (None, {}, _home),
    "/screen": (None, {}, _screen),
    "/c/{cid}": ("liaison1", {}, _commitment),
    "/dashboard": ("leader", {}, _dashboard),
    "/dashboard/c/{cid}": ("leader", {}, _drilldown),
    "/dashboard/list": ("leader", {"lagging": 1}, _drill_list),
    "/my": ("liaison1", {}, _my),
    "/my/c/{cid}/report": ("liaison1", {}, _report_form),
    "/my/notices": ("liaison2", {}, _my_notices),
    "/admin": ("admin", {}, _admin),
    "/admin/reports/{rid}": ("admin", {}, _review),
    "/admin/commitments/{cid}": ("admin", {}, _edit),
    "/admin/periods": ("admin", {}, _periods),
    "/admin/notices": ("admin", {}, _admin_notices),
    "/admin/notices/preview": ("admin", lambda ledger: {"period": ledger.q1}, _notices_preview),
    "/inbox": ("liaison1", {}, _inbox),
    "/admin/units": ("admin", {}, _units),
    "/admin/units/{uid}": ("admin", {}, _unit),
    "/account/password": ("liaison1", {}, _password),
    "/admin/progress": ("admin", {}, _progress),
    "/admin/evaluations": ("admin", {}, _evaluations),
    "/downloads": ("admin", {}, _downloads),
    "/admin/history": ("admin", {}, _office_history),
    "/login": (None, {"next": "/my"}, _login),
    "/reconcile/": (None, {}, _corpus_index),
    "/reconcile/gov/{government}": (None, {}, _corpus_government),
    "/reconcile/gov/{government}/{year}": (None, {}, _corpus_year),
    "/reconcile/gov/{government}/{year}/ambition": (None, {}, _corpus_ambition),
    "/reconcile/compare": (None, {"year": 2023}, _corpus_compare),
    "/help": (None, {}, _help),
    "/help/{slug}": (None, {}, _help),
}


def _url(path: str, ledger, *, missing: bool = False) -> str:
    values = {"cid": ledger.a, "rid": ledger.report, "government": "国务院", "year": 2022,
              "pid": ledger.q1, "eid": MISSING_ID, "nid": MISSING_ID, "report_id": ledger.report,
              "slug": "liaison", "name": "duchashi-01-admin.png", "uid": ledger.unit1}
    if missing:
        values.update(cid=MISSING_ID, rid=MISSING_ID, pid=MISSING_ID, report_id=MISSING_ID, government="火星市",
                      slug="nosuchpage", name="nosuch.png", uid=MISSING_ID)
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def _missing_says(path: str) -> str:
    """What a 404 names for a missing record: the government asked for, the manual's page or picture."""
    if "{government}" in path:
        return "没有火星市的报告"
    if path.startswith("/help/images/"):
        return "没有这张插图：nosuch.png"
    if path.startswith("/help/"):
        return "使用手册中没有“nosuchpage”这一页"
    return "不存在"


def test_every_page_has_its_json_twin(app, ledger, activity, as_user, client, corpus_file, monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    pages = _pages(app)
    assert sorted(PAGES) == pages, "a new page needs its twin checked here"
    clients: dict[str | None, TestClient] = {None: client}
    for path, (who, query, check) in PAGES.items():
        c = clients.get(who) or clients.setdefault(who, as_user(who))  # type: ignore[arg-type]
        url = _url(path, ledger)
        query = query(ledger) if callable(query) else query
        page = c.get(url, params=query)
        twin = c.get(url, params={**query, "format": "json"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), (path, page.text[:300])
        assert twin.status_code == 200 and twin.headers["content-type"] == "application/json", (path, twin.text[:300])
        check(page.text, twin.json(), ledger)


def test_a_twin_asks_for_a_format_the_page_offers(client, ledger) -> None:
    r = client.get("/", params={"format": "xml"})
    assert r.status_code == 422 and r.json()["error"] == "format 只能是 html、json，收到 'xml'"
    r = client.get("/screen", params={"format": "csv"}, headers=BROWSER)  # only the cross-year pages offer CSV
    assert r.status_code == 422 and "format 只能是 html、json" in r.json()["error"]


def _assert_page(r, status: int, message: str, url: str) -> None:
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), (url, r.headers["content-type"])
    assert message in r.text and "<h1>" in r.text, (url, r.text[:300])


def _assert_json(r, status: int, message: str, url: str) -> None:
    assert r.status_code == status, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/json", (url, r.headers["content-type"])
    assert message in r.json()["error"], (url, r.json())


def test_404_is_a_page_for_browsers_and_json_for_api_clients_on_every_route(
        app, ledger, as_user, corpus_file, monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    admin = as_user("admin")
    checked = []
    for path in _gets(app):
        if "{" not in path:
            continue
        url = _url(path, ledger, missing=True)
        browser, api = admin.get(url, headers=BROWSER), admin.get(url, headers=API_CLIENT)
        if path.startswith("/api/"):  # the prefix decides: JSON even for a browser
            _assert_json(browser, 404, "不存在", url)
        else:
            _assert_page(browser, 404, _missing_says(path), url)
        _assert_json(api, 404, _missing_says(path), url)
        twin = admin.get(url, params={"format": "json"}, headers=BROWSER)
        assert twin.status_code == 404 and twin.json()["error"], url
        checked.append(path)
    assert {"/c/{cid}", "/admin/commitments/{cid}", "/api/commitments/{cid}", "/evidence/{eid}",
            "/reconcile/gov/{government}"} <= set(checked)
    for url in ("/no-such-page", "/api/no-such-thing"):
        r = admin.get(url, headers=BROWSER)
        (_assert_json if url.startswith("/api") else _assert_page)(r, 404, "页面不存在", url)
        _assert_json(admin.get(url, headers=API_CLIENT), 404, "页面不存在", url)


def test_403_is_a_page_for_browsers_and_json_for_api_clients_on_every_route(app, ledger, as_user) -> None:
    """A liaison walks every GET route; wherever it is refused, both forms say so."""
    liaison = as_user("liaison2")
    refused = []
    for path in _gets(app):
        url = _url(path, ledger)
        api = liaison.get(url, headers=API_CLIENT)
        if api.status_code != 403:
            continue
        _assert_json(api, 403, "", url)
        browser = liaison.get(url, headers=BROWSER)
        if path.startswith("/api/"):
            _assert_json(browser, 403, api.json()["error"], url)
        else:
            _assert_page(browser, 403, api.json()["error"], url)
            assert "没有权限" in browser.text
        refused.append(path)
    assert {"/dashboard", "/admin", "/admin/reports/{rid}", "/api/scorecard", "/my/c/{cid}/report",
            "/api/commitments/{cid}/history"} <= set(refused), refused


def test_a_commitment_has_one_shape_for_reads_and_writes(ledger, as_user) -> None:
    admin = as_user("admin")
    h = {"X-CSRF-Token": admin.csrf}
    before = admin.get(f"/api/commitments/{ledger.a}").json()
    patched = admin.patch(f"/api/commitments/{ledger.a}", json={"title": "全年实施重点项目260个以上",
                                                               "version": before["version"]}, headers=h)
    assert patched.status_code == 200, patched.text
    read = admin.get(f"/api/commitments/{ledger.a}").json()
    assert patched.json() == read
    assert read["title"] == "全年实施重点项目260个以上" and read["version"] == before["version"] + 1
    assert set(read) == set(before)
    assigned = admin.put(f"/api/commitments/{ledger.b}/assignments", json={"lead": "市发展和改革委员会"}, headers=h)
    assert assigned.json() == admin.get(f"/api/commitments/{ledger.b}").json()
    assert assigned.json()["lead"] == "市发展和改革委员会"
    listed = admin.get("/api/commitments").json()["items"]
    assert set(listed[0]) <= set(read)  # a list row is the record minus its long fields
