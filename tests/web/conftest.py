"""Web test fixtures: a small ledger on both engines, the app, and logged-in clients.

The ledger is built directly with the ORM inside an audited session (fast: no extraction), with
two units, three commitments (A led by unit 1, B led by unit 2 — both published — and C, led by
unit 2 and not published), quarterly periods of 2024 and one account per role. Statuses are
judged on 2024-05-15 (``LUOSHI_TODAY``), so 2024Q1 is the last complete period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

PASSWORD = "correct-horse-battery"
TODAY = "2024-05-15"
SOURCE = (
    "二、2024年工作安排 （一）扩大有效投资。全年实施省市重点项目260个以上。"
    "（二）优化营商环境。年内建成市民服务中心。 推进政务服务“一网通办”。"
)


@dataclass
class Ledger:
    report: int
    a: int  # published, lead unit 1
    b: int  # published, lead unit 2
    c: int  # unpublished, lead unit 2
    unit1: int
    unit2: int
    q1: int
    q2: int


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with minimal cost: the tests check the flow, not the hash's strength."""
    from argon2 import PasswordHasher

    from luoshi.web import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def ledger(engine: Engine, luoshi_home: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Assignment, Commitment, Government, Report, Section, Unit
    from luoshi.ledger.services.periods import generate_periods
    from luoshi.web import accounts

    monkeypatch.setenv("LUOSHI_TODAY", TODAY)
    with transaction(engine, actor="fixture") as db:
        gov = Government(name="测试市")
        u1 = Unit(government=gov, name="市发展和改革委员会", short_name="市发展改革委", aliases=["发改委"], kind="部门")
        u2 = Unit(government=gov, name="市行政审批服务局", short_name="市行政审批局", aliases=["审批局"], kind="部门")
        report = Report(government=gov, year=2024, title="2024年测试市政府工作报告", sha256="0" * 64,
                        source_text=SOURCE, source_name="test.txt")
        db.add_all([gov, u1, u2, report])
        db.flush()
        s1 = Section(report_id=report.id, key="2.1", parent_key="2", level=2, title="扩大有效投资", start=13, end=41)
        s2 = Section(report_id=report.id, key="2.2", parent_key="2", level=2, title="优化营商环境", start=41,
                     end=len(SOURCE))
        db.add_all([s1, s2])
        db.flush()

        def commitment(title: str, start: int, section: Section, lead: Unit, published: bool, **kw: object) -> Commitment:
            end = start + len(title)
            assert SOURCE[start:end] == title, (SOURCE[start:end], title)
            c = Commitment(report=report, section=section, kind=kw.pop("kind", "measure"), title=title, text=title,
                           quote=title, start=start, end=end, deadline=dt.date(2024, 12, 31), state="active",
                           published=published, source="extracted", **kw)
            c.assignments.append(Assignment(unit=lead, role="lead", suggested_by=["测试"], confirmed=True))
            db.add(c)
            return c

        a = commitment("全年实施省市重点项目260个以上", SOURCE.index("全年实施"), s1, u1, True, kind="target",
                       indicator="省市重点项目", metric="实施", value=260, unit="个", comparator=">=")
        b = commitment("年内建成市民服务中心", SOURCE.index("年内建成"), s2, u2, True, kind="milestone")
        c = commitment("推进政务服务“一网通办”", SOURCE.index("推进政务"), s2, u2, False)
        db.flush()
        periods = generate_periods(db, report)
        for username, role, unit in (("admin", "admin", None), ("leader", "leader", None),
                                     ("liaison1", "liaison", u1.name), ("liaison2", "liaison", u2.name)):
            accounts.add_user(db, username, role, PASSWORD, unit=unit)
        q1 = next(p for p in periods if p.label == "2024Q1")
        q2 = next(p for p in periods if p.label == "2024Q2")
        ids = Ledger(report.id, a.id, b.id, c.id, u1.id, u2.id, q1.id, q2.id)
    return ids


@pytest.fixture
def app(engine: Engine, ledger: Ledger, luoshi_home: Path):
    from luoshi.web.app import create_app
    from luoshi.web.config import Settings

    # public_max_age 0: an anonymous read right after a change sees it (tests/web/test_shared_pages.py
    # covers the served default, where a visitor may see a change up to five seconds late)
    settings = Settings(home=luoshi_home, database_url=str(engine.url), secret_key=b"test-secret-key" * 3,
                        public_max_age=0.0)
    return create_app(settings, engine=engine)


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = csrf_from(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return client


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def as_user(app) -> Callable[[str], TestClient]:
    """A fresh client logged in as ``username``; its ``csrf`` attribute holds the session's token."""

    def make(username: str) -> TestClient:
        c = TestClient(app, base_url="http://testserver")
        login(c, username)
        c.csrf = c.get("/api/me").json()["csrf_token"]  # type: ignore[attr-defined]
        return c

    return make
