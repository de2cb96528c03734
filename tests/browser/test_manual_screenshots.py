"""The pictures of the 使用手册 (docs/images/*.png), taken in real headless Chromium while walking a
year of the ledger: the office generates 督办单, a liaison reports and answers one on a phone, the
office reviews, a leader comments, the public pages and the cross-year pages. Each step checks what
the reader of the manual is told they will see, so a picture never shows a page that has changed
its meaning. Run it again to regenerate the pictures after the interface changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from .conftest import PASSWORD, SEED_PATH, login, new_page

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGES = DOCS / "images"
TODAY = "2024-07-10"  # 2024Q2 is over and its due date has passed; 2024Q3 is the period to report
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}
STATE: dict = {}


@pytest.fixture(scope="module", autouse=True)
def year(server, tmp_path_factory: pytest.TempPathFactory):
    """The seed report published with two accepted quarters, a liaison account, and a small corpus."""
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.web import accounts, demo_data

    saved = os.environ.get("LUOSHI_TODAY")
    os.environ["LUOSHI_TODAY"] = TODAY
    import datetime as dt

    with transaction(server.engine, actor="demo") as db:
        report, _ = demo_data.import_report(db, SEED_PATH)
        demo_data.confirm_and_publish(db, report)
        demo_data.generate_progress(db, report, through=dt.date(2024, 6, 30))
        c = db.scalars(select(Commitment).where(Commitment.code == "T009")).one()  # 规上工业企业达到1400家
        assert c.lead is not None
        accounts.add_user(db, "lianluo", "liaison", PASSWORD, unit=c.lead.unit.name)
        STATE.update(cid=c.id, title=c.title, unit=c.lead.unit.name)
    reports = tmp_path_factory.mktemp("corpus-reports")
    for year_ in (2022, 2023):
        shutil.copy(SEED_PATH.parent / f"national-{year_}.txt", reports / f"national-{year_}.txt")
    built = subprocess.run([sys.executable, "-c", "import sys; from luoshi.cli import main; main(sys.argv[1:])",
                            "corpus", "build", str(reports), "--out", str(server.home / "corpus.sqlite"), "-q",
                            "-j", "1"], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(DOCS.parent)})
    assert built.returncode == 0, built.stderr
    IMAGES.mkdir(parents=True, exist_ok=True)
    yield
    if saved is None:
        os.environ.pop("LUOSHI_TODAY", None)
    else:
        os.environ["LUOSHI_TODAY"] = saved




def picture(page, name: str, *, full_page: bool = False) -> None:
    assert not page.errors, page.errors  # no script errors or CSP violations on a page we show
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full_page)


def test_office_generates_notices_for_the_past_quarter(browser, server) -> None:
    page = new_page(browser, server, viewport=DESKTOP)
    login(page, "duchashi")
    assert "督查室工作台" in page.inner_text("main")
    picture(page, "duchashi-01-admin")

    page.goto("/admin/reports/1")
    assert "共 158 项" in page.inner_text("main")
    link = page.locator("a[data-span]").nth(8)
    cid = link.get_attribute("data-span")
    link.click()
    assert page.locator(f"mark#s{cid}.active").is_visible()
    picture(page, "duchashi-02-review")

    page.goto("/admin/periods")
    row = page.locator("tr", has_text="2024Q2")
    assert "2024-07-05" in row.inner_text()
    picture(page, "duchashi-03-periods")
    row.locator("button", has_text="生成督办单").click()
    page.wait_for_load_state()
    # the preview: how many would be issued and why, with the confirm button
    total = int(page.inner_text("#preview-total"))
    assert total > 0 and "按原因" in page.inner_text("#preview-counts")
    picture(page, "duchashi-03-preview")
    page.locator("button", has_text="确认签发").click()
    page.wait_for_load_state()
    flash = page.inner_text(".flash.ok")
    m = re.search(r"(\d+)", flash)
    assert m and int(m.group(1)) == total, flash
    STATE["notices"] = total


def test_liaison_reports_and_answers_on_a_phone(browser, server, tmp_path) -> None:
    page = new_page(browser, server, **PHONE)
    login(page, "lianluo")
    assert page.url.endswith("/my")
    main = page.inner_text("main")
    assert "本期报送：2024Q3" in main and "还剩" in main and STATE["title"] in main
    picture(page, "liaison-01-my")

    page.goto(f"/my/c/{STATE['cid']}/report")
    page.fill("#percent", "71.5")
    page.fill("#narrative", "新培育规上工业企业86家，累计1001家；下半年重点推动32家小升规。")
    evidence = tmp_path / "规上企业名单.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% list of new enterprises\n")
    page.set_input_files("#evidence", str(evidence))
    picture(page, "liaison-02-report", full_page=True)
    page.click("button[type=submit] >> text=提交")
    page.wait_for_load_state()
    assert "已提交 2024Q3 进度（71.5%），等待督查室审核" in page.inner_text(".flash.ok")

    page.goto("/my/notices")
    answer = page.locator("textarea").first
    answer.fill("已召开专题调度会，7月底前补齐二季度进度材料。")
    page.locator("button", has_text="提交答复").first.click()
    page.wait_for_load_state()
    assert "已答复督办单" in page.inner_text(".flash.ok")
    picture(page, "liaison-03-notices")


def test_office_reviews_progress_notices_and_evaluations(browser, server) -> None:
    page = new_page(browser, server, viewport=DESKTOP)
    login(page, "duchashi")
    page.goto("/admin/progress")
    main = page.inner_text("main")
    assert "新培育规上工业企业86家" in main and "规上企业名单.pdf" in main
    picture(page, "duchashi-04-progress")

    page.goto("/admin/notices")
    main = page.inner_text("main")
    assert "已召开专题调度会" in main
    assert "未按时报送" in main or "进度严重滞后" in main
    picture(page, "duchashi-05-notices")

    page.goto("/admin/evaluations")
    main = page.inner_text("main")
    assert "按规则评价全部可评任务" in main and "规上工业企业达到1400家" in main
    picture(page, "duchashi-06-evaluations")


def test_leader_dashboard_and_comment(browser, server) -> None:
    page = new_page(browser, server, viewport=DESKTOP)
    login(page, "lingdao")
    page.goto("/dashboard")
    main = page.inner_text("main")
    assert "158" in main and "统计日期 2024-07-10" in main and "单位排名" in main
    picture(page, "leader-01-dashboard")

    page.goto(f"/dashboard/c/{STATE['cid']}")
    page.fill("#comment-body", "请市工信局加快小升规培育，三季度末前赶上时序进度。")
    page.click("button >> text=提交意见")
    page.wait_for_load_state()
    assert "请市工信局加快小升规培育" in page.inner_text("main")
    picture(page, "leader-02-commitment", full_page=True)


def test_public_pages(browser, server) -> None:
    page = new_page(browser, server, viewport=DESKTOP)
    page.goto("/")
    main = page.inner_text("main")
    assert "任务落实亮屏" in main and "项公开任务" in main and "统计日期 2024-07-10" in main
    picture(page, "public-01-index")

    page.goto(f"/c/{STATE['cid']}")
    main = page.inner_text("main")
    assert STATE["title"] in main and "报告原文" in main and "2024Q2" in main
    picture(page, "public-02-commitment")

    page.goto("/screen")
    assert "每 60 秒自动翻页" in page.inner_text("main")
    picture(page, "public-03-screen")


def test_researcher_scorecard_page(browser, server) -> None:
    page = new_page(browser, server, viewport=DESKTOP)
    page.goto("/reconcile/gov/国务院/2022")
    main = page.inner_text("main")
    assert "国内生产总值增长5.5%左右" in main
    picture(page, "researcher-01-reconcile")


def test_every_picture_the_manual_shows_was_taken_here() -> None:
    referenced = {m for p in DOCS.glob("*.md") for m in re.findall(r"\(images/([a-z0-9-]+\.png)\)", p.read_text())}
    taken = {p.name for p in IMAGES.glob("*.png")}
    assert referenced == taken, (referenced - taken, taken - referenced)
    source = Path(__file__).read_text(encoding="utf-8")
    for name in referenced:
        assert f'"{name.removesuffix(".png")}"' in source, f"{name} is not produced by this test"
