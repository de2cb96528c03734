"""Snapshot every shared report's extraction, to prove a refactor changed no output.

Writes one file per report under OUT: the extraction JSON with the cleaned text (sorted keys),
plus a digest of the whole offset map and the raw span of every target and task. Run it before
and after a change and compare the folders (``diff -r BEFORE AFTER``; or ``--compare BEFORE``,
which prints the files that differ and exits 1 if any does).

Usage: ``python bench/extract_snapshot.py OUT [--compare BEFORE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from luoshi.ingest.read import load
from luoshi.paths import reports_dir
from luoshi.pipeline import extract_document

SUFFIXES = (".txt", ".pdf", ".docx")


def snapshot(path: Path) -> str:
    try:
        doc = load(path)
        data = extract_document(doc, with_text=True).to_dict(with_text=True)
        data["_offsets_sha256"] = hashlib.sha256(doc.offsets.origin.tobytes()).hexdigest()
        data["_raw_spans"] = [doc.raw_span(x["start"], x["end"]) for x in (*data["targets"], *data["tasks"])]
        return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    except Exception as exc:  # a failure is part of the snapshot too
        return f"ERROR {type(exc).__name__}: {exc}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--compare", type=Path, help="a snapshot folder taken before the change")
    args = ap.parse_args()
    root = reports_dir()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    args.out.mkdir(parents=True, exist_ok=True)
    for p in files:
        name = str(p.relative_to(root)).replace("/", "__") + ".json"
        (args.out / name).write_text(snapshot(p), encoding="utf-8")
    print(f"{len(files)} reports written to {args.out}")
    if args.compare:
        differ = [f.name for f in sorted(args.out.iterdir())
                  if not (args.compare / f.name).exists() or (args.compare / f.name).read_bytes() != f.read_bytes()]
        print(f"{len(files) - len(differ)} identical, {len(differ)} differ" + "".join(f"\n  {d}" for d in differ))
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
