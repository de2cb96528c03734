"""Plain-text tables for the terminal, aligned for full-width Chinese characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def pad(s: str, n: int) -> str:
    return s + " " * max(0, n - width(s))


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, max_col: int = 40) -> str:
    def clip(s: str) -> str:
        if width(s) <= max_col:
            return s
        out = ""
        for c in s:
            if width(out + c) > max_col - 1:
                break
            out += c
        return out + "…"

    cells = [[clip(str(c)) for c in header]] + [[clip("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(pad(c, widths[i]) for i, c in enumerate(r)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
