"""Refused forms keep what was typed, and messages speak of the page, not of the command line.

The liaison's progress form refused for a percentage over 100, a program file, or a file over the
limit shows the form again with the narrative and numbers typed; a form sent from a page that has
timed out (its token no longer matches the session) goes back to the page with its values and says
「页面已过期，请重新提交」; the ledger's refusals carry a hint per surface, so the web names the form
field and the terminal names the flag.
"""

from __future__ import annotations

import html as htmlmod
import re

from tests.web.conftest import csrf_from

NARRATIVE = "一季度完成投资12.3亿元，开工项目58个，" + "推进征地拆迁和要素保障。" * 40  # longer than a cookie holds


def _form(client, cid: int) -> tuple[str, str]:
    page = client.get(f"/my/c/{cid}/report").text
    period = re.search(r'<option value="(\d+)" selected', page).group(1)
    return csrf_from(page), period


def _narrative(html: str) -> str:
    return htmlmod.unescape(re.search(r'<textarea id="narrative" name="narrative" required>(.*?)</textarea>',
                                      html, re.S).group(1))


def test_a_refused_percentage_keeps_the_form(ledger, as_user) -> None:
    liaison = as_user("liaison1")
    token, period = _form(liaison, ledger.a)
    r = liaison.post(f"/my/c/{ledger.a}/report", data={"csrf_token": token, "period": period, "percent": "150",
                                                        "value": "", "narrative": NARRATIVE})
    assert r.status_code == 422
    assert _narrative(r.text) == NARRATIVE
    assert 'name="percent" type="number"' in r.text and 'value="150"' in r.text
    assert re.search(r'class="flash error" role="alert">[^<]*完成百分比', r.text)


def test_a_program_file_is_refused_and_the_form_kept(ledger, as_user) -> None:
    liaison = as_user("liaison1")
    token, period = _form(liaison, ledger.a)
    r = liaison.post(f"/my/c/{ledger.a}/report",
                     data={"csrf_token": token, "period": period, "percent": "30", "narrative": NARRATIVE},
                     files={"evidence": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")})
    assert r.status_code == 422, r.text[:300]
    assert _narrative(r.text) == NARRATIVE and 'value="30"' in r.text
    assert "setup.exe" in r.text


def test_a_file_over_the_limit_is_named_on_the_form(app, ledger, as_user) -> None:
    """The form states the limit the page checks before sending (tests/browser keeps the values);
    a body sent anyway is still refused by the server while it streams."""
    liaison = as_user("liaison1")
    page = liaison.get(f"/my/c/{ledger.a}/report").text
    limit = app.state.settings.max_evidence_bytes
    assert f'data-max-bytes="{limit}"' in page and f"每个不超过 {limit / 2**20:g} MB" in page


def test_an_expired_page_goes_back_with_what_was_typed(ledger, as_user) -> None:
    admin = as_user("admin")
    page = f"/admin/commitments/{ledger.b}"
    r = admin.post(f"/admin/commitments/{ledger.b}/assign",
                   data={"csrf_token": "token-of-a-session-that-ended", "lead": "市发展和改革委员会", "support": "审批局"},
                   headers={"Referer": f"http://testserver{page}"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(page + "?err=")
    shown = admin.get(r.headers["location"]).text
    assert "页面已过期，请重新提交" in shown
    assert "CSRF" not in shown and "没有权限" not in shown
    assert 'value="市发展和改革委员会"' in shown and 'value="审批局"' in shown
    again = admin.get(page).text  # shown once
    assert 'value="审批局"' not in again


def test_an_expired_progress_form_keeps_the_narrative(ledger, as_user) -> None:
    liaison = as_user("liaison1")
    _token, period = _form(liaison, ledger.a)
    page = f"/my/c/{ledger.a}/report"
    short = "一季度完成投资12.3亿元，开工项目58个。"
    r = liaison.post(page, data={"csrf_token": "stale", "period": period, "percent": "25", "narrative": short},
                     headers={"Referer": f"http://testserver{page}"}, follow_redirects=False)
    assert r.status_code == 303
    shown = liaison.get(r.headers["location"]).text
    assert "页面已过期，请重新提交" in shown and _narrative(shown) == short and 'value="25"' in shown


def test_an_expired_form_sent_by_a_script_is_still_refused(ledger, as_user) -> None:
    admin = as_user("admin")
    r = admin.put(f"/api/commitments/{ledger.b}/assignments", json={"lead": "发改委"},
                   headers={"X-CSRF-Token": "stale"})
    assert r.status_code == 403 and r.json()["error"] == "页面已过期，请刷新页面后重新提交"


def test_unknown_unit_names_the_page_not_the_command(ledger, as_user) -> None:
    admin = as_user("admin")
    token = csrf_from(admin.get(f"/admin/commitments/{ledger.b}").text)
    r = admin.post(f"/admin/commitments/{ledger.b}/assign", data={"csrf_token": token, "lead": "市火星局"},
                   headers={"Referer": f"http://testserver/admin/commitments/{ledger.b}"})
    assert "未知单位“市火星局”（单位名录中没有这个名称：请先在“单位与账号”页新增该单位，或为已有单位添加别名）" in r.text
    assert "luoshi" not in r.text.split("<main", 1)[-1].split("</main>", 1)[0]
    assert 'value="市火星局"' in r.text  # what was typed stays
    api = admin.put(f"/api/commitments/{ledger.b}/assignments", json={"lead": "市火星局"},
                    headers={"X-CSRF-Token": admin.csrf})
    assert api.status_code == 404 and "--" not in api.json()["error"] and "units list" not in api.json()["error"]


def test_the_terminal_still_names_the_flag() -> None:
    from luoshi.errors import CLI, WEB, ValidationError

    e = ValidationError("任务 3 需要牵头单位", hints={CLI: "（--lead）", WEB: "，请在“牵头单位”中填写"})
    assert e.said_for(CLI) == "任务 3 需要牵头单位（--lead）"
    assert e.said_for(WEB) == "任务 3 需要牵头单位，请在“牵头单位”中填写"
    assert e.message == "任务 3 需要牵头单位"


def test_a_refused_evaluation_names_the_form_and_keeps_the_row(ledger, as_user) -> None:
    admin = as_user("admin")
    page = admin.get("/admin/evaluations").text
    token = csrf_from(page)
    r = admin.post(f"/admin/commitments/{ledger.a}/evaluate",
                   data={"csrf_token": token, "final_value": "250", "result": "超额完成", "reason": ""},
                   headers={"Referer": "http://testserver/admin/evaluations"})
    text = r.text
    assert "改为“超额完成”必须写明理由，请在表单的理由一栏填写" in text and "--reason" not in text
    row = text.split(f'action="/admin/commitments/{ledger.a}/evaluate"', 1)[1].split("</form>", 1)[0]
    assert 'value="250"' in row and "<option selected>超额完成</option>" in row
    other = text.split(f'action="/admin/commitments/{ledger.b}/evaluate"', 1)[1].split("</form>", 1)[0]
    assert 'value="250"' not in other  # only the form that was sent is refilled
