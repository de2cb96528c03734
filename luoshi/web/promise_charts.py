"""Inline SVG charts for the promise pages: no library, no CDN, no script, readable as text.

Colours are SVG presentation attributes (not ``style``), so the pages keep a strict CSP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from luoshi.ledger import vocabulary as words

COLOURS = {"kept": "#2e7d32", "missed": "#c62828", "unverifiable": "#9e9e9e"}
LABELS = words.PROMISE_OUTCOMES


def _n(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def scorecard_bars(cards: Sequence[dict[str, Any]], *, headline: bool = False, width: int = 560) -> Markup:
    """One horizontal stacked bar per year: kept / missed / unverifiable."""
    pre = "headline_" if headline else ""
    row_h, label_w, top = 26, 64, 22
    h = top + row_h * len(cards) + 8
    bar_w = width - label_w - 80
    desc = "；".join(
        f"{c['year']}年 兑现{c[pre + 'kept']} 未兑现{c[pre + 'missed']} 无法核验{c[pre + 'unverifiable']}" for c in cards
    )
    parts = ['<div class="chart-scroll">', f'<svg class="chart fixed" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
             f'aria-label="{escape(desc)}"><title>{escape(desc)}</title>']
    x = label_w
    for key in ("kept", "missed", "unverifiable"):
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[key]}"/>'
                     f'<text x="{x + 14}" y="13" font-size="13">{LABELS[key]}</text>')
        x += 80
    for i, c in enumerate(cards):
        y = top + i * row_h
        total = c[pre + "total"] or 1
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(str(c["year"]))}年</text>')
        x = float(label_w)
        for key in ("kept", "missed", "unverifiable"):
            n = c[pre + key]
            w = bar_w * n / total
            if w > 0:
                parts.append(f'<rect x="{_n(x)}" y="{y}" width="{_n(w)}" height="18" fill="{COLOURS[key]}">'
                             f'<title>{LABELS[key]} {n}</title></rect>')
            x += w
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="13">'
                     f'{c[pre + "kept"]}/{c[pre + "total"]}</text>')
    parts.append("</svg></div>")
    return Markup("".join(parts))


def target_vs_actual(points: Sequence[dict[str, Any]], *, title: str, unit: str = "", width: int = 560,
                     height: int = 200) -> Markup:
    """Target (hollow marker, range as a bar) and actual (filled dot) per year for one indicator."""
    vals = [v for p in points for v in (p.get("value"), p.get("value_max"), p.get("actual")) if v is not None]
    if not vals:
        return Markup("")
    lo, hi = min(0.0, min(vals)), max(vals) * 1.15 or 1.0
    left, right, top, bottom = 44, 12, 24, 28
    pw, ph = width - left - right, height - top - bottom

    def ypos(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    step = pw / max(1, len(points))
    desc = "；".join(
        f"{p['year']}年 目标{_n(p['value']) if p.get('value') is not None else '无'}"
        f"{'–' + _n(p['value_max']) if p.get('value_max') is not None else ''}{unit}"
        f" 实际{_n(p['actual']) + unit if p.get('actual') is not None else '无数据'}" for p in points
    )
    parts = ['<div class="chart-scroll">', f'<svg class="chart fixed" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}：{escape(desc)}"><title>{escape(title)}：{escape(desc)}</title>',
             f'<text x="0" y="14" font-size="13">{escape(title)}（{escape(unit)}）</text>',
             f'<line x1="{left}" y1="{top + ph}" x2="{width - right}" y2="{top + ph}" stroke="#888"/>',
             f'<text x="{left - 4}" y="{_n(ypos(hi) + 4)}" font-size="13" text-anchor="end">{_n(hi)}</text>',
             f'<text x="{left - 4}" y="{_n(ypos(lo))}" font-size="13" text-anchor="end">{_n(lo)}</text>']
    prev: tuple[float, float] | None = None
    for i, p in enumerate(points):
        cx = left + step * (i + 0.5)
        parts.append(f'<text x="{_n(cx)}" y="{height - 8}" font-size="13" text-anchor="middle">{escape(str(p["year"]))}</text>')
        if p.get("value") is not None:
            top_v = p["value_max"] if p.get("value_max") is not None else p["value"]
            y1, y2 = ypos(top_v), ypos(p["value"])
            parts.append(f'<rect x="{_n(cx - 9)}" y="{_n(y1 - 2)}" width="18" height="{_n(max(4, y2 - y1 + 4))}" '
                         f'fill="none" stroke="#1565c0" stroke-width="2"><title>目标</title></rect>')
        if p.get("actual") is not None:
            ay = ypos(p["actual"])
            colour = COLOURS["kept"] if p.get("status") == "met" else COLOURS["missed"]
            parts.append(f'<circle cx="{_n(cx)}" cy="{_n(ay)}" r="5" fill="{colour}"><title>实际 {_n(p["actual"])}{escape(unit)}</title></circle>')
            if prev is not None:
                parts.append(f'<line x1="{_n(prev[0])}" y1="{_n(prev[1])}" x2="{_n(cx)}" y2="{_n(ay)}" stroke="#555" stroke-dasharray="3 3"/>')
            prev = (cx, ay)
    parts.append("</svg></div>")
    return Markup("".join(parts))
