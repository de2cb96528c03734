"""A supervision office runs a whole year in the browser, without a terminal: upload the report, add a
new unit and its liaison account, bulk-assign commitments to it, publish, download the 分工方案,
collect a filled progress template (preview → apply), the liaison's first login and report, bulk
acceptance, notices for the ended quarter (preview → 确认签发), the 督查通报, the year evaluation
finalised early with a reason, and the history naming the office. Every step goes through the pages a
person clicks; the ledger is read only at the end to check what the pages said was written."""

from __future__ import annotations

import re

import pytest
from docx import Document
from openpyxl import load_workbook

from .conftest import SEED_PATH, login, new_page

pytestmark = pytest.mark.browser

UNIT = "枣庄市数据和营商环境局"
SHORT = "市数据局"
LIAISON = "shujuju_li"
LIAISON_NAME = "王五"
NEW_PASSWORD = "Shuju-Li-2024!"
NOTICE_DAY = "2024-04-25"  # the 2024Q1 reporting deadline has passed, the year has not ended
DESKTOP = {"width": 1280, "height": 800}


def _header(ws, text: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"no header {text!r}")


def _flash(page) -> str:  # type: ignore[no-untyped-def]
    return page.inner_text(".flash.ok").strip()


def test_an_office_runs_a_whole_year_in_the_browser(browser, server, shot, tmp_path, monkeypatch) -> None:
    page = new_page(browser, server, viewport=DESKTOP, accept_downloads=True)
    login(page, "duchashi")

    # 1. upload the report
    page.set_input_files("#file", str(SEED_PATH))
    page.click("text=上传并抽取")
    page.wait_for_load_state()
    match = re.search(r"/admin/reports/(\d+)", page.url)
    assert match, page.url
    rid = int(match.group(1))
    review = f"/admin/reports/{rid}"
    assert "已导入" in _flash(page)
    shot(page, "year-01-review", full_page=False)

    # 2. a unit the directory does not have yet, and its liaison account
    page.click("text=单位与账号")
    page.wait_for_load_state()
    page.fill("input[name=name]", UNIT)
    page.fill("input[name=short_name]", SHORT)
    page.click("button:has-text('新增单位')")
    page.wait_for_load_state()
    assert _flash(page) == f"已新增单位“{UNIT}”"
    page.click(f"#units a:text-is(\"{UNIT}\")")
    page.wait_for_load_state()
    page.fill("form[action$='/liaisons'] input[name=username]", LIAISON)
    page.fill("form[action$='/liaisons'] input[name=display_name]", LIAISON_NAME)
    page.click("text=新建并生成一次性密码")
    page.wait_for_load_state()
    one_time = page.inner_text("#one-time-password").strip()
    assert "该密码只显示这一次" in page.inner_text("main") and len(one_time) == 19
    shot(page, "year-02-one-time-password", full_page=False)

    # 3. the suggested units confirmed, then two items bulk-assigned to the new unit, then publish
    page.goto(review)
    page.click("text=确认全部建议单位")
    page.wait_for_load_state()
    assert "已确认" in _flash(page)
    boxes = page.locator("input[name=ids]")
    ids = [int(boxes.nth(i).get_attribute("value")) for i in (2, 3)]
    for cid in ids:
        page.check(f'input[name=ids][value="{cid}"]')
    page.fill("#bulk-actions input[name=lead]", SHORT)
    page.click("text=批量分配勾选的任务")
    page.wait_for_load_state()
    assert _flash(page) == "已分配 2 项任务"
    shot(page, "year-03-bulk-assigned", full_page=False)
    page.once("dialog", lambda d: d.accept())
    page.click("text=发布任务分工方案")
    page.wait_for_load_state()
    assert "已发布" in _flash(page)

    # 4. the 分工方案 names the new unit as lead of the two items
    page.click("text=下载分工方案")
    page.wait_for_load_state()
    assert "/downloads" in page.url
    with page.expect_download() as info:
        page.click("#plan-xlsx")
    plan = tmp_path / "plan.xlsx"
    info.value.save_as(plan)
    ws = load_workbook(plan).worksheets[0]
    header_row, id_col = _header(ws, "编号")
    _, lead_col = _header(ws, "牵头单位")
    leads = {int(ws.cell(r, id_col).value): ws.cell(r, lead_col).value for r in range(header_row + 1, ws.max_row + 1)
             if str(ws.cell(r, id_col).value or "").isdigit()}
    assert [leads[cid] for cid in ids] == [UNIT, UNIT], {cid: leads.get(cid) for cid in ids}
    shot(page, "year-04-downloads", full_page=False)

    # 5. the unit's progress template for 2024Q1, filled for the first item, uploaded, previewed, applied
    page.select_option("#template-unit", label=UNIT)
    assert "2024Q1" in page.locator("#template-period option:checked").inner_text()
    with page.expect_download() as info:
        page.click("form[action='/downloads/template.xlsx'] button[type=submit]")
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    wb = load_workbook(template)
    ws = wb["进度填报"]
    header_row, tid_col = _header(ws, "编号")
    rows = {int(ws.cell(r, tid_col).value): r for r in range(header_row + 1, ws.max_row + 1)
            if ws.cell(r, tid_col).value is not None}
    assert set(rows) == set(ids), rows
    _, pct_col = _header(ws, "完成进度(%)")
    _, text_col = _header(ws, "进展情况")
    ws.cell(rows[ids[0]], pct_col).value = 30
    ws.cell(rows[ids[0]], text_col).value = "一季度完成年度任务三成，正在推进下一批事项。"
    filled = tmp_path / "进度填报（已填）.xlsx"
    wb.save(filled)
    page.set_input_files("#workbook", str(filled))
    page.click("text=上传并预览")
    page.wait_for_load_state()
    summary = page.inner_text("#summary")
    assert summary.startswith(f"进度填报：{UNIT} 2024Q1，报送 1 项"), summary
    cells = [t.strip() for t in page.locator("#diff tbody tr").nth(0).locator("td").all_inner_texts()]
    assert cells[1] == str(ids[0]) and cells[3] == "30%" and cells[-1] == "新报送", cells
    shot(page, "year-05-template-preview", full_page=False)
    page.click("#apply")
    page.wait_for_load_state()
    assert _flash(page) == f"已导入 {UNIT} 2024Q1 进度 1 项，等待督查室审核"

    # 6. the liaison's first login: the one-time password, a password of their own, a report
    liaison = new_page(browser, server, viewport=DESKTOP)
    liaison.goto("/login")
    liaison.fill("#username", LIAISON)
    liaison.fill("#password", one_time)
    liaison.click("button[type=submit]")
    liaison.wait_for_load_state()
    assert liaison.url.endswith("/account/password")
    assert "请先设置自己的新密码" in liaison.inner_text("main")
    liaison.fill("#old", one_time)
    liaison.fill("#new", NEW_PASSWORD)
    liaison.fill("#repeat", NEW_PASSWORD)
    liaison.click("main button[type=submit]")
    liaison.wait_for_load_state()
    assert re.search(r"/my(\?|$)", liaison.url), liaison.url
    assert _flash(liaison) == "密码已修改；在其他设备上的登录已退出"
    shot(liaison, "year-06-liaison-my", full_page=False)
    liaison.click(f'a.button[href="/my/c/{ids[1]}/report"]')
    liaison.wait_for_load_state()
    liaison.fill("#percent", "25")
    liaison.fill("#narrative", "一季度已完成方案制定，正在组织实施。")
    liaison.click("main button[type=submit]:has-text('提交')")
    liaison.wait_for_load_state()
    assert "已提交" in _flash(liaison)
    assert not liaison.errors, liaison.errors

    # 7. the office accepts both reports at once
    page.goto("/admin/progress")
    assert page.inner_text("main p.muted").strip() == "共 2 份"
    for box in page.locator("ul.items input[name=ids]").all():
        box.check()
    shot(page, "year-07-progress-queue", full_page=False)
    page.click("text=采纳勾选的报告")
    page.wait_for_load_state()
    assert _flash(page) == "已采纳 2 项进度报告"

    # 8. notices for 2024Q1 once its deadline has passed: preview, then 确认签发
    monkeypatch.setenv("LUOSHI_TODAY", NOTICE_DAY)  # the ledger's clock moves past the 2024Q1 deadline
    page.goto(f"/admin/periods?report={rid}")
    assert f"统计日期：{NOTICE_DAY}" in page.inner_text("main")
    row = page.locator("tbody tr", has_text="2024Q1")
    row.locator("button", has_text="生成督办单").click()
    page.wait_for_load_state()
    total = int(page.inner_text("#preview-total"))
    assert page.locator("table tbody tr").count() == total
    assert page.inner_text("#preview-counts").strip() == f"按原因：未按时报送 {total} · 进度滞后 0 · 逾期未完成 0"
    shot(page, "year-08-notices-preview", full_page=False)
    page.click(f"text=确认签发 {total} 份")
    page.wait_for_load_state()
    assert _flash(page) == f"已签发督办单 {total} 份（督〔2024〕1号—督〔2024〕{total}号）"
    shot(page, "year-09-notices-issued", full_page=False)

    # 9. the 督查通报 for 2024Q1
    page.goto(f"/downloads?report={rid}")
    with page.expect_download() as info:
        page.click("text=2024Q1 督查通报（Word）")
    bulletin = tmp_path / "bulletin.docx"
    info.value.save_as(bulletin)
    text = "\n".join(p.text for p in Document(str(bulletin)).paragraphs)
    assert "关于2024年第一季度" in text and "现将2024年第一季度落实情况通报如下" in text, text[:400]
    tasks = int(re.search(r"纳入督办的重点任务共(\d+)项", text).group(1))  # type: ignore[union-attr]
    assert tasks == total + 2  # every task but the two reported got a notice for not reporting
    assert f"本期应报送进度{tasks}项，已报送2项（报送率{200 / tasks:.1f}%），其中逾期报送0项；未报送{total}项" in text

    # 10. the year evaluation, finalised before the last deadline with a reason
    page.goto(f"/admin/evaluations?report={rid}")
    page.click("text=按规则评价全部可评任务")
    page.wait_for_load_state()
    drafts = int(page.inner_text("#finalise strong"))
    assert drafts == 2  # the two reported quantified items; the rest need a person's judgement
    assert _flash(page) == f"已评价 2 项；{total} 项需人工评价"
    assert page.locator("#draft-note").count() == 1
    page.fill("#finalise input[name=reason]", "年中考核需要，提前定稿。")
    shot(page, "year-10-evaluations", full_page=False)
    page.click(f"text=定稿 {drafts} 项")
    page.wait_for_load_state()
    assert _flash(page) == "已定稿 2 项年度评价（提前定稿，理由已记录）"

    # 11. the history names the office for these changes
    page.goto("/admin/history")
    page.select_option("select[name=who]", label="市政府督查室（督查室）")
    page.select_option("select[name=what]", label="年终评价")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("main p.muted").startswith("共 4 条")  # two drafts, two finalisations
    newest = page.locator("tbody tr").first.inner_text()
    assert "市政府督查室（督查室）" in newest and "提前定稿理由：（空） → 年中考核需要，提前定稿。" in newest, newest
    shot(page, "year-11-history", full_page=False)
    page.select_option("select[name=what]", label="单位")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert UNIT in page.inner_text("tbody") and "市政府督查室（督查室）" in page.inner_text("tbody")
    page.select_option("select[name=who]", label=f"{LIAISON_NAME}（{UNIT}）")
    page.select_option("select[name=what]", label="进度报告")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("tbody tr").all_inner_texts()
    assert rows and all(f"{LIAISON_NAME}（{UNIT}）" in r for r in rows), rows
    assert "一季度已完成方案制定，正在组织实施。" in page.inner_text("tbody")
    assert not page.errors, page.errors

    # the ledger holds what the pages said
    from sqlalchemy import func, select

    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Evaluation, Notice, ProgressReport

    db = session_factory(server.engine)()
    try:
        for cid in ids:
            assert db.get(Commitment, cid).lead.unit.name == UNIT
        states = [p.state for p in db.scalars(select(ProgressReport).where(ProgressReport.commitment_id.in_(ids)))]
        assert states == ["accepted", "accepted"]
        assert db.scalar(select(func.count()).select_from(Notice)) == total
        assert db.scalar(select(func.count()).select_from(Evaluation).where(Evaluation.state == "final")) == drafts
    finally:
        db.close()
