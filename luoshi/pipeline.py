"""The one entry point of extraction: file or document in, ``Extraction`` out.

Everything that needs the report's targets, actuals and tasks (the CLI, the ledger import, the
corpus tools, the tests) goes through here, so the steps run in one order everywhere:
read → clean → parse → targets/actuals → tasks. Pure: no database, no output.
"""

from __future__ import annotations

from pathlib import Path

from luoshi.extract.actuals import find_actuals
from luoshi.extract.model import Extraction, ReportInfo
from luoshi.extract.targets import find_targets
from luoshi.extract.tasks import find_tasks
from luoshi.ingest.document import Document
from luoshi.ingest.read import DEFAULT_MAX_BYTES, load
from luoshi.text.structure import parse


def extract_document(
    doc: Document, *, government: str | None = None, year: int | None = None, with_text: bool = False
) -> Extraction:
    """Extract everything from a cleaned document; ``government``/``year`` override detection."""
    outline = parse(doc, government=government, year=year)
    targets = find_targets(doc, outline)
    actuals = find_actuals(doc, outline)
    tasks = find_tasks(doc, outline, targets)
    if not targets:
        outline.warn("no_targets", "未提取到任何目标：请核对报告是否完整，或手动添加目标")
    if outline.headline_span is not None and not any(t.headline for t in targets):
        outline.warn(
            "no_headline_targets", "找到了今年的主要预期目标段落，但未从中读出任何目标，请核对该段并手动添加目标"
        )
    if not actuals:
        outline.warn("no_actuals", "未提取到任何上年实绩")
    raw = doc.raw
    report = ReportInfo(
        government=outline.government,
        year=outline.year,
        title=outline.title,
        sha256=raw.sha256,
        path=raw.path,
        encoding=raw.encoding,
        kind=raw.kind,
        warnings=[w.to_dict() for w in outline.warnings],
    )
    return Extraction(
        report=report,
        sections=[s.to_dict() for s in outline.sections],
        targets=targets,
        actuals=actuals,
        tasks=tasks,
        cleaned_text=doc.text if with_text else None,
    )


def extract_path(
    path: str | Path,
    *,
    government: str | None = None,
    year: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    with_text: bool = False,
) -> Extraction:
    """Read, clean and extract the report at ``path`` (raises ``InputError`` for bad files)."""
    doc = load(path, max_bytes=max_bytes)
    return extract_document(doc, government=government, year=year, with_text=with_text)
