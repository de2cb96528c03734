"""Across years on real data: each dev province's 2025 headline targets against its 2026 report.

The GDP, CPI, unemployment and fixed-investment verdicts were read by hand from the reports
(tests/fixtures/reconcile/province_verdicts.yaml, with the quotes); luoshi's scorecard, built from
a corpus of the 28 province reports, must give the same verdict and the same figure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from luoshi.cli import cli
from luoshi.ingest.read import load
from luoshi.paths import reports_dir

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reconcile" / "province_verdicts.yaml"
PROVINCES: dict = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["provinces"]
KEYS = ("gdp_growth", "cpi", "surveyed_unemployment", "fixed_investment_growth")


def _dev() -> Path:
    dev = reports_dir() / "dev"
    if not dev.is_dir():
        pytest.skip("shared dev reports not available")
    return dev


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    dev = _dev()
    folder = tmp_path_factory.mktemp("provinces")
    for spec in PROVINCES.values():
        for name in spec["files"]:
            shutil.copy(dev / name, folder / name)
    out = tmp_path_factory.mktemp("corpus") / "c.sqlite"
    r = CliRunner().invoke(cli, ["corpus", "build", str(folder), "--out", str(out), "-j", "2", "-q"])
    assert r.exit_code == 0, r.output
    return out


def test_fixture_quotes_are_in_the_reports() -> None:
    dev = _dev()
    for gov, spec in PROVINCES.items():
        plan, review = (load(dev / name).text for name in spec["files"])
        for key in KEYS:
            if key not in spec:
                continue
            cell = spec[key]
            assert cell["target"] in plan, (gov, key)
            assert cell["result"] is None or cell["result"] in review, (gov, key)
            assert (cell["result"] is None) == (cell["verdict"] in ("no_data", "qualitative")), (gov, key)


def _outcome(outcomes: list[dict], key: str, target: str) -> dict | None:
    found = [o for o in outcomes if o["indicator_key"] == key
             or (o["target_quote"] and (o["target_quote"] in target or target in o["target_quote"]))]
    return found[0] if len(found) == 1 else None


@pytest.mark.parametrize("government", list(PROVINCES))
def test_scorecard_verdicts_match_the_hand_check(corpus: Path, government: str) -> None:
    r = CliRunner().invoke(cli, ["scorecard", "--corpus", str(corpus), "-g", government, "-y", "2025",
                                 "--headline", "--json"])
    assert r.exit_code == 0, r.output
    outcomes = json.loads(r.stdout)["outcomes"]
    got, want = {}, {}
    for key in KEYS:
        cell = PROVINCES[government].get(key)
        if cell is None:
            continue
        o = _outcome(outcomes, key, cell["target"])
        want[key] = (cell["verdict"], cell.get("value"))
        got[key] = None if o is None else (o["status"], o["actual_value"])
    assert got == want
