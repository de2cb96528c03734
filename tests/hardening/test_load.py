"""The reduced load test (the full one is ``python bench/load.py --full``, see bench/README.md):
``luoshi serve --workers 2`` on 127.0.0.1, 20 public readers + 5 liaisons submitting progress with
evidence, 300 requests, at most 30 s. No 5xx, no timeouts, no "database is locked", and every
submission that got a 2xx is in the database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from luoshi.devtools.load import run_load


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_reduced_load(engine: str, tmp_path: Path) -> None:
    result = run_load(engine, readers=20, liaisons=5, requests=300, time_limit=30, workers=2, workdir=tmp_path,
                      client_timeout=15)
    print(result.report())
    assert result.readers.n + result.writers.n > 0
    assert result.readers.errors == 0 and result.writers.errors == 0, result.report()
    assert result.locked == 0, result.report()
    assert result.submitted, f"no submission succeeded: {result.config['write_errors']}"
    assert result.verified_submissions == len(result.submitted), result.report()
    assert result.verified_evidence == len(result.evidence), result.report()
