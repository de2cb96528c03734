"""Rows of the task ledger checked against the jobs a 督查室 would assign, listed by hand.

Each file in ``tests/fixtures/tasks`` is a checklist written by reading the plan part of a report
the row builder was not written on: every job as a quote of its wording (``jobs``), phrases that
are not jobs (``not_rows``: the 总体要求, the 主要预期目标 block, lead-ins, run-in headings), and
the range of row counts a city's 分工方案 has (``rows``). Recall is complete when every job lies
inside some row; a row count in range means the rows are jobs, not sentences or paragraphs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from luoshi.paths import reports_dir
from luoshi.pipeline import extract_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tasks"
CHECKLISTS = sorted(p.stem for p in FIXTURES.glob("*.yaml"))
LONGEST_ROW = 320  # characters: one long sentence of a job, never a passage of several


def checklist(name: str) -> dict:
    with (FIXTURES / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module", params=CHECKLISTS)
def case(request):
    spec = checklist(request.param)
    ex = extract_path(reports_dir() / spec["source"])
    return spec, ex


def test_checklists_are_there() -> None:
    assert len(CHECKLISTS) >= 2


def test_every_job_lies_inside_a_row(case) -> None:
    spec, ex = case
    texts = [t.text for t in ex.tasks]
    missed = [job for job in spec["jobs"] if not any(job in t for t in texts)]
    assert missed == [], f"{len(missed)} of {len(spec['jobs'])} jobs in no row"


def test_row_count_is_that_of_a_city_plan(case) -> None:
    spec, ex = case
    lo, hi = spec["rows"]
    assert lo <= len(ex.tasks) <= hi


def test_what_is_not_a_job_is_no_row(case) -> None:
    spec, ex = case
    found = [phrase for phrase in spec["not_rows"] if any(phrase in t.text for t in ex.tasks)]
    assert found == []
    assert not any(t.text.startswith("各位代表") for t in ex.tasks)
    assert max(len(t.text) for t in ex.tasks) <= LONGEST_ROW


def test_rows_stand_under_their_heading(case) -> None:
    """Every row of a paragraph opened by a run-in heading carries it as its title."""
    spec, ex = case
    for heading, job in spec.get("titled", {}).items():
        row = next(t for t in ex.tasks if job in t.text)
        assert row.title == heading


def test_city_reports_have_the_rows_of_a_city_plan() -> None:
    """On the 2024 city reports (the seed among them) where a plan part is found, most plans
    have 80–160 rows as real city plans do (79–149), none a row per sentence (192 and 310 before
    rows were built as jobs)."""
    dev = reports_dir() / "dev"
    files = [reports_dir() / "zaozhuang-2024.txt", *sorted(p for p in dev.iterdir() if p.stem.endswith("-2024"))]
    counts = {p.stem: len(extract_path(p).tasks) for p in files}
    found = {k: n for k, n in counts.items() if n > 0}
    assert len(found) >= 30
    in_range = [k for k, n in found.items() if 80 <= n <= 160]
    assert len(in_range) >= 0.75 * len(found), sorted(found.items(), key=lambda kv: kv[1])
    assert max(found.values()) <= 220
