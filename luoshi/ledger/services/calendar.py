"""Working days (工作日) from the official calendar, with a local override table for other years.

``chinese_calendar`` carries the State Council's holiday and make-up-day schedule for the years it
has been released for. Rows in ``calendar_days`` (see :func:`set_day` / :func:`load_overrides`)
override it day by day; a year that neither covers raises a clear error instead of silently
treating it as a Western calendar — unless the year is declared in the table with
:func:`declare_year` (weekends then count as rest days apart from listed overrides).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import InputError, ValidationError
from luoshi.ledger.limits import clean
from luoshi.ledger.models import CalendarDay

DECLARED_NOTE = "year declared"  # note of the 1 January row that marks a locally maintained year


class Calendar:
    """Workday oracle for one session's view of the override table (cached per instance)."""

    def __init__(self, session: Session | None = None) -> None:
        self.overrides: dict[dt.date, bool] = {}
        self.declared: set[int] = set()
        if session is not None:
            for row in session.scalars(select(CalendarDay)):
                self.overrides[row.day] = row.workday
                if row.note == DECLARED_NOTE:
                    self.declared.add(row.day.year)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year in self.declared:
                return day.weekday() < 5
            raise ValidationError(
                f"日历没有 {day.year} 年的法定节假日数据（chinese_calendar {chinese_calendar.__version__}）；"
                f"请升级 chinese-calendar，或用 luoshi ledger calendar 文件.csv（列 date,workday,note）"
                f"导入 {day.year} 年的放假安排"
            ) from None

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (n ≥ 0; n = 0 → ``day`` itself if it is one, else the next)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        cur = day
        if n == 0:
            while not self.is_workday(cur):
                cur += dt.timedelta(days=1)
            return cur
        while n:
            cur += dt.timedelta(days=1)
            if self.is_workday(cur):
                n -= 1
        return cur

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in [start, end]."""
        n, cur = 0, start
        while cur <= end:
            n += self.is_workday(cur)
            cur += dt.timedelta(days=1)
        return n


def workdays_left(session: Session, due: dt.date, today: dt.date) -> int:
    """Working days from ``today`` to ``due`` (negative once ``due`` has passed): what a unit is
    told about a reporting deadline, counted on the official calendar."""
    cal = Calendar(session)
    if due >= today:
        return cal.workdays_between(today, due)
    return -cal.workdays_between(due, today)


def set_day(session: Session, day: dt.date, workday: bool, note: str | None = None) -> CalendarDay:
    note = clean("calendar.note", note)
    row = session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day, workday=workday, note=note)
        session.add(row)
    else:
        row.workday, row.note = workday, note
    session.flush()
    return row


def declare_year(session: Session, year: int) -> None:
    """Maintain ``year`` locally: weekdays work, weekends rest, except the rows of the table."""
    jan1 = dt.date(year, 1, 1)
    row = session.get(CalendarDay, jan1)
    set_day(session, jan1, row.workday if row else False, DECLARED_NOTE)


def load_overrides(session: Session, path: str | Path) -> int:
    """CSV ``date,workday,note`` (workday 1/0, 班/休); every year named in it becomes declared."""
    p = Path(path)
    try:
        rows = list(csv.DictReader(p.read_text(encoding="utf-8-sig").splitlines()))
    except FileNotFoundError:
        raise InputError(f"{p}: 文件不存在") from None
    years: set[int] = set()
    for i, r in enumerate(rows, 2):
        try:
            day = dt.date.fromisoformat((r.get("date") or "").strip())
        except ValueError:
            raise InputError(f"{p}:{i}: 日期无效 {r.get('date')!r}") from None
        flag = (r.get("workday") or "").strip()
        if flag not in ("1", "0", "班", "休", "true", "false"):
            raise InputError(f"{p}:{i}: workday 应为 1/0 或 班/休，而不是 {flag!r}")
        years.add(day.year)
        set_day(session, day, flag in ("1", "班", "true"), (r.get("note") or "").strip() or None)
    for y in years:
        if y not in _supported_years():
            declare_year(session, y)
    return len(rows)


def _supported_years() -> set[int]:
    return {d.year for d in chinese_calendar.holidays}
