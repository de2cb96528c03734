"""The scanner for machine words in what a person reads (used by the page walk and the browser).

Machine words are the model's identifiers: class names, ``None``/``True``/``False``, ISO
timestamps, snake_case column names, command-line flags.
"""

from __future__ import annotations

import html as htmlmod
import re


def _model_words() -> tuple[set[str], set[str]]:
    """(class names, snake_case column names) of every mapped model."""
    from luoshi.ledger import notify_models  # noqa: F401  (maps the outbox's models)
    from luoshi.ledger.models import Base

    classes, columns = set(), set()
    for mapper in Base.registry.mappers:
        classes.add(mapper.class_.__name__)
        columns |= {c.key for c in mapper.column_attrs if "_" in c.key}
    return classes, columns


CLASSES, COLUMNS = _model_words()
PATTERNS = {
    "class name": re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(CLASSES, key=len, reverse=True)) + r")(?![A-Za-z])"),
    "None/True/False": re.compile(r"(?<![A-Za-z])(None|True|False)(?![A-Za-z])"),
    "ISO timestamp": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:"),
    "column name": re.compile(r"(?<![A-Za-z_])(" + "|".join(sorted(COLUMNS, key=len, reverse=True)) + r")(?![A-Za-z_])"),
    "command-line flag": re.compile(r"(?<![\w-])--[a-z][\w-]*"),
}
SHOWN_ATTRS = re.compile(r'\s(?:title|placeholder|alt|aria-label)="([^"]*)"')


def visible_text(page: str) -> str:
    """What a person reads on ``page``: text outside tags, scripts and styles, plus shown attributes."""
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    attrs = " ".join(SHOWN_ATTRS.findall(body))
    text = re.sub(r"<[^>]+>", " ", body)
    return htmlmod.unescape(re.sub(r"\s+", " ", f"{text} {attrs}"))


def machine_words(text: str) -> list[str]:
    found = []
    for what, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, m.start() - 30): m.end() + 30]}…")
    return found
