"""Crash tests: SIGKILL ``luoshi serve`` mid-import and mid-burst of submissions, restart, check.

After each kill the server is restarted on the same database and the ledger must be whole: SQLite
passes ``PRAGMA integrity_check`` (PostgreSQL: no orphan rows, no report without commitments), no
report is half-imported (a report that exists has exactly the commitments its file yields), and
every submission that got a success response before the kill is in the database.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text

from luoshi.devtools.samples import reports_dir


@dataclass
class CrashResult:
    engine: str
    scenario: str
    killed_after: float
    integrity: str
    reports_after: int
    half_imported: int
    acknowledged: int
    found: int
    restarted: bool
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and self.half_imported == 0 and self.found == self.acknowledged
                and self.restarted)

    def report(self) -> str:
        return (f"crash {self.engine:<10} {self.scenario:<12} SIGKILL after {self.killed_after:.2f}s: "
                f"restart {'ok' if self.restarted else 'FAILED'}, integrity {self.integrity}, reports "
                f"{self.reports_after}, half-imported {self.half_imported}, acknowledged submissions "
                f"{self.acknowledged}, found {self.found}" + (f" ({'; '.join(self.notes)})" if self.notes else ""))


def integrity(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            fk = list(conn.execute(text("PRAGMA foreign_key_check")))
            return "ok" if rows == ["ok"] and not fk else f"{rows[:3]} fk={fk[:3]}"
        checks = {
            "progress without commitment": "SELECT count(*) FROM progress_reports p LEFT JOIN commitments c "
                                           "ON c.id = p.commitment_id WHERE c.id IS NULL",
            "evidence without report": "SELECT count(*) FROM evidence e LEFT JOIN progress_reports p "
                                       "ON p.id = e.progress_report_id WHERE p.id IS NULL",
            "commitment without report": "SELECT count(*) FROM commitments c LEFT JOIN reports r "
                                         "ON r.id = c.report_id WHERE r.id IS NULL",
            "assignment without commitment": "SELECT count(*) FROM assignments a LEFT JOIN commitments c "
                                             "ON c.id = a.commitment_id WHERE c.id IS NULL",
        }
        bad = {k: conn.scalar(text(q)) for k, q in checks.items()}
        bad = {k: v for k, v in bad.items() if v}
        return "ok" if not bad else str(bad)


def half_imported(engine: Engine, expected: dict[int, int]) -> tuple[int, int]:
    """(reports, reports whose commitment count differs from what their file yields)."""
    from luoshi.ledger.models import Commitment, Report

    with engine.connect() as conn:
        rows = conn.execute(select(Report.id, Report.year, func.count(Commitment.id))
                            .outerjoin(Commitment, Commitment.report_id == Report.id)
                            .group_by(Report.id, Report.year)).all()
    bad = sum(1 for _rid, year, n in rows if n == 0 or (year in expected and n != expected[year]))
    return len(rows), bad


def _expected_count(path: Path) -> int:
    from luoshi.ledger.services.importing import candidates_from, extract_for_import

    extraction, _ = extract_for_import(path, government=None, year=None)
    return len(candidates_from(extraction, extraction.report.year or 0))


def _setup(engine_kind: str, work: Path) -> tuple[str, object]:
    from luoshi.devtools.seeding import seed_ledger
    from luoshi.devtools.server import start_postgres
    from luoshi.ledger.db import make_engine

    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{home / 'luoshi.db'}" if engine_kind == "sqlite" else start_postgres(work)
    engine = make_engine(url)
    old = os.environ.get("LUOSHI_HOME")
    os.environ["LUOSHI_HOME"] = str(home)
    try:
        seeded = seed_ledger(engine, extra_liaisons=3)
    finally:
        os.environ.pop("LUOSHI_HOME") if old is None else os.environ.__setitem__("LUOSHI_HOME", old)
    engine.dispose()
    return url, seeded


def crash_during_import(engine_kind: str = "sqlite", *, kill_after: float = 1.0, workdir: Path | None = None,
                        report: str = "national-2023.txt") -> CrashResult:
    from luoshi.devtools.server import Server
    from luoshi.ledger.db import make_engine

    work = Path(workdir or tempfile.mkdtemp(prefix="luoshi-crash-"))
    url, seeded = _setup(engine_kind, work)
    path = reports_dir() / report
    server = Server(work / "home", url).start()
    token = seeded.tokens["admin"]
    outcome: dict[str, object] = {}

    def upload() -> None:
        try:
            r = httpx.post(server.url + "/api/reports", headers={"Authorization": f"Bearer {token}"},
                           files={"file": (path.name, path.read_bytes())}, timeout=120)
            outcome["status"] = r.status_code
        except httpx.HTTPError as exc:
            outcome["status"] = type(exc).__name__

    t = threading.Thread(target=upload)
    t0 = time.monotonic()
    t.start()
    time.sleep(kill_after)
    server.kill()
    killed = time.monotonic() - t0
    t.join(30)
    restarted = restarts(work / "home", url)
    engine = make_engine(url)
    try:
        year_count = {2023: _expected_count(path)}
        n, bad = half_imported(engine, {**year_count})
        result = CrashResult(engine_kind, "import", killed, integrity(engine), n, bad, 0, 0, restarted,
                             [f"upload answered {outcome.get('status')}"])
    finally:
        engine.dispose()
    return result


def crash_during_submissions(engine_kind: str = "sqlite", *, kill_after: float = 2.0, clients: int = 5,
                             workdir: Path | None = None) -> CrashResult:
    from luoshi.devtools.load import assign_pairs
    from luoshi.devtools.server import Server
    from luoshi.ledger.db import make_engine
    from luoshi.ledger.models import ProgressReport

    work = Path(workdir or tempfile.mkdtemp(prefix="luoshi-crash-"))
    url, seeded = _setup(engine_kind, work)
    server = Server(work / "home", url).start()
    jobs = assign_pairs(seeded, seeded.periods)[:clients]
    acknowledged: list[int] = []
    failures: list[str] = []

    async def client(token: str, pairs: list[tuple[int, int]]) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as c:
            for cid, period in pairs:
                try:
                    r = await c.post(f"/api/commitments/{cid}/progress",
                                     json={"period_id": period, "percent": 30, "narrative": "崩溃测试"})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code < 300:
                    acknowledged.append(r.json()["id"])
                else:
                    failures.append(f"{r.status_code} {r.text[:80]}")

    async def burst() -> float:
        tasks = [asyncio.create_task(client(tok, pairs)) for tok, pairs in jobs]
        t0 = time.monotonic()
        await asyncio.sleep(kill_after)
        await asyncio.to_thread(server.kill)
        killed = time.monotonic() - t0
        await asyncio.gather(*tasks)
        return killed

    killed = asyncio.run(burst())
    restarted = restarts(work / "home", url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.scalar(select(func.count()).select_from(ProgressReport)
                                .where(ProgressReport.id.in_(acknowledged))) if acknowledged else 0
        n, bad = half_imported(engine, {})
        notes = [f"{len(failures)} refused before the kill", *failures[:2]]
        return CrashResult(engine_kind, "submissions", killed, integrity(engine), n, bad, len(acknowledged),
                           found or 0, restarted, notes)
    finally:
        engine.dispose()


def restarts(home: Path, url: str) -> bool:
    """Whether a server starts again on the database a killed one left behind."""
    from luoshi.devtools.server import Server

    server = Server(home, url)
    try:
        server.start()
    except RuntimeError:
        return False
    finally:
        server.stop()
    return True
