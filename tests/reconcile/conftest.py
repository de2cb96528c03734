"""Extract each shared report once per test session (extraction is the slow part)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from luoshi.paths import reports_dir
from luoshi.reconcile.items import ReportItems

REPORTS = reports_dir()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "national"


@cache
def report(name: str) -> ReportItems:
    from luoshi.pipeline import extract_path

    return ReportItems.from_extraction(extract_path(REPORTS / name), source=name)


@pytest.fixture
def national() -> dict[int, ReportItems]:
    return {y: report(f"national-{y}.txt") for y in range(2019, 2024)}


@pytest.fixture
def seed() -> ReportItems:
    return report("zaozhuang-2024.txt")
