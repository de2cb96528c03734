"""The office makes an uploaded report assignable in the browser: a report whose government has no
unit directory, a unit added on the directory page, a commitment assigned to it, its liaison
account created, and the liaison's first login forced through choosing their own password."""

from __future__ import annotations

import re

import pytest

from luoshi.paths import reports_dir

from .conftest import PASSWORD
from .test_browser_journeys import login, new_page

pytestmark = pytest.mark.browser

NATIONAL = reports_dir() / "national-2023.txt"


def test_new_unit_on_an_empty_directory_its_liaison_and_the_forced_password_change(browser, server, shot) -> None:
    page = new_page(browser, server, viewport={"width": 1366, "height": 900})
    login(page, "duchashi")
    page.set_input_files("#file", str(NATIONAL))
    page.click("text=上传并抽取")
    page.wait_for_load_state()
    review = page.url
    assert re.search(r"/admin/reports/\d+", review), page.url

    page.click("text=单位与账号")
    page.wait_for_load_state()
    assert "单位名录是空的：任务无法分配责任单位" in page.inner_text("main")
    page.fill("input[name=name]", "国家发展和改革委员会")
    page.fill("input[name=short_name]", "国家发展改革委")
    page.fill("input[name=aliases]", "发改委、国家发改委")
    page.click("button:has-text('新增单位')")
    page.wait_for_load_state()
    assert page.inner_text(".flash.ok") == "已新增单位“国家发展和改革委员会”"
    row = page.locator("#units tbody tr").first.inner_text()
    assert "国家发展和改革委员会" in row and "发改委、国家发改委" in row
    shot(page, "units-01-directory", full_page=False)

    page.goto(review)
    form = page.locator("form[action$='/assign']").first
    cid = re.search(r"/commitments/(\d+)/assign", form.get_attribute("action")).group(1)
    form.locator("input[name=lead]").fill("国家发改委")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text(".flash.ok") == f"任务 {cid} 的责任单位已确认"

    page.goto("/admin/units")
    page.click("text=国家发展和改革委员会")
    page.wait_for_load_state()
    assert "1 条，其中牵头未办结 1 项" in page.inner_text("dl")
    page.fill("form[action$='/liaisons'] input[name=username]", "ndrc_li")
    page.fill("form[action$='/liaisons'] input[name=display_name]", "李四")
    page.click("text=新建并生成一次性密码")
    page.wait_for_load_state()
    one_time = page.inner_text("#one-time-password").strip()
    assert "该密码只显示这一次" in page.inner_text("main") and len(one_time) == 19
    shot(page, "units-02-one-time-password", full_page=False)
    assert not page.errors, page.errors

    phone = new_page(browser, server, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto("/login")
    phone.fill("#username", "ndrc_li")
    phone.fill("#password", one_time)
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert phone.url.endswith("/account/password")
    assert "请先设置自己的新密码" in phone.inner_text("main")
    shot(phone, "units-03-forced-password-change", full_page=False)
    phone.goto("/my")  # nothing else is reachable before the change
    assert phone.url.endswith("/account/password")
    phone.fill("#old", one_time)
    phone.fill("#new", PASSWORD)
    phone.fill("#repeat", PASSWORD + "x")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert phone.inner_text(".flash.error >> nth=-1") == "两次输入的新密码不一致"
    assert phone.errors == ["Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]
    phone.errors.clear()  # the refusal is answered with 422 on purpose
    phone.fill("#old", one_time)
    phone.fill("#new", "Ndrc-Li-2026!")
    phone.fill("#repeat", "Ndrc-Li-2026!")
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert re.search(r"/my(\?|$)", phone.url), phone.url
    assert phone.inner_text(".flash.ok") == "密码已修改；在其他设备上的登录已退出"
    shot(phone, "units-04-liaison-after-change", full_page=False)
    assert not phone.errors, phone.errors

    page.goto("/admin/units")
    page.click("text=国家发展和改革委员会")
    page.wait_for_load_state()
    row = page.locator("#liaisons tbody tr").first.inner_text()
    assert "ndrc_li" in row and "李四" in row and "一次性密码" not in row
    assert "一次性密码：待本人修改 → 无" in page.inner_text("#trail")
    shot(page, "units-05-unit-page")
