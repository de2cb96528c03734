"""A login, a progress report with evidence, and a download, through nginx over https in front of
two luoshi workers on PostgreSQL (see conftest.py for the stack)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import PASSWORD, Stack

pytestmark = [pytest.mark.deploy, pytest.mark.postgres, pytest.mark.slow]


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_plain_http_is_sent_to_https(stack: Stack) -> None:
    r = httpx.get(stack.http + "/my?x=1", follow_redirects=False)
    assert r.status_code == 301
    assert r.headers["location"] == stack.https + "/my?x=1"


def test_tls_and_headers_from_the_proxy_and_the_app(stack: Stack) -> None:
    with stack.client() as c:
        r = c.get("/login")
    assert r.status_code == 200 and "登录" in r.text
    assert r.http_version in ("HTTP/1.1", "HTTP/2")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert "default-src 'self'" in r.headers["content-security-policy"]  # luoshi's own headers pass through
    assert r.headers["server"] == "nginx"  # server_tokens off; uvicorn's own header is off too


def test_login_report_and_download_through_nginx(stack: Stack) -> None:
    cid, title = stack.ids["cid"], stack.ids["title"]
    with stack.client() as liaison:
        r = login(liaison, "lianluo")
        assert r.status_code == 303 and r.headers["location"].endswith("/my")
        # --proxy-headers: luoshi sees https behind nginx, so the session cookie is Secure
        cookie = r.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie, cookie
        my = liaison.get("/my")
        assert title in my.text and "还剩" in my.text

        form = liaison.get(f"/my/c/{cid}/report")
        period = re.search(r'<option value="(\d+)"[^>]*selected', form.text) or re.search(r'<option value="(\d+)"',
                                                                                              form.text)
        assert period, "no reporting period offered"
        evidence = b"%PDF-1.4\n% luoshi deploy test evidence\n" + bytes(range(256)) * 400  # ~100 KB through nginx
        r = liaison.post(f"/my/c/{cid}/report",
                         data={"csrf_token": csrf(form.text), "period": period.group(1), "percent": "27.5",
                               "narrative": "一季度完成投资27.5%，经nginx提交"},
                         files={"evidence": ("一季度台账.pdf", evidence, "application/pdf")})
        assert r.status_code == 303, r.text[:500]
        page = liaison.get(r.headers["location"])
        assert "已提交 2024Q1 进度（27.5%），等待督查室审核" in page.text

    with stack.client() as office:
        assert login(office, "duchashi").status_code == 303
        review = office.get("/admin/progress")
        assert "一季度完成投资27.5%，经nginx提交" in review.text
        m = re.search(r'href="(/evidence/\d+)"', review.text) or re.search(
            r'href="(/evidence/\d+)"', office.get(f"/admin/commitments/{cid}").text)
        assert m, "the evidence file is not linked for the office"
        download = office.get(m.group(1))
        assert download.status_code == 200
        assert download.content == evidence
        assert download.headers["content-disposition"].startswith("attachment")
        assert "filename*=utf-8''%E4%B8%80%E5%AD%A3%E5%BA%A6%E5%8F%B0%E8%B4%A6.pdf" in download.headers[
            "content-disposition"]


def test_sessions_and_login_throttle_hold_across_workers(stack: Stack) -> None:
    """Both live in the database, so it does not matter which of the two workers answers."""
    with stack.client() as office:
        assert login(office, "duchashi").status_code == 303

        def admin_page(_: int) -> str:
            return office.get("/admin").text

        with ThreadPoolExecutor(8) as pool:  # parallel requests open several upstream connections
            pages = list(pool.map(admin_page, range(40)))
        assert all("督查室工作台" in p for p in pages)
        # logging out on one worker ends the session on every worker
        kept = dict(office.cookies)
        office.post("/logout", data={"csrf_token": csrf(office.get("/admin").text)})
    with stack.client() as replay:
        replay.cookies.update(kept)
        with ThreadPoolExecutor(4) as pool:
            codes = list(pool.map(lambda _: replay.get("/admin", follow_redirects=False).status_code, range(12)))
        assert all(code in (303, 401, 403) for code in codes), codes

    started = stack.serve_log.read_text(errors="replace").count("Started server process")
    assert started == 2, f"expected 2 worker processes, the log shows {started}"

    def bad(_: int) -> int:  # each attempt on its own connection, so the workers share them out
        with stack.client() as attacker:
            return login(attacker, "lianluo", "wrong-password-123").status_code

    with ThreadPoolExecutor(5) as pool:
        assert list(pool.map(bad, range(5))) == [401] * 5
    with stack.client() as attacker:
        r = login(attacker, "lianluo", PASSWORD)  # even the right password is refused now
    assert r.status_code == 429
    assert "登录失败次数过多" in r.text
