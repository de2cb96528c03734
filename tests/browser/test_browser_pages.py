"""The notices page, the header and the boards in a real browser at desktop (1280×800) and phone
(390×844) sizes: the menu folds on the phone, tables become cards, a filter lands on its results,
the leader's drill-down stays under /dashboard, chart text is at least 12 px on screen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from .conftest import SEED_PATH, login

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NOTICES = 40  # more than one page (30)


def new_page(browser, server, viewport, **kw):
    ctx = browser.new_context(base_url=server.url, locale="zh-CN", viewport=viewport, **kw)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def phone(browser, server):
    return new_page(browser, server, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


# The smallest size any chart's text is drawn at on screen: its computed font size in the SVG's
# units times the SVG's scale on the page (getScreenCTM), cross-checked with its box (getBBox).
CHART_TEXT = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
  const box = t.getBBox().height * t.getScreenCTM().d;
  return {text: t.textContent, size, box};
})"""


def in_view(page, selector: str) -> bool:
    return page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= -2 && r.top < window.innerHeight - 40; }""", selector)


@pytest.fixture(scope="module")
def ledger(browser, server) -> dict:
    """The seed report imported, assigned and published in the browser; 40 notices of 2024Q1."""
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Notice, Period

    page = new_page(browser, server, DESKTOP)
    login(page, "duchashi")
    page.set_input_files("#file", str(SEED_PATH))
    page.click("text=上传并抽取")
    page.wait_for_load_state()
    page.click("text=确认全部建议单位")
    page.wait_for_load_state()
    page.once("dialog", lambda d: d.accept())
    page.click("text=发布任务分工方案")
    page.wait_for_load_state()
    assert "已发布" in page.inner_text(".flash.ok")
    page.context.close()
    with transaction(server.engine, actor="setup") as db:
        q1 = db.scalars(select(Period).where(Period.label == "2024Q1")).one()
        rows = list(db.scalars(select(Commitment).where(Commitment.published.is_(True)).order_by(Commitment.id)))
        for i, c in enumerate(rows[:NOTICES], start=1):
            reasons = ["missing"] if i % 3 else ["missing", "behind"]
            db.add(Notice(commitment_id=c.id, unit_id=c.lead.unit_id, period_id=q1.id, reason=reasons[0],
                          reasons=reasons, serial_year=2024, serial=i, number=f"督〔2024〕{i}号",
                          detail=f"未按时报送：截至 {q1.due} 未报送2024Q1进度", issued=dt.date(2024, 4, 12),
                          due=dt.date(2024, 4, 19), answer="已整改" if i % 4 == 0 else None, closed=i % 8 == 0))
        unit = rows[0].lead.unit.name
    return {"unit": unit}


def test_notices_page_on_desktop_and_phone(browser, server, ledger, shot) -> None:
    page = new_page(browser, server, DESKTOP)
    login(page, "duchashi")
    page.goto("/admin/notices")
    assert f"共 {NOTICES} 份" in page.inner_text("#results [role=status]")
    assert page.locator("table.notices tbody tr").count() == 30
    assert "第 1–30 份，共 40 份" in page.inner_text(".pager")
    # columns are readable: the item column is wider than a few characters
    assert page.evaluate("() => document.querySelector('td[data-label=\"任务\"]').getBoundingClientRect().width") > 200
    # a page of 30 rows, not one endless table: the whole page fits in a few screens
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"notices page height at 1280x800 with {NOTICES} notices: {height} px")
    assert height < 4000, height
    shot(page, "pages-01-notices-desktop", full_page=False)
    # a filter reloads the page scrolled to its results
    with page.expect_navigation():
        page.select_option("form.filters select[name=status]", "answered")
    assert page.url.endswith("#results") and "status=answered" in page.url
    assert in_view(page, "#results")
    answered = page.locator("table.notices tbody tr").count()
    assert answered == sum(1 for i in range(1, NOTICES + 1) if i % 4 == 0 and i % 8)
    # the print view: the whole filtered list, no header or filters when printed
    page.goto("/admin/notices?print=1")
    assert page.locator("table.print-list tbody tr").count() == NOTICES
    page.emulate_media(media="print")
    for hidden in ("header.site", ".no-print"):
        assert page.evaluate(f"() => getComputedStyle(document.querySelector('{hidden}')).display") == "none"
    shot(page, "pages-02-notices-print", full_page=False)
    page.emulate_media(media="screen")
    assert not page.errors, page.errors
    page.context.close()

    mobile = phone(browser, server)
    login(mobile, "duchashi")
    mobile.goto("/admin/notices")
    # the menu is folded: one 「菜单」 button, the links hidden until it is opened
    assert mobile.locator("details.menu > summary").is_visible()
    assert not mobile.locator("header.site nav a[href^='/admin']").is_visible()
    header_h = mobile.evaluate("() => document.querySelector('header.site').getBoundingClientRect().height")
    assert header_h < 70, header_h
    shot(mobile, "pages-03-notices-phone", full_page=False)
    mobile.click("details.menu > summary")
    assert mobile.locator("header.site nav a[href^='/admin']").is_visible()
    shot(mobile, "pages-04-menu-open-phone", full_page=False)
    mobile.click("details.menu > summary")
    # the table is a stack of cards: rows are blocks, headers hidden, each cell labelled
    assert mobile.evaluate("() => getComputedStyle(document.querySelector('table.notices tbody tr')).display") == "block"
    assert not mobile.locator("table.notices thead").is_visible()
    label = mobile.evaluate("""() => getComputedStyle(document.querySelector('table.notices td[data-label="任务"]'),
                               '::before').content""")
    assert "任务" in label
    assert mobile.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    mobile.locator("table.notices tbody tr").first.scroll_into_view_if_needed()
    shot(mobile, "pages-05-notice-cards-phone", full_page=False)
    assert not mobile.errors, mobile.errors
    mobile.context.close()


def test_public_board_filter_keeps_results_in_view(browser, server, ledger, shot) -> None:
    for name, page in (("desktop", new_page(browser, server, DESKTOP)), ("phone", phone(browser, server))):
        page.goto("/")
        before = page.inner_text(".donut + .stat .num") if page.locator(".donut + .stat .num").count() else None
        total = int(page.inner_text(".stats .stat .num"))
        with page.expect_navigation():
            page.select_option("form.filters select[name=kind]", "target")
        assert page.url.endswith("#results") and in_view(page, "#results"), page.url
        listed = int(page.inner_text("#results [role=status]").split()[1])
        # the ring and the counts follow the filter
        assert int(page.inner_text(".stats .stat .num")) == listed < total, before
        assert "筛选结果完成" in page.get_attribute("svg.donut", "aria-label")
        shot(page, f"pages-06-board-filtered-{name}", full_page=False)
        assert not page.errors, page.errors
        page.context.close()


def test_leader_drilldown_and_chart_text(browser, server, ledger, shot) -> None:
    for name, page in (("desktop", new_page(browser, server, DESKTOP)), ("phone", phone(browser, server))):
        login(page, "lingdao")
        page.goto("/dashboard")
        sizes = page.evaluate(CHART_TEXT)
        assert sizes and min(s["size"] for s in sizes) >= 12, sorted(sizes, key=lambda s: s["size"])[:3]
        assert min(s["box"] for s in sizes) >= 12, sorted(sizes, key=lambda s: s["box"])[:3]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
        shot(page, f"pages-07-dashboard-{name}", full_page=False)
        # 「更多」 under the lagging items lists every one of them, in the leader's view
        more = page.locator("p.more a", has_text="已列")
        if more.count():
            more.first.click()
            page.wait_for_load_state()
            assert "/dashboard/list" in page.url and "lagging=1" in page.url
            page.go_back()
        # clicking a bar (not only its label) opens the list under /dashboard, and an item there too
        bar = page.locator("svg.chart a rect").first
        bar.scroll_into_view_if_needed()
        bar.click()
        page.wait_for_load_state()
        assert "/dashboard/list?" in page.url, page.url
        page.locator("ul.items a.title").first.click()
        page.wait_for_load_state()
        assert "/dashboard/c/" in page.url, page.url
        assert page.locator("nav[aria-label=位置] a", has_text="领导看板").count() == 1
        assert not page.errors, page.errors
        page.context.close()
