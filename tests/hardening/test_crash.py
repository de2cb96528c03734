"""SIGKILL the real server mid-import and mid-burst of submissions; restart; the ledger is whole.
(``python bench/crash.py`` prints the same checks; see bench/README.md.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from luoshi.devtools.crash import crash_during_import, crash_during_submissions

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_kill_during_import(engine: str, tmp_path: Path) -> None:
    result = crash_during_import(engine, kill_after=0.3, workdir=tmp_path)
    print(result.report())
    assert result.ok, result.report()


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_kill_during_submissions(engine: str, tmp_path: Path) -> None:
    result = crash_during_submissions(engine, kill_after=2.0, clients=5, workdir=tmp_path)
    print(result.report())
    assert result.acknowledged > 0, result.report()
    assert result.ok, result.report()
