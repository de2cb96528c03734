"""The audit trail, written once for every change.

A single ``after_flush`` hook on :class:`~luoshi.ledger.db.LedgerSession` looks at every inserted,
updated and deleted instance of a model marked ``__audited__`` and inserts one ``audit_events`` row
per instance through the flush's own connection — so the event commits or rolls back with the
change itself, and no service has to remember to log anything. Updates record only the changed
columns (before/after); inserts record the new row, deletes the old one.

The measure↔target link table (``commitment_targets``) has no model of its own, so the same hook
reads the ``Commitment.targets`` collection history and writes one ``CommitmentTarget`` event per
link added or removed (entity id ``measure,target``, filed under the measure). Links that the
database drops because a linked commitment is deleted (``ON DELETE CASCADE``) are looked up in a
``before_flush`` hook, while they still exist, and recorded as deletes too (either side).

Secrets never enter the trail: a model lists them in ``__audit_exclude__`` (``User`` its password
and API-token hashes) and the hook writes a marker instead of the value — ``"(set)"`` in a
snapshot, ``"(changed)"`` in an update — so the trail still shows *that* a password or token was
set or changed, never what it is.

Models marked ``__append_only__`` (comments) may only be inserted: a ``before_flush`` hook refuses
to update or delete them, so their trail is complete by construction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from luoshi.errors import ConflictError
from luoshi.ledger.db import LedgerSession, default_actor
from luoshi.ledger.models import AuditEvent, Base, Commitment, Evidence, commitment_targets, utcnow

IGNORED = {"version"}
SET = "(set)"  # an excluded column holds a value (snapshot, or "before" of an update)
CHANGED = "(changed)"  # an excluded column got a new value (update)
LINK_ENTITY = "CommitmentTarget"
_DROPPED_LINKS = "luoshi.audit.dropped_links"  # session.info key: links cascaded away by this flush


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def excluded(obj: Base) -> frozenset[str]:
    """Column keys of ``obj`` whose values must never be written to the trail."""
    return frozenset(getattr(type(obj), "__audit_exclude__", ()))


def _masked(value: Any, marker: str) -> str | None:
    return None if value is None else marker


def snapshot(obj: Base) -> dict[str, Any]:
    """Column values of ``obj`` as JSON-ready data (excluded columns only say whether they are set)."""
    mapper = inspect(obj).mapper
    secret = excluded(obj)
    return {
        attr.key: _masked(getattr(obj, attr.key), SET) if attr.key in secret else jsonable(getattr(obj, attr.key))
        for attr in mapper.column_attrs
    }


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    secret = excluded(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if jsonable(old) == jsonable(new):
            continue
        if attr.key in secret:
            before[attr.key], after[attr.key] = _masked(old, SET), _masked(new, CHANGED)
            continue
        before[attr.key] = jsonable(old)
        after[attr.key] = jsonable(new)
    return before, after


def commitment_of(obj: Base) -> int | None:
    """The commitment a changed row belongs to (its own id for a commitment), if any."""
    if isinstance(obj, Commitment):
        return obj.id
    if isinstance(obj, Evidence):
        pr = obj.__dict__.get("progress_report")
        return pr.commitment_id if pr is not None else None
    value = getattr(obj, "commitment_id", None)
    return value if isinstance(value, int) else None


def _entity_id(obj: Base) -> str:
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(jsonable(i)) for i in ident)


def _link(measure_id: int, target_id: int) -> dict[str, int]:
    return {"measure_id": measure_id, "target_id": target_id}


@event.listens_for(LedgerSession, "before_flush")
def _refuse_append_only_changes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for obj in session.deleted:
        if getattr(obj, "__append_only__", False):
            raise ConflictError(f"{type(obj).__name__} {_entity_id(obj)} 只能新增，不能删除")
    for obj in session.dirty:
        if getattr(obj, "__append_only__", False) and session.is_modified(obj, include_collections=False):
            raise ConflictError(f"{type(obj).__name__} {_entity_id(obj)} 只能新增，不能修改")


@event.listens_for(LedgerSession, "before_flush")
def _remember_dropped_links(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """Links that will vanish with a deleted commitment, on either side, read while they exist."""
    ids = [o.id for o in session.deleted if isinstance(o, Commitment) and o.id is not None]
    if not ids:
        return
    t = commitment_targets.c
    query = select(t.measure_id, t.target_id).where(t.target_id.in_(ids) | t.measure_id.in_(ids))
    with session.no_autoflush:
        session.info[_DROPPED_LINKS] = {(m, tg) for m, tg in session.connection().execute(query)}


def _link_changes(session: Session) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(added, removed) measure↔target pairs of this flush."""
    added: set[tuple[int, int]] = set()
    removed: set[tuple[int, int]] = set(session.info.pop(_DROPPED_LINKS, set()))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Commitment):
            hist = inspect(obj).attrs.targets.history
            added |= {(obj.id, t.id) for t in hist.added if t.id is not None}
            removed |= {(obj.id, t.id) for t in hist.deleted if t.id is not None}
    return added - removed, removed - added


@event.listens_for(LedgerSession, "after_flush")
def _write_audit(session: Session, _flush: UOWTransaction) -> None:
    actor = str(session.info.get("actor") or default_actor())
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def add(obj: Base, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        rows.append(
            {
                "actor": actor,
                "at": now,
                "entity_type": type(obj).__name__,
                "entity_id": _entity_id(obj),
                "action": action,
                "commitment_id": commitment_of(obj),
                "before": before,
                "after": after,
            }
        )

    for obj in session.new:
        if getattr(obj, "__audited__", False):
            add(obj, "create", None, snapshot(obj))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                add(obj, "update", before, after)
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            add(obj, "delete", snapshot(obj), None)
    added, removed = _link_changes(session)
    for pairs, action in ((added, "create"), (removed, "delete")):
        for measure_id, target_id in sorted(pairs):
            rows.append(
                {
                    "actor": actor,
                    "at": now,
                    "entity_type": LINK_ENTITY,
                    "entity_id": f"{measure_id},{target_id}",
                    "action": action,
                    "commitment_id": measure_id,
                    "before": _link(measure_id, target_id) if action == "delete" else None,
                    "after": _link(measure_id, target_id) if action == "create" else None,
                }
            )
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)
