"""The notices list: filters (unit, period, status, reason), sort, paging and counts in SQL, what
each role may see, the print view; the report switcher in the header; the leader's drill-down list.

2024Q1's notices are issued on 2024-05-15 for all three commitments (none reported): A to unit 1
(督〔2024〕1号), B and C to unit 2 (2号, 3号). Unit 2 answers C; the office closes B after its answer.
So A is 待答复, C 已答复, B 已办结.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.postgres


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="n(\d+)"', html)]


@pytest.fixture
def issued(ledger, as_user) -> dict[str, int]:
    admin, l2 = as_user("admin"), as_user("liaison2")
    made = admin.post(f"/api/periods/{ledger.q1}/notices", headers={"X-CSRF-Token": admin.csrf}).json()
    by = {n["commitment_id"]: n["id"] for n in made}
    assert [n["number"] for n in made] == ["督〔2024〕1号", "督〔2024〕2号", "督〔2024〕3号"]
    for cid in (ledger.b, ledger.c):
        r = l2.post(f"/api/notices/{by[cid]}/answer", json={"answer": "已部署整改"}, headers={"X-CSRF-Token": l2.csrf})
        assert r.status_code == 200, r.text
    r = admin.post(f"/api/notices/{by[ledger.b]}/close", headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200, r.text
    return {"a": by[ledger.a], "b": by[ledger.b], "c": by[ledger.c]}


def test_office_filters_sorts_and_counts(as_user, ledger, issued) -> None:
    admin = as_user("admin")
    j = admin.get("/admin/notices?format=json").json()
    assert j["page"]["total"] == 3 and j["page"]["by_status"] == {"open": 1, "answered": 1, "closed": 1}
    assert j["page"]["by_reason"] == {"未按时报送": 3, "进度滞后": 0, "逾期未完成": 0}
    # newest number first by default; by due date (all alike) then id
    assert [n["id"] for n in j["page"]["items"]] == [issued["c"], issued["b"], issued["a"]]
    html = admin.get("/admin/notices").text
    assert _shown(html) == [issued["c"], issued["b"], issued["a"]]
    text = _text(html)
    assert "共 3 份（按原因：未按时报送 3 · 进度滞后 0 · 逾期未完成 0）" in text
    assert "全部 3 待答复 1 已答复 1 已办结 1" in text  # the status tabs with their counts

    r = admin.get("/admin/notices?status=answered")
    assert _shown(r.text) == [issued["c"]] and "共 1 份" in _text(r.text)
    # the tabs count within the other filters: unit 2 has no open notice
    j = admin.get(f"/admin/notices?format=json&unit={ledger.unit2}").json()
    assert j["page"]["by_status"] == {"open": 0, "answered": 1, "closed": 1}
    assert [n["unit"] for n in j["page"]["items"]] == ["市行政审批服务局", "市行政审批服务局"]
    assert _shown(admin.get(f"/admin/notices?unit={ledger.unit1}").text) == [issued["a"]]
    assert admin.get("/admin/notices?format=json&reason=behind").json()["page"]["total"] == 0
    assert admin.get(f"/admin/notices?format=json&reason=missing&period={ledger.q1}").json()["page"]["total"] == 3
    assert admin.get(f"/admin/notices?format=json&period={ledger.q2}").json()["page"]["total"] == 0
    j = admin.get("/admin/notices?format=json&sort=due&status=open").json()
    assert [n["number"] for n in j["page"]["items"]] == ["督〔2024〕1号"]
    # the filters offer the units and periods that have notices
    assert j["choices"] == {"units": [{"id": ledger.unit1, "name": "市发展和改革委员会"},
                                      {"id": ledger.unit2, "name": "市行政审批服务局"}],
                            "periods": [{"id": ledger.q1, "label": "2024Q1"}]}
    # an empty select (全部) is no filter
    assert admin.get("/admin/notices?format=json&unit=&period=&status=&reason=").json()["page"]["total"] == 3


def test_bad_filters_are_refused_in_words(as_user, issued) -> None:
    admin = as_user("admin")
    r = admin.get("/admin/notices?status=late")
    assert r.status_code == 422 and "状态只能是待答复、已答复、已办结之一" in _text(r.text)
    r = admin.get("/admin/notices?reason=slow")
    assert r.status_code == 422 and "原因只能是未按时报送、进度滞后、逾期未完成之一" in _text(r.text)
    r = admin.get("/admin/notices?sort=colour")
    assert r.status_code == 422 and "排序只能是按编号、按答复期限、按单位、按周期之一" in _text(r.text)
    assert admin.get("/admin/notices?report=99999").status_code == 404


def test_paging_in_sql(engine, ledger, issued) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.web import notice_list as nl
    from luoshi.web.auth import find_user, principal_of

    with transaction(engine, actor="test") as db:
        office = principal_of(find_user(db, "admin"), "session")
        first = nl.notice_page(db, office, nl.NoticeFilters(report_id=ledger.report, limit=2))
        second = nl.notice_page(db, office, nl.NoticeFilters(report_id=ledger.report, limit=2, offset=2))
        assert first["total"] == second["total"] == 3
        assert [n["id"] for n in first["items"]] == [issued["c"], issued["b"]]
        assert [n["id"] for n in second["items"]] == [issued["a"]]
        liaison = principal_of(find_user(db, "liaison2"), "session")
        mine = nl.notice_page(db, liaison, nl.NoticeFilters(report_id=ledger.report))
        assert mine["by_status"] == {"open": 0, "answered": 1, "closed": 1}


def test_each_role_sees_its_notices(as_user, ledger, issued) -> None:
    l1, l2 = as_user("liaison1"), as_user("liaison2")
    j = l1.get("/my/notices?format=json").json()
    assert [n["id"] for n in j["page"]["items"]] == [issued["a"]] and j["page"]["all"] == 1
    assert j["page"]["items"][0]["can_answer"] is True
    # a unit filter in the address cannot widen a liaison's list
    assert l1.get(f"/my/notices?format=json&unit={ledger.unit2}").json()["page"]["total"] == 1
    html = l2.get("/my/notices?status=closed").text
    assert re.findall(r'<li id="n(\d+)"', html) == [str(issued["b"])]
    assert "督〔2024〕2号 2024Q1 未按时报送 下发 2024-05-15 2024-05-22 前答复 已办结" in _text(html)
    assert as_user("leader").get("/admin/notices").status_code == 403
    assert l1.get("/admin/notices").status_code == 403


def test_print_view(as_user, issued) -> None:
    admin = as_user("admin")
    page = admin.get("/admin/notices?status=open")
    assert 'href="/admin/notices?status=open&amp;print=1"' in page.text
    html = admin.get("/admin/notices?status=open&print=1").text
    assert 'class="print-list"' in html and 'class="pager"' not in html
    text = _text(html)
    assert "督办单清单（测试市2024年）" in text and "共 1 份 · 待答复 1" in text
    assert "督〔2024〕1号 市发展和改革委员会 全年实施省市重点项目260个以上 2024Q1 未按时报送 2024-05-22 待答复" in text
    assert "督〔2024〕2号" not in text


@pytest.fixture
def second_report(engine, ledger) -> dict[str, int]:
    """A 2023 report of the same city: one published commitment and one draft; and an unpublished 2025
    draft report only the office sees."""
    import datetime as dt

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Assignment, Commitment, Report, Unit

    with transaction(engine, actor="fixture") as db:
        old = db.get(Report, ledger.report)
        r23 = Report(government=old.government, year=2023, title="2023年测试市政府工作报告", sha256="1" * 64,
                     source_text="全年新建公园5个。", source_name="2023.txt")
        r25 = Report(government=old.government, year=2025, title="2025年测试市政府工作报告", sha256="2" * 64,
                     source_text="草稿。", source_name="2025.txt")
        db.add_all([r23, r25])
        db.flush()
        unit = db.get(Unit, ledger.unit1)
        c = Commitment(report=r23, kind="measure", title="全年新建公园5个", text="全年新建公园5个",
                       deadline=dt.date(2023, 12, 31), state="active", published=True, source="extracted")
        db.add(c)
        c.assignments.append(Assignment(unit=unit, role="lead", confirmed=True))
        db.flush()
        return {"r23": r23.id, "r25": r25.id, "c23": c.id}


def _switcher(html: str) -> dict[int, str]:
    form = re.search(r'<form class="switcher".*?</form>', html, re.S)
    assert form, "no report switcher in the header"
    return {int(i): label for i, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form.group())}


def test_report_switcher(as_user, client, ledger, second_report) -> None:
    admin = as_user("admin")
    html = admin.get("/admin/notices").text
    assert _switcher(html) == {second_report["r25"]: "2025年 · 测试市", ledger.report: "2024年 · 测试市",
                               second_report["r23"]: "2023年 · 测试市"}
    assert re.search(rf'<option value="{second_report["r25"]}" selected>', html)  # the latest, by default
    # choosing 2023 keeps it across the header's links and the office's own menu
    html = admin.get(f"/admin/evaluations?report={second_report['r23']}").text
    assert re.search(rf'<option value="{second_report["r23"]}" selected>', html)
    carry = f"?report={second_report['r23']}"
    for href in ("/", "/dashboard", "/admin", "/screen", "/admin/notices", "/admin/periods"):
        assert f'href="{href}{carry}"' in html, href
    assert "全年新建公园5个" in html
    # the public sees published reports only: 2024 and 2023, and may open 2023's board
    public = client.get("/").text
    assert _switcher(public) == {ledger.report: "2024年 · 测试市", second_report["r23"]: "2023年 · 测试市"}
    board = client.get(f"/?report={second_report['r23']}").text
    assert "测试市2023年政府工作报告" in _text(board) and "全年新建公园5个" in board
    assert f'name="report" value="{second_report["r23"]}"' in board  # the filters keep the year
    assert client.get(f"/?report={second_report['r25']}").status_code == 404
    # the leader's board for 2023
    j = as_user("leader").get(f"/dashboard?report={second_report['r23']}&format=json").json()
    assert j["summary"]["report"]["year"] == 2023 and j["summary"]["total"] == 1


def test_board_summary_follows_the_filter(client, ledger) -> None:
    j = client.get("/?format=json").json()
    assert j["summary"]["total"] == 2 and j["summary"]["filtered"] is False
    j = client.get(f"/?format=json&unit={ledger.unit1}").json()
    assert j["page"]["total"] == 1 and j["summary"]["total"] == 1 and j["summary"]["filtered"] is True
    assert [a["key"] for a in j["summary"]["by_area"]] == ["2.1"]
    html = client.get(f"/?unit={ledger.unit1}").text
    assert "筛选结果完成" in html and "上方完成率和红黄绿灯按筛选结果统计" in _text(html)
    assert 'action="/#results"' in html and 'id="results"' in html


def test_leader_drilldown_stays_in_the_leader_view(as_user, ledger) -> None:
    leader = as_user("leader")
    html = leader.get("/dashboard").text
    assert 'href="/dashboard/list?area=2.1"' in html and f'href="/dashboard/list?unit={ledger.unit1}"' in html
    assert 'href="/?area=' not in html and 'href="/?unit=' not in html
    j = leader.get("/dashboard/list?format=json&area=2.2").json()
    assert j["heading"] == "优化营商环境的任务" and sorted(i["id"] for i in j["page"]["items"]) == [ledger.b, ledger.c]
    page = leader.get("/dashboard/list?area=2.2").text
    assert f'href="/dashboard/c/{ledger.b}"' in page and "<h1>优化营商环境的任务（2 项）</h1>" in page
    lag = leader.get("/dashboard/list?format=json&lagging=1").json()
    board = leader.get("/dashboard?format=json").json()
    assert lag["page"]["total"] == board["summary"]["lagging_total"]
    assert leader.get("/dashboard/list?status=blue").status_code == 422
    assert 'href="/dashboard">领导看板</a> ›' in leader.get(f"/dashboard/c/{ledger.a}").text


def test_closing_keeps_the_list_the_office_was_on(as_user, ledger, issued) -> None:
    from .conftest import csrf_from

    admin = as_user("admin")
    listed = f"http://testserver/admin/notices?unit={ledger.unit2}&status=answered&msg=x"
    page = admin.get(listed)
    r = admin.post(f"/admin/notices/{issued['c']}/close", data={"csrf_token": csrf_from(page.text)},
                   headers={"referer": listed}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/admin/notices?unit={ledger.unit2}&status=answered&")
    assert "msg=x" not in r.headers["location"]


def test_progress_queue_narrows_to_the_chosen_report(as_user, ledger, second_report) -> None:
    admin, l1 = as_user("admin"), as_user("liaison1")
    r = l1.post(f"/api/commitments/{ledger.a}/progress", json={"period_id": ledger.q1, "percent": 20, "narrative": "开工"},
                headers={"X-CSRF-Token": l1.csrf})
    assert r.status_code == 201, r.text
    assert admin.get("/admin/progress?format=json").json()["page"]["total"] == 1  # every report by default
    assert admin.get(f"/admin/progress?format=json&report={ledger.report}").json()["page"]["total"] == 1
    html = admin.get(f"/admin/progress?report={second_report['r23']}").text
    assert "共 0 份" in html and f'href="/admin/progress?state=accepted&amp;report={second_report["r23"]}"' in html
