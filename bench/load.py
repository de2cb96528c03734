"""Load test of ``luoshi serve --workers 2`` on 127.0.0.1 (see bench/README.md).

    python bench/load.py                      # reduced: 20 readers + 5 liaisons, 400 requests, SQLite
    python bench/load.py --full               # 200 readers + 50 liaisons, 6000 requests, SQLite and PostgreSQL
    python bench/load.py --engine postgresql --readers 50 --liaisons 10 --requests 2000
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from luoshi.devtools.load import run_load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default=None)
    ap.add_argument("--readers", type=int, default=None)
    ap.add_argument("--liaisons", type=int, default=None)
    ap.add_argument("--requests", type=int, default=None, help="total requests of the mixed phase")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds; the mixed phase stops then")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="200 readers + 50 liaisons on both engines")
    a = ap.parse_args(argv)
    full = dict(readers=200, liaisons=50, requests=6000, time_limit=300.0, engine="both")
    small = dict(readers=20, liaisons=5, requests=400, time_limit=60.0, engine="sqlite")
    base = full if a.full else small
    engine = a.engine or base["engine"]
    ok = True
    for kind in (["sqlite", "postgresql"] if engine == "both" else [engine]):
        def given(name: str) -> Any:  # 0 is a value (--liaisons 0: readers only), None is "not given"
            value = getattr(a, name)
            return base[name] if value is None else value

        result = run_load(kind, readers=given("readers"), liaisons=given("liaisons"), requests=given("requests"),
                          time_limit=given("time_limit"), workers=a.workers)
        print(result.report(), flush=True)
        if result.config["write_errors"]:
            print("  first write refusals:", *result.config["write_errors"], sep="\n    ")
        ok &= (result.readers.errors + result.writers.errors == 0 and result.locked == 0
               and result.verified_submissions == len(result.submitted))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
