"""Fuzz budget shared by the hardening tests and ``bench/fuzz.py``."""

from __future__ import annotations

import os


def examples(n: int) -> int:
    """``n`` scaled by ``LUOSHI_FUZZ_SCALE`` (default 1)."""
    return n * max(1, int(os.environ.get("LUOSHI_FUZZ_SCALE", "1")))
