"""Public pages kept whole between requests (``luoshi.web.shared_pages``): shared only between
visitors who are not signed in, never carrying one visitor's cookie, token or flash message to
another, stale at most ``public_max_age`` seconds, and carried over changes to other commitments."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from luoshi.web.shared_pages import Counts

from .conftest import Ledger, login
from .test_web_memo import _accept


@pytest.fixture(autouse=True)
def counts():
    Counts.clear()
    yield Counts
    Counts.clear()


def _visitor(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url="http://testserver")


def test_a_public_page_is_kept_with_the_security_headers(app, ledger: Ledger) -> None:
    first = _visitor(app).get(f"/c/{ledger.a}")
    assert first.status_code == 200 and "全年实施省市重点项目260个以上" in first.text
    assert (Counts.misses, Counts.kept, Counts.hits) == (1, 1, 0)
    again = _visitor(app).get(f"/c/{ledger.a}")
    assert Counts.hits == 1
    assert again.text == first.text
    assert again.headers["content-security-policy"].startswith("default-src 'self'")
    assert again.headers["x-frame-options"] == "DENY"
    assert again.headers["cache-control"] == "no-store"  # kept by the server, not by browsers or proxies
    head = _visitor(app).head(f"/c/{ledger.a}")
    assert head.status_code == 200 and head.content == b"" and Counts.hits == 2


def test_one_visitors_nonce_cookie_is_never_sent_to_another(app, ledger: Ledger) -> None:
    """The pre-login CSRF nonce is per browser: a kept page must not hand out the first visitor's."""
    first = _visitor(app).get("/")
    nonce = first.cookies.get("luoshi_anon")
    assert nonce, "the first visit sets the pre-login nonce"
    second = _visitor(app)
    page = second.get("/")
    assert Counts.hits == 1
    assert "set-cookie" not in page.headers and nonce not in page.text
    # the second visitor still gets a nonce of its own where a form needs it, and can sign in
    form = second.get("/login")
    assert form.cookies.get("luoshi_anon") not in (None, nonce)
    login(second, "admin")
    assert second.get("/api/me").json()["username"] == "admin"


def test_signed_in_users_neither_get_nor_leave_kept_pages(app, engine: Engine, ledger: Ledger, as_user) -> None:
    visitor = _visitor(app)
    assert "退出" not in visitor.get("/").text
    admin = as_user("admin")
    page = admin.get("/")
    assert "退出" in page.text  # the admin's own page (logout form with the session's CSRF token)
    assert Counts.hits == 0
    again = visitor.get("/").text
    assert Counts.hits == 1 and "退出" not in again and admin.csrf not in again
    # a liaison sees its unit's unpublished commitment; visitors get 404, and nothing is kept for it
    liaison = as_user("liaison2")
    assert liaison.get(f"/api/commitments/{ledger.c}").status_code == 200
    assert visitor.get(f"/api/commitments/{ledger.c}").status_code == 404
    assert visitor.get(f"/api/commitments/{ledger.c}").status_code == 404
    from luoshi.ledger.db import transaction
    from luoshi.web.accounts import issue_token

    with transaction(engine, actor="admin") as db:  # an API client with a token is signed in too
        token = issue_token(db, "liaison2")
    bearer = _visitor(app).get(f"/api/commitments/{ledger.c}", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200 and bearer.json()["id"] == ledger.c
    assert visitor.get(f"/api/commitments/{ledger.c}").status_code == 404


def test_a_flash_message_is_the_visitors_own(app, ledger: Ledger) -> None:
    from luoshi.web import signing

    plain = _visitor(app).get("/?msg=done").text
    assert "操作已完成" in plain
    own = _visitor(app)
    secret = app.state.settings.secret_key
    own.cookies.set("luoshi_flash", signing.sign(secret, "flash", {"k": "msg", "t": "已退出登录", "u": "/"}, ttl=120))
    page = own.get("/?msg=done")
    assert "已退出登录" in page.text  # the cookie's text, not the kept page's
    assert "已退出登录" not in _visitor(app).get("/?msg=done").text


def test_another_host_header_gets_its_own_entry(app, ledger: Ledger) -> None:
    _visitor(app).get("/api/dashboard", headers={"Host": "evil.example"})
    _visitor(app).get("/api/dashboard")
    assert (Counts.misses, Counts.hits) == (2, 0)
    _visitor(app).get("/api/dashboard")
    assert Counts.hits == 1


def test_a_change_shows_at_once_when_every_read_asks(app, engine: Engine, ledger: Ledger) -> None:
    """public_max_age 0 (the test app): the next anonymous read after a change sees it."""
    visitor = _visitor(app)
    assert visitor.get(f"/api/commitments/{ledger.a}").json()["percent"] is None
    assert visitor.get(f"/api/commitments/{ledger.b}").json()["light"] == "yellow"
    _accept(engine, ledger, ledger.a, 30)
    assert visitor.get(f"/api/commitments/{ledger.a}").json()["percent"] == 30.0
    hits = Counts.hits
    assert visitor.get(f"/api/commitments/{ledger.b}").json()["light"] == "yellow"
    assert Counts.hits == hits + 1 and Counts.carried == 1  # B's page carried over A's change
    assert visitor.get("/api/dashboard").json()["lights"]["green"] == 1

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.ledger.services import commitments

    with transaction(engine, actor="admin") as db:  # withdrawn from the public: gone at once
        commitments.update(db, db.get(Commitment, ledger.b), {"published": False})
    assert visitor.get(f"/api/commitments/{ledger.b}").status_code == 404
    assert visitor.get(f"/c/{ledger.b}").status_code == 404


def test_visitors_see_a_change_at_most_max_age_late(app, engine: Engine, ledger: Ledger,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from luoshi.web import shared_pages

    clock = [1000.0]
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: clock[0])
    app.state.settings.public_max_age = 2.0
    visitor = _visitor(app)
    assert visitor.get("/api/dashboard").json()["lights"]["green"] == 0
    _accept(engine, ledger, ledger.a, 30)
    clock[0] += 1.5
    assert visitor.get("/api/dashboard").json()["lights"]["green"] == 0  # kept, not yet asked again
    clock[0] += 1.0
    assert visitor.get("/api/dashboard").json()["lights"]["green"] == 1  # 2.5 s: asked, changed
    admin = login(_visitor(app), "admin")
    _accept(engine, ledger, ledger.b, 100)
    assert admin.get("/api/dashboard").json()["lights"]["green"] == 2  # a signed-in reader: at once


def test_a_flood_of_query_strings_cannot_grow_the_store(app, ledger: Ledger) -> None:
    from luoshi.web.shared_pages import KeptResponse, Responses

    store = Responses(("url", 1), limit=64 * 1024)
    body = b"x" * 1000
    for i in range(1000):
        store.put(("q", i), KeptResponse(200, (), body, None))
    assert store.size <= 64 * 1024 and len(store) == 65
    assert store.get(("q", 999)) is not None and store.get(("q", 0)) is None  # the oldest went first
    visitor = _visitor(app)
    for i in range(30):
        assert visitor.get(f"/api/commitments?q=x{i}").status_code == 200
    assert Counts.kept == 30


def test_public_max_age_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from luoshi.errors import ValidationError
    from luoshi.web.config import Settings

    monkeypatch.setenv("LUOSHI_SECRET_KEY", "k" * 32)
    assert Settings.from_env(home=tmp_path, database_url="sqlite://").public_max_age == 5.0
    monkeypatch.setenv("LUOSHI_PUBLIC_MAX_AGE", "0")
    assert Settings.from_env(home=tmp_path, database_url="sqlite://").public_max_age == 0.0
    for bad in ("abc", "-1", "nan", "1e9"):
        monkeypatch.setenv("LUOSHI_PUBLIC_MAX_AGE", bad)
        with pytest.raises(ValidationError, match="LUOSHI_PUBLIC_MAX_AGE 应为 0 到 3600 之间的秒数"):
            Settings.from_env(home=tmp_path, database_url="sqlite://")


def test_visitors_asking_for_one_page_at_once_wait_for_one_making_of_it(app, ledger: Ledger) -> None:
    """Dogpile: when a page is not kept (a new stamp), twenty visitors arriving together cause one
    run of the view, not twenty; the others are answered with what it made."""
    import asyncio

    import httpx

    async def crowd() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return list(await asyncio.gather(*(c.get("/api/dashboard") for _ in range(20))))

    answers = asyncio.run(crowd())
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    assert (Counts.misses, Counts.hits) == (1, 19)


def test_pages_that_are_not_shared_are_remembered_and_never_kept(app, ledger: Ledger) -> None:
    visitor = _visitor(app)
    first, second = visitor.get("/login"), _visitor(app).get("/login")
    assert first.status_code == second.status_code == 200
    assert Counts.kept == 0 and Counts.hits == 0
    assert first.cookies.get("luoshi_anon") != second.cookies.get("luoshi_anon")  # each its own nonce
    # a request refused before its view (422) does not make a shared path unshared
    assert visitor.get("/api/commitments?status=purple").status_code == 422
    visitor.get("/api/commitments?status=red")
    visitor.get("/api/commitments?status=red")
    assert Counts.hits == 1
