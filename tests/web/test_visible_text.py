"""No machine words on any page: every HTML page × every role, scanned for the model's identifiers.

Walks the route table (as tests/web/test_web_twins.py does) over a ledger with data (progress
reports, notices, a comment, a change by each role) and reads what a person sees: the text
between tags (scripts and styles left out), the page title, and the attributes a browser shows
(title, placeholder, alt, aria-label, value of buttons). It must hold no class name of the
model, no ``None``/``True``/``False``, no ISO timestamp, no snake_case column name and no
command-line flag.
"""

from __future__ import annotations

import html as htmlmod
import re

from tests.web.test_web_twins import _pages, _url, activity, corpus_file  # noqa: F401  (fixtures)

ROLES = (None, "admin", "leader", "liaison1", "liaison2")
# query strings a page needs to show its rows
QUERIES = {"/admin/notices/preview": {"period": "{pid}"}, "/login": {"next": "/my"}}


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


def test_the_scanner_finds_what_it_looks_for() -> None:
    page = ('<html><head><title>Commitment 10</title><style>.a_b{}</style></head><body>'
            '<p>state：draft → active</p><td>confirmed：False → True</td><p>2024-05-15T08:00:00+00:00</p>'
            '<input placeholder="--lead 指定"><script>var x = None;</script><p>commitment_id</p></body></html>')
    found = machine_words(visible_text(page))
    kinds = {w.split(":", 1)[0] for w in found}
    assert kinds == set(PATTERNS), found
    assert sum(w.startswith("None/True/False") for w in found) == 2  # the script's None is not seen
    assert any("commitment_id" in w for w in found if w.startswith("column name"))
    assert "var x" not in visible_text(page) and ".a_b" not in visible_text(page)
    assert machine_words(visible_text("<p>状态：草稿 → 已发布，2024-05-15 16:30，市发展和改革委员会</p>")) == []


def test_no_page_shows_machine_words_to_anyone(app, ledger, activity, as_user, client, corpus_file,  # noqa: F811
                                               monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    admin, liaison = as_user("admin"), as_user("liaison1")
    # a change by the office and by a liaison, so the 变更记录 has something of each
    c = admin.get(f"/api/commitments/{ledger.c}").json()
    assert admin.patch(f"/api/commitments/{ledger.c}", json={"published": True, "version": c["version"]},
                       headers={"X-CSRF-Token": admin.csrf}).status_code == 200
    clients = {None: client, "admin": admin, "liaison1": liaison}
    problems, seen = [], 0
    for path in _pages(app):
        for who in ROLES:
            c = clients.get(who) or clients.setdefault(who, as_user(who))  # type: ignore[arg-type]
            query = {k: _url(v, ledger) for k, v in QUERIES.get(path, {}).items()}
            r = c.get(_url(path, ledger), params=query, follow_redirects=False)
            if r.status_code in (302, 303, 307):
                continue  # to the login page, scanned as its own page
            assert r.status_code < 500, (path, who, r.status_code)
            seen += 1
            problems += [f"{path} [{who or '公众'}] {w}" for w in machine_words(visible_text(r.text))]
    assert seen > 60
    assert not problems, "\n".join(problems[:60])
