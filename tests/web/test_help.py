"""The 使用手册 served at /help: every page of docs/ rendered, links and pictures pointing inside the
app, nothing fetched from elsewhere, and a clear 404 for what is not part of the manual."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from luoshi.web.views.help import PAGES, render_page

from .conftest import login

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_page_of_the_manual_is_served_with_its_contents(client: TestClient) -> None:
    index = client.get("/help")
    assert index.status_code == 200
    assert "<h1" in index.text and "落实 使用手册" in index.text
    toc = re.findall(r'<nav class="help-toc".*?</nav>', index.text, re.S)[0]
    for slug in PAGES[1:]:
        assert f'href="/help/{slug}"' in toc
        r = client.get(f"/help/{slug}")
        assert r.status_code == 200, slug
        first_heading = (DOCS / f"{slug}.md").read_text(encoding="utf-8").splitlines()[0].removeprefix("# ")
        assert f"{first_heading} · 使用手册" in r.text  # the page title is the chapter's heading
        assert 'aria-current="page">' + first_heading in r.text
    assert "督查室：一年的工作" in toc and "生产部署" in toc


def test_links_pictures_and_tables_point_inside_the_app(client: TestClient) -> None:
    r = client.get("/help/duchashi")
    html = r.text
    assert 'href="/help/admin"' in html  # written as admin.md in the Markdown
    assert ".md\"" not in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert "/help/images/duchashi-01-admin.png" in images and len(images) == 7
    for src in images:
        pic = client.get(src)
        assert pic.status_code == 200 and pic.headers["content-type"] == "image/png"
        assert pic.content.startswith(b"\x89PNG")
    assert '<pre><code class="language-sh">luoshi ledger periods --cycle 季 --generate --as 督查室' in html
    assert "<table>" in client.get("/help").text  # the roles table of the first page
    # nothing from another host: no CDN, no web fonts (the page is offline like the rest of the app)
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="http://127.0.0.1:8000"', ""))
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_whoever_is_logged_in_reads_the_same_manual(client: TestClient) -> None:
    anonymous = client.get("/help/liaison").text
    login(client, "liaison1")
    mine = client.get("/help/liaison").text
    assert "联络员：在手机上报送" in anonymous and "联络员：在手机上报送" in mine
    assert 'href="/help"' in mine and "退出" in mine  # the site's header, with the user's own links


@pytest.mark.parametrize("path, message", [
    ("/help/nosuchpage", "使用手册中没有“nosuchpage”这一页"),
    ("/help/images/nosuch.png", "没有这张插图：nosuch.png"),
    ("/help/images/..%2Fduchashi.md", "页面不存在"),
    ("/help/images/Evil.PNG", "没有这张插图：Evil.PNG"),
])
def test_what_is_not_in_the_manual_is_a_404_with_a_reason(client: TestClient, path: str, message: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert message in r.text


def test_markdown_cannot_carry_markup_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 client: TestClient) -> None:
    (tmp_path / "index.md").write_text("# 测试\n\n<script>alert(1)</script>\n\n[外部](javascript:alert(1))\n\n"
                                       "[下一章](leader.md#leader-2) ![图](images/x.png) ![远程](http://cdn.example/x.png)\n",
                                       encoding="utf-8")
    monkeypatch.setenv("LUOSHI_DOCS", str(tmp_path))
    page = render_page("index")
    assert page.title == "测试"
    assert "<script>" not in page.html and "&lt;script&gt;" in page.html
    assert 'href="javascript:' not in page.html  # markdown-it refuses the link, the text stays
    assert 'href="/help/leader#leader-2"' in page.html and 'src="/help/images/x.png"' in page.html
    assert 'src="http://cdn.example/x.png"' in page.html  # left as written: this test page is not the manual
    r = client.get("/help/duchashi")  # a page missing from this docs folder
    assert r.status_code == 404 and "使用手册文件缺失：duchashi.md" in r.text


def test_the_shipped_manual_refers_to_no_remote_picture() -> None:
    for slug in PAGES:
        html = render_page(slug, root=DOCS).html
        assert not re.search(r'<img src="(https?:)?//', html), slug
        for href in re.findall(r'href="([^"]+)"', html):
            assert not href.endswith(".md"), (slug, href)
