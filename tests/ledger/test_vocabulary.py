"""The one table of words covers what the ledger stores: every audited model and column has its
words, and the codes the ledger checks are the codes the table names."""

from __future__ import annotations

from luoshi.ledger import vocabulary as words
from luoshi.ledger.audit import LINK_ENTITY


def _audited() -> list:
    from luoshi.ledger import notify_models  # noqa: F401  (maps the outbox's models)
    from luoshi.ledger.models import Base

    return [m for m in Base.registry.mappers if getattr(m.class_, "__audited__", False)]


def test_every_audited_model_and_column_has_words() -> None:
    missing = []
    for mapper in _audited():
        name = mapper.class_.__name__
        if name not in words.ENTITIES:
            missing.append(name)
        missing += [f"{name}.{c.key}" for c in mapper.column_attrs
                    if words.field_label(name, c.key) == "其他字段"]
    assert LINK_ENTITY in words.ENTITIES
    assert missing == []


def test_the_codes_are_the_ledgers() -> None:
    from luoshi.ledger.models import NOTICE_REASONS, RESULTS
    from luoshi.ledger.rules import DEFAULT_WEIGHTS

    assert tuple(words.NOTICE_REASONS) == NOTICE_REASONS
    assert words.EVALUATION_RESULTS == RESULTS
    assert set(words.WEIGHT_GROUPS) == set(DEFAULT_WEIGHTS)
    for group in ("kind", "role", "status"):
        assert set(DEFAULT_WEIGHTS[group]) <= set(words.WEIGHT_CODES), group


def test_one_word_for_one_thing() -> None:
    """草稿 is a commitment's (or report's) draft, never 待确认, which only an assignment is."""
    assert words.COMMITMENT_STATES["draft"] == "草稿" and words.ASSIGNMENT_CONFIRMED[False] == "待确认"
    assert words.PUBLISHED[True] == "已公开" and words.COMMITMENT_STATES["active"] == "已发布"
    assert words.PROMISE_STATUSES["met"] == words.PROMISE_OUTCOMES["kept"] == "兑现"
    assert words.unit_display("市发展和改革委员会", "市发展改革委") == "市发展和改革委员会"


def test_unknown_names_never_show_as_themselves() -> None:
    assert words.entity_label("SomeNewModel") == "记录"
    assert words.field_label("Commitment", "some_new_column") == "其他字段"
    assert words.local_time("2024-12-31T16:30:00+00:00") == "2025-01-01 00:30"
