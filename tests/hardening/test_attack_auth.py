"""Attacks on sign-in and credentials, on SQLite and PostgreSQL: each test is the attack as it was run.

- A cookie saved before logging out (or before a password change or disabling) is replayed:
  refused, on reads and on writes.
- 60 wrong passwords for one account are sent at once: the password is checked at most as often as
  the throttle allows, however the requests interleave.
- Malformed and out-of-range API tokens: refused like any wrong token (401), never a 500.
- Weak passwords through the CLI and the account service: refused, naming the rule.
- An API token after a password change, after disabling, and after its expiry: refused.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from luoshi.devtools.seeding import PASSWORD
from luoshi.errors import ValidationError
from luoshi.ledger.db import make_engine, transaction
from luoshi.ledger.models import ProgressReport, User, UserSession
from luoshi.web import accounts

ROOT = Path(__file__).resolve().parents[2]


def _login(web: Any, username: str, password: str = PASSWORD) -> tuple[Any, str, str]:
    """A fresh browser signed in as ``username``: (client, cookie value, CSRF token)."""
    c = web.client()
    r = c.post("/api/session", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return c, r.cookies["luoshi_session"], r.json()["csrf_token"]


def _replay(web: Any, cookie: str) -> Any:
    """Another client that only has the saved cookie (as an attacker who copied it would)."""
    c = web.client()
    c.cookies.set("luoshi_session", cookie)
    return c


def _progress_count(web: Any, cid: int) -> int:
    with web.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(ProgressReport).where(ProgressReport.commitment_id == cid))


def _progress(web: Any) -> dict[str, Any]:
    return {"period_id": web.seeded.periods[1], "percent": 40, "narrative": "按计划推进"}


# ------------------------------------------------------------------------ finding 2: logout


@pytest.mark.parametrize("how", ["DELETE /api/session", "POST /logout"])
def test_cookie_kept_from_before_logout_is_refused(web_any: Any, how: str) -> None:
    web = web_any
    cid = web.seeded.led["liaison_a"][0]
    browser, cookie, csrf = _login(web, "liaison_a")
    _other, other_cookie, _ = _login(web, "liaison_a")  # the same person on a second computer
    assert _replay(web, cookie).get("/api/me").json()["username"] == "liaison_a"
    if how == "DELETE /api/session":
        r = browser.delete("/api/session", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json() == {"ok": True}
    else:
        r = browser.post("/logout", data={"csrf_token": csrf})
        assert r.status_code == 303 and r.headers["location"] == "/"
    before = _progress_count(web, cid)
    thief = _replay(web, cookie)
    me = thief.get("/api/me")
    assert me.status_code == 401 and me.json()["error"] == "登录已失效，请重新登录"
    write = thief.post(f"/api/commitments/{cid}/progress", json=_progress(web), headers={"X-CSRF-Token": csrf})
    assert write.status_code == 401 and write.json()["error"] == "登录已失效，请重新登录"
    assert _progress_count(web, cid) == before
    page = thief.get("/my")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    # logging out in one browser leaves the other signed in
    assert _replay(web, other_cookie).get("/api/me").json()["username"] == "liaison_a"


@pytest.mark.parametrize("change", ["password", "disable"])
def test_cookie_kept_from_before_a_password_change_or_disable_is_refused(web_any: Any, change: str) -> None:
    web = web_any
    name = f"victim_{change}"
    with transaction(web.engine, actor="test") as db:
        accounts.add_user(db, name, "leader", PASSWORD)
    _browser, cookie, _csrf = _login(web, name)
    assert _replay(web, cookie).get("/api/me").json()["username"] == name
    with transaction(web.engine, actor="test") as db:
        if change == "password":
            accounts.set_password(db, name, "Ein-neues-Passwort-42")
        else:
            accounts.disable(db, name)
    r = _replay(web, cookie).get("/api/me")
    assert r.status_code == 401 and r.json()["error"] == "登录已失效，请重新登录"
    with web.engine.connect() as conn:  # ended on the server, not only by the changed fingerprint
        uid = conn.scalar(select(User.id).where(User.username == name))
        assert conn.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == uid)) == 0


# ------------------------------------------------------------------ finding 3: login race


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(web_any: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    web = web_any
    from luoshi.web.views import session

    checks = Counter()
    lock = threading.Lock()
    real_verify = session.verify_password

    def counting_verify(stored: str | None, password: str) -> bool:
        with lock:
            checks["n"] += 1
        return real_verify(stored, password)

    monkeypatch.setattr(session, "verify_password", counting_verify)
    limit = web.settings.login_max_failures
    codes: list[int] = []
    start = threading.Barrier(60)

    def attempt(i: int) -> None:
        c = web.client()
        start.wait()
        r = c.post("/api/session", json={"username": "admin", "password": f"guess-{i:02d}-wrong"})
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(Counter(codes).items()) == [(401, limit), (429, 60 - limit)]
    assert checks["n"] == limit, f"{checks['n']} passwords checked, the limit is {limit}"
    # the right password now waits too: the guesses above bought nothing
    r = web.client().post("/api/session", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429 and "登录失败次数过多" in r.json()["error"] and int(r.headers["Retry-After"]) > 0
    assert checks["n"] == limit


# ------------------------------------------------------------------ finding 11: bad tokens


BAD_TOKENS = [
    "lst_99999999999999999999999_x",  # beyond any integer column (was 500 on SQLite)
    "lst_3000000000_x",  # beyond PostgreSQL's integer (was 500 there)
    "lst_2147483648_x",
    "lst_-1_x",
    "lst_0_x",
    "lst__x",
    "lst_1",
    "lst_1_",
    "lst_１_x",  # a full-width digit, which int() would take as 1
    "lst_1_x y",
    "lst_" + "9" * 5000 + "_x",
]


def test_malformed_api_tokens_are_refused_not_500(web_any: Any) -> None:
    c = web_any.client()
    for token in BAD_TOKENS:
        r = c.get("/api/me", headers={"Authorization": f"Bearer {token}".encode()})
        assert r.status_code == 401 and r.json()["error"] == "无效的 API 令牌", (token[:40], r.status_code, r.text)
        r = c.get("/my", headers={"Authorization": f"Bearer {token}".encode()})  # a page: off to the login form
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), (token[:40], r.status_code)
    for header in ["Basic YWRtaW46eA==", "Bearer", "Bearer ", "lst_1_x"]:
        r = c.get("/api/me", headers={"Authorization": header})
        assert r.status_code == 401 and r.json()["error"] == "无效的 API 令牌", header


# -------------------------------------------------------------- finding 12: password policy


def _cli(web: Any, args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"LUOSHI_HOME": str(web.home), "PATH": "/usr/bin:/bin", "LUOSHI_SECRET_KEY": "cli-test-secret",
           "LUOSHI_DATABASE_URL": web.engine.url.render_as_string(hide_password=False), "PYTHONPATH": str(ROOT)}
    code = "import sys; from luoshi.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
                          env={**env, "HOME": os.environ.get("HOME", "/tmp")}, timeout=120)


WEAK = {
    "aaaaaaaaaa": "至少需要 5 个不同的字符",
    "1234567890": "不能只由一类字符组成",
    "abcdefghijkl": "不能只由一类字符组成",
    "ZHANGSANFENG": "不能只由一类字符组成",
    "1qaz2wsx": "至少需要 10 个字符",
    "1qaz2wsx3edc": "过于常见",
    "woaini1314": "过于常见",
    "a123456789": "过于常见",
    "Password123": "过于常见",
    "5201314520": "不能只由一类字符组成",
    "WoAiNi5201314": "过于常见",
}


def test_weak_passwords_are_refused_naming_the_rule(web_any: Any) -> None:
    web = web_any
    for password, rule in WEAK.items():
        for change in ("add", "passwd"):
            with pytest.raises(ValidationError) as err, transaction(web.engine, actor="test") as db:
                if change == "add":
                    accounts.add_user(db, "weakling", "leader", password)
                else:
                    accounts.set_password(db, "leader", password)
            assert rule in err.value.message, (password, err.value.message)
    # the command line, as an operator types it
    add = _cli(web, ["user", "add", "weakling", "--role", "leader", "--password-stdin"], "woaini1314\n")
    assert add.returncode == 2 and "密码过于常见" in add.stderr and "Traceback" not in add.stderr
    passwd = _cli(web, ["user", "passwd", "leader", "--password-stdin"], "1234567890\n")
    assert passwd.returncode == 2 and "不能只由一类字符组成" in passwd.stderr and "Traceback" not in passwd.stderr
    # nothing was created or changed: the old password still signs in, the weak one does not
    with web.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User).where(User.username == "weakling")) == 0
    assert web.client().post("/api/session", json={"username": "leader", "password": PASSWORD}).status_code == 200
    with transaction(web.engine, actor="test") as db:  # and a password that keeps the rules is taken
        assert accounts.add_user(db, "strongling", "leader", "Lang-genug-und-gut7").username == "strongling"


# --------------------------------------------------------------- finding 12: token lifetime


def _token_for(web: Any, username: str, days: int | None = None) -> tuple[str, dt.datetime]:
    args = ["user", "token", username] + (["--days", str(days)] if days is not None else [])
    r = _cli(web, args)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert token.startswith("lst_") and "有效期至" in r.stderr
    with web.engine.connect() as conn:
        expires = conn.scalar(select(User.api_token_expires_at).where(User.username == username))
    return token, expires


def _me(web: Any, token: str) -> Any:
    return web.client().get("/api/me", headers={"Authorization": f"Bearer {token}"})


def test_token_ends_with_a_password_change_or_disable(web_any: Any) -> None:
    web = web_any
    for change in ("password", "disable"):
        name = f"tokened_{change}"
        with transaction(web.engine, actor="test") as db:
            accounts.add_user(db, name, "leader", PASSWORD)
            token = accounts.issue_token(db, name)
        assert _me(web, token).json()["username"] == name
        with transaction(web.engine, actor="test") as db:
            if change == "password":
                accounts.set_password(db, name, "Ein-neues-Passwort-42")
            else:
                accounts.disable(db, name)
        r = _me(web, token)
        assert r.status_code == 401 and r.json()["error"] == "无效的 API 令牌", change


def test_token_expires(web_any: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    web = web_any
    from luoshi.web import auth

    issued = dt.datetime.now(dt.UTC)
    with transaction(web.engine, actor="test") as db:  # the default lifetime
        token = accounts.issue_token(db, "liaison_b")
        expires = accounts.get_user(db, "liaison_b").api_token_expires_at
    assert dt.timedelta(days=89, hours=23) < expires - issued <= dt.timedelta(days=90, minutes=5)
    cid = web.seeded.led["liaison_b"][0]
    url = f"/api/commitments/{cid}/progress"
    monkeypatch.setattr(auth, "utcnow", lambda: issued + dt.timedelta(days=89))
    assert _me(web, token).json()["username"] == "liaison_b"
    monkeypatch.setattr(auth, "utcnow", lambda: issued + dt.timedelta(days=90, minutes=10))
    r = _me(web, token)
    assert r.status_code == 401 and r.json()["error"] == "API 令牌已过期，请重新生成（luoshi user token）"
    before = _progress_count(web, cid)
    r = web.client().post(url, json=_progress(web), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and _progress_count(web, cid) == before
    monkeypatch.undo()
    # a shorter lifetime chosen at creation (the command line); it replaces the previous token
    short, expires = _token_for(web, "liaison_b", days=1)
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=1)
    assert _me(web, short).json()["username"] == "liaison_b" and _me(web, token).status_code == 401
    # nonsense lifetimes are refused
    r = _cli(web, ["user", "token", "liaison_b", "--days", "0"])
    assert r.returncode == 2 and "令牌有效期应为 1–3650 天，而不是 0 天" in r.stderr and "lst_" not in r.stdout
    for days in (-3, 99999):
        with pytest.raises(ValidationError, match="令牌有效期应为 1–3650 天"), \
                transaction(web.engine, actor="test") as db:
            accounts.issue_token(db, "liaison_b", days)
    assert _me(web, short).json()["username"] == "liaison_b"


# ------------------------------------------------------------------ migration 0005


def _new_pg_database(pg_url: str) -> str:
    """The SQLAlchemy URL of a new, empty database on the test server."""
    import psycopg

    name = f"luoshi_m_{uuid.uuid4().hex[:10]}"
    base, _, query = pg_url.partition("?")
    admin = base.replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin + (f"?{query}" if query else ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_upgrade_from_0004_gives_old_tokens_an_expiry(kind: str, request: pytest.FixtureRequest,
                                                      tmp_path: Path) -> None:
    from luoshi.ledger.migrate import current_revision, downgrade, head_revision, upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = _new_pg_database(request.getfixturevalue("pg_url"))
    engine: Engine = make_engine(url)
    try:
        upgrade(engine, "0004")
        with engine.begin() as conn:  # an account with a token from before expiry existed
            conn.exec_driver_sql("INSERT INTO users (username, display_name, password_hash, role, active, "
                                 "api_token_hash, created_at, version) VALUES ('old', 'old', 'x', 'admin', "
                                 "true, 'abc', '2026-01-01 00:00:00', 1)")
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            expires = conn.scalar(select(User.api_token_expires_at).where(User.username == "old"))
            # an account from before one-time passwords chose its own password: no change is forced
            assert conn.scalar(select(User.must_change_password).where(User.username == "old")) is False
            assert conn.scalar(select(func.count()).select_from(UserSession)) == 0
        assert dt.timedelta(days=89) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=90)
        downgrade(engine, "0004")
        assert current_revision(engine) == "0004"
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
