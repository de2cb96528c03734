"""``luoshi docs pdf``: the whole manual printed by the same headless Chromium, checked by reading
the PDF back with pypdf (text of every chapter, the pictures embedded, links kept inside)."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LUOSHI = [sys.executable, "-c", "import sys; from luoshi.cli import main; main(sys.argv[1:])"]


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*LUOSHI, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})


def test_the_manual_prints_as_one_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "手册" / "落实使用手册.pdf"
    r = run("docs", "pdf", str(out))
    assert r.returncode == 0, r.stderr
    reader = PdfReader(out)
    pages = len(reader.pages)
    assert r.stdout.startswith(f"已生成使用手册 {out}（{pages} 页，")
    assert pages >= 20
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    # the CJK font maps some characters to their Kangxi-radical twins (⼯ for 工): NFKC folds them back
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    for heading in ("落实使用手册", "督查室：一年的工作", "联络员：在手机上报送", "领导：看板与批示", "公众：亮屏公示",
                    "研究人员：语料库与记分卡", "系统管理员：安装、配置、备份、升级", "生产部署"):
        assert unicodedata.normalize("NFKC", heading) in compact, heading
    assert "luoshibackup--dir/var/backups/luoshi--keep30" in compact
    assert "报送截止日=周期结束后的第N个工作日" in compact
    pictures = sum(len(p.images) for p in reader.pages)
    assert pictures == 16  # every screenshot of docs/images, once
    # links between chapters point inside the document, not at /help or at .md files
    uris = [a.get_object().get("/A", {}).get("/URI") for p in reader.pages for a in p.get("/Annots") or []]
    assert not [u for u in uris if u and (u.endswith(".md") or "/help" in u)], uris


def test_missing_browser_or_manual_is_one_line(tmp_path: Path) -> None:
    r = run("docs", "pdf", str(tmp_path / "x.pdf"), LUOSHI_CHROMIUM=str(tmp_path / "no-chromium"))
    assert r.returncode == 2
    assert r.stderr.strip() == f"luoshi: LUOSHI_CHROMIUM 指向的文件不存在：{tmp_path / 'no-chromium'}"
    empty = tmp_path / "docs"
    empty.mkdir()
    r = run("docs", "pdf", str(tmp_path / "x.pdf"), LUOSHI_DOCS=str(empty))
    assert r.returncode == 2
    assert r.stderr.strip() == f"luoshi: 没有找到使用手册（{empty} 下应有 index.md 等页面）"
    assert not (tmp_path / "x.pdf").exists()
