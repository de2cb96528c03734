"""Extraction memory, measured against reading the same file.

A large report is generated (the seed report repeated to ``--mb`` MB), then, each in a fresh
process, Python's peak traced memory (``tracemalloc``) is taken for:

- baseline: reading the file into memory and decoding it (``read_file``), the least any
  extraction must hold;
- each stage of extraction in turn (read, clean, parse, targets, actuals, tasks), cumulative, so
  the stage that makes the peak shows.

Printed as plain lines: peak MB and peak / input size for each, and the verdict against the goal
(peak of the whole extraction <= 10 x the input). Usage:
``python bench/extract_memory.py [--mb 19] [--stages] [--rss]``. ``--stages`` also prints the
per-stage lines (slower: one process per stage); ``--rss`` adds the peak resident memory of the
whole command ``luoshi extract FILE --json`` (interpreter, output encoding and all, no tracing)
against that of a process that only reads the file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from luoshi.paths import reports_dir

SEED = reports_dir() / "zaozhuang-2024.txt"
GOAL = 10.0
STAGES = ["read", "clean", "parse", "targets", "actuals", "tasks"]

_CHILD = r"""
import json, sys, tracemalloc
from luoshi.extract.actuals import find_actuals
from luoshi.extract.targets import find_targets
from luoshi.extract.tasks import find_tasks
from luoshi.ingest.clean import clean
from luoshi.ingest.read import read_file
from luoshi.text.structure import parse
path, stage = sys.argv[1], sys.argv[2]
tracemalloc.start()  # after the imports: code and compiled patterns do not grow with the input
raw = read_file(path)
if stage != "read":
    doc = clean(raw)
    del raw
if stage not in ("read", "clean"):
    outline = parse(doc)
if stage in ("targets", "actuals", "tasks"):
    targets = find_targets(doc, outline)
if stage in ("actuals", "tasks"):
    actuals = find_actuals(doc, outline)
if stage == "tasks":
    tasks = find_tasks(doc, outline, targets)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1]}))
"""


_RSS_CHILD = r"""
import os, resource, sys
path, what = sys.argv[1], sys.argv[2]
if what == "read":
    from luoshi.ingest.read import read_file
    raw = read_file(path)
else:  # the command as people run it, output thrown away
    from luoshi.cli import main
    sys.stdout = open(os.devnull, "w")
    try:
        main(["extract", path, "--json"])
    except SystemExit:
        pass
    sys.stdout = sys.__stdout__
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def max_rss(path: Path, what: str) -> int:
    """Peak resident memory (bytes) of a fresh interpreter doing ``what`` (``read`` or ``cli``)."""
    out = subprocess.run([sys.executable, "-c", _RSS_CHILD, str(path), what], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{what} failed:\n{out.stderr[-2000:]}")
    return int(out.stdout.strip().splitlines()[-1])


def make_input(path: Path, mb: float) -> int:
    """The seed report repeated until the file has ``mb`` MB; returns its size in bytes."""
    seed = SEED.read_bytes()
    if not seed.endswith(b"\n"):
        seed += b"\n"
    copies = max(1, round(mb * 1024 * 1024 / len(seed)))
    path.write_bytes(seed * copies)
    return len(seed) * copies


def peak(path: Path, stage: str) -> int:
    """Peak traced memory of ``stage`` (everything up to it) in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), stage], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"stage {stage} failed:\n{out.stderr[-2000:]}")
    return int(json.loads(out.stdout.strip().splitlines()[-1])["peak"])


def measure(path: Path, size: int, stages: list[str]) -> dict[str, float]:
    """Peak / input size for each of ``stages`` (``read`` is the baseline)."""
    return {stage: peak(path, stage) / size for stage in stages}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=19.0, help="size of the generated report (MB)")
    ap.add_argument("--stages", action="store_true", help="print every stage, not only the whole run")
    ap.add_argument("--rss", action="store_true",
                    help="also the peak resident memory of `luoshi extract FILE --json` against reading the file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large-report.txt"
        size = make_input(path, args.mb)
        print(f"input: {size / 1048576:.1f} MB ({size} bytes), the seed report repeated")
        ratios = measure(path, size, STAGES if args.stages else ["read", "tasks"])
        rss = (max_rss(path, "read"), max_rss(path, "cli")) if args.rss else None
    for stage, ratio in ratios.items():
        label = "baseline (read + decode)" if stage == "read" else f"up to {stage}"
        print(f"{label}: peak {ratio * size / 1048576:.0f} MB = {ratio:.1f} x input")
    if rss:
        read, cli = rss
        print(f"RSS: reading the file {read / 1048576:.0f} MB = {read / size:.1f} x input; "
              f"luoshi extract --json {cli / 1048576:.0f} MB = {cli / size:.1f} x input "
              f"({(cli - read) / size:.1f} x above reading it)")
    whole = ratios["tasks"]
    print(f"extraction peak / input: {whole:.1f} x (baseline {ratios['read']:.1f} x; goal <= {GOAL:.0f} x): "
          + ("ok" if whole <= GOAL else "OVER"))


if __name__ == "__main__":
    main()
