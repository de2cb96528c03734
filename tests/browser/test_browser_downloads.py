"""The office's round trip in a real browser: download the 分工方案, edit a cell as an office suite
would (openpyxl), upload it, read the diff, apply it; the ledger then holds the edit."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from .test_browser_journeys import login, new_page

pytestmark = pytest.mark.browser


def _header(ws, text: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"no header {text!r}")


def test_operator_downloads_edits_uploads_and_applies_the_plan(browser, server, shot, tmp_path) -> None:
    from luoshi.devtools.seeding import seed_ledger
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment

    seeded = seed_ledger(server.engine)
    page = new_page(browser, server, viewport={"width": 1366, "height": 900}, accept_downloads=True)
    login(page, "duchashi")
    page.goto("/admin")
    page.click("text=下载与导入")
    page.wait_for_load_state()
    assert page.url.endswith("/downloads")
    shot(page, "downloads-01-page", full_page=False)

    with page.expect_download() as info:
        page.click("#plan-xlsx")
    download = info.value
    assert download.suggested_filename == "枣庄市_2024年政府工作报告重点任务分工方案.xlsx"
    plan = tmp_path / "plan.xlsx"
    download.save_as(plan)

    wb = load_workbook(plan)
    ws = wb.worksheets[0]
    header_row, id_col = _header(ws, "编号")
    _, deadline_col = _header(ws, "完成时限")
    row = next(r for r in range(header_row + 1, ws.max_row + 1) if str(ws.cell(r, id_col).value or "").isdigit())
    cid = int(ws.cell(row, id_col).value)
    before = ws.cell(row, deadline_col).value
    new = "2024年10月底" if before != "2024年10月底" else "2024年11月底"
    ws.cell(row, deadline_col).value = new
    edited = tmp_path / "分工方案（修改）.xlsx"
    wb.save(edited)

    page.set_input_files("#workbook", str(edited))
    page.click("text=上传并预览")
    page.wait_for_load_state()
    assert page.inner_text("#summary").startswith("分工方案：修改 1 项，新增 0 项")
    rows = page.locator("#diff tbody tr")
    assert rows.count() == 1
    cells = [t.strip() for t in rows.nth(0).locator("td").all_inner_texts()]
    assert cells[0] == str(row) and cells[1] == str(cid)
    assert cells[3:] == ["完成时限", before, new]
    shot(page, "downloads-02-preview", full_page=False)

    page.click("#apply")
    page.wait_for_load_state()
    assert page.inner_text(".flash.ok") == "已导入分工方案：修改 1 项，新增 0 项"
    db = session_factory(server.engine)()
    try:
        c = db.get(Commitment, cid)
        assert c is not None and c.report_id == seeded.report_id
        assert c.deadline is not None and c.deadline.month == (10 if new == "2024年10月底" else 11)
    finally:
        db.close()

    # the same file again: nothing to import, and no button to press
    page.set_input_files("#workbook", str(edited))
    page.click("text=上传并预览")
    page.wait_for_load_state()
    assert page.inner_text("#no-change").startswith("无变化")
    assert page.locator("#apply").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "downloads-03-no-change-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/admin/reports/{seeded.report_id}")
    assert page.locator("#bulk-actions button").all_inner_texts() == ["批量分配勾选的任务", "批量发布勾选的任务"]
    # bulk assign two ticked items to one lead unit, through the same checkboxes as 合并
    page.check(f'input[name=ids][value="{cid}"]')
    other = page.locator("input[name=ids]").nth(1).get_attribute("value")
    page.check(f'input[name=ids][value="{other}"]')
    page.fill("#bulk-actions input[name=lead]", "市财政局")
    shot(page, "downloads-04-review-bulk", full_page=False)
    page.click("text=批量分配勾选的任务")
    page.wait_for_load_state()
    assert page.inner_text(".flash.ok") == "已分配 2 项任务"
    assert f"/admin/reports/{seeded.report_id}" in page.url
    db = session_factory(server.engine)()
    try:
        leads = {c.id: c.lead.unit.name for c in (db.get(Commitment, cid), db.get(Commitment, int(other)))}
        assert set(leads.values()) == {"市财政局"}, leads
    finally:
        db.close()
    assert not page.errors, page.errors
