"""Working days: the official calendar (holidays and make-up days), years it does not cover, overrides."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from luoshi.cli import cli
from luoshi.errors import InputError, LuoshiError
from luoshi.ledger.db import transaction
from luoshi.ledger.models import AuditEvent, CalendarDay
from luoshi.ledger.services.calendar import Calendar, declare_year, load_overrides, set_day

from .helpers import url_of

UNCOVERED = max(d.year for d in chinese_calendar.holidays) + 1  # the first year the package lacks
D = dt.date


def test_official_calendar_with_make_up_working_day(session):
    cal = Calendar(session)
    assert cal.is_workday(D(2024, 2, 4))  # Sunday, 春节 make-up working day (调休上班)
    assert not cal.is_workday(D(2024, 2, 12))  # Monday inside the 春节 holiday
    assert not cal.is_workday(D(2024, 2, 3))  # ordinary Saturday
    assert cal.is_workday(D(2024, 4, 7))  # Sunday after 清明, make-up working day
    # 31 Mar 2024 + 5 working days: 1–3 Apr work, 4–6 Apr 清明, 7 Apr (Sunday) works, 8 Apr
    assert cal.add_workdays(D(2024, 3, 31), 5) == D(2024, 4, 8)
    assert cal.add_workdays(D(2024, 2, 10), 0) == D(2024, 2, 18)  # next working day: 18 Feb is a make-up Sunday
    # 国庆 1–7 Oct rest; 8–11 Oct work; 12 Oct (Saturday) is a make-up working day; 13 Oct rests
    assert cal.workdays_between(D(2024, 10, 1), D(2024, 10, 13)) == 5


def test_year_past_the_package_is_a_clear_error(session):
    cal = Calendar(session)
    with pytest.raises(LuoshiError) as info:
        cal.is_workday(D(UNCOVERED, 3, 2))
    msg = info.value.message
    assert f"没有 {UNCOVERED} 年的法定节假日数据" in msg
    assert "luoshi ledger calendar" in msg and "date,workday,note" in msg
    with pytest.raises(LuoshiError, match=str(UNCOVERED)):
        cal.add_workdays(D(UNCOVERED - 1, 12, 30), 5)


def test_single_override_row_answers_that_day_only(session):
    set_day(session, D(UNCOVERED, 1, 1), False, "元旦")
    cal = Calendar(session)
    assert not cal.is_workday(D(UNCOVERED, 1, 1))
    with pytest.raises(LuoshiError, match=str(UNCOVERED)):
        cal.is_workday(D(UNCOVERED, 1, 2))
    # the override is a row of an audited table
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "CalendarDay")).one()
    assert event.action == "create" and event.after["day"] == f"{UNCOVERED}-01-01" and event.actor == "tester"


def test_declared_year_uses_weekends_and_overrides(session):
    declare_year(session, UNCOVERED)
    set_day(session, D(UNCOVERED, 10, 1), False, "国庆节")
    cal = Calendar(session)
    monday = next(D(UNCOVERED, 3, d) for d in range(1, 8) if D(UNCOVERED, 3, d).weekday() == 0)
    assert cal.is_workday(monday) and not cal.is_workday(monday + dt.timedelta(days=5))
    assert not cal.is_workday(D(UNCOVERED, 10, 1))
    assert not cal.is_workday(D(UNCOVERED, 1, 1))


def test_csv_overrides_make_an_uncovered_year_work(session, tmp_path):
    sat = next(D(UNCOVERED, 2, d) for d in range(1, 8) if D(UNCOVERED, 2, d).weekday() == 5)
    csv = tmp_path / "holidays.csv"
    csv.write_text(
        f"date,workday,note\n{UNCOVERED}-01-01,休,元旦\n{sat.isoformat()},班,调休上班\n{UNCOVERED}-10-01,0,国庆节\n",
        encoding="utf-8",
    )
    assert load_overrides(session, csv) == 3
    cal = Calendar(session)
    assert cal.is_workday(sat)  # make-up working day on a Saturday
    assert not cal.is_workday(D(UNCOVERED, 1, 1)) and not cal.is_workday(D(UNCOVERED, 10, 1))
    assert cal.workdays_between(D(UNCOVERED, 6, 1), D(UNCOVERED, 6, 30)) == sum(
        D(UNCOVERED, 6, d).weekday() < 5 for d in range(1, 31)
    )
    # the covered years are not declared (the package stays authoritative there)
    assert session.get(CalendarDay, D(UNCOVERED, 1, 1)).note == "year declared"
    bad = tmp_path / "bad.csv"
    bad.write_text(f"date,workday,note\n{UNCOVERED}-02-30,1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv:2: 日期无效"):
        load_overrides(session, bad)
    bad.write_text(f"date,workday,note\n{UNCOVERED}-02-03,maybe,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="workday 应为 1/0 或 班/休"):
        load_overrides(session, bad)


def test_calendar_command_named_in_the_error_works(engine, luoshi_home, monkeypatch, tmp_path):
    monkeypatch.setenv("LUOSHI_DATABASE_URL", url_of(engine))
    csv = tmp_path / "next.csv"
    csv.write_text(f"date,workday,note\n{UNCOVERED}-01-01,休,元旦\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ledger", "calendar", str(csv), "--as", "督查室"])
    assert result.exit_code == 0, result.output
    assert "已导入 1 天" in result.output
    with transaction(engine) as s:
        assert Calendar(s).is_workday(D(UNCOVERED, 3, 2)) == (D(UNCOVERED, 3, 2).weekday() < 5)
        actors = {e.actor for e in s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "CalendarDay"))}
        assert actors == {"督查室"}
