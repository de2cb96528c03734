"""Attacks on the web app: CSRF, session fixation, login brute force, hostile uploads, XSS, headers.

Each test plays the attacker against a fresh copy of the seeded ledger (``web`` fixture) through the
real app and checks the defence from the outside: status codes, headers, rendered HTML, files on
disk. Search/filter injection runs on SQLite and PostgreSQL (``web_any``), since LIKE and NUL
handling differ between the two.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from luoshi.devtools.routes import route_table
from luoshi.devtools.samples import make_pdf, seed_text
from luoshi.devtools.seeding import PASSWORD

PDF = make_pdf(["进度证明材料"])
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
SQL_META = ["' OR 1=1 --", "%", "_", "\\", "%%", "'", '"', "\\%", "a%b", "' UNION SELECT password_hash FROM users --",
            "生产总值'; DROP TABLE commitments; --"]


def progress_body(web: Any, narrative: str = "按计划推进") -> dict[str, Any]:
    return {"period_id": web.seeded.periods[1], "percent": 50, "narrative": narrative}


_handed_out: dict[int, int] = {}


def own_commitment(web: Any) -> int:
    """A commitment of unit A no other test in this module has reported on yet."""
    i = _handed_out[id(web)] = _handed_out.get(id(web), -1) + 1
    return web.seeded.led["liaison_a"][i]


# --------------------------------------------------------------------------------------- CSRF


def test_csrf_missing_forged_or_foreign_token_is_refused(web: Any) -> None:
    a = web.session("liaison_a")
    b = web.session("liaison_b")
    cid = own_commitment(web)
    url = f"/api/commitments/{cid}/progress"
    body = progress_body(web)
    assert a.client.post(url, json=body).status_code == 403  # no token
    assert a.client.post(url, json=body, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert a.client.post(url, json=body, headers={"X-CSRF-Token": b.csrf}).status_code == 403  # B's token
    assert a.client.post(url, json=body, headers={"X-CSRF-Token": a.csrf[:-2] + "AA"}).status_code == 403
    # the HTML form: no token field, then a forged one
    form = f"/my/c/{cid}/report"
    data = {"period": str(web.seeded.periods[1]), "percent": "30", "narrative": "x"}
    assert a.client.post(form, data=data).status_code == 403
    assert a.client.post(form, data={**data, "csrf_token": "forged"}).status_code == 403
    # and the genuine token works (so the refusals above are about the token)
    assert a.post(url, json=body).status_code == 201


def test_login_form_needs_its_csrf_token(web: Any) -> None:
    anon = web.anonymous()
    r = anon.client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    assert "luoshi_session" not in r.cookies


# ---------------------------------------------------------------------------- sessions, login


def test_session_id_changes_at_login(web: Any) -> None:
    """A cookie planted before login (session fixation) is neither kept nor honoured."""
    c = web.client()
    c.cookies.set("luoshi_session", "attacker-chosen-value")
    r = c.post("/api/session", json={"username": "liaison_a", "password": PASSWORD})
    assert r.status_code in (200, 401)
    if r.status_code == 401:  # the planted cookie was rejected first: log in without it
        c.cookies.clear()
        r = c.post("/api/session", json={"username": "liaison_a", "password": PASSWORD})
    first = r.cookies.get("luoshi_session")
    assert first and first != "attacker-chosen-value"
    me = c.get("/api/me").json()
    assert me["username"] == "liaison_a"
    # logging in again from the same browser (a write made with the session: it carries the token)
    r2 = c.post("/api/session", json={"username": "liaison_a", "password": PASSWORD},
                headers={"X-CSRF-Token": r.json()["csrf_token"]})
    assert r2.status_code == 200, r2.text
    second = r2.cookies.get("luoshi_session")
    assert second and second != first, "a new login must issue a new session id"
    assert r2.json()["csrf_token"] != r.json()["csrf_token"], "the CSRF token is bound to the session"
    # a forged cookie is never accepted as a session
    forged = web.client()
    forged.cookies.set("luoshi_session", first[:-4] + "AAAA")
    assert forged.get("/api/me").status_code == 401


def test_session_cookie_flags(web: Any) -> None:
    r = web.client().post("/api/session", json={"username": "leader", "password": PASSWORD})
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("luoshi_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def test_login_brute_force_is_rate_limited(web: Any) -> None:
    c = web.client()
    codes = [c.post("/api/session", json={"username": "leader", "password": f"wrong-{i}"}).status_code
             for i in range(web.settings.login_max_failures)]
    assert codes == [401] * web.settings.login_max_failures
    r = c.post("/api/session", json={"username": "leader", "password": "wrong-again"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # while locked out even the right password is refused: guessing gains nothing
    assert c.post("/api/session", json={"username": "leader", "password": PASSWORD}).status_code == 429
    # the HTML login form shares the throttle
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/login", data={"username": "leader", "password": "wrong", "csrf_token": token})
    assert r.status_code == 429


# -------------------------------------------------------------------------------- uploads


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bomb(kind: str) -> bytes:
    """A few hundred KB that inflate to ~400 MB, shaped like a .docx or .xlsx."""
    member = "word/document.xml" if kind == "docx" else "xl/sharedStrings.xml"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        for i in range(4):
            with zf.open(f"{member[:-4]}{i or ''}.xml" if i else member, "w", force_zip64=True) as fh:
                chunk = b"\0" * (1 << 20)
                for _ in range(100):
                    fh.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {"docx": zip_bomb("docx"), "xlsx": zip_bomb("xlsx")}


def test_report_upload_over_the_limit_is_refused(web: Any) -> None:
    admin = web.token("admin")
    big = ("各位代表：" + "生产总值增长5%左右。" * 200_000).encode()[: web.settings.max_upload_bytes + 1]
    for url, field in (("/api/reports", "file"),):
        r = admin.post(url, files={field: ("big.txt", big)})
        assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:200])
    r = web.session("admin").post("/admin/reports", files={"file": ("big.txt", big)})
    assert r.status_code < 500 and "msg=" not in r.headers.get("location", "")


def test_evidence_over_the_limit_is_refused(web: Any) -> None:
    a = web.token("liaison_a")
    r = a.post(f"/api/commitments/{own_commitment(web)}/progress", json=progress_body(web))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    big = b"%PDF-1.4\n" + b"0" * web.settings.max_evidence_bytes + b"\n%%EOF"
    r = a.post(f"/api/progress/{pid}/evidence", files={"file": ("big.pdf", big, "application/pdf")})
    assert 400 <= r.status_code < 500, r.status_code


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_report_upload_is_refused(web: Any, bombs: dict[str, bytes], kind: str) -> None:
    r = web.token("admin").post("/api/reports", files={"file": (f"report.{kind}", bombs[kind])})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_evidence_is_stored_inertly_or_refused(web: Any, bombs: dict[str, bytes], kind: str) -> None:
    a = web.token("liaison_a")
    pid = a.post(f"/api/commitments/{own_commitment(web)}/progress", json=progress_body(web)).json()["id"]
    r = a.post(f"/api/progress/{pid}/evidence", files={"file": (f"bomb.{kind}", bombs[kind])})
    assert r.status_code < 500
    if r.status_code == 201:
        served = web.token("admin").get(f"/evidence/{r.json()['id']}")
        assert served.status_code == 200 and served.content == bombs[kind]  # bytes kept, never unpacked
        assert served.headers["content-disposition"].startswith("attachment")


EVIL_NAMES = ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "a\x00b.pdf", "x\r\nSet-Cookie: a=b.pdf",
              "....//....//etc/passwd.pdf", "%2e%2e%2fetc%2fpasswd.pdf", "~/.ssh/id_rsa", "CON.pdf", "." * 300 + ".pdf"]


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_evidence_file_names_never_escape_the_store(web: Any, tmp_path: Path) -> None:
    root = web.home.parent
    before = _tree(root)
    a = web.token("liaison_a")
    pid = a.post(f"/api/commitments/{own_commitment(web)}/progress", json=progress_body(web)).json()["id"]
    stored = []
    for i, name in enumerate(EVIL_NAMES):
        data = PDF.replace(b"%%EOF", f"% {i}\n%%EOF".encode())  # distinct contents
        r = a.post(f"/api/progress/{pid}/evidence", files={"file": (name, data, "application/pdf")})
        assert r.status_code < 500, (name, r.status_code, r.text[:200])
        if r.status_code == 201:
            stored.append(r.json()["id"])
    new = _tree(root) - before
    evidence_root = web.home / "evidence"
    outside = [p for p in new if evidence_root not in p.parents and p != evidence_root]
    assert outside == [], f"files written outside the evidence store: {outside}"
    admin = web.token("admin")
    for eid in stored:
        r = admin.get(f"/evidence/{eid}")
        assert r.status_code == 200
        cd = r.headers["content-disposition"]
        assert cd.startswith("attachment") and "\r" not in cd and "\n" not in cd
        assert "set-cookie" not in {k.lower() for k, _ in r.headers.multi_items()} or all(
            not v.startswith("a=b") for k, v in r.headers.multi_items() if k.lower() == "set-cookie")


def test_report_upload_file_names_never_escape(web: Any) -> None:
    root = web.home.parent
    before = _tree(root)
    admin = web.token("admin")
    for name in EVIL_NAMES:
        r = admin.post("/api/reports", files={"file": (name, "各位代表：生产总值增长5%。".encode())})
        assert r.status_code < 500, (name, r.status_code, r.text[:200])
    new = _tree(root) - before
    assert all(web.home in p.parents for p in new), sorted(new)


def polyglots() -> dict[str, tuple[bytes, bool]]:
    """name → (bytes, may be accepted as evidence)."""
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    return {
        "pdf+zip.pdf": (PDF + _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}), True),
        "html-in.png": (PNG_HEADER + html, True),
        "page.html": (html, False),
        "image.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', False),
        "fake.png": (html, False),
        "script.js": (b"alert(1)", False),
    }


def test_polyglots_are_refused_or_served_inertly(web: Any) -> None:
    a = web.token("liaison_a")
    admin = web.token("admin")
    pid = a.post(f"/api/commitments/{own_commitment(web)}/progress", json=progress_body(web)).json()["id"]
    for name, (data, may_accept) in polyglots().items():
        r = a.post(f"/api/progress/{pid}/evidence", files={"file": (name, data, "text/html")})
        assert r.status_code < 500, name
        if not may_accept:
            assert 400 <= r.status_code < 500, f"{name} accepted as evidence"
            continue
        if r.status_code != 201:
            continue
        served = admin.get(f"/evidence/{r.json()['id']}")
        assert served.headers["content-disposition"].startswith("attachment"), name
        assert served.headers["x-content-type-options"] == "nosniff", name
        assert not served.headers["content-type"].startswith(("text/html", "image/svg")), name


# ------------------------------------------------------------------------------------- XSS


@pytest.fixture(scope="module")
def xss_report(web: Any) -> dict[str, Any]:
    """The seed report re-imported with XSS payloads inside two task sentences and a narrative."""
    text = seed_text()
    first = "规上工业企业达到1400家"
    second = "力争新增上市企业2家"
    assert first in text and second in text
    text = text.replace(first, first + XSS[0], 1).replace(second, second + XSS[1], 1)
    admin = web.token("admin")
    r = admin.post("/api/reports", files={"file": ("zaozhuang-2024-修订.txt", text.encode())})
    assert r.status_code == 201, r.text[:300]
    rid = r.json()["report"]["id"]
    admin.post(f"/api/reports/{rid}/confirm")
    admin.post(f"/api/reports/{rid}/publish")
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment

    db = session_factory(web.engine)()
    try:
        hit = [c.id for c in db.scalars(select(Commitment).where(Commitment.report_id == rid))
               if any(x in (c.text or "") or x in (c.title or "") for x in XSS)]
    finally:
        db.close()
    assert hit, "the payloads made it into commitments"
    # a narrative with the payloads, from the liaison, accepted by the office
    a = web.token("liaison_a")
    led = own_commitment(web)
    r = a.post(f"/api/commitments/{led}/progress", json=progress_body(web, "进展顺利" + "".join(XSS)))
    assert r.status_code == 201, r.text
    admin.post(f"/api/progress/{r.json()['id']}/review", json={"decision": "accept"})
    return {"rid": rid, "commitments": hit, "narrated": led}


def _pages(web: Any, x: dict[str, Any]) -> list[str]:
    pages = ["/", "/screen", "/dashboard", "/admin", f"/admin/reports/{x['rid']}", "/admin/progress?state=accepted",
             "/admin/progress", "/admin/notices", "/admin/evaluations", "/my", "/my/notices",
             f"/?q={quote(XSS[0])}", f"/?q={quote(XSS[1])}", f"/?area={quote(XSS[1])}"]
    for cid in [*x["commitments"], x["narrated"]]:
        pages += [f"/c/{cid}", f"/dashboard/c/{cid}", f"/admin/commitments/{cid}"]
    return pages


@pytest.mark.parametrize("who", ["anonymous", "admin", "liaison_a"])
def test_xss_payloads_are_rendered_escaped(web: Any, xss_report: dict[str, Any], who: str) -> None:
    caller = web.anonymous() if who == "anonymous" else web.session(who)
    seen_escaped = 0
    for url in _pages(web, xss_report):
        r = caller.get(url)
        assert r.status_code < 500, (url, r.status_code)
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        for payload in XSS:
            assert payload not in r.text, f"{who} {url}: payload rendered unescaped"
        assert "onerror=alert" not in r.text.replace("onerror=alert(1)&gt;", ""), url
        seen_escaped += r.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") + r.text.count("&lt;img src=x")
    assert seen_escaped > 0, f"{who}: the payloads were never shown at all, so escaping was not tested"


# ------------------------------------------------------------------------ headers and CSP


def _get_routes(web: Any, x: dict[str, Any] | None = None) -> list[str]:
    cid = web.seeded.led["liaison_a"][0]
    values = {"cid": cid, "report_id": web.seeded.report_id, "rid": web.seeded.report_id, "eid": 1, "pid": 1,
              "nid": 1}
    urls = []
    for method, path in route_table(web.app):
        if method != "GET":
            continue
        urls.append(re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values.get(m.group(1), 1)), path))
    return [*urls, "/static/luoshi.css", "/static/luoshi.js", "/no-such-page", "/api/no-such", "/static/nope.css"]


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_security_headers_on_every_response(web: Any, who: str) -> None:
    caller = web.anonymous() if who == "anonymous" else web.session(who)
    responses = [(u, caller.get(u)) for u in _get_routes(web)]
    responses.append(("POST /api/session bad", web.client().post("/api/session", json={"username": 1})))
    responses.append(("DELETE /", caller.request("DELETE", "/")))
    for url, r in responses:
        assert r.status_code < 500, (url, r.status_code, r.text[:200])
        h = r.headers
        assert h.get("x-content-type-options") == "nosniff", url
        assert h.get("x-frame-options") == "DENY", url
        assert h.get("referrer-policy"), url
        csp = h.get("content-security-policy", "")
        assert csp, url
        directives = dict(([*d.strip().split(" ", 1), ""])[:2] for d in csp.split(";") if d.strip())
        script = directives.get("script-src", directives.get("default-src", ""))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script, (url, csp)
        assert "frame-ancestors" in directives and "object-src" in directives, (url, csp)


def test_html_pages_have_no_inline_script(web: Any) -> None:
    caller = web.session("admin")
    for url in _get_routes(web):
        r = caller.get(url)
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        for tag in re.findall(r"<script\b[^>]*>", r.text, flags=re.I):
            assert "src=" in tag, f"{url}: inline script {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", r.text, flags=re.I), f"{url}: inline event handler"
        assert "javascript:" not in r.text.lower(), url


# ---------------------------------------------------------------- SQL metacharacters


def _visible_ids(caller: Any, **params: Any) -> list[int]:
    r = caller.get("/api/commitments", params={"limit": 500, **params})
    assert r.status_code == 200, r.text[:200]
    return sorted(i["id"] for i in r.json()["items"])


def test_search_is_literal(web_any: Any) -> None:
    """q=% or q=_ must find what contains a literal % or _, not everything (LIKE wildcards escaped)."""
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment

    anon = web_any.anonymous()
    visible = set(_visible_ids(anon))
    db = session_factory(web_any.engine)()
    try:
        rows = {c.id: (c.title or "", c.text or "", c.indicator or "")
                for c in db.scalars(select(Commitment).where(Commitment.id.in_(visible)))}
    finally:
        db.close()
    failures = []
    for q in SQL_META:
        got = _visible_ids(anon, q=q)
        expected = sorted(cid for cid, fields in rows.items() if any(q.strip().lower() in f.lower() for f in fields))
        if got != expected:
            failures.append(f"q={q!r}: {len(got)} results, a literal search finds {len(expected)}")
    assert failures == [], failures


def _string_params(web: Any) -> list[tuple[str, str]]:
    """(path, query parameter) for every GET operation's string parameter in the OpenAPI document."""
    doc = web.anonymous().get("/api/openapi.json").json()
    out = []
    for path, ops in doc["paths"].items():
        op = ops.get("get")
        if not op or "{" in path:
            continue
        for p in op.get("parameters", []):
            schema = p.get("schema", {})
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if p.get("in") == "query" and "string" in types:
                out.append((path, p["name"]))
    return out


def test_metacharacters_in_every_filter_never_break_the_server(web_any: Any) -> None:
    admin = web_any.token("admin")
    params = [*_string_params(web_any), ("/", "q"), ("/", "area"), ("/", "unit"), ("/", "status"), ("/", "kind"), ("/screen", "area"), ("/dashboard", "area"), ("/admin/progress", "state")]
    assert ("/api/commitments", "q") in params
    failures = []
    for path, name in params:
        for value in [*SQL_META, "\x00", "生产总值\x00"]:
            r = admin.get(path, params={name: value})
            if r.status_code >= 500:
                failures.append(f"{path}?{name}={value!r}: {r.status_code}")
    assert failures == [], failures


def test_metacharacters_in_login_and_ids(web_any: Any) -> None:
    c = web_any.client()
    for value in [*SQL_META, "admin' --", "admin\x00"]:
        r = c.post("/api/session", json={"username": value, "password": value})
        assert r.status_code in (401, 422, 429), (value, r.status_code)
    for path in ["/api/commitments/1%20OR%201=1", "/c/1'", "/api/reports/-1", "/api/commitments/99999999999999999999"]:
        assert c.get(path).status_code in (404, 422), path
