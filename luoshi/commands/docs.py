"""``luoshi docs pdf OUT.pdf``: the whole 使用手册 as one PDF, printed by headless Chromium.

The same Markdown pages the app serves at /help are put into one HTML document (a cover, the
contents, then one chapter per page, links between pages turned into links inside the document,
pictures read from ``docs/images``) and printed with Chromium's ``--print-to-pdf``: the browser that
already renders the app lays out the Chinese text and the tables, so no second layout engine (and no
font download) is needed.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import click

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    """``LUOSHI_CHROMIUM`` or the first Chromium on PATH; a clear error when there is none."""
    from luoshi.errors import LuoshiError

    env = os.environ.get("LUOSHI_CHROMIUM")
    if env:
        if not Path(env).is_file():
            raise LuoshiError(f"LUOSHI_CHROMIUM 指向的文件不存在：{env}")
        return env
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise LuoshiError("未找到 Chromium：请安装（Debian：apt-get install chromium fonts-noto-cjk）或设置 LUOSHI_CHROMIUM")


def manual_html() -> str:
    """The whole manual as one self-contained HTML document for printing."""
    from luoshi.web.app import STATIC
    from luoshi.web.views.help import contents, docs_dir, render_page

    images = docs_dir() / "images"
    pages = contents()
    if not pages:
        from luoshi.errors import NotFoundError

        raise NotFoundError(f"没有找到使用手册（{docs_dir()} 下应有 index.md 等页面）")
    chapters = []
    for slug, _title in pages:
        page = render_page(slug, link=lambda s, a: f"#{a}" if a else f"#page-{s}",
                           image=lambda name: (images / name).as_uri())
        chapters.append(f'<section class="chapter" id="page-{slug}">{page.html}</section>')
    toc = "".join(f'<li><a href="#page-{s}">{html.escape(t)}</a></li>' for s, t in pages)
    css = (STATIC / "luoshi.css").read_text(encoding="utf-8") + (STATIC / "help.css").read_text(encoding="utf-8")
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>落实 使用手册</title>'
        f"<style>{css}\n@page {{ size: A4; margin: 18mm 16mm; }} body {{ background: #fff; }}</style></head>"
        '<body class="manual-print"><main class="help-page">'
        f'<section class="cover"><h1>落实 · 政府工作报告任务台账</h1><p>使用手册</p>'
        f"<p>生成日期 {dt.date.today().isoformat()}</p><h2>目录</h2><ol>{toc}</ol></section>"
        + "".join(chapters) + "</main></body></html>"
    )


def print_pdf(source: str, out: Path, *, timeout: float = 180) -> None:
    """Print an HTML string to ``out`` with headless Chromium; a one-line error if it fails."""
    from luoshi.errors import LuoshiError

    chromium = find_chromium()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="luoshi-docs-") as tmp:
        page = Path(tmp) / "manual.html"
        page.write_text(source, encoding="utf-8")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", page.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LuoshiError(f"Chromium 在 {timeout:.0f} 秒内没有完成打印") from exc
    if proc.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        last = (proc.stderr.strip().splitlines() or ["无输出"])[-1]
        raise LuoshiError(f"Chromium 打印 PDF 失败（退出码 {proc.returncode}）：{last}")


@click.group()
def docs() -> None:
    """使用手册：生成整本 PDF（网页版在 /help）。"""


@docs.command("pdf")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def pdf(out: Path) -> None:
    """把使用手册（docs/*.md 及插图）排成一个 PDF 文件（用本机的 Chromium 打印）。"""
    from pypdf import PdfReader

    print_pdf(manual_html(), out)
    pages = len(PdfReader(out).pages)
    click.echo(f"已生成使用手册 {out}（{pages} 页，{out.stat().st_size // 1024} KB）")
