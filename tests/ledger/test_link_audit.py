"""Changes to the measure↔target links (commitment_targets) are written to the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from luoshi.ledger.models import AuditEvent, commitment_targets
from luoshi.ledger.services import commitments, importing
from luoshi.ledger.services.history import history

from .helpers import seed_extraction, small_ledger


def link_events(session) -> list[tuple[str, str, int | None]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "CommitmentTarget").order_by(AuditEvent.id))
    return [(e.action, e.entity_id, e.commitment_id) for e in rows]


def test_link_add_remove_and_cascade(session):
    report = small_ledger(session)
    m = commitments.add_manual(session, report, kind="measure", title="推进园区建设")
    t1 = commitments.add_manual(session, report, kind="target", title="特色产业2—3个")
    t2 = commitments.add_manual(session, report, kind="target", title="工业投资增长12%")
    m.targets = [t1, t2]
    session.flush()
    assert link_events(session) == [("create", f"{m.id},{t1.id}", m.id), ("create", f"{m.id},{t2.id}", m.id)]
    created = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "CommitmentTarget")).first()
    assert created.after == {"measure_id": m.id, "target_id": t1.id} and created.before is None
    assert created.actor == "tester"

    m.targets.remove(t1)
    session.flush()
    assert link_events(session)[-1] == ("delete", f"{m.id},{t1.id}", m.id)
    # the link shows in both commitments' histories
    assert any(e.entity_type == "CommitmentTarget" for e in history(session, t1.id))
    assert any(e.entity_type == "CommitmentTarget" for e in history(session, m.id))

    # deleting a target drops its links in the database: recorded as deletes as well
    n = len(link_events(session))
    session.delete(t2)
    session.flush()
    assert link_events(session)[n:] == [("delete", f"{m.id},{t2.id}", m.id)]
    assert session.execute(select(commitment_targets)).all() == []


def test_deleting_a_measure_records_its_links(session):
    report = small_ledger(session)
    m = commitments.add_manual(session, report, kind="measure", title="推进园区建设")
    t = commitments.add_manual(session, report, kind="target", title="特色产业2—3个")
    m.targets.append(t)
    session.flush()
    session.expire(m)  # collection not loaded: the hook must not rely on it
    session.delete(m)
    session.flush()
    assert link_events(session)[-1] == ("delete", f"{m.id},{t.id}", m.id)
    assert session.execute(select(commitment_targets)).all() == []


def test_unchanged_collection_writes_nothing(session):
    report = small_ledger(session)
    m = commitments.add_manual(session, report, kind="measure", title="推进园区建设")
    t = commitments.add_manual(session, report, kind="target", title="特色产业2—3个")
    m.targets = [t]
    session.flush()
    before = len(link_events(session))
    m.targets = [t]  # same membership
    m.title = "推进园区提质"
    session.flush()
    assert len(link_events(session)) == before


def test_import_links_are_audited(session, luoshi_home):
    ex, text = seed_extraction()
    importing.apply_plan(session, importing.plan_import(session, ex, government="枣庄市", source_text=text))
    links = {f"{m},{t}" for m, t in session.execute(select(commitment_targets)).all()}
    assert links and {eid for action, eid, _ in link_events(session) if action == "create"} == links
