"""Assignment suggestions fall back to the sentence and the section titles around a short quote."""

from __future__ import annotations

from luoshi.ledger.services import assign
from luoshi.ledger.services.assign import context_of, sentence_of

from .helpers import SMALL_TEXT, seed_extraction, small_ledger, span_commitment


def test_sentence_of_span():
    quote = "重点培育2—3个特色产业"
    start = SMALL_TEXT.index(quote)
    sentence = sentence_of(SMALL_TEXT, start, start + len(quote))
    assert sentence.startswith("按照“差异化定位") and sentence.endswith("均增长12%以上。")
    whole = "认真学习“四下基层”经验，加强和改进调查研究。"
    s = SMALL_TEXT.index(whole)
    assert sentence_of(SMALL_TEXT, s, s + len(whole)) == whole  # a span ending on 。 is its own sentence


def test_short_target_uses_its_sentence(session):
    report = small_ledger(session)
    c = span_commitment(session, report, "重点培育2—3个特色产业", section="2.1")
    assert [w for w, _ in context_of(c)] == ["所在句", "章节标题", "上级章节标题"]
    assign.suggest_assignments(session, [c])
    assert c.lead is not None and c.lead.unit.name == "市工业和信息化局"
    assert c.lead.suggested_by == ["规上工业（所在句）"] and not c.lead.confirmed


def test_section_title_when_the_sentence_says_nothing(session):
    report = small_ledger(session)
    c = span_commitment(session, report, "认真学习“四下基层”经验，加强和改进调查研究。", kind="measure", section="2.2")
    assert [w for w, _ in context_of(c)] == ["章节标题", "上级章节标题"]  # the sentence is the measure itself
    assign.suggest_assignments(session, [c])
    assert c.lead.unit.name == "市政府办公室" and c.lead.suggested_by == ["政府自身建设（章节标题）"]


def test_own_words_win_over_context(session):
    report = small_ledger(session)
    c = span_commitment(session, report, "力争开发区工业投资和规上工业总产值均增长12%以上", section="2.1")
    assign.suggest_assignments(session, [c])
    assert all("（" not in w for a in c.assignments for w in a.suggested_by)
    assert c.lead.unit.name == "市工业和信息化局"


def test_no_context_no_suggestion(session):
    report = small_ledger(session)
    from luoshi.ledger.services import commitments

    c = commitments.add_manual(session, report, kind="measure", title="做好其他工作")  # no span, no section
    assert context_of(c) == []
    assign.suggest_assignments(session, [c])
    assert c.lead is None


def test_seed_coverage(session, luoshi_home):
    from luoshi.ledger.services import importing

    ex, text = seed_extraction()
    report = importing.apply_plan(session, importing.plan_import(session, ex, government="枣庄市", source_text=text))
    cov = assign.coverage(session, report)
    # every target and every row of the plan is a commitment (77 targets and 83 rows: the rows are
    # jobs, not sentences, and the 主要预期目标 block is no row of its own)
    assert cov["total"] == len(ex.targets) + len(ex.tasks) >= 155 and cov["ratio"] >= 0.97, cov
    assert cov["target"]["with_lead"] == cov["target"]["total"]
