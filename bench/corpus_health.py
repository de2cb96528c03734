"""The health check over the shared reports, with its speed.

Runs ``luoshi corpus status --check`` on the shared reports folder against ``dev-index.tsv`` with
``--workers 1`` and ``--workers 2`` and prints the totals (government and year right, zero targets,
zero actuals, warnings) and the throughput in reports per second. The machine's load average is
printed first: figures taken while other work runs are not comparable.

Usage: ``python bench/corpus_health.py [--workers 1 2] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from luoshi.corpus.health import check
from luoshi.paths import reports_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dir", type=Path, default=None, help="folder of reports (default: the shared reports)")
    args = ap.parse_args()
    root = args.dir or reports_dir()
    index = root / "dev-index.tsv"
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; folder {root}")
    for workers in args.workers:
        t0 = time.perf_counter()
        health = check(root, index=index if index.exists() else None, workers=workers)
        seconds = time.perf_counter() - t0
        t = health.totals()
        print(f"workers {workers}: {t['reports']} reports in {seconds:.1f} s = {t['reports'] / seconds:.2f} reports/s")
        print(f"  government right {t['government_right']}/{t['indexed']}, year right {t['year_right']}/{t['indexed']}, "
              f"with headline {t['with_headline']}, zero targets {t['zero_targets']}, "
              f"zero actuals {t['zero_actuals']}, problems {t['problems']}")
        print(f"  warnings {t['warnings']}")


if __name__ == "__main__":
    main()
