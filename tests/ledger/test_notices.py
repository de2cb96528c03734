"""督办单: issued → answered → closed; who may answer and close; every step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from luoshi.errors import ConflictError, PermissionDenied, ValidationError
from luoshi.ledger import policy
from luoshi.ledger.models import AuditEvent, Notice, User
from luoshi.ledger.services import assign, commitments, notices, periods, units
from luoshi.ledger.services.history import history

from .helpers import small_ledger

NOW = dt.datetime(2024, 4, 16, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def notice(session) -> Notice:
    report = small_ledger(session)
    c = commitments.add_manual(session, report, kind="measure", title="推进智能工厂建设")
    c.created_at = dt.datetime(2024, 1, 10, tzinfo=dt.UTC)  # added by hand early in the plan year
    assign.assign(session, c, lead="工信局", support=["发改委"])
    periods.generate_periods(session, report)
    q1 = periods.period(session, report, "2024Q1")
    created = notices.generate_notices(session, report, q1, on=dt.date(2024, 4, 15))
    assert [(n.reason, n.unit.short_name) for n in created] == [("missing", "市工业和信息化局")]
    return created[0]


def user(session, username: str, role: str, unit: str | None = None) -> User:
    unit_id = units.find_unit(session, "枣庄市", unit).id if unit else None
    u = User(username=username, display_name=username, role=role, unit_id=unit_id)
    session.add(u)
    session.flush()
    return u


def test_answer_then_close(session, notice):
    assert (notice.answer, notice.answered_at, notice.closed) == (None, None, False)
    assert notice.due == dt.date(2024, 4, 22)  # 5 working days after 15 Apr
    with pytest.raises(ConflictError, match="尚未答复，不能办结"):
        notices.close_notice(session, notice)
    with pytest.raises(ValidationError, match="答复内容不能为空"):
        notices.answer_notice(session, notice, "   ")
    notices.answer_notice(session, notice, "  已补报一季度进度  ", now=NOW)
    assert notice.answer == "已补报一季度进度" and notice.answered_at == NOW and not notice.closed
    notices.answer_notice(session, notice, "已补报一季度进度，附统计数据", now=NOW)  # a second answer replaces it
    notices.close_notice(session, notice)
    assert notice.closed
    report = notice.commitment.report
    assert notices.notices(session, report, open_only=True) == []
    assert notices.notices(session, report) == [notice]


def test_closed_notice_refuses_answers_and_second_close(session, notice):
    notices.answer_notice(session, notice, "已整改", now=NOW)
    notices.close_notice(session, notice)
    with pytest.raises(ConflictError, match=f"督办单 {notice.id} 已办结"):
        notices.answer_notice(session, notice, "再补充一句")
    with pytest.raises(ConflictError, match="已办结"):
        notices.close_notice(session, notice)
    assert notice.answer == "已整改"


def test_who_may_answer_and_close(session, notice):
    admin = user(session, "dc", "admin")
    own = user(session, "gx", "liaison", "工信局")
    support = user(session, "fg", "liaison", "发改委")  # supports the commitment, the notice is not theirs
    other = user(session, "cz", "liaison", "财政局")
    leader = user(session, "ld", "leader")
    assert [policy.may_answer(u, notice) for u in (admin, own, support, other, leader)] == [True, True, False, False, False]
    assert [policy.may_close(u, notice) for u in (admin, own, support, other, leader)] == [True, False, False, False, False]
    with pytest.raises(PermissionDenied, match="只能答复发给本单位的督办单"):
        notices.answer_notice_as(session, notice, "代为答复", other)
    assert notice.answer is None
    notices.answer_notice_as(session, notice, "已整改到位", own, now=NOW)
    with pytest.raises(PermissionDenied, match="由督查室办结"):
        notices.close_notice_as(session, notice, own)
    assert not notice.closed
    notices.close_notice_as(session, notice, admin)
    assert notice.closed
    own.active = False
    assert not policy.may_answer(own, notice)


def test_every_step_is_audited_under_the_commitment(session, notice):
    session.info["actor"] = "工信局联络员"
    notices.answer_notice(session, notice, "已补报", now=NOW)
    session.info["actor"] = "督查室"
    notices.close_notice(session, notice)
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "Notice", AuditEvent.entity_id == str(notice.id)).order_by(AuditEvent.id)
        )
    )
    assert [(e.action, e.actor) for e in events] == [("create", "tester"), ("update", "工信局联络员"), ("update", "督查室")]
    assert events[1].before == {"answered_at": None, "answer": None}
    assert events[1].after["answer"] == "已补报"
    assert events[2].before == {"closed": False} and events[2].after == {"closed": True}
    assert all(e.commitment_id == notice.commitment_id for e in events)
    assert {e.id for e in events} <= {e.id for e in history(session, notice.commitment_id)}
