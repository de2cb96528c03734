"""The main journeys in a real browser: import → assign → publish; a liaison reports from a phone
with evidence; the office accepts; the public page shows the new status. One module, in order."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from .conftest import PASSWORD, SEED_PATH, login, new_page

pytestmark = pytest.mark.browser

STATE: dict = {}




def test_operator_imports_assigns_and_publishes(browser, server, shot) -> None:
    page = new_page(browser, server, viewport={"width": 1366, "height": 900})
    login(page, "duchashi")
    assert page.url.endswith("/admin")
    page.set_input_files("#file", str(SEED_PATH))
    page.click("text=上传并抽取")
    page.wait_for_load_state()
    assert re.search(r"/admin/reports/\d+", page.url), page.url
    assert "已导入" in page.inner_text(".flash.ok")
    shot(page, "01-review", full_page=False)
    # clicking a commitment highlights and scrolls to its span in the source text
    link = page.locator("a[data-span]").nth(5)
    cid = link.get_attribute("data-span")
    link.click()
    assert page.locator(f"mark#s{cid}.active").count() == 1
    assert page.locator(f"mark#s{cid}").is_visible()
    shot(page, "02-review-highlight", full_page=False)
    page.click("text=确认全部建议单位")
    page.wait_for_load_state()
    assert "已确认" in page.inner_text(".flash.ok")
    page.once("dialog", lambda d: d.accept())
    page.click("text=发布任务分工方案")
    page.wait_for_load_state()
    assert "已发布" in page.inner_text(".flash.ok")
    assert not page.errors, page.errors  # no CSP violations or script errors

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.web import accounts

    with transaction(server.engine, actor="setup") as db:
        c = db.scalars(select(Commitment).where(Commitment.kind == "target", Commitment.published.is_(True),
                                                Commitment.unit == "%").order_by(Commitment.id)).first()
        assert c is not None and c.lead is not None
        STATE.update(cid=c.id, title=c.title, unit=c.lead.unit.name)
        accounts.add_user(db, "lianluo", "liaison", PASSWORD, unit=c.lead.unit.name)


def test_liaison_reports_from_a_phone(browser, server, shot, tmp_path) -> None:
    assert STATE, "needs the operator journey first"
    page = new_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                    device_scale_factor=2)
    login(page, "lianluo")
    assert page.url.endswith("/my")
    assert "还剩" in page.inner_text("main")  # working days left in the reporting window
    shot(page, "03-liaison-my-phone", full_page=False)
    page.goto(f"/my/c/{STATE['cid']}/report")
    button = page.locator("button[type=submit]", has_text="提交")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 300  # big tap target on a phone
    evidence = tmp_path / "现场照片.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    page.fill("#percent", "40")
    page.fill("#narrative", "一季度已完成全年目标的四成，相关项目均已开工。")
    page.set_input_files("#evidence", str(evidence))
    shot(page, "04-liaison-report-form-phone")
    button.tap()
    page.wait_for_load_state()
    assert "已提交" in page.inner_text(".flash.ok")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    assert not page.errors, page.errors


def test_operator_accepts(browser, server, shot) -> None:
    page = new_page(browser, server, viewport={"width": 1280, "height": 900})
    login(page, "duchashi")
    page.goto("/admin/progress")
    item = page.locator("ul.items li", has_text=STATE["title"])
    assert "现场照片.png" in item.inner_text()
    shot(page, "05-admin-progress-queue", full_page=False)
    item.locator("button", has_text="采纳").click()
    page.wait_for_load_state()
    assert "已采纳" in page.inner_text(".flash.ok")


def test_public_page_shows_new_status(browser, server, shot) -> None:
    page = new_page(browser, server, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page.goto(f"/c/{STATE['cid']}")
    main = page.inner_text("main")
    assert "40%" in main and "一季度已完成全年目标的四成" in main and STATE["unit"] in main
    assert "现场照片.png" not in main  # evidence files are not public
    shot(page, "06-public-commitment-nojs")
    page.goto("/?q=" + STATE["title"][:6])
    assert STATE["title"] in page.inner_text("main")
    page.goto("/")
    shot(page, "07-public-home-nojs", full_page=False)
    page.goto("/screen")
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    shot(page, "08-hall-display", full_page=False)


def test_leader_dashboard(browser, server, shot) -> None:
    page = new_page(browser, server, viewport={"width": 1366, "height": 900})
    login(page, "lingdao")
    assert page.url.endswith("/dashboard")
    assert page.locator("svg.donut").count() == 1 and page.locator("svg.chart").count() >= 2
    shot(page, "09-leader-dashboard")
    page.locator("ul.items a.title").first.click()
    page.wait_for_load_state()
    assert "变更记录" in page.inner_text("main")
    # keyboard: the skip link is the first tab stop
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    assert not page.errors, page.errors


def test_leader_comments_on_a_commitment(browser, server, shot) -> None:
    assert STATE, "needs the operator journey first"
    page = new_page(browser, server, viewport={"width": 1280, "height": 900})
    login(page, "lingdao")
    page.goto(f"/dashboard/c/{STATE['cid']}")
    page.fill("#comment-body", "请于月底前报送<b>开工</b>情况。")
    page.click("text=提交意见")
    page.wait_for_load_state()
    assert "意见已提交" in page.inner_text(".flash.ok")
    item = page.locator("ul.comments li").first
    assert "请于月底前报送<b>开工</b>情况。" in item.inner_text()  # shown as text, not markup
    assert page.locator("ul.comments li b", has_text="开工").count() == 0
    page.locator("#comments").scroll_into_view_if_needed()
    shot(page, "10-leader-comment", full_page=False)
    assert not page.errors, page.errors
    # the liaison of the lead unit reads it on the reporting page; the public page does not show it
    liaison = new_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True)
    login(liaison, "lianluo")
    liaison.goto(f"/my/c/{STATE['cid']}/report")
    assert "请于月底前报送" in liaison.inner_text("#comments")
    assert liaison.locator("#comment-body").count() == 0
    public = new_page(browser, server)
    public.goto(f"/c/{STATE['cid']}")
    assert "请于月底前报送" not in public.inner_text("main")


def test_operator_splits_a_commitment_by_its_quote(browser, server, shot) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment

    with transaction(server.engine, actor="setup") as db:
        c = next(c for c in db.scalars(select(Commitment).where(Commitment.kind == "measure",
                                                                 Commitment.state == "active")
                                       .order_by(Commitment.id)) if c.quote and "，" in c.quote.strip("，"))
        cid, quote, start = c.id, c.quote, c.start
    first, second = quote.split("，", 1)
    page = new_page(browser, server, viewport={"width": 1280, "height": 900})
    login(page, "duchashi")
    page.goto(f"/admin/commitments/{cid}")
    assert page.input_value("#s-parts") == quote
    page.fill("#s-parts", f"{first}\n{second}")
    page.click("button:has-text('拆分')")
    page.wait_for_load_state()
    assert "已拆分为任务" in page.inner_text(".flash.ok")
    with transaction(server.engine, actor="setup") as db:
        parts = list(db.scalars(select(Commitment).where(Commitment.source == "manual", Commitment.start >= start)
                                .order_by(Commitment.start).limit(2)))
        assert [(p.quote, p.start) for p in parts] == [(first, start), (second, start + len(first) + 1)]
        new_id = parts[0].id
    page.locator(f'a[data-span="{new_id}"]').click()  # the new item has its own highlighted span
    assert page.locator(f"mark#s{new_id}.active").count() == 1
    shot(page, "11-review-after-split", full_page=False)
    assert not page.errors, page.errors


def test_cross_year_pages_from_the_nav(browser, server, shot) -> None:
    from luoshi.corpus.build import build
    from luoshi.web.demo_data import REPORTS

    page = new_page(browser, server, viewport={"width": 1280, "height": 900})
    page.goto("/")
    page.click("nav >> text=历年承诺")
    page.wait_for_load_state()
    main = page.inner_text("main")  # no corpus yet: says so and points to the manual, no command line
    assert "尚未建立历年报告语料库" in main and "luoshi corpus build" not in main
    assert page.get_attribute("main a[href='/help/researcher']", "href") == "/help/researcher"
    shot(page, "12-reconcile-no-corpus", full_page=False)
    build(REPORTS, server.home / "corpus.sqlite", workers=1, progress=False)
    page.reload()
    page.click("main >> text=国务院")
    page.wait_for_load_state()
    assert "/reconcile/gov/" in page.url and page.locator("svg").count() >= 1
    shot(page, "13-reconcile-government")
    assert not page.errors, page.errors  # strict CSP holds on the mounted pages
