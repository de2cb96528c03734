"""责任领导 (Commitment.leader) and the area (section) of hand-added commitments: migration 0002,
audited edits, backup/restore — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from luoshi.devtools.backup_edit import read_items, write_archive
from luoshi.errors import InputError, ValidationError
from luoshi.ledger.db import session_factory, transaction
from luoshi.ledger.migrate import current_revision, downgrade, head_revision, upgrade
from luoshi.ledger.models import LEADER_MAX_LENGTH, AuditEvent, Base, Commitment, Report, Section
from luoshi.ledger.services import assign, commitments
from luoshi.ledger.services.backup import backup, restore
from luoshi.ledger.services.history import history

from .helpers import counts, small_ledger, span_commitment

LEADER = "市政府副市长 张三"
QUOTE = "引导各开发区重点培育2—3个特色产业"


def _existing_counts(engine) -> dict[str, int]:
    """Row counts of the ledger tables that exist in the database (later revisions add tables),
    less the change feed (migrating is one more change)."""
    present = set(inspect(engine).get_table_names()) - {"ledger_commits"}
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
            if t.name in present
        }


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("commitments")}


def test_migration_0002_adds_and_drops_leader_keeping_rows(engine):
    with transaction(engine) as s:
        report = small_ledger(s)
        c = span_commitment(s, report, QUOTE, section="2.1")
        commitments.update(s, c, {"leader": LEADER})
        assign.assign(s, c, lead="市发展改革委")
        cid, unit_id = c.id, c.lead.unit_id
    before = _existing_counts(engine)
    head = head_revision()
    assert current_revision(engine) == head and head is not None and head >= "0002"
    try:
        downgrade(engine, "0001")
        assert current_revision(engine) == "0001" and "leader" not in _columns(engine)
        at_0001 = _existing_counts(engine)
        assert at_0001 == {k: before[k] for k in at_0001}  # no row lost (no cascade through the assignments)
        assert at_0001["assignments"] == 1 and at_0001["commitments"] == 1
    finally:
        upgrade(engine)
    assert current_revision(engine) == head and "leader" in _columns(engine)
    assert _existing_counts(engine) == before
    with transaction(engine) as s:
        c = s.get_one(Commitment, cid)
        assert c.leader is None and c.lead.unit_id == unit_id and c.section.key == "2.1"


def test_leader_is_free_text_edited_through_update_and_audited(session):
    report = small_ledger(session)
    c = span_commitment(session, report, QUOTE)
    assert commitments.to_dict(c)["leader"] is None
    commitments.update(session, c, {"leader": f"  {LEADER}\n"})
    assert c.leader == LEADER and commitments.to_dict(c)["leader"] == LEADER
    commitments.update(session, c, {"leader": "王五（常务）/李四"})  # any wording is accepted
    commitments.update(session, c, {"leader": ""})
    assert c.leader is None
    events = [e for e in history(session, c.id) if e.action == "update" and "leader" in (e.after or {})]
    assert [(e.before["leader"], e.after["leader"]) for e in events] == [
        (None, LEADER),
        (LEADER, "王五（常务）/李四"),
        ("王五（常务）/李四", None),
    ]
    assert all(e.actor == "tester" for e in events)
    with pytest.raises(ValidationError, match=f"最多{LEADER_MAX_LENGTH}字"):
        commitments.update(session, c, {"leader": "长" * (LEADER_MAX_LENGTH + 1)})
    with pytest.raises(ValidationError, match="应为文字"):
        commitments.update(session, c, {"leader": 7})
    assert c.leader is None
    m = commitments.add_manual(session, report, kind="measure", title="建设科创园", leader=LEADER)
    assert m.leader == LEADER


def test_add_manual_takes_section_by_key_or_id_and_headline(session):
    report = small_ledger(session)
    s21 = session.scalar(select(Section).where(Section.report_id == report.id, Section.key == "2.1"))
    by_key = commitments.add_manual(session, report, kind="measure", title="建设科创园", section="2.2")
    by_id = commitments.add_manual(session, report, kind="measure", title="建设孵化器", section=s21.id)
    top = commitments.add_manual(session, report, kind="target", title="生产总值增长5%", headline=True)
    assert (by_key.section.key, by_id.section.key, top.section, top.headline) == ("2.2", "2.1", None, True)
    assert not by_key.headline
    assert commitments.to_dict(by_key)["section"] == "2.2"
    assert commitments.list_commitments(session, report, section="2.2") == [by_key]
    created = next(e for e in history(session, by_key.id) if e.action == "create")
    assert created.after["section_id"] == by_key.section_id and created.after["headline"] is False

    other = Report(government=report.government, year=2025, sha256="e" * 64, source_text="x")
    session.add(other)
    session.flush()
    other_section = Section(report_id=other.id, key="2.9", level=2, title="别的报告", start=0, end=1)
    session.add(other_section)
    session.flush()
    n = session.scalar(select(Commitment.id).order_by(Commitment.id.desc()))
    for bad in ("9.9", other_section.id, True):
        with pytest.raises(ValidationError, match="章节"):
            commitments.add_manual(session, report, kind="measure", title="无处安放", section=bad)
    assert session.scalar(select(Commitment.id).order_by(Commitment.id.desc())) == n


def test_update_moves_section_audited(session):
    report = small_ledger(session)
    c = commitments.add_manual(session, report, kind="measure", title="建设科创园", section="2.1")
    old = c.section_id
    commitments.update(session, c, {"section": "2.2"})
    assert c.section.key == "2.2"
    commitments.update(session, c, {"section": "2.2"})  # no change, no event
    commitments.update(session, c, {"section": None})
    assert c.section is None and c.section_id is None
    moves = [e for e in history(session, c.id) if e.action == "update" and "section_id" in (e.after or {})]
    new = session.scalar(select(Section.id).where(Section.report_id == report.id, Section.key == "2.2"))
    assert [(e.before["section_id"], e.after["section_id"]) for e in moves] == [(old, new), (new, None)]
    with pytest.raises(ValidationError, match="不能修改"):
        commitments.update(session, c, {"headline": True})


def _dump(engine, path) -> tuple[dict, list[dict], dict]:
    backup(engine, path)
    return read_items(path)


def _restore_event(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).where(AuditEvent.entity_type == "Backup")) or 0


def test_backup_keeps_leader_and_reads_dumps_without_it(engine, tmp_path, clean_db):
    with transaction(engine) as s:
        report = small_ledger(s)
        c = span_commitment(s, report, QUOTE, section="2.1")
        commitments.update(s, c, {"leader": LEADER})
        cid = c.id
    manifest, items, files = _dump(engine, tmp_path / "now.zip")
    (row,) = [i["r"] for i in items if i["t"] == "commitments"]
    assert row["leader"] == LEADER
    before = counts(engine)
    clean_db(engine)
    restore(engine, tmp_path / "now.zip")
    assert counts(engine) == {**before, "audit_events": before["audit_events"] + 1}  # + the restore itself
    assert _restore_event(engine) == 1
    s = session_factory(engine)()
    assert s.get_one(Commitment, cid).leader == LEADER
    s.close()

    # an archive written before revision 0002: no leader key anywhere, manifest says 0001
    old = [dict(i) for i in items]
    for i in old:
        if i["t"] == "commitments":
            i["r"] = {k: v for k, v in i["r"].items() if k != "leader"}
    write_archive(tmp_path / "old.zip", {**manifest, "schema": "0001"}, old, files)
    restore(engine, tmp_path / "old.zip", replace=True)
    assert counts(engine) == {**before, "audit_events": before["audit_events"] + 1}
    s = session_factory(engine)()
    c = s.get_one(Commitment, cid)
    assert c.leader is None and c.section.key == "2.1" and c.quote == QUOTE
    s.close()
    before = counts(engine)

    # the same rows claiming the current schema are incomplete; an unknown schema is refused
    write_archive(tmp_path / "cut.zip", manifest, old, files)
    with pytest.raises(InputError, match="缺少列 leader"):
        restore(engine, tmp_path / "cut.zip", replace=True)
    write_archive(tmp_path / "new.zip", {**manifest, "schema": "0099"}, items, files)
    with pytest.raises(InputError, match="0099"):
        restore(engine, tmp_path / "new.zip", replace=True)
    assert counts(engine) == before  # failed restores roll back
