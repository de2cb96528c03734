"""The dashboard's numbers on a generated province, pinned.

``luoshi.devtools.scale`` generates the same ledger from its seed on every run (2 cities × 300
commitments × 12 months, with late, missing, returned and draft reports). Its figures as the
public page, the dashboard and the ``?status=`` filter show them on the day after the last period
are written down here, as the rules gave them before the pages were made faster: a change of query
shape, index, cache or loading that changes any light or number fails this test, on both engines.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

PINNED: dict[int, dict[str, Any]] = {
    1: {
        "period": "2021-12", "lights": {"green": 167, "yellow": 41, "red": 74, "grey": 0},
        "completion": 84.7, "expected": 100.0, "completed": 100, "lagging_total": 115,
        "areas": [["2.1", 9, 2, 3, 0], ["2.2", 11, 4, 7, 0], ["2.3", 13, 6, 7, 0], ["2.4", 21, 3, 3, 0],
                  ["2.5", 17, 4, 4, 0], ["2.6", 16, 3, 8, 0], ["2.7", 11, 4, 7, 0], ["2.8", 11, 3, 3, 0],
                  ["2.9", 17, 3, 9, 0], ["2.10", 13, 2, 6, 0], ["2.11", 10, 2, 10, 0], ["2.12", 18, 5, 7, 0]],
        "units": [["市农业农村局", 9, 2, 8], ["市生态环境局", 7, 5, 7], ["市人力资源社会保障局", 8, 1, 5]],
        "lagging": [66, 252, 150, 268, 288],
        "trend": [[76.4, 77.9, 80.0], [87.9, 94.1, 100.0], 12],
        "ranking": [[100.0, 1], [91.08, 2], [90.74, 3]],
        "red": [74, [135, 259, 268, 13, 46]],
    },
    2: {
        "period": "2021-12", "lights": {"green": 161, "yellow": 44, "red": 71, "grey": 0},
        "completion": 84.3, "expected": 100.0, "completed": 105, "lagging_total": 115,
        "areas": [["2.1", 14, 7, 6, 0], ["2.2", 21, 7, 7, 0], ["2.3", 9, 4, 9, 0], ["2.4", 16, 3, 8, 0],
                  ["2.5", 7, 0, 4, 0], ["2.6", 15, 5, 6, 0], ["2.7", 17, 3, 5, 0], ["2.8", 9, 8, 1, 0],
                  ["2.9", 19, 0, 4, 0], ["2.10", 12, 2, 6, 0], ["2.11", 8, 4, 8, 0], ["2.12", 14, 1, 7, 0]],
        "units": [["市科技局", 9, 2, 6], ["市发展改革委", 4, 5, 5], ["市人力资源社会保障局", 10, 2, 5]],
        "lagging": [475, 488, 596, 449, 599],
        "trend": [[76.9, 78.2, 80.7], [87.7, 93.9, 100.0], 12],
        "ranking": [[100.0, 1], [96.65, 2], [89.28, 3]],
        "red": [71, [327, 478, 527, 532, 542]],
    },
}


def figures(db: Any, report_id: int, on: Any) -> dict[str, Any]:
    """What the public page and the dashboard show of one report on day ``on``."""
    from luoshi.ledger.models import Report
    from luoshi.web import queries as qs
    from luoshi.web import summary as sm
    from luoshi.web.auth import ANONYMOUS

    report = db.get(Report, report_id)
    s = sm.summary(db, ANONYMOUS, report, on=on)
    t = sm.trend(db, report, on=on)
    r = sm.ranking(db, report, on=on)
    red = qs.list_commitments(db, ANONYMOUS, qs.Filters(report_id=report_id, published=True, status="red", limit=5),
                              on=on)
    return {
        "period": s["period"], "lights": s["lights"], "completion": s["completion"], "expected": s["expected"],
        "completed": s["completed"], "lagging_total": s["lagging_total"],
        "areas": [[a["key"], a["green"], a["yellow"], a["red"], a["grey"]] for a in s["by_area"]],
        "units": [[u["name"], u["green"], u["yellow"], u["red"]] for u in s["by_unit"][:3]],
        "lagging": [c["id"] for c in s["lagging"][:5]],
        "trend": [t["actual"][-3:], t["expected"][-3:], len(t["labels"])],
        "ranking": [[x["score"], x["rank"]] for x in r[:3]],
        "red": [red["total"], [c["id"] for c in red["items"]]],
    }


@pytest.mark.slow
def test_dashboard_numbers_of_a_generated_province(engine: Engine) -> None:
    from luoshi.devtools.scale import REDUCED, generate
    from luoshi.ledger.db import session_factory

    gen = generate(engine, REDUCED)
    assert gen.report_ids == [1, 2]
    for round_ in ("computed", "shared"):  # the second time from the figures kept until a change
        db = session_factory(engine)()
        try:
            for rid in gen.report_ids:
                assert figures(db, rid, gen.today) == PINNED[rid], (round_, rid)
        finally:
            db.close()
