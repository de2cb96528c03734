"""A ledger ready for attack, load and crash tests: the seed report imported, assigned, published.

Accounts share one fixed, known password (these databases are throw-away test fixtures) and each
has an API token: ``admin`` (督查室), ``leader``, ``liaison_a`` and ``liaison_b`` — liaisons of the
two units that lead the most commitments — and ``extra_liaisons`` more (``liaison_1`` …) for load
tests (several per unit when there are more liaisons than units). The password is hashed once (Argon2 costs ~0.4 s a hash) and the hash shared. The report
goes through the same services as ``luoshi demo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, select

from luoshi.devtools.samples import seed_path

PASSWORD = "Hardening-Test-Passw0rd"


@dataclass
class Seeded:
    report_id: int
    commitment_count: int
    unit_a: int
    unit_b: int
    # username → commitment ids its unit leads (liaisons only)
    led: dict[str, list[int]] = field(default_factory=dict)
    periods: list[int] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)  # username → role
    tokens: dict[str, str] = field(default_factory=dict)  # username → API token


@cache
def password_hash() -> str:
    from luoshi.web.passwords import hash_password

    return hash_password(PASSWORD)


def seed_ledger(engine: Engine, *, path: Path | None = None, extra_liaisons: int = 0,
                actor: str = "seed") -> Seeded:
    """Migrate ``engine``'s database, import and publish the seed report, create the accounts."""
    from luoshi.ledger.db import transaction
    from luoshi.ledger.migrate import upgrade
    from luoshi.ledger.models import Commitment, Period, User
    from luoshi.web import accounts, demo_data

    upgrade(engine)
    with transaction(engine, actor=actor) as db:
        report, _status = demo_data.import_report(db, path or seed_path())
        demo_data.confirm_and_publish(db, report)
        units = demo_data.busiest_units(db, report, 2 + extra_liaisons)  # fewer if fewer units lead
        users = {"admin": "admin", "leader": "leader"}
        db.add(User(username="admin", display_name="督查室", password_hash=password_hash(), role="admin"))
        db.add(User(username="leader", display_name="领导", password_hash=password_hash(), role="leader"))
        names = ["liaison_a", "liaison_b"] + [f"liaison_{i}" for i in range(1, extra_liaisons + 1)]
        led: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            unit = units[i % len(units)]  # more liaisons than units: several per unit
            db.add(User(username=name, display_name=f"{unit.name}联络员", password_hash=password_hash(),
                        role="liaison", unit_id=unit.id))
            users[name] = "liaison"
            led[name] = sorted(
                c.id
                for c in db.scalars(select(Commitment).where(Commitment.report_id == report.id,
                                                             Commitment.state == "active"))
                if any(a.role == "lead" and a.unit_id == unit.id for a in c.assignments)
            )
        periods = list(db.scalars(select(Period.id).where(Period.report_id == report.id).order_by(Period.start)))
        count = len(list(db.scalars(select(Commitment.id).where(Commitment.report_id == report.id))))
        db.flush()
        tokens = {name: accounts.issue_token(db, name) for name in users}
        return Seeded(report.id, count, units[0].id, units[1].id, led, periods, users, tokens)
