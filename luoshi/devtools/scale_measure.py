"""Page and API times over a generated province (``luoshi.devtools.scale``), each beside a baseline.

The app runs in-process (Starlette TestClient, no network). Every page is requested once to warm
up, then ``repeat`` times; the median is compared with the same app serving a static file of the
same byte size (written into the app's static directory for the run, removed afterwards) the same
number of times. A last, separate request per page runs with a query recorder on the engine: how
many SQL statements it issued, their execution time and the slowest ones; ``profile_blocks`` runs
the functions the slow pages are built from under cProfile — where the time goes when a page is
slow. Recorder and profiler are off while timing, so they do not inflate the figures.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from luoshi.devtools.scale import LEADER, Generated

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
# (who, path): "leader" logs in with a session cookie; "public" is anonymous
PAGES: list[tuple[str, str]] = [
    ("leader", "/dashboard"),
    ("public", "/"),
    ("public", "/?q=污水处理厂"),
    ("public", "/?status=red"),
    ("public", "/c/{cid}"),
    ("public", "/api/commitments?limit=50"),
    ("public", "/api/dashboard"),
]
SLOW_MS = 1000.0  # pages slower than this are also profiled block by block
GOAL_MS = 200.0  # every page's p95 should stay under this at province scale


@dataclass
class QueryLog:
    count: int = 0
    seconds: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (seconds until executed, statement)

    def add(self, seconds: float, statement: str) -> None:
        self.count += 1
        self.seconds += seconds
        self.slowest.append((seconds, " ".join(statement.split())[:220]))
        self.slowest.sort(key=lambda t: -t[0])
        del self.slowest[3:]


@contextmanager
def recording(engine: Engine) -> Iterator[QueryLog]:
    """Record every statement ``engine`` runs inside the block (count, time, rows, slowest three)."""
    log = QueryLog()

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("luoshi_t", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        # execution only: fetching and converting the rows happens after this hook (Python time)
        log.add(time.perf_counter() - conn.info["luoshi_t"].pop(), statement)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


@dataclass
class PageTime:
    who: str
    path: str
    status: int
    size: int
    median_ms: float
    p95_ms: float
    max_ms: float
    static_ms: float
    static_p95_ms: float
    queries: QueryLog
    profiled_ms: float
    changed_ms: list[float] = field(default_factory=list)  # first requests after one report accepted
    cold_ms: list[float] = field(default_factory=list)  # first requests with nothing kept (a change of everything)

    @property
    def changed_median_ms(self) -> float:
        return statistics.median(self.changed_ms) if self.changed_ms else float("nan")

    @property
    def cold_median_ms(self) -> float:
        return statistics.median(self.cold_ms) if self.cold_ms else float("nan")

    @property
    def ratio(self) -> float:
        return self.median_ms / self.static_ms if self.static_ms else float("nan")


def p95(times: list[float]) -> float:
    """The 95th percentile (inclusive interpolation: with few samples it lies between the two slowest)."""
    if len(times) < 2:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def hot_functions(prof: cProfile.Profile, n: int = 8) -> list[tuple[str, int, float, float]]:
    """The project's functions with the most cumulative time in one profiled request."""
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows, others = [], []
    for (filename, line, func), (_cc, calls, own, cum, _callers) in stats.items():
        if "/luoshi/" in filename and "/devtools/" not in filename:
            short = filename.split("/luoshi/", 1)[1]
            rows.append((f"{short}:{line} {func}", calls, own * 1000, cum * 1000))
        else:  # library code (SQLAlchemy row processing, the driver, Jinja2): by own time
            others.append((f"[lib] {filename.rsplit('/', 2)[-2:][-1]}:{line} {func}", calls, own * 1000, cum * 1000))
    return sorted(rows, key=lambda r: -r[3])[:n] + sorted(others, key=lambda r: -r[2])[:3]


def profile_blocks(engine: Engine, gen: Generated) -> list[tuple[str, float, list[tuple[str, int, float, float]]]]:
    """cProfile the building blocks of the slow pages, called directly (the test client runs views
    in other threads, out of the profiler's sight): (block, ms, hottest project functions)."""
    from luoshi.ledger.db import session_factory
    from luoshi.web import queries as qs
    from luoshi.web import summary as sm
    from luoshi.web.auth import ANONYMOUS
    from luoshi.web.memo import MEMO

    out = []
    db = session_factory(engine)()
    try:
        report = qs.current_report(db, user=ANONYMOUS)
        assert report is not None
        blocks: list[tuple[str, Any]] = [
            ("queries.list_commitments (public, 30 rows)",
             lambda: qs.list_commitments(db, ANONYMOUS, qs.Filters(published=True, limit=30), on=gen.today)),
            ("summary.summary (public)", lambda: sm.summary(db, ANONYMOUS, report, on=gen.today)),
            ("summary.trend", lambda: sm.trend(db, report, on=gen.today)),
            ("summary.ranking (evaluation.scorecard)", lambda: sm.ranking(db, report, on=gen.today)),
        ]
        for name, call in blocks:
            db.info.pop("luoshi_status_cache", None)  # as in a fresh request after a change
            MEMO.clear()
            prof = cProfile.Profile()
            t = time.perf_counter()
            prof.runcall(call)
            out.append((name, (time.perf_counter() - t) * 1000, hot_functions(prof)))
    finally:
        db.close()
    return out


def _timed(client: Any, path: str, repeat: int) -> tuple[list[float], Any]:
    times, r = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
    return times, r


def accept_one(engine: Engine, gen: Generated) -> None:
    """Accept one submitted report of the report the pages show, through the ledger (audit trail, change
    feed, kept trend): the change a page sees most often in a reporting week."""
    from sqlalchemy import select

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, ProgressReport
    from luoshi.ledger.services import progress
    from luoshi.web import queries as qs
    from luoshi.web.auth import ANONYMOUS

    with transaction(engine, actor="bench") as db:
        shown = qs.current_report(db, user=ANONYMOUS)
        pr = db.scalar(select(ProgressReport).join(Commitment)
                       .where(ProgressReport.state == "submitted",
                              Commitment.report_id == (shown.id if shown else gen.report_ids[0]))
                       .order_by(ProgressReport.period_id.desc(), ProgressReport.id).limit(1))
        if pr is None:
            raise RuntimeError("no submitted report left to accept")
        progress.accept(db, pr)


def measure_pages(engine: Engine, gen: Generated, home: Path, *, repeat: int = 5,
                  pages: list[tuple[str, str]] | None = None, changes: int = 3) -> list[PageTime]:
    """Time each page ``repeat`` times (after a warm-up request), then ``changes`` times as the
    first request after a change of the ledger (the figures kept between requests dropped first),
    then once more with the query recorder on (also as after a change)."""
    from fastapi.testclient import TestClient

    from luoshi.devtools.seeding import PASSWORD
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings
    from luoshi.web.memo import MEMO
    from luoshi.web.shared_pages import forget as forget_pages

    saved = {k: os.environ.get(k) for k in ("LUOSHI_TODAY", "LUOSHI_HOME")}
    os.environ["LUOSHI_TODAY"] = gen.today.isoformat()
    os.environ["LUOSHI_HOME"] = str(home)
    url = engine.url.render_as_string(hide_password=False)
    # public_max_age 0: the first public request after a change asks for the stamp, as it does
    # in a served process once its last reading is older than LUOSHI_PUBLIC_MAX_AGE
    app = create_app(Settings(home=home, database_url=url, secret_key=uuid.uuid4().hex.encode(), public_max_age=0.0),
                     engine=engine)
    public = TestClient(app, base_url="http://testserver")
    leader = TestClient(app, base_url="http://testserver")
    out: list[PageTime] = []
    try:
        r = leader.post("/api/session", json={"username": LEADER, "password": PASSWORD})
        if r.status_code != 200:
            raise RuntimeError(f"leader login failed: {r.status_code} {r.text[:200]}")
        for who, template in pages or PAGES:
            client = leader if who == "leader" else public
            path = template.format(cid=gen.sample_commitment)
            first = client.get(path)  # warm-up: templates, caches
            times, r = _timed(client, path, repeat)
            size = len(r.content)
            name = f".scale-{uuid.uuid4().hex[:10]}.html"
            static = STATIC / name
            try:
                static.write_bytes(b"<!doctype html>" + b"x" * max(0, size - 15))
                public.get(f"/static/{name}")
                static_times, _ = _timed(public, f"/static/{name}", max(repeat, 20))
            finally:
                static.unlink(missing_ok=True)
            changed, cold = [], []
            for _ in range(changes):  # the first request after one report accepted through the ledger
                accept_one(engine, gen)
                t = time.perf_counter()
                client.get(path)
                changed.append((time.perf_counter() - t) * 1000)
            for _ in range(changes):  # as after a change of everything: nothing kept from earlier requests
                MEMO.clear()
                forget_pages()
                t = time.perf_counter()
                client.get(path)
                cold.append((time.perf_counter() - t) * 1000)
            MEMO.clear()
            forget_pages()
            with recording(engine) as log:
                t = time.perf_counter()
                client.get(path)
                profiled = (time.perf_counter() - t) * 1000
            out.append(PageTime(who, path, first.status_code if r is None else r.status_code, size,
                                statistics.median(times), p95(times), max(times), statistics.median(static_times),
                                p95(static_times), log, profiled, changed, cold))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out


def blocks_table(blocks: list[tuple[str, float, list[tuple[str, int, float, float]]]]) -> str:
    lines = ["   profile of the blocks the slow pages are built from (cProfile; cumulative ms, own ms, calls):"]
    for name, ms, hot in blocks:
        lines.append(f"   {name}: {ms:.0f} ms")
        lines.extend(f"      {cum:8.0f} {own:8.0f} {calls:>9}  {fn}" for fn, calls, own, cum in hot)
    return "\n".join(lines)


def table(engine_kind: str, gen: Generated, size_bytes: int, pages: list[PageTime]) -> str:
    """The figures as text: size, generation time, then one line per page with the baseline."""
    c = gen.counts
    lines = [
        f"== {engine_kind}  scale {gen.scale.label()} (cities × commitments × months)",
        f"   rows: {c.get('governments', 0)} governments, {c.get('units', 0)} units, "
        f"{c.get('commitments', 0):,} commitments, {c.get('assignments', 0):,} assignments, "
        f"{c.get('periods', 0):,} periods, {c.get('progress_reports', 0):,} progress reports",
        f"   database size {size_bytes / 2**20:,.1f} MiB; generation {gen.seconds:,.1f} s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in gen.phases.items()) + ")",
        f"   {'who':<7}{'page':<30}{'status':>6}{'KiB':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"
        f"{'static ms':>11}{'ratio':>8}{'changed ms':>12}{'cold ms':>9}{'queries':>9}{'sql ms':>9}",
    ]
    for p in pages:
        flag = "  SLOW" if p.p95_ms > SLOW_MS else ("  over 200 ms" if p.p95_ms > GOAL_MS else "")
        lines.append(f"   {p.who:<7}{p.path:<30}{p.status:>6}{p.size / 1024:>7.0f}{p.median_ms:>11.1f}{p.p95_ms:>9.1f}"
                     f"{p.max_ms:>9.1f}{p.static_ms:>11.2f}{p.ratio:>8.0f}"
                     f"{p.changed_median_ms:>12.1f}{p.cold_median_ms:>9.1f}{p.queries.count:>9}"
                     f"{p.queries.seconds * 1000:>9.1f}{flag}")
    slow = [p for p in pages if p.p95_ms > GOAL_MS or p.changed_median_ms > GOAL_MS]
    for p in slow:
        sql = p.queries.seconds * 1000
        lines.append(f"   profile {p.path}: {p.profiled_ms:.0f} ms in one request, {p.queries.count} queries "
                     f"taking {sql:.0f} ms; Python (ORM rows, status rule, templates) {p.profiled_ms - sql:.0f} ms; "
                     f"slowest statements:")
        for secs, stmt in p.queries.slowest:
            lines.append(f"      {secs * 1000:8.1f} ms  {stmt}")

    return "\n".join(lines)
