"""Where the shared reports are.

The repository is laid out beside a ``shared/`` folder (``<parent>/main`` and
``<parent>/shared/reports``): the seed report and the State Council reports used by the demo, the
tests and the benchmarks live there, not in the repository. ``$LUOSHI_REPORTS_DIR`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "zaozhuang-2024.txt"


def reports_dir() -> Path:
    env = os.environ.get("LUOSHI_REPORTS_DIR")
    if env:
        return Path(env)
    candidates = [REPO_ROOT.parent / "shared" / "reports", Path.cwd().parent / "shared" / "reports"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def seed_report() -> Path:
    return reports_dir() / SEED_NAME
