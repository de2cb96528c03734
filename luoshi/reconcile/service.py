"""The views shared by the CLI and the web pages: one government's promise history and scorecards,
and the comparison tables — each as plain dicts ready for JSON, CSV or a template.

Reconciliation never opens a database: it takes ``ReportItems`` from fresh extractions
(:func:`reports_from_files`) or from a corpus (``luoshi.corpus.query.load_reports``). The corpus
depends on this package (it reads its rows back as ``ReportItems``), never the other way round.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from luoshi.errors import NotFoundError, ValidationError
from luoshi.reconcile.ambition import ambition_check
from luoshi.reconcile.compare import Table, history_table, year_table
from luoshi.reconcile.items import ReportItems
from luoshi.reconcile.judge import Tolerance
from luoshi.reconcile.reconcile import reconcile_report, scorecard


def reports_from_files(paths: Iterable[str | Path]) -> list[ReportItems]:
    """Extract the given report files directly (no corpus needed)."""
    from luoshi.pipeline import extract_path

    return [ReportItems.from_extraction(extract_path(p), source=str(p)) for p in paths]


def pick_government(reports: Sequence[ReportItems], government: str | None) -> str:
    govs = sorted({r.government or "" for r in reports})
    if government is not None:
        if government not in govs:
            known = "、".join(g for g in govs if g) or "（无）"
            raise NotFoundError(f"没有{government}的报告；已有：{known}")
        return government
    if len(govs) == 1:
        return govs[0]
    raise ValidationError("报告来自多个政府，请用 --government 指定：" + "、".join(govs))


def government_view(
    reports: Sequence[ReportItems], government: str, *, year: int | None = None,
    tolerance: Tolerance | None = None, headline_only: bool = False,
) -> dict[str, Any]:
    """Scorecards, outcomes, ambition check and headline history of one government."""
    mine = {r.year: r for r in reports if r.government == government and r.year is not None}
    if not mine:
        raise NotFoundError(f"没有{government}的报告")
    years = sorted(mine)
    if year is not None and year not in mine:
        raise NotFoundError(f"没有{government}{year}年的报告；已有年份：{'、'.join(map(str, years))}")
    chosen = [year] if year is not None else years
    outcomes = {y: reconcile_report(mine[y], mine.get(y + 1), tolerance=tolerance) for y in years}
    cards, rows, ambition = [], [], []
    for y in chosen:
        outs = outcomes[y]
        card = scorecard(outs, government, y).to_dict()
        card["review_year"] = y + 1 if (y + 1) in mine else None
        cards.append(card)
        rows += [o.to_dict() for o in outs if o.target.headline or not headline_only]
        ambition += [r.to_dict() for r in ambition_check(mine[y])]
    history: Table = history_table(outcomes, government)
    return {"government": government, "years": years, "year": year, "scorecards": cards, "outcomes": rows,
            "ambition": ambition, "history": history.to_dict()}


def compare_view(reports: Sequence[ReportItems], *, year: int | None = None, government: str | None = None,
                 tolerance: Tolerance | None = None) -> dict[str, Any]:
    if (year is None) == (government is None):
        raise ValidationError("请指定年份（year）或政府（government）之一")
    if year is not None:
        if not any(r.year == year for r in reports):
            raise NotFoundError(f"语料库中没有{year}年的报告")
        table = year_table(reports, year)
    else:
        gov = pick_government(reports, government)
        view = government_view(reports, gov, tolerance=tolerance)
        return {"mode": "government", "government": gov, "table": view["history"]}
    return {"mode": "year", "year": year, "table": table.to_dict()}


def to_csv(rows: Sequence[dict[str, Any]], *, bom: bool = False) -> str:
    """Records as CSV (columns from the first record's keys, in order)."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    if not rows:
        return buf.getvalue()
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()


def table_rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    """A comparison table flattened to one record per cell (CSV)."""
    out = []
    for row in table["rows"]:
        for col in table["columns"]:
            cell = row["cells"].get(col)
            if cell:
                out.append({"indicator": row["indicator"], "indicator_key": row["key"], "column": col, **cell})
    return out
