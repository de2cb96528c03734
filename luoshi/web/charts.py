"""Server-rendered inline SVG charts: readable with JavaScript off, no chart library, no CDN.

Each function returns ``markupsafe.Markup`` (every label is escaped here) and draws with SVG
attributes only (no ``style`` attributes), so the pages keep a strict Content-Security-Policy.
Colours come from classes defined in ``static/luoshi.css`` (``light-green`` …), so a chart and
the table next to it always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from luoshi.ledger import vocabulary as words

LIGHTS = ("green", "yellow", "red", "grey")
LIGHT_LABELS = words.LIGHTS


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _clamp(pct: float | None) -> float:
    if pct is None:
        return 0.0
    return max(0.0, min(100.0, float(pct)))


def progress_bar(pct: float | None, light: str = "grey", *, expected: float | None = None,
                 width: int = 160, label: str | None = None) -> Markup:
    """A horizontal bar: filled to ``pct``, coloured by ``light``; a tick at the expected progress."""
    light = light if light in LIGHTS else "grey"
    p = _clamp(pct)
    h = 12
    text = label or (f"进度 {_n(p)}%" if pct is not None else "暂无进度")
    if expected is not None:
        text += f"，时序进度 {_n(_clamp(expected))}%"
    parts = [
        f'<svg class="bar" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
        f'aria-label="{escape(text)}" preserveAspectRatio="none">',
        f'<rect class="bar-track" x="0" y="0" width="{width}" height="{h}" rx="3"/>',
        f'<rect class="fill-{light}" x="0" y="0" width="{_n(width * p / 100)}" height="{h}" rx="3"/>',
    ]
    if expected is not None:
        x = _n(width * _clamp(expected) / 100)
        parts.append(f'<line class="bar-expected" x1="{x}" x2="{x}" y1="0" y2="{h}"/>')
    parts.append(f"<title>{escape(text)}</title></svg>")
    return Markup("".join(parts))


def donut(pct: float | None, *, size: int = 140, label: str = "总体完成") -> Markup:
    """A ring showing one percentage, with the number in the middle."""
    p = _clamp(pct)
    r = size / 2 - 10
    c = size / 2
    circ = 2 * 3.141592653589793 * r
    dash = circ * p / 100
    text = f"{label} {_n(p)}%"
    return Markup(
        f'<svg class="donut" viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
        f'aria-label="{escape(text)}">'
        f'<circle class="donut-track" cx="{c}" cy="{c}" r="{_n(r)}" fill="none" stroke-width="14"/>'
        f'<circle class="donut-fill" cx="{c}" cy="{c}" r="{_n(r)}" fill="none" stroke-width="14" '
        f'stroke-dasharray="{_n(dash)} {_n(circ)}" transform="rotate(-90 {c} {c})"/>'
        f'<text class="donut-num" x="{c}" y="{c + 8}" text-anchor="middle">{_n(p)}%</text>'
        f"<title>{escape(text)}</title></svg>"
    )


@dataclass
class LightRow:
    """Counts of commitments per light for one area or unit."""

    label: str
    green: int = 0
    yellow: int = 0
    red: int = 0
    grey: int = 0
    href: str | None = None

    @property
    def total(self) -> int:
        return self.green + self.yellow + self.red + self.grey


SCROLL_OPEN = '<div class="chart-scroll">'
"""Charts scale with their box down to a floor (``svg.chart`` ``min-width`` in luoshi.css, ~12.2/13 of
their drawing width), so their 13-unit text never shows below 12 px; a narrower box (a phone)
scrolls the chart sideways inside this wrapper instead of shrinking its words."""


def light_bars(rows: Sequence[LightRow], *, width: int = 520, row_h: int = 28, label_w: int = 150) -> Markup:
    """One stacked horizontal bar per row (green / yellow / red / grey), scaled to the largest row."""
    if not rows:
        return Markup('<p class="muted">暂无数据</p>')
    top = max(r.total for r in rows) or 1
    bar_w = width - label_w - 40
    h = row_h * len(rows) + 4
    out = [SCROLL_OPEN, f'<svg class="chart w{width}" viewBox="0 0 {width} {h}" width="100%" role="img" '
           f'aria-label="按红黄绿灯统计"><title>按红黄绿灯统计</title>']
    for i, row in enumerate(rows):
        y = i * row_h + 2
        label = row.label if len(row.label) <= 10 else row.label[:9] + "…"
        text = (f"{row.label}：绿 {row.green}，黄 {row.yellow}，红 {row.red}，未开始 {row.grey}")
        out.append("<g>")
        out.append(f"<title>{escape(text)}</title>")
        if row.href:  # the label and the bar both lead to the row's list
            out.append(f'<a href="{escape(row.href)}">')
        out.append(f'<text class="chart-label" x="{label_w - 6}" y="{y + row_h * 0.62:.1f}" '
                   f'text-anchor="end">{escape(label)}</text>')
        x = float(label_w)
        for light in LIGHTS:
            n = getattr(row, light)
            if n:
                w = bar_w * n / top
                out.append(f'<rect class="fill-{light}" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" '
                           f'height="{row_h - 8}"/>')
                x += w
        out.append(f'<text class="chart-num" x="{x + 4:.1f}" y="{y + row_h * 0.62:.1f}">{row.total}</text>')
        if row.href:
            out.append("</a>")
        out.append("</g>")
    out.append("</svg></div>")
    return Markup("".join(out))


def trend(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float | None]]], *,
          width: int = 640, height: int = 220) -> Markup:
    """Line chart over periods. ``series`` = (name, css class, values in %)."""
    if not labels:
        return Markup('<p class="muted">暂无周期数据</p>')
    left, right, top, bottom = 36, 36, 12, 40
    pw, ph = width - left - right, height - top - bottom
    n = len(labels)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (pw * i / (n - 1) if n > 1 else pw / 2)
        return x, top + ph * (1 - _clamp(v) / 100)

    out = [SCROLL_OPEN, f'<svg class="chart w{width}" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="各周期进度趋势"><title>各周期进度趋势</title>']
    for g in (0, 25, 50, 75, 100):
        _, y = xy(0, g)
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{g}</text>')
    step = max(1, n // 12)
    for i, lab in enumerate(labels):
        if i % step == 0 or i == n - 1:
            x, _ = xy(i, 0)
            out.append(f'<text class="axis" x="{x:.1f}" y="{height - bottom + 16}" '
                       f'text-anchor="middle">{escape(lab)}</text>')
    for k, (name, cls, values) in enumerate(series):
        pts = [xy(i, v) for i, v in enumerate(values) if v is not None]
        if pts:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline class="line {escape(cls)}" fill="none" points="{d}"><title>'
                       f"{escape(name)}</title></polyline>")
            for (x, y), v in zip(pts, [v for v in values if v is not None], strict=True):
                out.append(f'<circle class="dot {escape(cls)}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                           f"<title>{escape(name)} {_n(v)}%</title></circle>")
        lx = left + k * 150
        out.append(f'<rect class="{escape(cls)}-key" x="{lx}" y="{height - 14}" width="12" height="4"/>'
                   f'<text class="axis" x="{lx + 16}" y="{height - 9}">{escape(name)}</text>')
    out.append("</svg></div>")
    return Markup("".join(out))
