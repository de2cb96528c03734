"""Plain-text tables for the terminal that line up with Chinese text.

A CJK character takes two terminal columns, so widths are counted with
``unicodedata.east_asian_width`` (W and F count 2) rather than ``len``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def display_width(s: str) -> int:
    """Terminal columns ``s`` takes up."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def truncate(s: str, width: int) -> str:
    """``s`` cut to at most ``width`` columns, ending in ``…`` when cut."""
    if display_width(s) <= width:
        return s
    out: list[str] = []
    used = 0
    for ch in s:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_widths: Sequence[int]) -> str:
    """Rows under a header line, each cell truncated to its column's ``max_widths`` entry."""
    cells = [[truncate(c.replace("\n", " "), m) for c, m in zip(r, max_widths, strict=True)] for r in rows]
    head = [truncate(h, m) for h, m in zip(headers, max_widths, strict=True)]
    widths = [max(display_width(x) for x in col) for col in zip(head, *cells, strict=True)]
    lines = ["  ".join(pad(c, w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"
