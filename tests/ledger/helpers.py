"""Shared test helpers: the seed extraction (computed once) and row counting."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, func, select

from luoshi.extract.model import Extraction
from luoshi.ledger.models import Base
from luoshi.ledger.services.importing import extract_for_import as _real_extract
from luoshi.paths import seed_report

SEED = seed_report()


@lru_cache(maxsize=1)
def seed_extraction() -> tuple[Extraction, str]:
    return _real_extract(SEED, government="枣庄市", year=None)


def counts(engine: Engine) -> dict[str, int]:
    """Rows per table, less the change feed (``ledger_commits``: each migration or restore is one more change)."""
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables
                if t.name != "ledger_commits"}


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


SMALL_TEXT = (
    "二、2024年工作安排。（一）蓄势赋能建强园区。按照“差异化定位、特色化发展”的原则，引导各开发区重点培育2—3个特色产业，"
    "力争开发区工业投资和规上工业总产值均增长12%以上。（二）加强政府自身建设。认真学习“四下基层”经验，加强和改进调查研究。"
)


def small_ledger(session, government: str = "枣庄市", year: int = 2024):
    """A hand-made report with two sections and a few commitments, on the bundled unit directory."""
    from luoshi.ledger.models import Report, Section
    from luoshi.ledger.services.units import ensure_directory

    gov = ensure_directory(session, government)
    report = Report(government=gov, year=year, title="测试报告", sha256="f" * 64, source_text=SMALL_TEXT)
    session.add(report)
    session.flush()
    t = SMALL_TEXT
    top = t.index("二、")
    s1, s2 = t.index("（一）"), t.index("（二）")
    for key, parent, level, title, start, end in (
        ("2", None, 1, "2024年工作安排", top, len(t)),
        ("2.1", "2", 2, "蓄势赋能建强园区", s1, s2),
        ("2.2", "2", 2, "加强政府自身建设", s2, len(t)),
    ):
        session.add(Section(report_id=report.id, key=key, parent_key=parent, level=level, title=title, start=start, end=end))
    session.flush()
    return report


def span_commitment(session, report, quote: str, *, kind: str = "target", section: str | None = None):
    """An extracted-looking commitment whose span is ``quote`` in the report text."""
    from sqlalchemy import select

    from luoshi.ledger.models import Commitment, Section

    start = report.source_text.index(quote)
    sec = session.scalar(select(Section).where(Section.report_id == report.id, Section.key == section)) if section else None
    c = Commitment(report=report, kind=kind, title=quote, text=quote, quote=quote, start=start,
                   end=start + len(quote), section=sec, source="extracted", state="draft")  # fmt: skip
    session.add(c)
    session.flush()
    return c
