"""The light of one commitment by the rule's definition, for checking the ledger's bulk judgement."""

from __future__ import annotations

from typing import Any


def reference_status(db: Any, c: Any, p: Any, rules: Any) -> tuple:
    """(light, percent, expected, missing, overdue, late) of one commitment by the rule's definition,
    its reports read one by one through the ORM."""
    from luoshi.ledger.services import progress
    from luoshi.ledger.services.status import expected_percent

    expected = round(expected_percent(c, p.end, c.report.year), 1)
    this = progress.find(db, c, p)
    counted = this is not None and this.state in ("submitted", "accepted")
    last = this if counted else progress.latest(db, c, until=p.end)
    percent = last.percent if last is not None else None
    behind = round(max(0.0, expected - (percent or 0.0)), 1)
    overdue = c.deadline is not None and c.deadline < p.end and (percent or 0.0) < 100
    light = "red" if overdue or behind > rules.red_behind else "yellow" if behind >= rules.yellow_behind else "green"
    return light, percent, expected, not counted, overdue, bool(counted and this.late)
