"""Build or refresh a corpus database from a folder of reports, in parallel and resumably.

Every supported file under the folder is hashed (sha256); only files that are new or whose hash
changed are extracted, in worker processes, and each result is committed as soon as it arrives, so
an interrupted build keeps what it finished. Files that disappeared from the folder are dropped. A
file that failed is recorded with its reason and not retried until it changes (or ``retry_failed``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.corpus.schema import (
    SCHEMA_VERSION,
    ActualRow,
    Meta,
    Report,
    SourceFile,
    TargetRow,
    WarningRow,
    engine_for,
)
from luoshi.errors import InputError, LuoshiError

SUFFIXES = {".txt", ".pdf", ".docx", ".doc"}


@dataclass
class BuildResult:
    scanned: int = 0
    processed: int = 0
    unchanged: int = 0
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason), this run
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"scanned": self.scanned, "processed": self.processed, "unchanged": self.unchanged,
                "removed": self.removed, "failed": [{"path": p, "reason": r} for p, r in self.failures],
                "seconds": round(self.seconds, 2)}


def scan(directory: Path) -> Iterator[Path]:
    """Report files under ``directory`` (hidden files and other suffixes skipped), sorted."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                yield Path(root) / name


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_one(path: str) -> tuple[str, dict | None, str | None, float]:
    """Worker: extract one file; never raises (the reason travels back as text)."""
    t0 = time.perf_counter()
    try:
        from luoshi.pipeline import extract_path

        data = extract_path(path).to_dict()
        return path, data, None, time.perf_counter() - t0
    except LuoshiError as exc:
        return path, None, exc.message, time.perf_counter() - t0
    except Exception as exc:  # a bug in extraction must not stop the whole corpus
        return path, None, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - t0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _store(session: Session, rel: str, sha: str, size: int, data: dict | None, error: str | None,
           seconds: float) -> None:
    old = session.scalar(select(SourceFile).where(SourceFile.path == rel))
    if old is not None:
        session.delete(old)
        session.flush()
    f = SourceFile(path=rel, sha256=sha, size=size, status="ok" if data else "failed", error=error,
                   processed_at=_now(), seconds=round(seconds, 3))
    session.add(f)
    if data:
        info = data["report"]
        rep = Report(government=info.get("government"), year=info.get("year"), title=info.get("title"),
                     sha256=info.get("sha256") or sha, file=f)
        tcols = TargetRow.__table__.columns.keys()
        acols = ActualRow.__table__.columns.keys()
        rep.targets = [TargetRow(**{k: v for k, v in t.items() if k in tcols and k not in {"pk", "report_id"}})
                       for t in data["targets"]]
        rep.actuals = [ActualRow(**{k: v for k, v in a.items() if k in acols and k not in {"pk", "report_id"}})
                       for a in data["actuals"]]
        rep.warnings = [WarningRow(code=w["code"], message=w["message"]) for w in info.get("warnings", [])]
        session.add(rep)
    session.commit()


def build(
    directory: str | Path, out: str | Path, *, workers: int | None = None, retry_failed: bool = False,
    force: bool = False, progress: bool = True, on_event: Callable[[str], None] | None = None,
) -> BuildResult:
    """Bring the corpus at ``out`` up to date with the reports under ``directory``.

    A file is extracted again when its bytes changed, when the corpus was built by another version
    of the extractor (its output may differ), or with ``force``.
    """
    from luoshi import __version__ as extractor_version

    t0 = time.perf_counter()
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    workers = max(1, workers or (os.cpu_count() or 1))
    engine = engine_for(out, create=True)
    result = BuildResult()
    with Session(engine) as session:
        built_by = session.get(Meta, "extractor_version")
        force = force or built_by is None or built_by.value != extractor_version
        for key, value in (
            ("schema_version", SCHEMA_VERSION),
            ("root", str(root.resolve())),
            ("extractor_version", extractor_version),
        ):
            session.merge(Meta(key=key, value=value))
        session.commit()
        known = {f.path: f for f in session.scalars(select(SourceFile))}
        todo: list[tuple[str, Path, str, int]] = []
        seen: set[str] = set()
        for path in scan(root):
            rel = path.relative_to(root).as_posix()
            seen.add(rel)
            result.scanned += 1
            sha = sha256_of(path)
            old = known.get(rel)
            if not force and old is not None and old.sha256 == sha and (old.status == "ok" or not retry_failed):
                result.unchanged += 1
                continue
            todo.append((rel, path, sha, path.stat().st_size))
        for rel, old in known.items():
            if rel not in seen:
                session.delete(old)
                result.removed += 1
        session.commit()

        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), file=sys.stderr, unit="份", desc="extracting", leave=True)
        meta = {str(p): (rel, sha, size) for rel, p, sha, size in todo}

        def record(res: tuple[str, dict | None, str | None, float]) -> None:
            path, data, error, seconds = res
            rel, sha, size = meta[path]
            _store(session, rel, sha, size, data, error, seconds)
            result.processed += 1
            if error:
                result.failures.append((rel, error))
            if bar is not None:
                bar.update(1)
            if on_event:
                on_event(rel)

        try:
            if workers == 1 or len(todo) <= 1:
                for _rel, p, _sha, _size in todo:
                    record(extract_one(str(p)))
            else:
                with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
                    pending: set[Future] = {pool.submit(extract_one, str(p)) for _r, p, _s, _z in todo}
                    while pending:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for fut in done:
                            record(fut.result())
        finally:
            if bar is not None:
                bar.close()
        session.merge(Meta(key="built_at", value=_now()))
        session.commit()
    engine.dispose()
    result.seconds = time.perf_counter() - t0
    return result
