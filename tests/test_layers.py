"""The layer contracts of pyproject.toml, run by ``lint-imports`` as part of the suite.

scripts/test runs ``lint-imports`` before pytest; running it here as well makes a broken contract
show up in the test report next to the failures it usually explains. The contracts are only worth
something if they fail: the last tests inject an upward import (or an unplaced package) into a copy
of the source tree and check that ``lint-imports`` refuses it, naming the offending import.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` over the ``luoshi`` package found in ``tree`` (with its pyproject.toml)."""
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} missing: install the test extra (import-linter)"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


def _copy_tree(dest: Path) -> Path:
    """The Python sources of ``luoshi`` and the pyproject.toml, copied under ``dest``."""

    def skip(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if not (Path(directory, n).is_dir() or n.endswith(".py"))
                or n == "__pycache__"]

    shutil.copytree(ROOT / "luoshi", dest / "luoshi", ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_contracts_are_kept() -> None:
    result = _lint(ROOT)
    contracts = len(_config()["contracts"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {contracts} kept, 0 broken." in result.stdout


def test_every_top_level_package_has_a_layer() -> None:
    """A package or module added under luoshi/ must be placed in the order, not left outside it."""
    (layers,) = [c for c in _config()["contracts"] if c["type"] == "layers"]
    declared = [name.strip() for layer in layers["layers"] for name in re.split(r"[|:]", layer)]
    present = {p.name for p in (ROOT / "luoshi").iterdir() if (p / "__init__.py").exists()}
    present |= {p.stem for p in (ROOT / "luoshi").glob("*.py") if p.stem != "__init__"}
    assert sorted(declared) == sorted(present)
    assert layers["exhaustive"] is True


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        # the ledger reaching for the web app: the layers and the ledger contract both break
        ("ledger/upward.py", "from luoshi.web import app\n", "luoshi.ledger.upward -> luoshi.web.app"),
        # extraction needing the ledger (through the pipeline layer order)
        ("extract/upward.py", "import luoshi.ledger.models\n", "luoshi.extract.upward -> luoshi.ledger.models"),
        # extraction touching the database stack directly
        ("text/db.py", "import sqlalchemy\n", "luoshi.text.db -> sqlalchemy"),
        # a domain package answering HTTP itself instead of leaving that to the web
        ("export/http.py", "from fastapi import Response\n", "luoshi.export.http -> fastapi"),
        # the ledger printing to the terminal instead of returning or raising
        ("ledger/echo.py", "import click\n", "luoshi.ledger.echo -> click"),
        # the lowest layer importing the one above it
        ("ingest/upward.py", "from luoshi.text import structure\n", "luoshi.ingest.upward -> luoshi.text.structure"),
    ],
)
def test_an_upward_import_fails(tmp_path: Path, path: str, source: str, expected: str) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "luoshi" / path).write_text(source, encoding="utf-8")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout
    assert "0 broken" not in result.stdout


def test_an_unplaced_package_fails(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    (tree / "luoshi" / "newpkg").mkdir()
    (tree / "luoshi" / "newpkg" / "__init__.py").write_text("", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "luoshi.newpkg" in result.stdout


def test_a_cycle_between_packages_fails(tmp_path: Path) -> None:
    """Two packages of one layer may use each other in one direction only."""
    tree = _copy_tree(tmp_path)
    (tree / "luoshi" / "corpus" / "back.py").write_text("from luoshi.reconcile import judge\n", encoding="utf-8")
    (tree / "luoshi" / "reconcile" / "back.py").write_text("from luoshi.corpus import schema\n", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles are allowed in luoshi." in result.stdout
