"""Shared test helpers: the seed extraction (computed once) and row counting."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, func, select

from luoshi.extract.model import Extraction
from luoshi.ledger.models import Base
from luoshi.ledger.services.importing import extract_for_import as _real_extract

SEED = Path("/work/shared/reports/zaozhuang-2024.txt")


@lru_cache(maxsize=1)
def seed_extraction() -> tuple[Extraction, str]:
    return _real_extract(SEED, government="枣庄市", year=None)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
