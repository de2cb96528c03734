"""Chart images for the 督查通报, rendered locally with matplotlib (no network, no web fonts).

Chinese labels need a CJK font. :func:`cjk_font` looks for one already on the system (the
``LUOSHI_CJK_FONT`` path, matplotlib's font list, then ``fc-list :lang=zh``) and checks that it
really has the glyphs. Without one the charts use numbers and ASCII only, and each chart's caption —
document text, which Word renders with its own fonts — spells out what the numbers stand for, so a
reader never sees tofu boxes.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from luoshi.export.model import Bulletin
from luoshi.ledger.vocabulary import LIGHTS

LIGHT_LABELS = {k: LIGHTS[k] for k in ("green", "yellow", "red")}  # the pages' words (ledger vocabulary)
LIGHT_ASCII = {"green": "G", "yellow": "Y", "red": "R"}
LIGHT_COLORS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "grey": "#9e9e9e"}
PROBE = "督查通报正常推进滞后单位排名市县区局委办"
NAME_HINTS = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "Droid Sans Fallback", "SimHei", "SimSun",
              "Microsoft YaHei", "PingFang", "Heiti", "FangSong", "KaiTi", "AR PL")
MAX_UNITS_IN_CHART = 30


@dataclass
class Chart:
    png: bytes
    caption: str
    cjk: bool  # labels drawn in Chinese (False: numbered, explained in the caption)


def _covers(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        return all(font.get_char_index(ord(ch)) for ch in PROBE)
    except Exception:  # unreadable or unsupported font file
        return False


def _fc_list() -> list[str]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run([exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(":", 1)[0].strip() for line in out.stdout.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Path of a font on this machine that can draw Chinese, or None."""
    env = os.environ.get("LUOSHI_CJK_FONT")
    if env:
        return env if Path(env).is_file() and _covers(env) else None
    from matplotlib import font_manager

    candidates = [f.fname for f in font_manager.fontManager.ttflist if any(h in f.name for h in NAME_HINTS)]
    candidates += _fc_list()
    # prefer Simplified Chinese sans faces, then anything that covers the probe
    candidates.sort(key=lambda p: (("Sans" not in p and "Hei" not in p), "Bold" in p, "SC" not in p, p))
    seen: set[str] = set()
    for path in candidates:
        if path in seen:
            continue
        seen.add(path)
        if _covers(path):
            return path
    return None


def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=150)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _props(font: str | None, size: float):  # type: ignore[no-untyped-def]
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font, size=size) if font else FontProperties(family="DejaVu Sans", size=size)


def status_chart(b: Bulletin, font: str | None) -> Chart:
    counts = {"green": b.green, "yellow": b.yellow, "red": b.red}
    keys = list(counts)
    fig = _figure(6.4, 2.6)
    ax = fig.add_subplot()
    labels = [LIGHT_LABELS[k] if font else LIGHT_ASCII[k] for k in keys]
    values = [counts[k] for k in keys]
    bars = ax.barh(labels[::-1], values[::-1], color=[LIGHT_COLORS[k] for k in keys][::-1])
    for bar, v in zip(bars, values[::-1], strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v}", va="center", fontproperties=_props(font, 9))
    for label in ax.get_yticklabels():
        label.set_fontproperties(_props(font, 10))
    ax.set_xlabel("任务数" if font else "n", fontproperties=_props(font, 9))
    ax.set_title(f"{b.period_title}任务进度状态" if font else f"{b.period}", fontproperties=_props(font, 11))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.15)
    caption = "图1  重点任务进度状态分布"
    if not font:
        caption += "（" + "，".join(f"{LIGHT_ASCII[k]}＝{LIGHT_LABELS[k]} {counts[k]}项" for k in keys) + "）"
    return Chart(_png(fig), caption, bool(font))


def ranking_chart(b: Bulletin, font: str | None) -> Chart:
    ranks = b.ranking[:MAX_UNITS_IN_CHART]
    fig = _figure(6.4, max(2.2, 0.28 * len(ranks) + 0.8))
    ax = fig.add_subplot()
    names = [r.unit if font else str(r.rank) for r in ranks][::-1]
    scores = [r.score for r in ranks][::-1]
    colors = [LIGHT_COLORS["red"] if r.red else LIGHT_COLORS["yellow"] if r.yellow else LIGHT_COLORS["green"] for r in ranks][::-1]
    bars = ax.barh(names or [""], scores or [0], color=colors or [LIGHT_COLORS["grey"]])
    for bar, v in zip(bars, scores, strict=False):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:.1f}", va="center", fontproperties=_props(font, 8))
    for label in ax.get_yticklabels():
        label.set_fontproperties(_props(font, 8))
    ax.set_xlabel("得分" if font else "score", fontproperties=_props(font, 9))
    ax.set_title("单位得分排名" if font else "ranking", fontproperties=_props(font, 11))
    ax.set_xlim(0, max([*scores, 100]) * 1.1)
    ax.spines[["top", "right"]].set_visible(False)
    caption = "图2  责任单位得分排名"
    if len(b.ranking) > MAX_UNITS_IN_CHART:
        caption += f"（前{MAX_UNITS_IN_CHART}名）"
    if not font:
        caption += "（纵轴序号对应单位：" + "；".join(f"{r.rank} {r.unit}" for r in ranks) + "）"
    return Chart(_png(fig), caption, bool(font))


def bulletin_charts(b: Bulletin, *, font: str | bool | None = True) -> list[Chart]:
    """The bulletin's charts; ``font=True`` finds a CJK font, ``False``/None forces the fallback."""
    path = cjk_font() if font is True else (font or None)
    return [status_chart(b, path), ranking_chart(b, path)]
