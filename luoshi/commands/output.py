"""Terminal output for every command: one table that lines up with Chinese text, and JSON.

A CJK character takes two terminal columns, so widths are counted with
``unicodedata.east_asian_width`` (W and F count 2) rather than ``len``; a cell wider than its column's
limit is cut and ends in ``…``. Every command prints its tables through :func:`table`, so the ledger
listings, the extraction table and the cross-year comparisons share one alignment rule.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import click


def display_width(s: str) -> int:
    """Terminal columns ``s`` takes up."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def clip(s: str, limit: int) -> str:
    """``s`` cut to at most ``limit`` columns, ending in ``…`` when cut."""
    if display_width(s) <= limit:
        return s
    out: list[str] = []
    used = 0
    for ch in s:
        w = display_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))


def cell_text(v: Any, empty: str = "-") -> str:
    """How a value reads in a table: ``empty`` for None, 是/否 for booleans, 12.5 not 12.50000."""
    if v is None:
        return empty
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).replace("\n", " ")


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_col: int | Sequence[int] = 48,
    empty: str = "-",
) -> str:
    """Rows under a header line and a line of dashes, columns two spaces apart.

    ``max_col`` caps every column (one number) or each column in turn (one number per header);
    ``empty`` is what a missing value (None) reads as. No trailing newline.
    """
    limits = [max_col] * len(headers) if isinstance(max_col, int) else list(max_col)
    if len(limits) != len(headers):
        raise ValueError(f"{len(headers)} columns but {len(limits)} widths")
    head = [clip(h, m) for h, m in zip(headers, limits, strict=True)]
    cells = [[clip(cell_text(v, empty), m) for v, m in zip(r, limits, strict=True)] for r in rows]
    widths = [max(display_width(x) for x in col) for col in zip(head, *cells, strict=True)]

    def line(vals: Sequence[str]) -> str:
        return "  ".join(_pad(v, w) for v, w in zip(vals, widths, strict=True)).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def echo_json(data: Any) -> None:
    """``data`` as indented JSON with Chinese kept readable (not ``\\u`` escapes); dates as ISO text."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
