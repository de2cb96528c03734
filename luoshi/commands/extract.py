"""``luoshi extract``: targets, actuals and tasks of one report (stdout) or many (one JSON each).

Start-up time matters here (a supervision office runs it on every new report, scripts run it in
loops), so this module imports only click at load time; the pipeline, openpyxl and tqdm are
imported when the chosen output needs them.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import IO, Any

import click

from luoshi.errors import InputError, LuoshiError


def _write_json(extraction: Any, with_text: bool, binary: IO[bytes]) -> None:
    """The extraction as indented JSON, written while it is encoded: ``json.dumps`` with an indent
    joins millions of small pieces into one string, ~30x the input at its peak."""
    out = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=False)
    try:
        json.dump(extraction.to_dict(with_text=with_text), out, ensure_ascii=False, indent=2)
        out.write("\n")
        out.flush()
    finally:
        out.detach()


def _fmt_value(value: float | None, value_max: float | None) -> str:
    def one(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:g}"

    if value is None:
        return "—"
    return one(value) if value_max is None else f"{one(value)}–{one(value_max)}"


def targets_table(extraction: Any) -> str:
    from luoshi.commands.output import table

    r = extraction.report
    head = f"{r.title or r.path}：目标 {len(extraction.targets)} 项，实绩 {len(extraction.actuals)} 项，任务 {len(extraction.tasks)} 项\n"
    rows = [
        [
            t.id,
            t.indicator,
            t.metric,
            _fmt_value(t.value, t.value_max),
            t.unit or "",
            t.comparator,
            t.modality,
            t.deadline or "",
            t.quote,
        ]
        for t in extraction.targets
    ]
    headers = ["编号", "指标", "动词", "数值", "单位", "比较", "约束", "时限", "原文"]
    return head + table(headers, rows, max_col=[5, 24, 10, 10, 12, 4, 4, 10, 40]) + "\n"


# what one file of a batch gives back: the failure reason (or None) and its warning codes
_Outcome = tuple[str | None, list[str]]


def _extract_one(
    path: str, out: str, government: str | None, year: int | None, max_bytes: int, with_text: bool
) -> _Outcome:
    """Extract ``path`` into the JSON file ``out``; return the failure reason (or None) and the
    codes of the extraction's warnings."""
    try:
        from luoshi.pipeline import extract_path

        extraction = extract_path(
            path, government=government, year=year, max_bytes=max_bytes, with_text=with_text
        )
        with open(out, "wb") as fh:
            _write_json(extraction, with_text, fh)
    except LuoshiError as exc:
        return exc.message, []
    except Exception as exc:  # one bad file never stops the batch; report it and go on
        return f"{type(exc).__name__}: {exc}", []
    return None, [w["code"] for w in extraction.report.warnings]


# what every file of a batch shares: (government, year, max_bytes, with_text)
_Options = tuple[str | None, int | None, int, bool]


def _extract_chunk(jobs: list[tuple[int, str, str]], options: _Options) -> list[tuple[int, _Outcome]]:
    """Worker of a batch: extract a slice of the files, each written by the worker itself, and
    return only (index, outcome) so that no extraction travels back by pickle."""
    return [(i, _extract_one(path, out, *options)) for i, path, out in jobs]


def _init_worker() -> None:
    """Load the extraction modules once per worker (a forked worker has them already)."""
    import luoshi.pipeline  # noqa: F401


def _out_names(paths: list[str], out_dir: Path) -> list[Path]:
    """``<stem>.json`` per input, made unique when two inputs share a stem."""
    seen: dict[str, int] = {}
    names: list[Path] = []
    for p in paths:
        stem = Path(p).stem
        n = seen.get(stem, 0)
        seen[stem] = n + 1
        names.append(out_dir / (f"{stem}.json" if n == 0 else f"{stem}-{n + 1}.json"))
    return names


def _chunks(jobs: list[tuple[int, str, str]], workers: int) -> list[list[tuple[int, str, str]]]:
    """Slices small enough to keep every worker busy to the end, large enough to cut the
    per-task round trips (about 16 slices per worker)."""
    size = max(1, len(jobs) // (workers * 16))
    return [jobs[k : k + size] for k in range(0, len(jobs), size)]


def run_batch(
    paths: list[str],
    out_dir: Path,
    *,
    workers: int,
    government: str | None,
    year: int | None,
    max_bytes: int,
    with_text: bool,
    progress: bool = True,
) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """Extract every file into ``out_dir``; return the failures as (path, reason) in input order
    and the warning codes of each extracted file that has any.

    One worker runs in this process (no pool, no pickling); more run as a process pool fed with
    slices of the file list, each worker writing its own JSON files.
    """
    from tqdm import tqdm

    import luoshi.pipeline  # noqa: F401  (loaded once here, inherited by forked workers)

    out_dir.mkdir(parents=True, exist_ok=True)
    options: _Options = (government, year, max_bytes, with_text)
    jobs = [(i, p, str(o)) for i, (p, o) in enumerate(zip(paths, _out_names(paths, out_dir), strict=True))]
    reasons: dict[int, str] = {}
    warned: dict[int, list[str]] = {}

    def record(i: int, outcome: _Outcome) -> None:
        reason, codes = outcome
        if reason is not None:
            reasons[i] = reason
        if codes:
            warned[i] = codes
    bar = tqdm(total=len(jobs), file=sys.stderr, unit="份", disable=not progress, desc="extract")
    workers = min(workers, len(jobs))
    if workers <= 1:
        for i, path, out in jobs:
            record(i, _extract_one(path, out, *options))
            bar.update(1)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
            futures = {pool.submit(_extract_chunk, chunk, options): chunk for chunk in _chunks(jobs, workers)}
            for fut in as_completed(futures):
                chunk = futures[fut]
                try:
                    done = fut.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    done = [(i, (f"worker failed: {exc!r}", [])) for i, _, _ in chunk]
                for i, outcome in done:
                    record(i, outcome)
                bar.update(len(chunk))
    bar.close()
    return [(paths[i], reasons[i]) for i in sorted(reasons)], {paths[i]: warned[i] for i in sorted(warned)}


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "fmt", flag_value="json", default=True, help="JSON (default).")
@click.option("--table", "fmt", flag_value="table", help="Readable table of the targets.")
@click.option(
    "--xlsx", "xlsx_out", type=click.Path(dir_okay=False), help="Write an Excel workbook to this path."
)
@click.option("--with-text", is_flag=True, help="Include the cleaned text in the JSON.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Directory for one JSON per file.")
@click.option(
    "--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Parallel processes."
)
@click.option("--government", help="Reporting government (overrides detection), e.g. 枣庄市.")
@click.option("--year", type=click.IntRange(1949, 2100), help="Plan year (overrides detection).")
@click.option(
    "--max-size",
    "max_size",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    help="Largest input file in MB.",
)
def extract(
    files: tuple[str, ...],
    fmt: str,
    xlsx_out: str | None,
    with_text: bool,
    out_dir: str | None,
    workers: int,
    government: str | None,
    year: int | None,
    max_size: float,
) -> int:
    """提取报告中的目标、实绩和任务台账。

    一个文件：输出到标准输出（JSON 或 --table），或 --xlsx 写入表格。
    多个文件：每个文件一个 JSON，写入 --out 目录，并行处理。
    """
    max_bytes = int(max_size * 1024 * 1024)
    if len(files) > 1 or out_dir is not None:
        if out_dir is None:
            raise click.UsageError("several files need --out DIR (one JSON per file is written there)")
        if fmt == "table" or xlsx_out:
            raise click.UsageError(
                "--table and --xlsx take one file; several files are written as JSON to --out"
            )
        failures, warned = run_batch(
            list(files),
            Path(out_dir),
            workers=workers,
            government=government,
            year=year,
            max_bytes=max_bytes,
            with_text=with_text,
        )
        ok = len(files) - len(failures)
        click.echo(f"ok {ok} / failed {len(failures)} / with warnings {len(warned)}", err=True)
        for path, codes in warned.items():
            click.echo(f"  warning {path}: {', '.join(codes)}", err=True)
        for path, reason in failures:
            click.echo(f"  failed {path}: {reason}", err=True)
        return 1 if failures else 0

    from luoshi.pipeline import extract_path

    path = files[0]
    extraction = extract_path(
        path, government=government, year=year, max_bytes=max_bytes, with_text=with_text
    )
    for w in extraction.report.warnings:
        click.echo(f"警告[{w['code']}] {path}: {w['message']}", err=True)
    if xlsx_out:
        from luoshi.export.extraction_xlsx import write_extraction_xlsx

        try:
            write_extraction_xlsx(extraction, xlsx_out)
        except OSError as exc:
            raise InputError(f"{xlsx_out}: cannot write ({exc.strerror or exc})") from exc
        click.echo(f"{xlsx_out}: {len(extraction.targets)} targets", err=True)
        return 0
    sys.stdout.flush()
    if fmt == "table":
        sys.stdout.buffer.write(targets_table(extraction).encode("utf-8"))
    else:
        _write_json(extraction, with_text, sys.stdout.buffer)
    sys.stdout.flush()
    return 0
