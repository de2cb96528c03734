"""``luoshi ledger settings --weights`` and ``luoshi ledger milestones``: validated, audited, on both engines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from luoshi.cli import main
from luoshi.ledger.db import transaction
from luoshi.ledger.models import AuditEvent, Commitment
from luoshi.ledger.services import commitments, periods

from .helpers import small_ledger, url_of


@pytest.fixture
def ledger_env(engine, luoshi_home, monkeypatch):
    monkeypatch.setenv("LUOSHI_DATABASE_URL", url_of(engine))
    with transaction(engine, actor="setup") as s:
        report = small_ledger(s)
        c = commitments.add_manual(s, report, kind="measure", title="建成智能工厂10家", deadline="2024-12-31")
        periods.generate_periods(s, report)
        cid = c.id
    return engine, cid


def run(*args: str, ok: bool = True) -> str:
    """Run ``luoshi ARGS`` as the console script does; a refused command exits 2 with one line."""
    runner = CliRunner()
    with runner.isolation() as streams:
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    out, err = streams[0].getvalue().decode(), streams[1].getvalue().decode()
    if ok:
        assert code == 0, out + err
        return out
    assert code == 2, out + err
    assert len(err.strip().splitlines()) == 1 and err.startswith("luoshi: ") and "Traceback" not in err, err
    return err


def events(engine, entity: str) -> list[AuditEvent]:
    with transaction(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity).order_by(AuditEvent.id)))


def test_weights_inline_json_merges_and_is_audited(ledger_env):
    engine, _ = ledger_env
    out = json.loads(run("ledger", "settings", "--weights", '{"modality": {"确保": 2}}', "--json", "--as", "考核办"))
    assert out["weights"]["modality"]["确保"] == 2 and out["weights"]["modality"]["预期"] == 1.2  # defaults kept
    assert out["custom_weights"] == {"modality": {"确保": 2.0}}
    out = json.loads(run("ledger", "settings", "--weights", '{"role": {"support": "0.5"}}', "--json", "--as", "考核办"))
    assert out["custom_weights"] == {"modality": {"确保": 2.0}, "role": {"support": 0.5}}
    updates = [e for e in events(engine, "LedgerSettings") if e.action == "update"]
    assert [e.actor for e in updates] == ["考核办", "考核办"]
    assert updates[-1].before == {"weights": {"modality": {"确保": 2.0}}}
    assert updates[-1].after == {"weights": {"modality": {"确保": 2.0}, "role": {"support": 0.5}}}
    # the same weights again: nothing changes, nothing is recorded
    run("ledger", "settings", "--weights", '{"role": {"support": 0.5}}')
    assert len([e for e in events(engine, "LedgerSettings") if e.action == "update"]) == 2
    out = json.loads(run("ledger", "settings", "--reset-weights", "--json"))
    assert out["custom_weights"] == {} and out["weights"]["modality"]["确保"] == 1.5


def test_weights_from_yaml_or_json_file(ledger_env, tmp_path):
    yaml_file = tmp_path / "weights.yaml"
    yaml_file.write_text("kind:\n  target: 2\n  measure: 0.8\nresult:\n  基本完成: 70\n", encoding="utf-8")
    out = json.loads(run("ledger", "settings", "--weights", str(yaml_file), "--json"))
    assert out["weights"]["kind"] == {"target": 2.0, "milestone": 1.2, "measure": 0.8}
    assert out["weights"]["result"]["基本完成"] == 70
    json_file = tmp_path / "w.json"
    json_file.write_text('{"status": {"yellow": 50}}', encoding="utf-8")
    out = json.loads(run("ledger", "settings", "--weights", str(json_file), "--json"))
    assert out["weights"]["status"]["yellow"] == 50 and out["weights"]["kind"]["target"] == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"modality": {"确保": -1}}', "应为非负数"),
        ('{"modality": {"必须": 2}}', "权重“modality.必须”不存在"),
        ('{"weight": {"x": 1}}', "未知的权重类别“weight”"),
        ('{"modality": {"确保": "很高"}}', "应为数字"),
        ('{"modality": [1, 2]}', "应为对象"),
        ('{"modality": ', "不是有效的 JSON"),
        ("no-such-file.yaml", "文件 no-such-file.yaml 不存在"),
    ],
)
def test_bad_weights_are_refused_on_one_line(ledger_env, value, message):
    engine, _ = ledger_env
    assert message in run("ledger", "settings", "--weights", value, ok=False)
    assert [e for e in events(engine, "LedgerSettings") if e.action == "update"] == []


def test_milestones_set_show_clear(ledger_env):
    engine, cid = ledger_env
    out = json.loads(run("ledger", "milestones", str(cid), "--at", "2024-06-30=40", "--at", "2024-09-30=70%", "--json", "--as", "督查室"))
    assert out["milestones"] == [{"date": "2024-06-30", "percent": 40.0}, {"date": "2024-09-30", "percent": 70.0}]
    expected = {r["period"]: r["expected"] for r in out["expected"]}
    assert expected["2024Q2"] == 40.0 and expected["2024Q3"] == 70.0 and expected["2024Q4"] == 100.0
    assert 19 < expected["2024Q1"] < 21  # 91 of 181 days towards 40 %
    shown = run("ledger", "milestones", str(cid))
    assert "2024-06-30 40%，2024-09-30 70%" in shown and "2024Q2" in shown
    update = [e for e in events(engine, "Commitment") if e.action == "update"][-1]
    assert update.actor == "督查室" and update.before == {"milestones": None}
    assert update.after == {"milestones": out["milestones"]} and update.commitment_id == cid
    out = json.loads(run("ledger", "milestones", str(cid), "--clear", "--json"))
    assert out["milestones"] == [] and {r["period"]: r["expected"] for r in out["expected"]}["2024Q2"] == 49.6
    with transaction(engine) as s:
        assert s.get(Commitment, cid).milestones is None


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (["2024-06-30=70", "2024-09-30=40"], "随日期不减"),
        (["2024-06-30=140"], "0–100"),
        (["2025-03-31=50"], "不在计划年度 2024 年内"),
        (["2024-06-31=50"], "节点日期 不是有效日期"),
        (["2024-06-30"], "应写作 日期=百分比"),
        (["2024-06-30=四成"], "节点百分比 应为数字"),
        (["2024-06-30=40", "2024-06-30=50"], "重复"),
    ],
)
def test_bad_milestones_are_refused(ledger_env, points, message):
    engine, cid = ledger_env
    args = ["ledger", "milestones", str(cid)]
    for p in points:
        args += ["--at", p]
    assert message in run(*args, ok=False)
    with transaction(engine) as s:
        assert s.get(Commitment, cid).milestones is None


def test_milestones_respect_deadline_state_and_version(ledger_env):
    engine, cid = ledger_env
    with transaction(engine) as s:
        c = s.get(Commitment, cid)
        commitments.update(s, c, {"deadline": "2024-09-30"})
        version = c.version
    assert "晚于任务" in run("ledger", "milestones", str(cid), "--at", "2024-10-31=80", ok=False)
    run("ledger", "milestones", str(cid), "--at", "2024-06-30=50", "--version", str(version))
    assert "已被他人修改" in run("ledger", "milestones", str(cid), "--at", "2024-06-30=60", "--version", str(version), ok=False)
    with transaction(engine) as s:
        commitments.close(s, s.get(Commitment, cid))
    assert "已销号" in run("ledger", "milestones", str(cid), "--clear", ok=False)
    assert "不存在" in run("ledger", "milestones", "9999", "--at", "2024-06-30=50", ok=False)
