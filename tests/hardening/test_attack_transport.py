"""Attacks on what a request carries: oversized bodies, memory-filling uploads, spoofed banners,
evidence in disguise.

The body attacks run against the app served by uvicorn on 127.0.0.1 (a thread of this process)
through raw sockets (``luoshi.devtools.transport``), with sizes reduced from the attack run
(300 MB bodies, 4 × 250 MB evidence parts; ``bench/transport.py`` does those against
``luoshi serve``): the point is that the refusal comes after at most the limit, so the sizes
only need to be well past it.
"""

from __future__ import annotations

import io
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import pytest

from luoshi.devtools.samples import make_pdf
from luoshi.devtools.seeding import PASSWORD
from luoshi.devtools.server import free_port
from luoshi.devtools.transport import (
    PeakRss,
    Probe,
    filled,
    multipart_files,
    multipart_head,
    send_body,
    timed_get,
)

MB = 1024 * 1024
PDF = make_pdf(["进度证明材料"])
BOUNDARY = "luoshiTestBoundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
JSON_TOO_LARGE = "请求内容过大：JSON 请求体最多 1 MB"


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="JPEG")
    return buf.getvalue()


@dataclass
class Live:
    port: int
    web: Any

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def login(self, username: str) -> dict[str, str]:
        """Headers of a cookie session of ``username``: the cookie and its CSRF token."""
        r = httpx.post(f"{self.url}/api/session", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Cookie": f"luoshi_session={r.cookies['luoshi_session']}", "X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture(scope="module")
def live(web: Any) -> Iterator[Live]:
    """The module's app served by uvicorn on 127.0.0.1 in a thread of this process."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield Live(port, web)
    server.should_exit = True
    thread.join(30)


def own_commitment(web: Any, i: int = 0) -> int:
    return web.seeded.led["liaison_a"][i]


# ------------------------------------------------------------ finding 1: anyone can stall the server


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path, accept, shown", [
    ("/no/such/page", "text/html", "html"),
    ("/api/no/such/route", "application/json", "json"),
    ("/api/session", "application/json", "json"),  # a real route, anonymous
])
def test_oversized_json_is_refused_at_once_while_others_are_served(live: Live, chunked: bool, path: str,
                                                                  accept: str, shown: str) -> None:
    size = 64 * MB  # the attack run: 150 MB took 11.5 s and blocked everyone; 64 MB is well past 1 MB
    with Probe(timed_get(live.port, "/api/units")) as probe:
        out = send_body(live.port, "POST", path, {"Content-Type": "application/json", "Accept": accept},
                        filled(b'{"username":"', size), length=None if chunked else size)
        time.sleep(0.2)
    assert out.status == 413, (out.status, out.text()[:300])
    assert out.seconds < 1.0, f"refused after {out.seconds:.2f} s"
    assert out.sent < 24 * MB, f"the server took {out.sent / MB:.1f} MB before refusing"
    assert out.headers.get("connection") == "close"
    if shown == "json":
        assert out.json() == {"error": JSON_TOO_LARGE, "detail": None}
    else:
        assert "413 · 文件太大" in out.text() and JSON_TOO_LARGE in out.text()
    assert probe.times and set(probe.statuses) == {200}
    assert probe.median < 0.5 and probe.worst < 2.0, (probe.median, probe.worst)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path, message", [
    ("/api/progress/1/evidence", "上传的文件过大：每个证明材料最多 1 MB"),
    ("/api/reports", "上传的文件过大：报告文件最多 2 MB"),
])
def test_oversized_upload_to_a_protected_route_is_refused_before_login_is_checked(
        live: Live, chunked: bool, path: str, message: str) -> None:
    size = 64 * MB
    out = send_body(live.port, "POST", path, MULTIPART,
                    filled(multipart_head(BOUNDARY, "file", "a.pdf") + PDF, size), length=None if chunked else size)
    assert out.status == 413 and out.json()["error"] == message, (out.status, out.text()[:300])
    assert out.seconds < 1.0 and out.sent < 24 * MB, (out.seconds, out.sent)


def test_a_body_within_the_limit_still_works(live: Live) -> None:
    r = httpx.post(f"{live.url}/api/session", json={"username": "liaison_a", "password": PASSWORD,
                                                    "pad": "x" * (MB - 200)})
    assert r.status_code == 200 and r.json()["user"]["username"] == "liaison_a", r.text[:300]
    r = httpx.post(f"{live.url}/api/session", json={"username": "liaison_a", "password": PASSWORD, "pad": "x" * MB})
    assert r.status_code == 413 and r.json()["error"] == JSON_TOO_LARGE


def test_nul_scan_is_linear_and_exact() -> None:
    from luoshi.web.params import json_has_nul

    assert json_has_nul(b'{"a":"x\\u0000"}') and json_has_nul(b'{"a":"\\\\\\u0000"}')
    assert not json_has_nul(b'{"a":"\\\\u0000"}')  # an escaped backslash, then the text u0000
    worst = (b"\\" * 1000 + b"u0000") * 1000 + b"\\" * 1_000_000  # an escaped backslash run before each u0000
    started = time.perf_counter()
    assert not json_has_nul(worst)
    assert json_has_nul(worst + b"\\u0000")
    assert time.perf_counter() - started < 0.5


def test_a_nul_in_a_json_body_is_still_refused(web: Any) -> None:
    r = web.anonymous().post("/api/session", content=b'{"username":"a\\u0000","password":"x"}',
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "请求参数无效：不能包含空字符（NUL）"


# ------------------------------------------------------------ finding 5: a liaison can exhaust memory


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_evidence_parts_cannot_fill_the_servers_memory(live: Live, chunked: bool) -> None:
    # the attack run: 4 × 250 MB parts raised the server's memory by ~870 MB before the check
    headers = {**MULTIPART, **live.login("liaison_a")}
    parts, part = 4, 24 * MB
    length = parts * part + 1000 if not chunked else None
    with PeakRss(interval=0.005) as rss:
        body = multipart_files(BOUNDARY, "evidence", parts, part)
        out = send_body(live.port, "POST", f"/my/c/{own_commitment(live.web)}/report", headers, body,
                        length=length)
    assert out.status == 413, (out.status, out.text()[:300])
    assert "上传的文件过大：每个证明材料最多 1 MB，一次最多 10 个、合计 10 MB" in out.text()
    assert out.seconds < 2.0
    assert rss.peak - rss.start < 12 * MB, f"memory grew by {(rss.peak - rss.start) / MB:.1f} MB"


async def _asgi_post(app: Any, path: str, headers: dict[str, str], body: Iterator[bytes]) -> tuple[int, int, bytes]:
    """POST straight into the ASGI app; returns (status, body bytes the app asked for, response body)."""
    taken = 0
    sent: list[dict] = []
    chunks = iter(body)

    async def receive() -> dict:
        nonlocal taken
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, taken, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_one_file_over_its_limit_is_refused_as_it_arrives(web: Any) -> None:
    # 3 files of 3 MB: within the form's 10 MB, but each over the 1 MB of one evidence file
    status, taken, body = anyio.run(_asgi_post, web.app, f"/my/c/{own_commitment(web)}/report",
                                    {**MULTIPART, "Accept": "text/html"}, multipart_files(BOUNDARY, "evidence", 3,
                                                                                        3 * MB))
    assert status == 413 and "每个证明材料最多 1 MB" in body.decode()
    assert taken <= 1 * MB + 256 * 1024 + 2 * 256 * 1024, f"read {taken / MB:.2f} MB before refusing"


def test_evidence_is_copied_in_chunks_not_read_whole(web: Any, tmp_path: Any) -> None:
    from luoshi.ledger.services import evidence

    data = PDF + b"%" + b"0" * (16 * MB)
    spooled = tmp_path / "upload.pdf"
    spooled.write_bytes(data)
    del data
    tracemalloc.start()
    try:
        with spooled.open("rb") as fh:
            sha, size, ctype, name = evidence.store(fh, "大文件.pdf", max_bytes=32 * MB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (size, ctype, name) == (spooled.stat().st_size, "application/pdf", "大文件.pdf")
    assert evidence.path_for(sha).stat().st_size == size
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB for a {size / MB:.0f} MB file"


def test_a_file_within_the_limit_is_stored(web: Any) -> None:
    a = web.token("liaison_a")
    r = a.post(f"/api/commitments/{own_commitment(web, 1)}/progress",
               json={"period_id": web.seeded.periods[1], "percent": 40, "narrative": "推进中"})
    assert r.status_code == 201, r.text
    r = a.post(f"/api/progress/{r.json()['id']}/evidence", files={"file": ("进度.pdf", PDF, "application/pdf")})
    assert r.status_code == 201 and r.json()["size"] == len(PDF) and r.json()["filename"] == "进度.pdf", r.text
    big = PDF + b"%" + b"0" * MB
    r = web.session("liaison_a").post(f"/my/c/{own_commitment(web, 1)}/report",
                                      data={"period": str(web.seeded.periods[1]), "percent": "50",
                                            "narrative": "再报"},
                                      files=[("evidence", ("小.pdf", PDF, "application/pdf")),
                                             ("evidence", ("大.pdf", big, "application/pdf"))])
    assert r.status_code == 413 and "每个证明材料最多 1 MB" in r.text


# ------------------------------------------------------------ finding 13: banner text spoofing


SPOOF = "您的账号已被冻结，请立即致电 400-000-0000 解冻"


def _banners(html: str) -> list[str]:
    import re

    return re.findall(r'<p class="flash (?:ok|error)" role="(?:alert|status)">(.*?)</p>', html)


def test_banner_text_comes_only_from_known_codes(web_any: Any) -> None:
    from urllib.parse import quote

    anon = web_any.anonymous()
    for query in (f"err={quote(SPOOF)}", f"msg={quote(SPOOF)}", f"err={quote('<b>x</b>')}", "err=done",
                  "msg=failed", "err=", f"msg=done&err={quote(SPOOF)}"):
        page = anon.get(f"/?{query}").text
        assert SPOOF not in page and _banners(page) in ([], ["操作已完成"]), (query, _banners(page))
    assert _banners(anon.get("/?err=no-report").text) == ["请先导入报告"]
    assert _banners(web_any.session("admin").get("/admin?err=no-file").text) == ["请选择要上传的报告文件"]


def test_a_forged_flash_cookie_shows_nothing(web_any: Any) -> None:
    from luoshi.web import signing

    anon = web_any.anonymous()
    forged = signing.sign(b"not-the-server-key", "flash", {"k": "err", "t": SPOOF, "u": "/"}, ttl=60)
    anon.client.cookies.set("luoshi_flash", forged)
    page = anon.get("/?err=failed").text
    assert SPOOF not in page and _banners(page) == ["操作未完成，请检查后重试"]
    real = signing.sign(web_any.settings.secret_key, "flash", {"k": "err", "t": SPOOF, "u": "/other"}, ttl=60)
    anon.client.cookies.set("luoshi_flash", real)
    assert SPOOF not in anon.get("/?err=failed").text  # signed by the server, but for another page


def test_a_form_error_reaches_its_page_once(web_any: Any) -> None:
    liaison = web_any.session("liaison_a")
    cid = own_commitment(web_any, 2)
    r = liaison.post(f"/my/c/{cid}/report", data={"period": str(web_any.seeded.periods[1]), "percent": "150",
                                                  "narrative": "超过百分之百"})
    # the progress form is shown again at once, with what was typed and the service's own message
    assert r.status_code == 422 and "超过百分之百" in r.text
    shown = _banners(r.text)
    assert len(shown) == 1 and "0" in shown[0] and "100" in shown[0], shown
    assert "luoshi_flash" not in r.headers.get("set-cookie", "")  # nothing left to show later
    assert _banners(liaison.get(f"/my/c/{cid}/report").text) == []  # shown once


# ------------------------------------------------------------ finding 16 (evidence): misleading names


def _draft(web: Any, i: int) -> tuple[Any, int]:
    a = web.token("liaison_a")
    r = a.post(f"/api/commitments/{own_commitment(web, i)}/progress",
               json={"period_id": web.seeded.periods[1], "percent": 30, "narrative": "材料测试"})
    assert r.status_code == 201, r.text
    return a, r.json()["id"]


def test_evidence_whose_name_disguises_its_content_is_refused(web_any: Any) -> None:
    a, pid = _draft(web_any, 3)
    cases = {
        "poly.html": (jpeg(), "poly.html: 文件内容是 JPG，与扩展名 .html 不符；请确认文件无误，并把文件名改为以 .jpg 结尾后重新上传"),
        "截图.png": (PDF, "截图.png: 文件内容是 PDF，与扩展名 .png 不符；请确认文件无误，并把文件名改为以 .pdf 结尾后重新上传"),
        "说明.txt": (b"<html><script>alert(1)</script></html>",
                   "说明.txt: 只接受 PDF、图片（JPG、PNG、GIF、WEBP）、Office 文档（DOCX、XLSX、PPTX、DOC、XLS、PPT）、OFD、TXT 文件（按文件内容判断）"),
    }
    for name, (data, message) in cases.items():
        r = a.post(f"/api/progress/{pid}/evidence", files={"file": (name, data, "image/jpeg")})
        assert r.status_code == 422 and r.json()["error"] == message, (name, r.status_code, r.text)
    history = web_any.token("admin").get(f"/api/commitments/{own_commitment(web_any, 3)}/progress").json()
    assert [p["evidence"] for p in history if p["id"] == pid] == [[]]


def test_evidence_is_named_and_served_by_its_content(web_any: Any) -> None:
    a, pid = _draft(web_any, 4)
    admin = web_any.token("admin")
    for name, data, stored, ctype in (("扫描件", PDF, "扫描件.pdf", "application/pdf"),
                                      ("现场.JPEG", jpeg(), "现场.JPEG", "image/jpeg"),
                                      ("说明.txt", "一季度完成投资 3.2 亿元\n".encode("gb18030"), "说明.txt",
                                       "text/plain; charset=gb18030")):
        r = a.post(f"/api/progress/{pid}/evidence", files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 201 and r.json()["filename"] == stored, (name, r.text)
        served = admin.get(f"/evidence/{r.json()['id']}")
        assert served.status_code == 200 and served.content == data
        assert served.headers["content-type"] == ctype
        assert served.headers["content-disposition"].startswith("attachment")
        assert served.headers["x-content-type-options"] == "nosniff"
        csp = [d.strip() for d in served.headers["content-security-policy"].split(";")]
        assert "sandbox" in csp and "default-src 'self'" in csp
