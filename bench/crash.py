"""Crash test: SIGKILL ``luoshi serve`` during an import and during a burst of submissions, restart,
check integrity (see bench/README.md).

    python bench/crash.py                  # both scenarios, SQLite and PostgreSQL
    python bench/crash.py --engine sqlite --kill-after 0.5
"""

from __future__ import annotations

import argparse
import sys

from luoshi.devtools.crash import crash_during_import, crash_during_submissions


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--kill-after", type=float, default=None, help="seconds before SIGKILL")
    ap.add_argument("--clients", type=int, default=10)
    a = ap.parse_args(argv)
    ok = True
    for kind in (["sqlite", "postgresql"] if a.engine == "both" else [a.engine]):
        for r in (crash_during_import(kind, kill_after=a.kill_after or 0.3),
                  crash_during_submissions(kind, kill_after=a.kill_after or 2.0, clients=a.clients)):
            print(r.report(), flush=True)
            ok &= r.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
