"""No machine words on any page: every HTML page × every role, scanned for the model's identifiers.

Walks the route table (as tests/web/test_web_twins.py does) over a ledger with data (progress
reports, notices, a comment, a change by each role) and reads what a person sees: the text
between tags (scripts and styles left out), the page title, and the attributes a browser shows
(title, placeholder, alt, aria-label, value of buttons). It must hold no class name of the
model, no ``None``/``True``/``False``, no ISO timestamp, no snake_case column name and no
command-line flag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.web.test_web_twins import _pages, _url, activity, corpus_file  # noqa: F401  (fixtures)
from tests.web.visible import PATTERNS, machine_words, visible_text

ROLES = (None, "admin", "leader", "liaison1", "liaison2")
# query strings a page needs to show its rows
QUERIES = {"/admin/notices/preview": {"period": "{pid}"}, "/login": {"next": "/my"}}


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


def _walk(app, clients: dict, as_user, ids) -> tuple[int, list[str]]:
    """Every HTML page × every role; (pages read, machine words found)."""
    problems, seen = [], 0
    for path in _pages(app):
        for who in ROLES:
            c = clients.get(who) or clients.setdefault(who, as_user(who))
            query = {k: _url(v, ids) for k, v in QUERIES.get(path, {}).items()}
            r = c.get(_url(path, ids), params=query, follow_redirects=False)
            if r.status_code in (302, 303, 307):
                continue  # to the login page, scanned as its own page
            assert r.status_code < 500, (path, who, r.status_code)
            seen += 1
            problems += [f"{path} [{who or '公众'}] {w}" for w in machine_words(visible_text(r.text))]
    return seen, problems


def test_no_page_shows_machine_words_to_anyone(app, ledger, activity, as_user, client, corpus_file,  # noqa: F811
                                               monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    admin, liaison = as_user("admin"), as_user("liaison1")
    # a change by the office and by a liaison, so the 变更记录 has something of each
    c = admin.get(f"/api/commitments/{ledger.c}").json()
    assert admin.patch(f"/api/commitments/{ledger.c}", json={"published": True, "version": c["version"]},
                       headers={"X-CSRF-Token": admin.csrf}).status_code == 200
    seen, problems = _walk(app, {None: client, "admin": admin, "liaison1": liaison}, as_user, ledger)
    assert seen > 60
    assert not problems, "\n".join(problems[:60])


@dataclass
class DemoIds:
    """The demo ledger's records in the shape ``_url`` reads."""

    report: int
    a: int
    q1: int
    unit1: int


@pytest.mark.postgres
def test_the_demo_ledger_shows_no_machine_words(engine, luoshi_home, corpus_file, monkeypatch) -> None:  # noqa: F811
    """The demo (an imported report, its units, half a year of reports) read by each of its accounts."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Assignment, Commitment, Period
    from luoshi.web import accounts, demo_data
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    from .conftest import PASSWORD, login

    monkeypatch.setenv("LUOSHI_CORPUS", str(corpus_file))
    monkeypatch.setenv("LUOSHI_TODAY", "2024-10-20")
    rid, accts = demo_data.build(engine, through=dt.date(2024, 9, 30))
    with transaction(engine, actor="test") as db:
        for a in accts:
            accounts.set_password(db, a.username, PASSWORD)
        cid = db.scalars(select(Commitment.id).where(Commitment.report_id == rid, Commitment.published.is_(True),
                                                     Commitment.kind == "target").order_by(Commitment.id)).first()
        q1 = db.scalars(select(Period.id).where(Period.report_id == rid).order_by(Period.start)).first()
        unit1 = db.scalars(select(Assignment.unit_id).join(Commitment).where(Commitment.report_id == rid)
                           .order_by(Assignment.id)).first()
    app = create_app(Settings(home=luoshi_home, database_url=str(engine.url), secret_key=b"demo-scan-key" * 3),
                     engine=engine)
    by_role = {a.role: a.username for a in accts}
    names = {"admin": by_role["admin"], "leader": by_role["leader"], "liaison1": "liaison1", "liaison2": "liaison2"}

    def as_user(who: str) -> TestClient:
        return login(TestClient(app, base_url="http://testserver"), names[who])

    admin = as_user("admin")
    token = admin.get("/api/me").json()["csrf_token"]
    assert admin.post(f"/api/periods/{q1}/notices", headers={"X-CSRF-Token": token}).status_code in (200, 201)
    seen, problems = _walk(app, {None: TestClient(app, base_url="http://testserver"), "admin": admin}, as_user,
                           DemoIds(rid, cid, q1, unit1))
    assert seen > 60
    assert not problems, "\n".join(problems[:60])
