"""The health check of extraction over a folder of reports: what a new user would see, per report.

For every report: the government and plan year read, the parts found and their roles, whether a
headline block (主要预期目标) gave targets, how many targets, actuals and tasks came out, and the
warnings. Against an index of known governments and years (``dev-index.tsv``: file, government,
plan_year) every disagreement is listed. A report is a *problem* when it could not be read, when
the index disagrees, or when it yields no targets or no actuals without a warning saying so — the
silent zero a supervision office would not come back from.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from luoshi.corpus.build import extract_one, scan
from luoshi.errors import InputError

# the warning that explains an empty list of each kind
_EXPLAINS = {"targets": "no_targets", "actuals": "no_actuals"}


@dataclass
class ReportHealth:
    path: str  # relative to the folder
    government: str | None = None
    year: int | None = None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (title, role) of each part
    headline: int = 0  # targets of the headline block
    targets: int = 0
    actuals: int = 0
    tasks: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    error: str | None = None
    expected: tuple[str, int] | None = None  # (government, plan year) from the index
    problems: list[str] = field(default_factory=list)

    @property
    def government_ok(self) -> bool | None:
        return None if self.expected is None else self.government == self.expected[0]

    @property
    def year_ok(self) -> bool | None:
        return None if self.expected is None else self.year == self.expected[1]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["parts"] = [{"title": t, "role": r} for t, r in self.parts]
        d["warnings"] = [{"code": c, "message": m} for c, m in self.warnings]
        d["expected"] = None if self.expected is None else {"government": self.expected[0], "year": self.expected[1]}
        return d


@dataclass
class Health:
    reports: list[ReportHealth]

    @property
    def ok(self) -> bool:
        return not any(r.problems for r in self.reports)

    def totals(self) -> dict[str, Any]:
        indexed = [r for r in self.reports if r.expected is not None]
        codes: Counter[str] = Counter(c for r in self.reports for c, _ in r.warnings)
        return {
            "reports": len(self.reports),
            "failed": sum(r.error is not None for r in self.reports),
            "indexed": len(indexed),
            "government_right": sum(bool(r.government_ok) for r in indexed),
            "year_right": sum(bool(r.year_ok) for r in indexed),
            "government_unknown": sum(r.government is None for r in self.reports if r.error is None),
            "year_unknown": sum(r.year is None for r in self.reports if r.error is None),
            "with_headline": sum(r.headline > 0 for r in self.reports),
            "zero_targets": sum(r.targets == 0 for r in self.reports if r.error is None),
            "zero_actuals": sum(r.actuals == 0 for r in self.reports if r.error is None),
            "with_warnings": sum(bool(r.warnings) for r in self.reports),
            "warnings": dict(sorted(codes.items())),
            "problems": sum(bool(r.problems) for r in self.reports),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "totals": self.totals(), "reports": [r.to_dict() for r in self.reports]}


def read_index(path: str | Path) -> dict[str, tuple[str, int]]:
    """``file → (government, plan year)`` from a TSV with columns file, government, plan_year."""
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
    except OSError as exc:
        raise InputError(f"{p}: 无法读取索引文件（{exc.strerror or exc}）") from exc
    out: dict[str, tuple[str, int]] = {}
    for n, row in enumerate(rows, start=2):
        name, gov, year = (row.get(k) for k in ("file", "government", "plan_year"))
        if not name or not gov or not (year or "").strip().isdigit():
            raise InputError(f"{p} 第 {n} 行：索引需要 file、government、plan_year 三列（制表符分隔），年份为数字")
        out[name.strip()] = (gov.strip(), int(year))
    return out


def _health(rel: str, data: dict | None, error: str | None) -> ReportHealth:
    r = ReportHealth(rel, error=error)
    if data is None:
        r.problems.append(f"无法抽取：{error}")
        return r
    info = data["report"]
    r.government, r.year = info.get("government"), info.get("year")
    r.parts = [(s["title"], s["role"]) for s in data["sections"] if s["level"] == 1]
    r.headline = sum(bool(t.get("headline")) for t in data["targets"])
    r.targets, r.actuals, r.tasks = len(data["targets"]), len(data["actuals"]), len(data["tasks"])
    r.warnings = [(w["code"], w["message"]) for w in info.get("warnings", [])]
    codes = {c for c, _ in r.warnings}
    for kind, code in _EXPLAINS.items():
        if getattr(r, kind) == 0 and code not in codes:
            r.problems.append(f"{'目标' if kind == 'targets' else '实绩'}为零且无警告")
    return r


def _compare(r: ReportHealth, index: dict[str, tuple[str, int]]) -> None:
    r.expected = index.get(r.path) or index.get(Path(r.path).name)
    if r.expected is None or r.error is not None:
        return
    if not r.government_ok:
        r.problems.append(f"政府与索引不符：{r.government or '未识别'} ≠ {r.expected[0]}")
    if not r.year_ok:
        r.problems.append(f"年度与索引不符：{r.year or '未识别'} ≠ {r.expected[1]}")


def check(directory: str | Path, *, index: str | Path | None = None, workers: int | None = None) -> Health:
    """Extract every report under ``directory`` (in parallel) and judge what came out."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError(f"{root}: 不是文件夹")
    known = read_index(index) if index is not None else {}
    paths = list(scan(root))
    workers = max(1, min(workers or (os.cpu_count() or 1), len(paths) or 1))
    if workers == 1:
        results = [extract_one(str(p)) for p in paths]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(extract_one, [str(p) for p in paths], chunksize=2))
    reports = []
    for p, (_path, data, error, _seconds) in zip(paths, results, strict=True):
        r = _health(p.relative_to(root).as_posix(), data, error)
        _compare(r, known)
        reports.append(r)
    return Health(reports)
