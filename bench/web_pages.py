"""Server time of the main pages on the seed ledger with a year of (demo) progress data.

    .venv/bin/python bench/web_pages.py [--repeat 20] [--postgres URL]

Builds a fresh SQLite ledger in a temp dir (seed report imported, units confirmed, plan published,
four quarters of accepted progress), then requests each page in-process with the ASGI test client
and prints the median and worst time per page. The budget is 100 ms per page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAGES = {
    None: ["/", "/?status=red", "/?q=工业", "/c/{cid}", "/screen", "/api/commitments?limit=50",
           "/api/dashboard", "/api/commitments/{cid}"],
    "duchashi": ["/admin", "/admin/reports/{rid}", "/admin/commitments/{cid}", "/admin/progress?state=accepted",
                 "/admin/periods", "/admin/evaluations", "/api/commitments/{cid}/history"],
    "leader": ["/dashboard", "/dashboard/c/{cid}", "/api/scorecard"],
    "liaison1": ["/my", "/my/c/{mine}/report", "/my/notices"],
}
BUDGET_MS = 100.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="luoshi-bench-"))
    os.environ["LUOSHI_HOME"] = str(tmp)
    os.environ["LUOSHI_TODAY"] = "2024-12-31"
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from luoshi.ledger.db import make_engine, transaction
    from luoshi.ledger.migrate import upgrade
    from luoshi.ledger.models import Assignment, Commitment, ProgressReport, User
    from luoshi.web import accounts, demo_data
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    url = args.database_url or f"sqlite:///{tmp / 'luoshi.db'}"
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    rid, _ = demo_data.build(engine, through=dt.date(2024, 12, 31))
    with transaction(engine, actor="bench") as db:
        for u in ("duchashi", "leader", "liaison1"):
            accounts.set_password(db, u, "bench-password")
        n_reports = len(list(db.scalars(select(ProgressReport.id))))
        n_items = len(list(db.scalars(select(Commitment.id).where(Commitment.report_id == rid))))
        cid = db.scalar(select(Commitment.id).where(Commitment.published.is_(True)).order_by(Commitment.id))
        unit = db.scalar(select(User.unit_id).where(User.username == "liaison1"))
        mine = db.scalar(select(Assignment.commitment_id).where(Assignment.unit_id == unit))
    print(f"ledger: {n_items} commitments, {n_reports} progress reports ({time.perf_counter() - t0:.1f}s to build)")
    app = create_app(Settings(home=tmp, database_url=url, secret_key=b"bench" * 8), engine=engine)
    worst = 0.0
    for who, pages in PAGES.items():
        client = TestClient(app)
        if who:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            r = client.post("/login", data={"username": who, "password": "bench-password", "csrf_token": token},
                            follow_redirects=False)
            assert r.status_code == 303, r.text
        for path in pages:
            path = path.format(cid=cid, rid=rid, mine=mine)
            client.get(path)  # warm-up (template compilation, caches)
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
            med = statistics.median(times)
            worst = max(worst, med)
            flag = "" if med < BUDGET_MS else "  OVER BUDGET"
            print(f"{who or 'public':<9} {path:<38} median {med:6.1f} ms  max {max(times):6.1f} ms  "
                  f"{len(r.content) // 1024:4d} KiB{flag}")
    print(f"slowest median: {worst:.1f} ms (budget {BUDGET_MS:.0f} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
