"""The office's unit directory and liaison accounts pages, and everyone's own password page.

Asserted as the user reads them: the directory after a rename or merge, the aliases, the
refusals' messages, the one-time password forcing a change, and the audit entries left behind.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from luoshi.ledger.db import session_factory
from luoshi.ledger.models import Assignment, AuditEvent, User

from .conftest import PASSWORD, csrf_from, login


def _flash(r) -> str:
    """The last banner on the page (after any standing notice the page itself shows)."""
    found = re.findall(r'<p class="flash (?:ok|error)" role="(?:status|alert)">([^<]+)</p>', r.text)
    return html.unescape(found[-1]) if found else ""


def _post(c: TestClient, url: str, **data: str):
    return c.post(url, data={"csrf_token": c.csrf, **data})  # type: ignore[attr-defined]


def _rows(page: str, table: str) -> list[list[str]]:
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)[1:]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)] for row in rows]


def _events(engine, entity: str) -> list[AuditEvent]:
    with session_factory(engine)() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity).order_by(AuditEvent.id)))


def test_directory_lists_counts_and_adds_renames_with_alias(as_user, engine, ledger) -> None:
    admin = as_user("admin")
    rows = _rows(admin.get("/admin/units").text, "units")
    assert rows[0] == ["市发展和改革委员会", "市发展改革委", "发改委", "部门", "—", "在用", "1", "1", "1"]
    assert rows[1][0] == "市行政审批服务局" and rows[1][6:] == ["2", "2", "1"]
    r = _post(admin, "/admin/units", gov="1", name="市大数据中心", short_name="大数据中心", aliases="数据中心、信息中心",
              kind="部门", parent="市发展和改革委员会")
    assert _flash(r) == "已新增单位“市大数据中心”"
    added = next(row for row in _rows(r.text, "units") if row[0] == "市大数据中心")
    assert added == ["市大数据中心", "大数据中心", "数据中心、信息中心", "部门", "市发展和改革委员会", "在用", "0", "0", "0"]
    uid = re.search(r'href="/admin/units/(\d+)">市大数据中心<', r.text).group(1)
    page = admin.get(f"/admin/units/{uid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = _post(admin, f"/admin/units/{uid}/rename", name="市大数据局", version=version)
    assert _flash(r) == "已更名为“市大数据局”，原名称“市大数据中心”保留为别名"
    assert "数据中心、信息中心、市大数据中心" in r.text
    stale = _post(admin, f"/admin/units/{uid}/rename", name="市数据局", version=version)
    assert "已被他人修改" in _flash(stale)
    clash = _post(admin, "/admin/units", gov="1", name="某局", aliases="发改委", kind="部门")
    assert _flash(clash) == "名称“发改委”已属于单位“市发展和改革委员会”"
    rename = [e for e in _events(engine, "Unit") if e.action == "update"][-1]
    assert rename.actor == "admin" and (rename.before["name"], rename.after["name"]) == ("市大数据中心", "市大数据局")
    trail = _rows(admin.get(f"/admin/units/{uid}").text, "trail")
    assert trail[0][1:4] == ["admin", "单位", "修改"]
    assert "单位全称：市大数据中心 → 市大数据局" in trail[0][4]
    assert "别名：数据中心、信息中心 → 数据中心、信息中心、市大数据中心" in trail[0][4]
    assert trail[-1][1:4] == ["admin", "单位", "新建"] and "上级单位：市发展和改革委员会" in trail[-1][4]


def test_merge_moves_assignments_and_liaisons_and_leaves_an_alias(as_user, engine, ledger) -> None:
    admin = as_user("admin")
    page = admin.get(f"/admin/units/{ledger.unit2}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    r = _post(admin, f"/admin/units/{ledger.unit2}/merge", into=str(ledger.unit1), version=version)
    assert _flash(r) == ("已将“市行政审批服务局”并入“市发展和改革委员会”：转移任务分工 2 条、联络员 1 个、督办单 0 份；"
                         "“市行政审批服务局”已成为“市发展和改革委员会”的别名")
    assert "发改委、市行政审批服务局、市行政审批局、审批局" in r.text
    assert [row[0] for row in _rows(r.text, "liaisons")] == ["liaison1", "liaison2"]
    rows = {row[0]: row for row in _rows(admin.get("/admin/units").text, "units")}
    assert rows["市发展和改革委员会"][6:] == ["3", "3", "2"]
    assert rows["市行政审批服务局"][5:] == ["已停用", "0", "0", "0"]
    # the liaison of the merged unit now reports for the target's commitments
    assert "年内建成市民服务中心" in as_user("liaison2").get("/my").text
    with session_factory(engine)() as s:
        assert {a.unit_id for a in s.scalars(select(Assignment))} == {ledger.unit1}
    moved = [e for e in _events(engine, "Assignment") if e.action == "update"]
    assert len(moved) == 2 and all(e.after == {"unit_id": ledger.unit1} and e.actor == "admin" for e in moved)
    # an assignment made after the merge by the merged name lands on the target
    r = _post(admin, f"/admin/commitments/{ledger.c}/assign", lead="审批局", support="")
    assert _flash(r) == f"任务 {ledger.c} 的责任单位已确认"
    assert "牵头 · 市发展和改革委员会" in r.text


def test_deactivate_is_refused_while_the_unit_leads_open_commitments(as_user, ledger) -> None:
    admin = as_user("admin")
    r = _post(admin, f"/admin/units/{ledger.unit1}/active", active="0")
    assert _flash(r) == (f"单位“市发展和改革委员会”仍牵头 1 项（任务 {ledger.a}）未办结的任务，不能停用："
                         "请先把这些任务改派给其他单位，或把该单位合并到承接它职责的单位")
    _post(admin, "/admin/units", gov="1", name="市档案馆", kind="部门")
    with_id = re.search(r'href="/admin/units/(\d+)">市档案馆<', admin.get("/admin/units").text).group(1)
    r = _post(admin, f"/admin/units/{with_id}/active", active="0")
    assert _flash(r) == "单位“市档案馆”已停用"
    assert "重新启用" in r.text
    # a deactivated unit is no longer offered for assignment
    assert "市档案馆" not in admin.get(f"/admin/reports/{ledger.report}").text


def test_directory_upload_previews_renames_and_additions_then_applies(as_user, engine, ledger) -> None:
    admin = as_user("admin")
    table = ("单位名称,简称,别名,类型,上级单位\n"
             "市发展和改革委员会,市发展改革委,发改委,部门,\n"
             "市政务服务管理局,市政务服务局,市行政审批服务局、审批局,部门,\n"
             "市数据局,,数据局,部门,市发展和改革委员会\n")
    r = admin.post("/admin/units/import", data={"csrf_token": admin.csrf, "gov": "1"},  # type: ignore[attr-defined]
                   files={"file": ("名录.csv", table.encode("utf-8-sig"), "text/csv")})
    assert "新增 1 个，更名 1 个，修改 0 个，1 个不变" in r.text
    assert _rows(r.text, "preview") == [["不变", "市发展和改革委员会", "—"],
                                        ["更名", "市政务服务管理局", "原名“市行政审批服务局”，保留为别名"],
                                        ["新增", "市数据局", "—"]]
    assert "市政务服务管理局" not in admin.get("/admin/units").text  # nothing written by the preview
    token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    r = _post(admin, "/admin/units/import/apply", token=token)
    assert _flash(r) == "单位名录已导入：新增 1 个，更名 1 个，修改 0 个，1 个不变"
    rows = {row[0]: row for row in _rows(r.text, "units")}
    assert rows["市政务服务管理局"][1:3] == ["市政务服务局", "市行政审批服务局、审批局"]
    assert rows["市政务服务管理局"][6] == "2"  # the renamed unit kept its assignments
    assert rows["市数据局"][4] == "市发展和改革委员会"
    bad = _post(admin, "/admin/units/import/apply", token=token[:-3] + "AAA")
    assert _flash(bad) == "预览已过期，请重新上传单位名录文件"
    r = admin.post("/admin/units/import", data={"csrf_token": admin.csrf, "gov": "1"},  # type: ignore[attr-defined]
                   files={"file": ("x.csv", "编号,备注\n1,2\n".encode(), "text/csv")})
    assert "第一行应为表头，至少包含“单位名称”（或 name）一列" in _flash(r)
    r = admin.post("/admin/units/import", data={"csrf_token": admin.csrf, "gov": "1"},  # type: ignore[attr-defined]
                   files={"file": ("y.csv", "单位名称,上级单位\n市新区管委会,市不存在局\n".encode(), "text/csv")})
    assert _flash(r) == "y.csv: 单位“市新区管委会”的上级“市不存在局”不在名录中"
    assert "市新区管委会" not in admin.get("/admin/units").text


def test_new_liaison_gets_a_one_time_password_and_must_change_it(as_user, app, engine, ledger) -> None:
    admin = as_user("admin")
    r = _post(admin, f"/admin/units/{ledger.unit1}/liaisons", username="fgw_zhang", display_name="张三")
    assert r.headers["cache-control"] == "no-store"
    one_time = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
    assert "该密码只显示这一次" in r.text
    row = next(x for x in _rows(admin.get(f"/admin/units/{ledger.unit1}").text, "liaisons") if x[0] == "fgw_zhang")
    assert row[1:4] == ["张三", "在用", "一次性密码，待本人修改"]
    assert one_time not in admin.get(f"/admin/units/{ledger.unit1}").text  # shown once only

    c = TestClient(app, base_url="http://testserver")
    token = csrf_from(c.get("/login").text)
    r = c.post("/login", data={"username": "fgw_zhang", "password": one_time, "csrf_token": token},
               follow_redirects=False)
    assert r.headers["location"] == "/account/password"
    r = c.get("/my")  # nothing else until the password is changed
    assert str(r.url).endswith("/account/password") and "请先设置自己的新密码" in r.text
    assert c.get("/api/commitments").json()["error"].startswith("请先修改初始密码")
    form = csrf_from(r.text)
    r = c.post("/account/password", data={"csrf_token": form, "old": one_time, "new": "Zhang-2026-liaison",
                                          "repeat": "Zhang-2026-liaisn"})
    assert r.status_code == 422 and _flash(r) == "两次输入的新密码不一致"
    r = c.post("/account/password", data={"csrf_token": form, "old": one_time, "new": "1234567890",
                                          "repeat": "1234567890"})
    assert _flash(r) == "密码不能只由一类字符组成（如全是数字或全是小写字母），请混用大小写字母、数字或符号"
    r = c.post("/account/password", data={"csrf_token": form, "old": "wrong-one", "new": "Zhang-2026-liaison",
                                          "repeat": "Zhang-2026-liaison"})
    assert _flash(r) == "当前密码不正确"
    r = c.post("/account/password", data={"csrf_token": form, "old": one_time, "new": "Zhang-2026-liaison",
                                          "repeat": "Zhang-2026-liaison"})
    assert r.url.path == "/my" and _flash(r) == "密码已修改；在其他设备上的登录已退出"
    assert "全年实施省市重点项目260个以上" in r.text
    page = admin.get(f"/admin/units/{ledger.unit1}").text
    row = next(x for x in _rows(page, "liaisons") if x[0] == "fgw_zhang")
    assert row[3].endswith("设置")
    trail = [x for x in _rows(page, "trail") if x[2] == "账号 fgw_zhang"]
    assert [x[1] + x[3] for x in trail] == ["fgw_zhang修改", "admin新建"]
    assert "一次性密码：待本人修改 → 无" in trail[0][4] and "密码：已设置 → 已更改" in trail[0][4]
    assert "角色：单位联络员" in trail[1][4] and "所属单位：市发展和改革委员会" in trail[1][4]
    uid = _user_id(engine, "fgw_zhang")
    created, *updates = [e for e in _events(engine, "User") if e.entity_id == uid]
    assert created.action == "create" and created.actor == "admin" and created.after["must_change_password"] is True
    assert created.after["password_hash"] == "(set)"
    assert updates[-1].actor == "fgw_zhang" and updates[-1].after["must_change_password"] is False
    assert updates[-1].after["password_hash"] == "(changed)"


def _user_id(engine, username: str) -> str:
    with session_factory(engine)() as s:
        return str(s.scalar(select(User.id).where(User.username == username)))


def test_reset_disable_enable_end_the_liaisons_sessions(as_user, app, ledger) -> None:
    admin = as_user("admin")
    liaison = as_user("liaison1")
    assert liaison.get("/my").status_code == 200
    r = _post(admin, "/admin/accounts/liaison1/reset")
    one_time = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
    assert "重置密码" in r.text
    assert liaison.get("/my", follow_redirects=False).headers["location"].startswith("/login")
    c = TestClient(app, base_url="http://testserver")
    login(c, "liaison1", one_time)
    assert str(c.get("/my").url).endswith("/account/password")
    r = _post(admin, "/admin/accounts/liaison1/active", active="0", unit=str(ledger.unit1))
    assert _flash(r) == "账号“liaison1”已停用，其登录和 API 令牌已失效"
    assert "liaison1" in r.text and "已停用" in r.text
    assert c.get("/account/password", follow_redirects=False).headers["location"].startswith("/login")
    r = _post(admin, "/admin/accounts/liaison1/active", active="1", unit=str(ledger.unit1))
    assert _flash(r) == "账号“liaison1”已启用"
    assert _flash(_post(admin, "/admin/accounts/admin/active", active="0")) == "不能停用自己正在使用的账号"
    assert _flash(_post(admin, "/admin/accounts/nobody/reset")) == "用户“nobody”不存在"
    # only the office may do any of this
    other = as_user("liaison2")
    assert _post(other, "/admin/accounts/liaison1/reset").status_code == 403
    assert other.get("/admin/units").status_code == 403


def test_everyone_changes_their_own_password_and_other_sessions_end(as_user, app, ledger) -> None:
    here = as_user("leader")
    elsewhere = as_user("leader")
    page = here.get("/account/password").text
    assert "修改密码" in page and "至少 10 个字符" in page
    r = _post(here, "/account/password", old=PASSWORD, new="Leader-new-2026!", repeat="Leader-new-2026!")
    assert r.url.path == "/dashboard" and _flash(r) == "密码已修改；在其他设备上的登录已退出"
    assert here.get("/dashboard").status_code == 200  # this browser got a fresh session
    assert elsewhere.get("/dashboard", follow_redirects=False).headers["location"].startswith("/login")
    c = TestClient(app, base_url="http://testserver")
    token = csrf_from(c.get("/login").text)
    bad = c.post("/login", data={"username": "leader", "password": PASSWORD, "csrf_token": token})
    assert bad.status_code == 401
    login(c, "leader", "Leader-new-2026!")
    assert TestClient(app).get("/account/password", follow_redirects=False).headers["location"].startswith("/login")
