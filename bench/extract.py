"""Extraction speed, measured against the machine it runs on.

Three figures, printed as plain lines:

1. in-process: median time of ``extract_path`` on the seed report (read, clean, parse, targets,
   actuals, tasks) against a baseline measured in the same run — one ``re.finditer(r"\\d+")`` pass
   over the same cleaned text. Goal: ratio <= 100.
2. batch: 100 copies of the shared reports through ``luoshi extract --out`` with ``--workers 1``
   and ``--workers 2``. Goal: throughput ratio >= 1.8 (needs two free cores).
3. CLI: wall time of ``luoshi extract SEED --json`` from start to finish. Goal: < 0.5 s.

Usage: ``python bench/extract.py [--runs 50] [--copies 100] [--repeat 3] [--profile]
[--skip-batch | --only-batch]``. The machine's load average is printed first: figures taken
while other work runs are not comparable.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from luoshi.paths import reports_dir

REPORTS = reports_dir()
SEED = REPORTS / "zaozhuang-2024.txt"
LUOSHI = Path(sys.executable).with_name("luoshi")


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def in_process(runs: int, profile: bool) -> None:
    from luoshi.ingest.read import load
    from luoshi.pipeline import extract_path

    text = load(SEED).text
    digits = re.compile(r"\d+")

    def baseline() -> None:
        for _ in digits.finditer(text):
            pass

    extract_path(SEED)  # warm caches (lazy regexes, lexicons)
    base = median_time(baseline, runs * 20)
    full = median_time(lambda: extract_path(SEED), runs)
    print(f"baseline re.finditer(r'\\d+') over the seed: {base * 1e3:.3f} ms (median of {runs * 20})")
    print(f"extract_path(seed): {full * 1e3:.2f} ms (median of {runs})")
    print(f"in-process ratio: {full / base:.0f}x (goal <= 100x)")
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(10):
            extract_path(SEED)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def batch(copies: int, repeat: int) -> None:
    """Both worker counts on the same inputs, ``repeat`` times (alternating, so that a burst of
    load elsewhere on the machine hits both); prints every ratio, the best and the median."""
    sources = sorted(REPORTS.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs = []
        for i in range(copies):
            src = sources[i % len(sources)]
            dst = root / "in" / f"{i:03d}-{src.name}"
            dst.parent.mkdir(exist_ok=True)
            shutil.copyfile(src, dst)
            inputs.append(str(dst))
        ratios = []
        for r in range(repeat):
            rates = {}
            for workers in (1, 2) if r % 2 == 0 else (2, 1):
                out = root / f"out{r}-{workers}"
                cmd = [str(LUOSHI), "extract", *inputs, "--out", str(out), "--workers", str(workers)]
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, capture_output=True, text=True)
                elapsed = time.perf_counter() - t0
                if proc.returncode != 0:
                    print(
                        f"batch --workers {workers} failed (exit {proc.returncode}): "
                        f"{proc.stderr.strip()[-500:]}"
                    )
                    return
                rates[workers] = copies / elapsed
                print(
                    f"batch {copies} files --workers {workers}: {elapsed:.2f} s, {rates[workers]:.1f} files/s"
                )
            ratios.append(rates[2] / rates[1])
            print(f"batch throughput ratio workers 2 / 1: {ratios[-1]:.2f} (goal >= 1.8)")
        if repeat > 1:
            print(
                f"batch throughput ratio over {repeat} runs: best {max(ratios):.2f}, "
                f"median {statistics.median(ratios):.2f} (goal >= 1.8)"
            )


def cli(runs: int) -> None:
    cmd = [str(LUOSHI), "extract", str(SEED), "--json"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    print(
        f"luoshi extract SEED --json wall time: {statistics.median(times) * 1e3:.0f} ms (median of {runs}; goal < 500 ms)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--copies", type=int, default=100)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of extract_path")
    ap.add_argument("--repeat", type=int, default=3, help="batch comparisons to run (best and median)")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--only-batch", action="store_true")
    args = ap.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    if not args.only_batch:
        in_process(args.runs, args.profile)
        cli(min(args.runs, 10))
    if not args.skip_batch:
        batch(args.copies, args.repeat)


if __name__ == "__main__":
    main()
