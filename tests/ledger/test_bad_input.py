"""Bad input → a clear LuoshiError and the ledger unchanged (row counts and audit trail identical)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from luoshi.errors import ConflictError, LuoshiError, NotFoundError, ValidationError
from luoshi.ledger.db import transaction
from luoshi.ledger.models import Commitment, Period
from luoshi.ledger.services import assign, commitments, importing, periods, progress

from .helpers import counts, seed_extraction


@pytest.fixture
def ledger(engine, luoshi_home):
    ex, text = seed_extraction()
    with transaction(engine, actor="op") as s:
        report = importing.apply_plan(s, importing.plan_import(s, ex, government="枣庄市", source_text=text))
        for c in commitments.list_commitments(s, report)[:5]:
            assign.assign(s, c)
        periods.generate_periods(s, report)
        periods.close_period(s, periods.period(s, report, "2024Q1"))
    return engine


def first_active(s) -> Commitment:
    return s.scalars(select(Commitment).where(Commitment.state == "active").order_by(Commitment.id)).first()


def unchanged(engine, action, error: type[LuoshiError], match: str) -> None:
    before = counts(engine)
    with pytest.raises(error, match=match), transaction(engine, actor="op") as s:
        action(s)
    assert counts(engine) == before


def test_unknown_unit(ledger):
    unchanged(ledger, lambda s: assign.assign(s, first_active(s), lead="市不存在局"), NotFoundError, "未知单位“市不存在局”")


def test_value_of_wrong_type(ledger):
    def act(s):
        c = first_active(s)
        progress.report(s, c, periods.period(s, c.report, "2024Q2"), author="x", value="五点五", percent=10)

    unchanged(ledger, act, ValidationError, "报送值 应为数字")


def test_report_for_closed_period(ledger):
    def act(s):
        c = first_active(s)
        progress.report(s, c, s.scalars(select(Period).where(Period.label == "2024Q1")).one(), author="x", percent=10)

    unchanged(ledger, act, ConflictError, "周期 2024Q1 已关闭")


def test_duplicate_import(ledger):
    ex, text = seed_extraction()
    # same bytes for the same ledger: a no-op plan
    with transaction(ledger) as s:
        assert importing.plan_import(s, ex, government="枣庄市", source_text=text).status == "unchanged"
    # same bytes as another government's or year's report: refused
    unchanged(
        ledger,
        lambda s: importing.apply_plan(s, importing.plan_import(s, ex, government="枣庄市", year=2025, source_text=text)),
        ConflictError,
        "已作为 枣庄市 2024 年报告导入",
    )


def test_conflicting_edit(ledger):
    with transaction(ledger) as s:
        cid = first_active(s).id
        version = s.get(Commitment, cid).version
    with transaction(ledger, actor="a") as s:
        commitments.update(s, s.get(Commitment, cid), {"title": "甲的修改"}, expected_version=version)
    unchanged(
        ledger,
        lambda s: commitments.update(s, s.get(Commitment, cid), {"title": "乙的修改"}, expected_version=version),
        ConflictError,
        "已被他人修改",
    )


def test_failed_import_leaves_nothing(engine, luoshi_home):
    ex, text = seed_extraction()
    broken = dataclasses.replace(ex, sections=[*ex.sections, {"id": "9", "title": "x"}])  # no start/end
    before = counts(engine)
    with pytest.raises(KeyError), transaction(engine) as s:
        importing.apply_plan(s, importing.plan_import(s, broken, government="枣庄市", source_text=text))
    assert counts(engine) == before


def test_revised_text_gives_diff(engine, luoshi_home):
    ex, text = seed_extraction()
    with transaction(engine) as s:
        importing.apply_plan(s, importing.plan_import(s, ex, government="枣庄市", source_text=text))
    t0, t1 = ex.targets[0], ex.targets[1]
    revised = dataclasses.replace(
        ex,
        report=dataclasses.replace(ex.report, sha256="0" * 64),
        targets=[dataclasses.replace(t0, value=6.0, quote=t0.quote.replace("5.5", "6")), *ex.targets[2:]],
    )
    with transaction(engine) as s:
        plan = importing.plan_import(s, revised, government="枣庄市", source_text=text)
        assert plan.status == "revised"
        assert [c.code for c in plan.removed] == [t1.id]
        assert [(ch.code, ch.before["value"], ch.after["value"]) for ch in plan.changed] == [(t0.id, 5.5, 6.0)]
        assert plan.added == []
        importing.apply_plan(s, plan)
    with transaction(engine) as s:
        assert s.scalars(select(Commitment).where(Commitment.code == t0.id)).one().value == 6.0
        assert s.scalars(select(Commitment).where(Commitment.code == t1.id)).first() is None
