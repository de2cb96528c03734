"""A scripted year on the seed report, through the CLI and the services, on both engines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from luoshi.cli import cli
from luoshi.errors import ConflictError, ValidationError
from luoshi.ledger.db import session_factory
from luoshi.ledger.models import Commitment, Period, Report
from luoshi.ledger.services import evaluation, notices, periods, progress, status

from .helpers import SEED, counts, seed_extraction, url_of

BJ = dt.timezone(dt.timedelta(hours=8))


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T10:00").replace(tzinfo=BJ)


@pytest.fixture
def cli_env(engine, luoshi_home, monkeypatch):
    monkeypatch.setenv("LUOSHI_DATABASE_URL", url_of(engine))
    # the real pipeline runs once per test session (helpers.seed_extraction), not once per import
    monkeypatch.setattr("luoshi.ledger.services.importing.extract_for_import", _cached_extract)
    return engine


def _cached_extract(path, *, government=None, year=None):
    assert str(path) == str(SEED)
    return seed_extraction()


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def by_quote(s, quote: str, kind: str = "target") -> Commitment:
    return s.scalars(select(Commitment).where(Commitment.kind == kind, Commitment.quote.contains(quote))).first()


def test_scripted_year(cli_env):
    engine = cli_env
    out = json.loads(run("import", str(SEED), "--government", "枣庄市", "--json", "--as", "督查室"))
    assert out["status"] == "new" and out["applied"]
    assert json.loads(run("import", str(SEED), "--government", "枣庄市", "--json"))["status"] == "unchanged"
    run("ledger", "assign", "--all-suggested", "--as", "督查室")
    s = session_factory(engine)(expire_on_commit=True)  # see what the CLI commits in between
    a = by_quote(s, "规上工业企业达到1400家")
    b = by_quote(s, "生产总值增长5.5%左右")
    c = s.scalars(select(Commitment).where(Commitment.kind == "milestone")).first()
    # D: a measure another unit leads (工信局's score below is that of A alone)
    d = next(
        x
        for x in s.scalars(select(Commitment).where(Commitment.kind == "measure", Commitment.state == "active"))
        if x.lead is None or x.lead.unit.short_name != "市工业和信息化局"
    )
    assert a and b and c and d and a.lead.unit.short_name == "市工业和信息化局"
    # override: 枣矿集团 supports the GDP target, 市统计局 leads it
    run("ledger", "assign", str(b.id), "--lead", "统计局", "--support", "发改委,枣矿集团", "--as", "督查室")
    s.commit()  # end this session's snapshot so it sees what the CLI wrote
    assert sorted((x.unit.short_name, x.role, x.confirmed) for x in b.assignments) == [
        ("市发展改革委", "support", True), ("市统计局", "lead", True), ("枣矿集团", "support", True)
    ]  # fmt: skip
    run("ledger", "periods", "--cycle", "季", "--generate")
    s.commit()
    report = s.scalars(select(Report)).one()
    q = {p.label: p for p in periods.periods(s, report)}
    assert q["2024Q1"].due == dt.date(2024, 4, 8)  # 31 Mar + 5 working days (清明 4–6 Apr, 7 Apr 调休上班)

    # Q1: A on time and on pace, B late and behind, C behind, D nothing
    run("ledger", "report", str(a.id), "--period", "2024Q1", "--value", "350", "--at", "2024-04-03T09:00", "--as", "工信局")
    s.commit()
    progress.report(s, b, q["2024Q1"], author="统计局", percent=10, now=at("2024-04-20"))
    progress.report(s, c, q["2024Q1"], author="x", percent=0, now=at("2024-04-02"))
    s.commit()
    st = {x.id: status.status_of(s, x, q["2024Q1"]) for x in (a, b, c, d)}
    assert st[a.id].light == "green" and not st[a.id].missing and st[a.id].percent == 25
    assert st[b.id].light == "yellow" and st[b.id].late
    assert st[c.id].light == "yellow"
    assert st[d.id].missing and st[d.id].percent is None
    new = notices.generate_notices(s, report, q["2024Q1"], on=dt.date(2024, 4, 15))
    s.commit()
    assert notices.generate_notices(s, report, q["2024Q1"], on=dt.date(2024, 4, 16)) == []  # idempotent
    kinds = {(n.commitment_id, n.reason) for n in new}
    assert (d.id, "missing") in kinds and not any(cid in (a.id, b.id, c.id) for cid, _ in kinds)
    assert {n.due for n in new} == {dt.date(2024, 4, 22)}
    run("ledger", "periods", "--close", "2024Q1")
    s.commit()
    with pytest.raises(ConflictError, match="已关闭"):
        progress.report(s, d, s.get(Period, q["2024Q1"].id), author="x", percent=5)
    s.rollback()

    # Q2: B falls more than 30 points behind → red → notice; C finishes
    progress.report(s, a, q["2024Q2"], author="工信局", value=700, now=at("2024-07-02"))
    progress.report(s, b, q["2024Q2"], author="统计局", percent=15, now=at("2024-07-02"))
    progress.report(s, c, q["2024Q2"], author="x", percent=100, now=at("2024-07-02"))
    s.commit()
    assert status.status_of(s, b, q["2024Q2"]).light == "red"
    assert status.status_of(s, c, q["2024Q2"]).light == "green"
    assert status.status_of(s, d, q["2024Q2"]).light == "red"  # nothing reported at 49.7% 时序进度
    new = notices.generate_notices(s, report, q["2024Q2"], on=dt.date(2024, 7, 10))
    assert (b.id, ["behind"]) in [(n.commitment_id, n.reasons) for n in new]  # B reported on time, but behind
    s.commit()
    q2_card = evaluation.scorecard(s, report, period=q["2024Q2"], save=True)
    s.commit()
    assert q2_card and q2_card[0].rank == 1

    # Q4: final figures, accepted; one report returned then resubmitted
    pr = progress.report(s, a, q["2024Q4"], author="工信局", value=1500, now=at("2025-01-05"))
    progress.return_report(s, pr, "缺少统计部门数据")
    with pytest.raises(ValidationError):
        progress.return_report(s, pr, " ")
    progress.save_draft(s, a, q["2024Q4"], author="工信局", value=1500, narrative="附统计快报")
    progress.submit(s, pr, now=at("2025-01-06"))
    s.commit()
    assert pr.state == "submitted" and not pr.late
    run("ledger", "accept", str(pr.id), "--as", "督查室")
    s.commit()
    pb = progress.report(s, b, q["2024Q4"], author="统计局", percent=100, value=5.6, now=at("2025-01-20"))
    assert pb.late
    progress.accept(s, pb)
    pc = progress.find(s, c, q["2024Q2"])
    progress.accept(s, pc)
    s.commit()

    # year-end evaluation
    s.info["actor"] = "考核办"
    ev = json.loads(run("ledger", "evaluate", str(a.id), "--json", "--as", "考核办"))["evaluated"][0]
    assert ev["result"] == "超额完成" and ev["final_value"] == 1500
    s.commit()
    assert evaluation.evaluate(s, b, by="考核办").result == "完成"  # 5.6 within 5.5 左右 ± 5 %
    with pytest.raises(ValidationError, match="理由"):
        evaluation.evaluate(s, b, by="考核办", result="基本完成")
    ev_b = evaluation.evaluate(s, b, by="考核办", result="基本完成", reason="一季度拖累全年")
    assert ev_b.override_reason and ev_b.computed_result == "完成"
    assert evaluation.evaluate(s, c, by="考核办").result == "完成"
    with pytest.raises(ValidationError, match="请给出评价结果"):
        evaluation.evaluate(s, d, by="考核办")
    assert evaluation.evaluate(s, d, by="考核办", result="未完成").score == 0
    s.commit()
    assert evaluation.scorecard(s, report) == []  # drafts (预评价) never feed the ranking
    evaluation.finalise(s, report, on=dt.date(2025, 1, 20))
    final = evaluation.scorecard(s, report, save=True)
    assert {r.basis for r in final} == {"排名依据：已定稿年度评价 4 项"}
    s.commit()
    gx = next(r for r in final if r.unit == "市工业和信息化局")
    assert gx.score == 110 and gx.rank == 1 and gx.previous_rank is not None
    card = json.loads(run("ledger", "scorecard", "--json"))
    assert card[0]["score"] >= card[-1]["score"]
    hist = json.loads(run("history", str(b.id), "--json"))
    assert {e["actor"] for e in hist} >= {"督查室", "考核办"}
    assert any(e["entity"] == "Evaluation" and e["action"] == "update" for e in hist)
    assert counts(engine)["audit_events"] > 0
    s.close()
