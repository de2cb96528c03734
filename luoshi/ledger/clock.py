"""The one clock of the ledger: which day supervision is judged on.

Lights, the judged period, notices, lateness and rankings all depend on "today". Two clocks made
the command line and the dashboard judge different periods on one day, so the day is resolved in
one place, in this order:

1. an explicit override: a date given by the caller (the CLI's ``--today``), else the
   ``LUOSHI_TODAY`` environment variable (ISO date) — for replaying a ledger on a chosen day;
2. the ledger's statistics date (统计日期, ``LedgerSettings.statistics_date``) if the operator set
   one — the demo ledger is fixed on 15 November of its year so that its display is not all red;
3. the machine's date.

:meth:`Clock.now` follows the same day (keeping the time of day), so a report submitted on a
ledger judged on a fixed day is on time or late by that day, as the lights say.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import ValidationError
from luoshi.ledger.models import LedgerSettings, Report

ENV = "LUOSHI_TODAY"
BEIJING = dt.timezone(dt.timedelta(hours=8))
Source = Literal["override", "environment", "ledger", "machine"]


def parse_day(value: str | dt.date, what: str) -> dt.date:
    """An ISO date given by a person, or a precise message naming where it came from."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{what} 不是有效日期（YYYY-MM-DD）：{value!r}") from None


@dataclass(frozen=True)
class Clock:
    """A day fixed by an override or the ledger (``fixed``), or the machine's date (``fixed`` None)."""

    fixed: dt.date | None = None
    source: Source = "machine"

    def today(self) -> dt.date:
        return self.fixed if self.fixed is not None else dt.date.today()

    def now(self, current: dt.datetime | None = None) -> dt.datetime:
        """The current time on :meth:`today` (as UTC); the time of day is the machine's (``current``,
        default the machine's clock).

        The fixed day is a Beijing calendar day (due dates, lateness and the pages are read in
        Beijing time), so the machine's Beijing time of day is put on it: a change made at 07:00 in
        Beijing on a ledger fixed on 25 April is stamped 25 April, not 26 April."""
        current = current or dt.datetime.now(dt.UTC)
        if self.fixed is None:
            return current
        local = current.astimezone(BEIJING)
        return dt.datetime.combine(self.fixed, local.time(), tzinfo=BEIJING).astimezone(dt.UTC)


MACHINE = Clock()


def override_day(explicit: str | dt.date | None = None) -> Clock | None:
    """The clock an explicit day or ``LUOSHI_TODAY`` fixes, or None when neither is given."""
    if explicit is not None and explicit != "":
        return Clock(parse_day(explicit, "--today"), "override")
    value = os.environ.get(ENV)
    if value:
        return Clock(parse_day(value, ENV), "environment")
    return None


def clock(session: Session | None = None, report: Report | None = None, *,
          today: str | dt.date | None = None) -> Clock:
    """The clock for ``report`` (override > the ledger's statistics date > the machine's date)."""
    fixed = override_day(today)
    if fixed is not None:
        return fixed
    if session is not None and report is not None and report.id is not None:
        cache: dict = session.info.setdefault(CACHE, {})
        if report.id not in cache:
            cache[report.id] = session.scalar(
                select(LedgerSettings.statistics_date).where(LedgerSettings.report_id == report.id))
        day = cache[report.id]
        if day is not None:
            return Clock(day, "ledger")
    return MACHINE


def forget(session: Session) -> None:
    """Drop what :func:`clock` remembered for this session (after the statistics date changes)."""
    session.info.pop(CACHE, None)


CACHE = "luoshi_clock_cache"
