"""Time and size of every web download, and of previewing an unchanged plan, on the seed ledger.

    .venv/bin/python bench/downloads.py

Builds a fresh SQLite ledger in a temp dir (the seed report imported, assigned and published),
logs in as the office and fetches each document in-process with the ASGI test client, printing
status, size and time; then uploads the plan just downloaded and checks that the preview says
「无变化」.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

PASSWORD = "bench-password-1"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="luoshi-bench-"))
    os.environ["LUOSHI_HOME"] = str(home)
    os.environ.setdefault("LUOSHI_TODAY", "2024-05-15")
    from fastapi.testclient import TestClient

    from luoshi.devtools.seeding import seed_ledger
    from luoshi.ledger.db import make_engine, transaction
    from luoshi.web import accounts
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    engine = make_engine(f"sqlite:///{home / 'luoshi.db'}")
    seeded = seed_ledger(engine)
    with transaction(engine, actor="bench") as db:
        accounts.add_user(db, "bench_office", "admin", PASSWORD)
    app = create_app(Settings(home=home, database_url=str(engine.url), secret_key=os.urandom(32)), engine=engine)
    client = TestClient(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"username": "bench_office", "password": PASSWORD, "csrf_token": token.group(1)})
    for url in ("/downloads/plan.xlsx", "/downloads/plan.docx", f"/downloads/template.xlsx?unit={seeded.unit_a}",
                "/downloads/bulletin.docx", "/downloads/extraction.xlsx"):
        start = time.perf_counter()
        r = client.get(url)
        print(f"{url:45s} {r.status_code} {len(r.content) / 1024:6.0f} KB {time.perf_counter() - start:6.2f} s")
    plan = client.get("/downloads/plan.xlsx").content
    csrf = client.get("/api/me").json()["csrf_token"]
    start = time.perf_counter()
    r = client.post("/downloads/upload", data={"csrf_token": csrf}, files={"file": ("plan.xlsx", plan)})
    said = "无变化" if "无变化" in r.text else "changes?"
    print(f"{'preview of the unchanged plan':45s} {r.status_code} {said:>9s} {time.perf_counter() - start:6.2f} s")


if __name__ == "__main__":
    main()
