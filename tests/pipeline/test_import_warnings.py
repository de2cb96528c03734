"""``luoshi import`` says what the extraction could not find before it writes anything."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

from luoshi.cli import cli

REPORT = (
    "各位代表：\n现在，我代表无锡市人民政府向大会报告工作，请予审议。\n"
    "一、2023年工作回顾\n过去一年，我们攻坚克难，各项工作取得新进展。\n"
    "二、2024年工作安排\n（一）扩大有效投资。全年实施重点项目120个以上。\n"
)


def test_import_prints_the_warnings(engine: Engine, luoshi_home: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LUOSHI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    path = tmp_path / "无锡-2024.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert f"警告[no_headline] {path}: 未找到今年的主要预期目标段落" in result.stderr
    assert f"警告[no_actuals] {path}: 未提取到任何上年实绩" in result.stderr
    out = json.loads(result.stdout)
    assert out["government"] == "无锡市" and out["year"] == 2024 and not out["applied"]
    assert {w["code"] for w in out["warnings"]} >= {"no_headline", "no_actuals"}
