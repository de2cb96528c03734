"""Reading a corpus database back as ``ReportItems`` for reconciliation and comparison."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload

from luoshi.corpus.schema import Report, SourceFile, engine_for
from luoshi.reconcile.items import Item, ReportItems

UNKNOWN_GOVERNMENT = "（未识别政府）"


@dataclass(frozen=True)
class FileStatus:
    path: str
    status: str
    error: str | None
    government: str | None
    year: int | None
    warnings: tuple[tuple[str, str], ...] = ()  # (code, message) of the extraction


def _items(rep: Report) -> ReportItems:
    gov, year = rep.government or UNKNOWN_GOVERNMENT, rep.year
    targets = tuple(
        Item(role="target", id=t.id, government=gov, report_year=year, indicator=t.indicator, metric=t.metric,
             value=t.value, unit=t.unit, quote=t.quote, start=t.start, end=t.end, section=t.section,
             value_max=t.value_max, comparator=t.comparator, modality=t.modality, headline=bool(t.headline),
             year=year)
        for t in rep.targets
    )
    actuals = tuple(
        Item(role="actual", id=a.id, government=gov, report_year=year, indicator=a.indicator, metric=a.metric,
             value=a.value, unit=a.unit, quote=a.quote, start=a.start, end=a.end, section=a.section,
             value_max=a.value_max, year=a.year if a.year is not None else (year - 1 if year else None))
        for a in rep.actuals
    )
    return ReportItems(gov, year, rep.title, targets, actuals, source=rep.file.path)


def load_reports(path: str | Path, *, government: str | None = None, year: int | None = None) -> list[ReportItems]:
    """Reports of the corpus (optionally one government / one plan year), ordered by government, year.

    When two files carry the same government and year (a copy), the first by path is used.
    """
    engine = engine_for(path, create=False)
    try:
        with Session(engine) as s:
            q = (select(Report).join(Report.file)
                 .options(selectinload(Report.targets), selectinload(Report.actuals), selectinload(Report.file))
                 .order_by(Report.government, Report.year, SourceFile.path))
            if government is not None:
                q = q.where(Report.government == government) if government != UNKNOWN_GOVERNMENT else q.where(
                    Report.government.is_(None))
            if year is not None:
                q = q.where(Report.year == year)
            out: list[ReportItems] = []
            seen: set[tuple[str | None, int | None]] = set()
            for rep in s.scalars(q):
                key = (rep.government, rep.year)
                if key in seen and rep.year is not None:
                    continue
                seen.add(key)
                out.append(_items(rep))
            return out
    finally:
        engine.dispose()


def governments(path: str | Path) -> dict[str, list[int]]:
    """Government → plan years present in the corpus."""
    out: dict[str, list[int]] = {}
    for r in load_reports(path):
        years = out.setdefault(r.government or UNKNOWN_GOVERNMENT, [])
        if r.year is not None and r.year not in years:
            years.append(r.year)
    return out


def file_statuses(path: str | Path) -> list[FileStatus]:
    engine = engine_for(path, create=False)
    try:
        with Session(engine) as s:
            # a corpus built before warnings were kept has no such table: no warnings to list
            has_warnings = "corpus_warnings" in inspect(engine).get_table_names()
            load = selectinload(SourceFile.report)
            if has_warnings:
                load = load.selectinload(Report.warnings)
            rows = s.scalars(select(SourceFile).options(load).order_by(SourceFile.path))
            return [
                FileStatus(
                    f.path, f.status, f.error, f.report.government if f.report else None,
                    f.report.year if f.report else None,
                    tuple((w.code, w.message) for w in f.report.warnings) if f.report and has_warnings else (),
                )
                for f in rows
            ]
    finally:
        engine.dispose()
