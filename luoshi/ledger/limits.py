"""How long a text may be, and what it may contain: one table for the schema and the services.

The column lengths of ``luoshi.ledger.models`` are read from :data:`LIMITS`, and every service that
stores text a person typed checks it against the same entry, so the two cannot disagree: an
over-long title is refused with a message naming the field and its limit on SQLite and PostgreSQL
alike (PostgreSQL would otherwise fail inside the INSERT, SQLite would store it and leave a dump
that PostgreSQL cannot load). Text columns without a database limit (narratives, answers, reasons)
get one here, so nobody can store megabytes of prose in one field.

Normalisation removes what no ledger text should hold: NUL and other control characters (line
breaks and tabs stay in multi-line fields) and the Unicode bidirectional controls, which can make a
page or a file name read backwards (``报告\u202etxt.exe``). Text made by a machine (the extraction of
an imported report) is not refused but cut to fit (:func:`fit`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from luoshi.errors import ValidationError

MB = 1024 * 1024
# One evidence file (佐证材料), through the web and the CLI alike. 10 MB holds a scanned
# multi-page document or a set of photos; the web's progress form carries up to ten files, so a
# larger figure would let one form post 200 MB to a small government server.
MAX_EVIDENCE_BYTES = 10 * MB


@dataclass(frozen=True)
class Limit:
    label: str  # the field's name in messages
    max: int  # characters


LIMITS: dict[str, Limit] = {
    # columns with a length in the schema (String(n))
    "government.name": Limit("政府名称", 100),
    "unit.name": Limit("单位名称", 100),
    "unit.short_name": Limit("单位简称", 50),
    "unit.kind": Limit("单位类型", 10),
    "report.title": Limit("报告标题", 200),
    "report.source_name": Limit("文件名", 300),
    "section.key": Limit("章节编号", 20),
    "commitment.code": Limit("编号", 20),
    "commitment.title": Limit("标题", 200),
    "commitment.indicator": Limit("指标", 200),
    "commitment.metric": Limit("指标动词", 50),
    "commitment.unit": Limit("计量单位", 50),
    "commitment.leader": Limit("责任领导", 100),
    "commitment.deadline_text": Limit("完成时限", 30),
    "settings.issuing_office": Limit("发文机关", 100),
    "settings.doc_prefix": Limit("文号前缀", 20),
    "settings.supervision_office": Limit("督查机构", 100),
    "progress.author": Limit("报送人", 100),
    "evidence.filename": Limit("文件名", 255),
    "evidence.content_type": Limit("文件类型", 100),
    "evaluation.by": Limit("评价人", 100),
    "calendar.note": Limit("备注", 100),
    "user.username": Limit("用户名", 50),
    "user.display_name": Limit("显示名称", 100),
    "audit.actor": Limit("操作人", 100),
    # Text columns: limited here only (the database would take any length)
    "commitment.text": Limit("任务内容", 20_000),
    "progress.narrative": Limit("进展情况", 5_000),
    "progress.return_reason": Limit("退回原因", 2_000),
    "notice.answer": Limit("答复内容", 5_000),
    "evaluation.override_reason": Limit("评价理由", 2_000),
    "comment.body": Limit("意见", 2_000),
    "unit.note": Limit("单位备注", 2_000),
}

# U+202A–U+202E (embeddings, overrides), U+2066–U+2069 (isolates), LRM/RLM, Arabic letter mark
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}


def length(key: str) -> int:
    """The column length of ``key`` (for ``String(length(...))`` in the schema)."""
    return LIMITS[key].max


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """``value`` without bidi controls, NUL and other control characters.

    Multi-line fields keep line breaks (any convention becomes ``\\n``) and tabs; in single-line
    fields those become spaces.
    """
    for old, new in _LINE_BREAKS.items():
        value = value.replace(old, new)
    out = []
    for ch in value:
        if ch in BIDI_CONTROLS:
            continue
        if ch in "\n\t":
            out.append(ch if multiline else " ")
        elif unicodedata.category(ch) != "Cc":
            out.append(ch)
    return "".join(out)


def clean(key: str, value: Any, *, multiline: bool = False, required: bool = False) -> str | None:
    """A person's text for field ``key``: normalised, stripped; empty → ``None``; too long → refused."""
    limit = LIMITS[key]
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = strip_controls(value, multiline=multiline).strip()
    else:
        raise ValidationError(f"{limit.label}应为文字：{value!r}")
    if not text:
        if required:
            raise ValidationError(f"{limit.label}不能为空")
        return None
    if len(text) > limit.max:
        raise ValidationError(f"{limit.label}过长（{len(text)}字，最多{limit.max}字）")
    return text


def fit(key: str, value: str | None, *, multiline: bool = False) -> str | None:
    """Machine-made text for ``key`` (e.g. an extracted indicator): normalised and cut to fit."""
    if value is None:
        return None
    text = strip_controls(value, multiline=multiline).strip()
    limit = LIMITS[key].max
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_filename(name: str | None, *, key: str = "report.source_name", fallback: str = "report.txt") -> str:
    """A display name for an uploaded file: last path component, no control or bidi characters.

    ``/`` and ``\\`` both separate directories (browsers on Windows send full paths); leading dots
    and spaces go (no hidden files, no ``..``); the result is cut to the column's length keeping a
    short extension. Nothing left → ``fallback``.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch not in BIDI_CONTROLS and unicodedata.category(ch)[0] != "C")
    base = base.strip().lstrip(". ").strip()
    if not base:
        return fallback
    limit = LIMITS[key].max
    if len(base) > limit:
        stem, dot, ext = base.rpartition(".")
        base = stem[: limit - len(ext) - 1] + "." + ext if dot and 0 < len(ext) <= 10 else base[:limit]
    return base
