"""Real headless Chromium (Debian's /usr/bin/chromium) against the app served by uvicorn on a free
loopback port, on a fresh SQLite ledger in a temp directory. Screenshots go to
``tests/output/screenshots/``."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from luoshi.paths import seed_report

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "output" / "screenshots"
PASSWORD = "browser-test-password"
TODAY = "2024-04-03"  # 2024Q1 has ended and its reporting window is open


@dataclass
class Server:
    url: str
    engine: object
    home: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import uvicorn

    from luoshi.ledger.db import make_engine, transaction
    from luoshi.ledger.migrate import upgrade
    from luoshi.web import accounts
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    home = tmp_path_factory.mktemp("browser-home")
    saved = {k: os.environ.get(k) for k in ("LUOSHI_HOME", "LUOSHI_TODAY")}
    os.environ["LUOSHI_HOME"] = str(home)
    os.environ["LUOSHI_TODAY"] = TODAY
    engine = make_engine(f"sqlite:///{home / 'luoshi.db'}")
    upgrade(engine)
    with transaction(engine, actor="setup") as db:
        accounts.add_user(db, "duchashi", "admin", PASSWORD, display_name="市政府督查室")
        accounts.add_user(db, "lingdao", "leader", PASSWORD, display_name="市政府领导")
    app = create_app(Settings(home=home, database_url=str(engine.url), secret_key=b"browser-test" * 4),
                     engine=engine)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        if time.time() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", engine, home)
    srv.should_exit = True
    thread.join(timeout=10)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (install Debian's chromium)", pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take

SEED_PATH = seed_report()


def new_page(browser, server, **kw):
    """A page in a new browser context on the test server (zh-CN), collecting console errors in
    ``page.errors`` so a journey can assert none happened."""
    ctx = browser.new_context(base_url=server.url, locale="zh-CN", **kw)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def login(page, username: str) -> None:
    """Sign in through the login form with the tests' password."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
