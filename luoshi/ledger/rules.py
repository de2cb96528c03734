"""The supervision settings of one ledger, read once and passed to the services that judge.

A ledger's thresholds (yellow/red, in points behind 时序进度), tolerance, answer and report delays,
差异化考核 weights and its clock (:mod:`luoshi.ledger.clock`) are stored in ``LedgerSettings`` and
a few constants (:mod:`luoshi.ledger.limits`). Services that judge take one :class:`Rules` value
instead of looking each of them up again, so the CLI, the web pages, the exports and the demo judge
with the same numbers on the same day. Reading never writes: a ledger with no settings row is
judged with the schema's defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.ledger.clock import Clock, clock
from luoshi.ledger.limits import MAX_EVIDENCE_BYTES
from luoshi.ledger.models import LedgerSettings, Report

DEFAULT_WEIGHTS: dict[str, Any] = {
    # 差异化考核: binding promises weigh more than expected ones, expected more than aspirational
    "kind": {"target": 1.5, "milestone": 1.2, "measure": 1.0},
    "modality": {"确保": 1.5, "预期": 1.2, "力争": 1.0, "争取": 1.0},
    "role": {"lead": 1.0, "support": 0.3},
    "result": {"超额完成": 110, "完成": 100, "基本完成": 80, "未完成": 0},
    "status": {"green": 100, "yellow": 60, "red": 20, "missing": 0},
}


# evaluation grades from the lowest to the highest
GRADES = ("未完成", "基本完成", "完成", "超额完成")
# the grades each light allows (lowest, highest): a higher light never allows a lower grade
GRADE_BANDS: dict[str, tuple[str, str]] = {
    "red": ("未完成", "未完成"),
    "yellow": ("基本完成", "基本完成"),
    "green": ("基本完成", "超额完成"),
}


def _default(column: str) -> Any:
    return LedgerSettings.__table__.c[column].default.arg  # type: ignore[union-attr]


def merged_weights(custom: dict[str, Any] | None) -> dict[str, Any]:
    """:data:`DEFAULT_WEIGHTS` with a ledger's own weights laid over them, group by group."""
    merged = {k: dict(v) for k, v in DEFAULT_WEIGHTS.items()}
    for k, v in (custom or {}).items():
        merged.setdefault(k, {}).update(v)
    return merged


@dataclass(frozen=True)
class Rules:
    """Everything a judgement of one ledger depends on besides its data."""

    yellow_behind: float = field(default_factory=lambda: float(_default("yellow_behind")))
    red_behind: float = field(default_factory=lambda: float(_default("red_behind")))
    tolerance: float = field(default_factory=lambda: float(_default("tolerance")))
    report_due_days: int = field(default_factory=lambda: int(_default("report_due_days")))
    notice_due_days: int = field(default_factory=lambda: int(_default("notice_due_days")))
    weights: dict[str, Any] = field(default_factory=lambda: merged_weights(None))
    clock: Clock = field(default_factory=Clock)
    max_evidence_bytes: int = MAX_EVIDENCE_BYTES

    @property
    def today(self) -> dt.date:
        return self.clock.today()

    def light(self, behind: float, overdue: bool) -> str:
        """The light for a commitment ``behind`` points behind 时序进度 (the thresholds' one rule)."""
        if overdue or behind > self.red_behind:
            return "red"
        if behind >= self.yellow_behind:
            return "yellow"
        return "green"

    def grade(self, light: str, finished: bool, by_value: str | None = None) -> str | None:
        """The evaluation grade of a commitment whose light is ``light`` — the lights' rule read as
        a grade, so the two can never disagree.

        Each light has its band of grades (:data:`GRADE_BANDS`): red → 未完成, yellow → 基本完成,
        green → 基本完成 until the work is finished (reported 100 %), then 完成. A quantified
        target's final value (``by_value``, rated by :func:`luoshi.ledger.services.evaluation.rate_value`
        with ``tolerance``) moves the grade only inside the band of its light: a green target
        finished above its value by the tolerance is 超额完成, a green target whose final value
        misses is 基本完成 (no lower than a yellow one). Grey (not judged) has no grade.
        """
        if light not in GRADE_BANDS:
            return None
        low, high = GRADE_BANDS[light]
        if light == "green" and not finished:
            high = low
        wanted = by_value if by_value is not None else ("完成" if finished else low)
        rank = GRADES.index(wanted)
        return GRADES[min(max(rank, GRADES.index(low)), GRADES.index(high))]


def of(s: LedgerSettings | None, *, on: Clock | None = None) -> Rules:
    """The rules a settings row says (``None``: the defaults)."""
    c = on or Clock()
    if s is None:
        return Rules(clock=c)
    return Rules(
        yellow_behind=float(s.yellow_behind if s.yellow_behind is not None else _default("yellow_behind")),
        red_behind=float(s.red_behind if s.red_behind is not None else _default("red_behind")),
        tolerance=float(s.tolerance if s.tolerance is not None else _default("tolerance")),
        report_due_days=int(s.report_due_days if s.report_due_days is not None else _default("report_due_days")),
        notice_due_days=int(s.notice_due_days if s.notice_due_days is not None else _default("notice_due_days")),
        weights=merged_weights(s.weights),
        clock=c,
    )


def rules(session: Session, report: Report, *, today: str | dt.date | None = None) -> Rules:
    """The rules of ``report``'s ledger, judged on the day :func:`luoshi.ledger.clock.clock` gives
    (``today`` is an explicit override, as the CLI's ``--today``)."""
    row = session.scalar(select(LedgerSettings).where(LedgerSettings.report_id == report.id))
    return of(row, on=clock(session, report, today=today))
