"""Province-scale ledger: generation time, database size and page/API times (see bench/README.md).

    python bench/scale.py                 # reduced: 2 cities × 300 commitments × 12 months, both engines, < 60 s
    python bench/scale.py --full          # 16 cities × 3,000 commitments × 60 months (≈2.8M progress reports)
    python bench/scale.py --engine postgresql --cities 16 --commitments 3000 --months 24

Each engine gets a fresh database in a temp directory (SQLite file, or a database on an embedded
PostgreSQL server on 127.0.0.1), filled by ``luoshi.devtools.scale.generate`` with bulk inserts
(executemany / COPY; the audit trail is bypassed on purpose: benchmark data). The pages are then
timed in-process beside a static file of the same size served by the same app.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from luoshi.devtools.scale import FULL, REDUCED, Scale, database_bytes, generate
from luoshi.devtools.scale_measure import SLOW_MS, blocks_table, measure_pages, profile_blocks, table


def run(kind: str, scale: Scale, repeat: int, keep: bool, sqlite_analyze: bool = False) -> bool:
    from luoshi.devtools.server import start_postgres
    from luoshi.ledger.db import make_engine

    work = Path(tempfile.mkdtemp(prefix="luoshi-scale-"))
    home = work / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'luoshi.db'}" if kind == "sqlite" else start_postgres(work)
    engine = make_engine(url)
    try:
        gen = generate(engine, scale, sqlite_analyze=sqlite_analyze, progress=lambda m: print(f"   [{kind}] {m}", flush=True))
        size = database_bytes(engine)
        t = time.perf_counter()
        pages = measure_pages(engine, gen, home, repeat=repeat)
        print(table(kind, gen, size, pages))
        if any(p.median_ms > SLOW_MS for p in pages):
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
    ap.add_argument("--repeat", type=int, help="timed requests per page (default 5 reduced, 3 full)")
    ap.add_argument("--sqlite-analyze", action="store_true",
                    help="run ANALYZE on SQLite after generating (luoshi itself never does)")
    ap.add_argument("--keep", action="store_true", help="keep the generated database")
    a = ap.parse_args(argv)
    base = FULL if a.full else REDUCED
    scale = Scale(a.cities or base.cities, a.commitments or base.commitments, a.months or base.months)
    repeat = a.repeat or (3 if a.full else 5)
    ok = True
    for kind in (["sqlite", "postgresql"] if a.engine == "both" else [a.engine]):
        ok &= run(kind, scale, repeat, a.keep, a.sqlite_analyze)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
