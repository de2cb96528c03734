"""The dashboard figures kept between requests (``luoshi.web.memo``) are never stale.

Every change to the ledger — a report accepted, a commitment published, a report submitted and
rolled back, a new day — shows on the next request; identical requests between changes reuse the
figures; a liaison's own view (its unit's unpublished commitments) is never shared.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from .conftest import Ledger


@pytest.fixture(autouse=True)
def fresh_memo():
    from luoshi.web.memo import MEMO

    MEMO.clear()
    yield MEMO
    MEMO.clear()


def _dashboard(client: TestClient) -> dict:
    r = client.get("/api/dashboard")
    assert r.status_code == 200, r.text[:300]
    return r.json()


def _accept(engine: Engine, ledger: Ledger, cid: int, percent: float) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services import progress

    with transaction(engine, actor="liaison1") as db:
        c, p = db.get(Commitment, cid), db.get(Period, ledger.q1)
        pr = progress.report(db, c, p, author="liaison1", percent=percent, narrative="按计划推进")
        progress.accept(db, pr)


def test_accepted_report_shows_on_the_next_request(client: TestClient, engine: Engine, ledger: Ledger,
                                                   fresh_memo) -> None:
    before = _dashboard(client)
    assert before["total"] == 2 and before["period"] == "2024Q1"
    assert before["lights"] == {"green": 0, "yellow": 2, "red": 0, "grey": 0}
    assert before["completion"] == 0.0
    from luoshi.web.shared_pages import Counts

    hits = Counts.hits
    assert _dashboard(client) == before
    assert Counts.hits == hits + 1  # the second identical request was answered as kept

    _accept(engine, ledger, ledger.a, 30)  # 时序进度 at the end of Q1 ≈ 24.7: A is on track
    after = _dashboard(client)
    assert after["lights"] == {"green": 1, "yellow": 1, "red": 0, "grey": 0}
    assert after["completion"] == 15.0
    assert [c["id"] for c in after["lagging"]] == [ledger.b]
    # the public page reads the same figures
    home = client.get("/?format=json").json()
    assert home["summary"]["lights"] == after["lights"]


def test_publishing_shows_on_the_public_page(client: TestClient, engine: Engine, ledger: Ledger) -> None:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment
    from luoshi.ledger.services import commitments

    assert client.get("/?format=json").json()["summary"]["total"] == 2
    with transaction(engine, actor="admin") as db:
        commitments.update(db, db.get(Commitment, ledger.c), {"published": True})
    data = client.get("/?format=json").json()
    assert data["summary"]["total"] == 3
    assert data["page"]["total"] == 3


def test_status_filter_follows_a_change(client: TestClient, engine: Engine, ledger: Ledger) -> None:
    behind = client.get("/api/commitments?status=yellow").json()
    assert behind["total"] == 2
    _accept(engine, ledger, ledger.b, 100)
    behind = client.get("/api/commitments?status=yellow").json()
    assert (behind["total"], [c["id"] for c in behind["items"]]) == (1, [ledger.a])
    green = client.get("/api/commitments?status=green").json()
    assert [c["id"] for c in green["items"]] == [ledger.b]


def test_uncommitted_change_is_neither_shared_nor_kept(engine: Engine, ledger: Ledger, fresh_memo) -> None:
    """A session that changed the ledger reads its own change, and what it computed is not kept:
    after its rollback the next reader sees the ledger as committed."""
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Period, Report
    from luoshi.ledger.services import progress
    from luoshi.web import summary as sm
    from luoshi.web.auth import ANONYMOUS

    factory = session_factory(engine)
    writer = factory()
    try:
        report = writer.get(Report, ledger.report)
        pr = progress.report(writer, writer.get(Commitment, ledger.a), writer.get(Period, ledger.q1),
                             author="liaison1", percent=100, narrative="已完成")
        progress.accept(writer, pr)
        assert sm.summary(writer, ANONYMOUS, report)["lights"]["green"] == 1
        writer.rollback()
    finally:
        writer.close()
    reader = factory()
    try:
        assert sm.summary(reader, ANONYMOUS, reader.get(Report, ledger.report))["lights"]["green"] == 0
    finally:
        reader.close()


def test_a_new_day_gives_new_figures(client: TestClient, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _dashboard(client)["period"] == "2024Q1"
    monkeypatch.setenv("LUOSHI_TODAY", "2024-08-20")
    assert _dashboard(client)["period"] == "2024Q2"


def test_a_liaisons_own_view_is_not_shared(engine: Engine, ledger: Ledger) -> None:
    """liaison2 also sees its unit's unpublished C; the public never gets that count from the memo."""
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Report
    from luoshi.web import summary as sm
    from luoshi.web.auth import ANONYMOUS, Principal
    from luoshi.web.memo import audience

    db = session_factory(engine)()
    try:
        report = db.get(Report, ledger.report)
        liaison = Principal(4, "liaison2", "联络员", "liaison", ledger.unit2, "session")
        assert audience(liaison) is None and audience(ANONYMOUS) == "public"
        assert sm.summary(db, liaison, report)["total"] == 3
        assert sm.summary(db, ANONYMOUS, report)["total"] == 2
        assert sm.summary(db, liaison, report)["total"] == 3
    finally:
        db.close()


def test_a_commitments_page_follows_a_change(client: TestClient, engine: Engine, ledger: Ledger) -> None:
    assert '<td data-label="进度" class="num-col">' not in client.get(f"/c/{ledger.a}").text
    first = client.get(f"/api/commitments/{ledger.a}").json()
    assert (first["light"], first["percent"], first["progress"]) == ("yellow", None, [])
    assert client.get(f"/api/commitments/{ledger.a}").json() == first
    _accept(engine, ledger, ledger.a, 30)
    after = client.get(f"/api/commitments/{ledger.a}").json()
    assert (after["light"], after["percent"]) == ("green", 30.0)
    assert [p["percent"] for p in after["progress"]] == [30.0]
    assert '<td data-label="进度" class="num-col">30%</td>' in client.get(f"/c/{ledger.a}").text


def test_after_a_change_only_the_touched_commitments_are_judged_again(client: TestClient, engine: Engine,
                                                                        ledger: Ledger, fresh_memo) -> None:
    """The judgements of the stamp before carry over, except those of the commitments changed."""
    from luoshi.web.memo import JUDGEMENTS

    _dashboard(client)
    page_b = client.get(f"/api/commitments/{ledger.b}").json()
    client.get(f"/api/commitments/{ledger.a}")
    (before,) = [d for values in fresh_memo.by_stamp.values() for d in values[JUDGEMENTS].values()]
    _accept(engine, ledger, ledger.a, 30)
    after = _dashboard(client)
    assert after["lights"] == {"green": 1, "yellow": 1, "red": 0, "grey": 0}
    assert fresh_memo.carried == 1
    newest = next(reversed(fresh_memo.by_stamp.values()))
    pages = {key[1] for key in newest if key[0] == "detail"}
    assert pages == {ledger.b}  # B's page carried over, A's (changed) dropped
    assert client.get(f"/api/commitments/{ledger.b}").json() == page_b
    assert client.get(f"/api/commitments/{ledger.a}").json()["percent"] == 30.0
    (judged,) = newest[JUDGEMENTS].values()
    assert judged[ledger.b] is before[ledger.b]  # B was not judged again
    assert judged[ledger.a].light == "green" and before[ledger.a].light == "yellow"

    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Report
    from luoshi.ledger.services import periods

    with transaction(engine, actor="admin") as db:  # a new threshold: nothing carries over
        periods.configure(db, db.get(Report, ledger.report), yellow_behind=25, red_behind=40)
    assert _dashboard(client)["lights"] == {"green": 2, "yellow": 0, "red": 0, "grey": 0}
    assert fresh_memo.carried == 1


@pytest.mark.parametrize("engine", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_change_committed_after_a_later_numbered_one_is_seen(client: TestClient, engine: Engine,
                                                                 ledger: Ledger) -> None:
    """PostgreSQL numbers rows when they are inserted, not when they commit: a change whose audit
    events are older than another's but commits after it must still show on the next request."""
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Period
    from luoshi.ledger.services import progress

    assert _dashboard(client)["lights"]["green"] == 0
    slow = session_factory(engine)()
    try:
        pr = progress.report(slow, slow.get(Commitment, ledger.a), slow.get(Period, ledger.q1),
                             author="liaison1", percent=100, narrative="已完成")
        progress.accept(slow, pr)  # flushed: its audit events hold the lower ids
        _accept(engine, ledger, ledger.b, 100)  # another change, numbered after it, commits first
        assert _dashboard(client)["lights"]["green"] == 1
        slow.commit()
    finally:
        slow.close()
    assert _dashboard(client)["lights"]["green"] == 2
