"""Numbers typed by people: one reading for forms, the API, the CLI and spreadsheet cells."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from luoshi.errors import ValidationError
from luoshi.export.template_sheet import parse_number as cell_number
from luoshi.ledger.db import transaction
from luoshi.ledger.models import ProgressReport
from luoshi.ledger.numbers import NotANumber, NotFinite, typed_number
from luoshi.ledger.services import assign, commitments, importing, periods, progress
from luoshi.ledger.services.common import parse_number

from .helpers import seed_extraction


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12", 12.0),
        (" 12.5 ", 12.5),
        ("12%", 12.0),
        ("85 %", 85.0),
        ("1,200", 1200.0),
        ("-3.5", -3.5),
        # a Chinese input method left in full-width mode
        ("１２", 12.0),
        ("１２．５％", 12.5),
        ("１，２００", 1200.0),
        ("－３", -3.0),
        ("1，200", 1200.0),
        (7, 7.0),
        (0.25, 0.25),
    ],
)
def test_what_people_type_reads_as_the_number_meant(typed: object, number: float) -> None:
    assert typed_number(typed) == number
    assert parse_number(typed, "报送值") == number
    assert cell_number(typed) == number


@pytest.mark.parametrize("typed", [None, "", "   ", "　"])
def test_nothing_typed_is_no_number(typed: object) -> None:
    assert typed_number(typed) is None
    assert parse_number(typed, "报送值") is None


@pytest.mark.parametrize("typed", ["约两成", "12万", "2024-06-30", "%", "1.2.3", True])
def test_words_are_refused_not_guessed(typed: object) -> None:
    with pytest.raises(NotANumber):
        typed_number(typed)
    with pytest.raises(ValidationError, match=r"^报送值 应为数字："):
        parse_number(typed, "报送值")
    with pytest.raises(ValueError):
        cell_number(typed)


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e999", float("nan"), 10**400])
def test_infinite_and_undefined_are_refused(typed: object) -> None:
    with pytest.raises(NotFinite):
        typed_number(typed)
    with pytest.raises(ValidationError, match=r"^完成百分比 应为有限数字："):
        parse_number(typed, "完成百分比")


def test_a_formula_escaped_cell_reads_as_its_number() -> None:
    """The exporter escapes a leading minus with an apostrophe; the reader undoes it first."""
    assert cell_number("'-5") == -5.0


def test_a_full_width_report_is_stored_as_its_numbers(engine, luoshi_home) -> None:
    """What a unit types with its input method in full-width mode lands in the ledger as numbers."""
    ex, text = seed_extraction()
    with transaction(engine, actor="op") as s:
        report = importing.apply_plan(s, importing.plan_import(s, ex, government="枣庄市", source_text=text))
        c = commitments.list_commitments(s, report)[0]
        assign.assign(s, c)
        periods.generate_periods(s, report)
        progress.report(s, c, periods.period(s, report, "2024Q2"), author="工信局", percent="６０％", value="１，５００")
    with transaction(engine, actor="op") as s:
        pr = s.scalars(select(ProgressReport)).one()
        assert (pr.percent, pr.reported_value) == (60.0, 1500.0)
