"""The office previews a period's notices before issuing them; the liaison reads number, period,
reasons and answer-by date. Statistics date 2024-05-15: 2024Q1 is past its due date, 2024Q2 is not."""

from __future__ import annotations

import re

import pytest

from .conftest import csrf_from

pytestmark = pytest.mark.postgres


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_preview_then_confirm_and_the_liaison_list(as_user, ledger) -> None:
    admin = as_user("admin")
    # Q2 is not due: the preview says so and offers no confirm button; forcing it is refused
    page = admin.get(f"/admin/notices/preview?period={ledger.q2}").text
    assert "现在不能签发：2024Q2 的报送截止日 2024-07-05 未过（统计日期 2024-05-15），不能生成督办单" in _text(page)
    assert 'value="issue"' not in page
    api = admin.get(f"/api/periods/{ledger.q2}/notices/preview").json()
    # what would be issued if nothing more were reported: all three behind, none late yet
    assert (api["may_issue"], api["total"], api["counts"]["未按时报送"], api["counts"]["进度滞后"]) == (False, 3, 0, 3)
    assert "若此后不再报送，到期后将签发督办单 3 份" in _text(page)
    r = admin.post("/admin/periods", data={"op": "issue", "report": str(ledger.report), "period": str(ledger.q2),
                                           "csrf_token": csrf_from(page)})
    assert "2024Q2 的报送截止日 2024-07-05 未过" in _text(r.text)
    assert admin.get("/api/notices").json() == []

    # the periods page's button leads to the preview, not straight to issuing
    periods = admin.get(f"/admin/periods?report={ledger.report}").text
    r = admin.post("/admin/periods", data={"op": "notices", "report": str(ledger.report), "period": str(ledger.q1),
                                           "csrf_token": csrf_from(periods)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/notices/preview?period={ledger.q1}"
    assert admin.get("/api/notices").json() == []

    # Q1: nothing reported by its due date (A and B published and assigned; C is tracked too)
    page = admin.get(f"/admin/notices/preview?period={ledger.q1}").text
    text = _text(page)
    assert "将签发督办单 3 份" in text and "按原因：未按时报送 3 · 进度滞后 0 · 逾期未完成 0" in text
    r = admin.post("/admin/periods", data={"op": "issue", "report": str(ledger.report), "period": str(ledger.q1),
                                           "csrf_token": csrf_from(page)})
    assert "已签发督办单 3 份（督〔2024〕1号—督〔2024〕3号）" in _text(r.text)
    listed = {n["commitment_id"]: n for n in admin.get("/api/notices").json()}
    assert listed[ledger.a]["number"] == "督〔2024〕1号"
    assert listed[ledger.a]["reason_labels"] == ["未按时报送"] and listed[ledger.a]["period"] == "2024Q1"

    mine = _text(as_user("liaison1").get("/my/notices").text)
    assert "督〔2024〕1号 2024Q1 未按时报送 下发 2024-05-15 2024-05-22 前答复" in mine
    assert "督〔2024〕2号" not in mine  # B's notice goes to unit 2


def test_evaluation_page_shows_drafts_and_finalises_with_a_reason(as_user, ledger) -> None:
    admin = as_user("admin")
    page = admin.get(f"/admin/evaluations?report={ledger.report}").text
    r = admin.post(f"/admin/commitments/{ledger.a}/evaluate",
                   data={"result": "完成", "reason": "统计部门核实", "csrf_token": csrf_from(page)})
    text = _text(r.text)
    assert "预评价：最后一期报送截止日 2025-01-08 未过（统计日期 2024-05-15），结果不计入正式排名，定稿后生效" in text
    assert "预评价 完成（100 分）" in text and "预评价 1 项" in text
    assert [e["state"] for e in admin.get("/api/evaluations").json()] == ["draft"]
    # early finalising without a reason is refused, with one it is recorded
    r = admin.post("/admin/evaluations", data={"op": "finalise", "report": str(ledger.report), "reason": " ",
                                               "csrf_token": csrf_from(r.text)})
    assert "提前定稿必须写明理由" in _text(r.text)
    r = admin.post("/admin/evaluations", data={"op": "finalise", "report": str(ledger.report),
                                               "reason": "年中考核需要", "csrf_token": csrf_from(r.text)})
    assert "已定稿 1 项年度评价（提前定稿，理由已记录）" in _text(r.text)
    again = admin.post(f"/api/reports/{ledger.report}/evaluations/finalise", json={}, headers={"X-CSRF-Token": admin.csrf})
    assert again.status_code == 422 and "没有可定稿的预评价" in again.json()["error"]
    assert [e["state"] for e in admin.get("/api/evaluations").json()] == ["final"]
    assert "预评价 完成" not in _text(admin.get(f"/admin/evaluations?report={ledger.report}").text)


def test_items_added_on_the_web_are_dated_by_the_ledger_clock(as_user, ledger, engine) -> None:
    """On the demo clock (2024-05-15) an item added by hand belongs to Q2 onwards, not to Q1."""
    from sqlalchemy import select

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services.notices import existed_in
    from luoshi.ledger.services.status import beijing_day

    admin = as_user("admin")
    page = admin.get(f"/admin/periods?report={ledger.report}").text
    admin.post(f"/admin/reports/{ledger.report}/commitments",
               data={"kind": "measure", "title": "新增：推进老旧小区加装电梯", "csrf_token": csrf_from(page)})
    with transaction(engine, actor="test") as db:
        c = db.scalar(select(Commitment).where(Commitment.title == "新增：推进老旧小区加装电梯"))
        assert c is not None and beijing_day(c.created_at).isoformat() == "2024-05-15"
        q1, q2 = db.get(Period, ledger.q1), db.get(Period, ledger.q2)
        assert (existed_in(c, q1), existed_in(c, q2)) == (False, True)
