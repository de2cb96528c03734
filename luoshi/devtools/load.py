"""A bounded load test of ``luoshi serve`` on loopback: public readers plus liaisons reporting.

``run_load`` seeds a fresh ledger (SQLite file or an embedded PostgreSQL), starts the real server
with ``--workers N`` on 127.0.0.1, then runs ``readers`` concurrent anonymous clients (public
pages and API) and ``liaisons`` concurrent clients submitting progress with an evidence upload
through the JSON API with their API tokens, until ``requests`` requests are done or ``time_limit``
seconds pass. Afterwards every submission that got a 2xx is looked up in the database. The same
server then serves a static file of the same size as the average public response to the same
number of clients: the baseline printed beside the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from luoshi.devtools.samples import make_pdf

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
TIMEOUT = 60.0  # seconds a client waits for one response


@dataclass
class Stats:
    label: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int | str] = field(default_factory=Counter)
    elapsed: float = 0.0
    bytes: int = 0

    def add(self, seconds: float, status: int | str, size: int = 0) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1
        self.bytes += size

    @property
    def n(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return sum(v for k, v in self.statuses.items() if not isinstance(k, int) or k >= 500)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] * 1000

    def row(self) -> str:
        rps = self.n / self.elapsed if self.elapsed else 0.0
        codes = " ".join(f"{k}:{v}" for k, v in sorted(self.statuses.items(), key=str))
        return (f"{self.label:<22}{self.n:>7}{rps:>9.1f}{self.pct(50):>9.1f}{self.pct(95):>9.1f}"
                f"{self.pct(99):>9.1f}{self.errors:>8}   {codes}")


HEADER = f"{'':<22}{'n':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'5xx/exc':>8}   statuses"


@dataclass
class LoadResult:
    engine: str
    readers: Stats
    writers: Stats
    baseline: Stats
    submitted: list[int]
    evidence: list[int]
    verified_submissions: int
    verified_evidence: int
    locked: int
    config: dict[str, Any]

    def report(self) -> str:
        c = self.config
        lines = [
            f"luoshi load: engine={self.engine} workers={c['workers']} readers={c['readers']} "
            f"liaisons={c['liaisons']} requests={c['requests']} time_limit={c['time_limit']}s",
            HEADER, self.readers.row(), self.writers.row(), self.baseline.row(),
            f"'database is locked' seen: {self.locked}; submissions with 2xx: {len(self.submitted)}, "
            f"found in the database: {self.verified_submissions}; evidence 2xx: {len(self.evidence)}, "
            f"found: {self.verified_evidence}",
        ]
        return "\n".join(lines)


def _reader_urls(cids: list[int]) -> list[str]:
    urls = ["/", "/api/commitments?limit=50", "/api/dashboard", "/screen", "/api/reports"]
    urls += [f"/c/{cid}" for cid in cids[:20]] + [f"/api/commitments/{cid}" for cid in cids[:20]]
    return urls


async def _readers(base: str, n: int, urls: list[str], budget: itertools.count, limit: int, stop_at: float,
                   stats: Stats, bodies: list[int]) -> None:
    async def one(i: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as c:
            for j in itertools.count(i):
                if next(budget) >= limit or time.monotonic() > stop_at:
                    return
                url = urls[j % len(urls)]
                t = time.perf_counter()
                try:
                    r = await c.get(url)
                    stats.add(time.perf_counter() - t, r.status_code, len(r.content))
                    if url == "/" and len(bodies) < 50:
                        bodies.append(len(r.content))
                except httpx.HTTPError as exc:
                    stats.add(time.perf_counter() - t, type(exc).__name__)

    await asyncio.gather(*(one(i) for i in range(n)))


async def _liaisons(base: str, jobs: list[tuple[str, list[tuple[int, int]]]], budget: itertools.count, limit: int,
                    stop_at: float, stats: Stats, submitted: list[int], evidence: list[int],
                    bodies: list[str]) -> None:
    pdf = make_pdf(["进度佐证材料"])

    async def one(token: str, pairs: list[tuple[int, int]]) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, headers=headers) as c:
            for k, (cid, period) in enumerate(pairs):
                if next(budget) >= limit or time.monotonic() > stop_at:
                    return
                t = time.perf_counter()
                try:
                    r = await c.post(f"/api/commitments/{cid}/progress",
                                     json={"period_id": period, "percent": 10 + k % 90, "narrative": "负载测试报送"})
                    stats.add(time.perf_counter() - t, r.status_code)
                except httpx.HTTPError as exc:
                    stats.add(time.perf_counter() - t, type(exc).__name__)
                    continue
                if r.status_code >= 300:
                    bodies.append(r.text[:300])
                    continue
                pid = r.json()["id"]
                submitted.append(pid)
                if next(budget) >= limit:
                    return
                t = time.perf_counter()
                try:
                    data = pdf.replace(b"%%EOF", f"%{cid}-{period}\n%%EOF".encode())
                    r = await c.post(f"/api/progress/{pid}/evidence",
                                     files={"file": (f"证明-{cid}-{period}.pdf", data, "application/pdf")})
                    stats.add(time.perf_counter() - t, r.status_code)
                    if r.status_code < 300:
                        evidence.append(r.json()["id"])
                    else:
                        bodies.append(r.text[:300])
                except httpx.HTTPError as exc:
                    stats.add(time.perf_counter() - t, type(exc).__name__)

    await asyncio.gather(*(one(tok, pairs) for tok, pairs in jobs))


async def _static(base: str, n: int, url: str, total: int, stats: Stats) -> None:
    budget = itertools.count()

    async def one() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as c:
            while next(budget) < total:
                t = time.perf_counter()
                try:
                    r = await c.get(url)
                    stats.add(time.perf_counter() - t, r.status_code, len(r.content))
                except httpx.HTTPError as exc:
                    stats.add(time.perf_counter() - t, type(exc).__name__)

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    stats.elapsed = time.perf_counter() - t0


def assign_pairs(seeded: Any, periods: list[int]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each liaison gets its own (commitment, period) pairs; liaisons of one unit split the unit's pairs."""
    by_pool: dict[tuple[int, ...], list[str]] = {}
    for name, cids in seeded.led.items():
        by_pool.setdefault(tuple(cids), []).append(name)
    jobs = []
    for cids, names in by_pool.items():
        pairs = [(cid, p) for p in periods for cid in cids]
        for j, name in enumerate(names):
            jobs.append((seeded.tokens[name], pairs[j :: len(names)]))
    return jobs


def run_load(engine_kind: str = "sqlite", *, readers: int = 20, liaisons: int = 5, requests: int = 400,
             time_limit: float = 60, workers: int = 2, workdir: Path | None = None,
             client_timeout: float = 60) -> LoadResult:
    global TIMEOUT
    TIMEOUT = client_timeout
    from sqlalchemy import func, select

    from luoshi.devtools.seeding import seed_ledger
    from luoshi.devtools.server import Server, start_postgres
    from luoshi.ledger.db import make_engine
    from luoshi.ledger.models import Evidence, ProgressReport

    work = Path(workdir or tempfile.mkdtemp(prefix="luoshi-load-"))
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{home / 'luoshi.db'}" if engine_kind == "sqlite" else start_postgres(work)
    engine = make_engine(url)
    import os

    old_home = os.environ.get("LUOSHI_HOME")
    os.environ["LUOSHI_HOME"] = str(home)
    try:
        seeded = seed_ledger(engine, extra_liaisons=max(0, liaisons - 2))
    finally:
        if old_home is None:
            os.environ.pop("LUOSHI_HOME", None)
        else:
            os.environ["LUOSHI_HOME"] = old_home
    engine.dispose()
    jobs = assign_pairs(seeded, seeded.periods)[:liaisons]
    server = Server(home, url, workers=workers).start()
    static_file = STATIC / f".bench-{server.port}.html"
    rstats, wstats, bstats = Stats("public reads"), Stats("liaison writes"), Stats("static baseline")
    submitted: list[int] = []
    evidence: list[int] = []
    bodies: list[int] = []
    write_errors: list[str] = []
    try:
        all_cids = sorted({c for cids in seeded.led.values() for c in cids})
        budget = itertools.count()
        stop_at = time.monotonic() + time_limit

        async def main() -> None:
            t0 = time.perf_counter()
            await asyncio.gather(
                _readers(server.url, readers, _reader_urls(all_cids), budget, requests, stop_at, rstats, bodies),
                _liaisons(server.url, jobs, budget, requests, stop_at, wstats, submitted, evidence, write_errors),
            )
            rstats.elapsed = wstats.elapsed = time.perf_counter() - t0

        asyncio.run(main())
        size = int(statistics.mean(bodies)) if bodies else 20_000
        static_file.write_bytes(b"<!doctype html>" + b"x" * max(0, size - 15))
        asyncio.run(_static(server.url, readers + liaisons, f"/static/{static_file.name}",
                            rstats.n + wstats.n, bstats))
    finally:
        static_file.unlink(missing_ok=True)
        server.stop()
    log = server.log()
    locked = log.count("database is locked") + sum(b.count("database is locked") for b in write_errors)
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(select(func.count()).select_from(ProgressReport)
                            .where(ProgressReport.id.in_(submitted))) if submitted else 0
        found_ev = conn.scalar(select(func.count()).select_from(Evidence)
                               .where(Evidence.id.in_(evidence))) if evidence else 0
    engine.dispose()
    return LoadResult(engine_kind, rstats, wstats, bstats, submitted, evidence, found or 0, found_ev or 0, locked,
                      {"workers": workers, "readers": readers, "liaisons": len(jobs), "requests": requests,
                       "time_limit": time_limit, "write_errors": write_errors[:5]})
