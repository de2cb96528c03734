"""Key pages in Chromium, for each role, at desktop (1280×800) and phone (390×844) sizes: the
rendered DOM shows no machine words (tests/web/visible.py), and a screenshot of each goes to
tests/output/screenshots. Also: a file over the limit is named on the progress form before it is
sent, and what was typed stays."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.web.visible import machine_words

from .conftest import PASSWORD, login

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOWN = """() => {
  const attrs = [...document.querySelectorAll('[title],[placeholder],[alt],[aria-label]')]
    .map(el => ['title', 'placeholder', 'alt', 'aria-label'].map(a => el.getAttribute(a) || '').join(' '));
  return document.title + ' ' + document.body.innerText + ' ' + attrs.join(' ');
}"""


@pytest.fixture(scope="module")
def demo(server) -> dict:
    """The demo ledger (the seed report, its units, progress to the end of 2024Q1) on the server."""
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.web import accounts, demo_data

    rid, accts = demo_data.build(server.engine, through=dt.date(2024, 3, 31))
    with transaction(server.engine, actor="setup") as db:
        for a in accts:
            accounts.set_password(db, a.username, PASSWORD)
        liaison = next(a for a in accts if a.role == "liaison")
        unit_of = accounts.find_unit_any(db, liaison.unit)
        cid = next(c.id for c in db.scalars(select(Commitment).where(Commitment.report_id == rid,
                                                                        Commitment.published.is_(True))
                                            .order_by(Commitment.id))
                   if c.lead is not None and c.lead.unit_id == unit_of.id)
    return {"rid": rid, "cid": cid, "liaison": liaison.username}


def _page(browser, server, size: str):
    ctx = browser.new_context(base_url=server.url, locale="zh-CN", viewport=SIZES[size],
                              is_mobile=size == "phone", has_touch=size == "phone")
    return ctx.new_page()


def test_key_pages_show_no_machine_words(browser, server, demo, shot) -> None:
    cid, rid = demo["cid"], demo["rid"]
    walks = {
        None: ["/", f"/c/{cid}", "/reconcile/"],
        "duchashi": ["/admin", f"/admin/reports/{rid}", f"/admin/commitments/{cid}", "/admin/history",
                     "/admin/notices"],
        "leader": ["/dashboard", f"/dashboard/c/{cid}"],
        demo["liaison"]: ["/my", f"/my/c/{cid}/report"],
    }
    problems = []
    for size in SIZES:
        for who, paths in walks.items():
            page = _page(browser, server, size)
            if who:
                login(page, who)
            for path in paths:
                page.goto(path)
                page.wait_for_load_state()
                problems += [f"{path} [{who or '公众'} {size}] {w}" for w in machine_words(page.evaluate(SHOWN))]
                name = (path.strip("/").replace("/", "-") or "home").replace(str(cid), "c").replace(str(rid), "r")
                shot(page, f"words-{size}-{who or 'public'}-{name}", full_page=size == "phone")
            page.context.close()
    assert not problems, "\n".join(problems[:40])


def test_the_history_page_reads_in_chinese(browser, server, demo, shot) -> None:
    page = _page(browser, server, "desktop")
    login(page, "duchashi")
    page.goto(f"/admin/commitments/{demo['cid']}")
    page.fill("#f-deadline", "2024-11-30")  # a change by the office, seen in its history
    page.click("button:text('保存')")
    page.wait_for_load_state()
    assert "已保存" in page.inner_text(".flash.ok")
    page.goto("/admin/history?who=duchashi")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    first = rows.first.inner_text()
    assert "市政府督查室（督查室）" in first and f"任务 {demo['cid']}" in first and "修改" in first
    assert "完成时限：" in first and "→ 2024-11-30" in first
    page.select_option("select[name=who]", "")
    page.wait_for_url("**/admin/history?who=&**")  # the filter submits itself
    page.select_option("select[name=what]", "Unit")
    page.wait_for_url("**what=Unit**")
    assert page.locator("tbody tr").count() > 1 and "单位：" in page.locator("tbody tr").first.inner_text()
    shot(page, "history-desktop", full_page=False)


def test_a_file_over_the_limit_is_named_and_the_form_kept(browser, server, demo, tmp_path) -> None:
    page = _page(browser, server, "phone")
    login(page, demo["liaison"])
    page.goto(f"/my/c/{demo['cid']}/report")
    page.fill("#narrative", "一季度完成投资12.3亿元，开工项目58个。")
    page.fill("#percent", "25")
    limit = int(page.get_attribute("#evidence", "data-max-bytes"))
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (limit + 1))
    page.set_input_files("#evidence", str(big))
    page.click("button:text('提交')")
    alert = page.locator(".form-error")
    assert alert.is_visible() and "扫描件.pdf" in alert.inner_text() and "超过上限" in alert.inner_text()
    assert page.url.endswith("/report")  # not sent
    assert page.input_value("#narrative") == "一季度完成投资12.3亿元，开工项目58个。"
    assert page.input_value("#percent") == "25"
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    page.set_input_files("#evidence", str(exe))
    page.click("button:text('提交')")
    assert "setup.exe：不支持这种文件" in page.inner_text(".form-error")
