"""``luoshi user`` and ``luoshi demo`` as a person runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from luoshi.paths import reports_dir


def run(args: list[str], home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"LUOSHI_HOME": str(home), "PATH": "/usr/bin:/bin", "LUOSHI_SECRET_KEY": "cli-test-secret",
           "LUOSHI_REPORTS_DIR": str(reports_dir())}  # where the tests found the reports
    code = "import sys; from luoshi.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_demo_prepares_ledger_and_user_commands(tmp_path: Path) -> None:
    home = tmp_path / "var"
    r = run(["demo", "--no-serve", "--no-progress"], home)
    assert r.returncode == 0, r.stderr
    assert "duchashi" in r.stdout and "http://127.0.0.1:8000/" in r.stdout and "liaison1" in r.stdout
    # the 历年承诺 pages work: every report beside the repository (dev/ included) is in the corpus
    shipped = sum(1 for p in reports_dir().rglob("*") if p.suffix in {".txt", ".docx", ".pdf"})
    assert f"历年语料库：{shipped} 份报告" in r.stdout and (home / "corpus.sqlite").is_file()
    again = run(["demo", "--no-serve", "--no-progress"], home)
    assert again.returncode == 0 and "未重复导入" in again.stdout and "（已存在）" in again.stdout
    # the demo fixes its ledger's statistics date: the CLI judges the demo on that day, as the web does
    assert "统计日期：2024-11-15" in r.stdout
    status = run(["ledger", "status", "--json"], home)
    assert status.returncode == 0, status.stderr
    judged = json.loads(status.stdout)
    assert (judged["on"], judged["period"], judged["clock"]) == ("2024-11-15", "2024Q3", "ledger")
    assert judged["total"] > 100 and judged["missing"] == judged["total"]  # --no-progress: nothing reported

    r = run(["user", "add", "zhang", "--role", "liaison", "--unit", "发改委", "--password-stdin"], home,
            "a-long-password\n")
    assert r.returncode == 0, r.stderr
    assert "市发展和改革委员会" in r.stdout
    dup = run(["user", "add", "zhang", "--role", "leader", "--password-stdin"], home, "a-long-password\n")
    assert dup.returncode == 2 and "已存在" in dup.stderr and "Traceback" not in dup.stderr
    bad = run(["user", "add", "li", "--role", "liaison", "--password-stdin"], home, "a-long-password\n")
    assert bad.returncode == 2 and "--unit" in bad.stderr
    weak = run(["user", "passwd", "zhang", "--password-stdin"], home, "short\n")
    assert weak.returncode == 2 and "至少" in weak.stderr
    assert run(["user", "passwd", "zhang", "--password-stdin"], home, "another-long-one\n").returncode == 0
    tok = run(["user", "token", "zhang"], home)
    assert tok.returncode == 0 and tok.stdout.strip().startswith("lst_")
    assert run(["user", "disable", "zhang"], home).returncode == 0
    assert run(["user", "token", "nobody"], home).returncode == 2
    again = run(["user", "disable", "zhang"], home)
    assert again.returncode == 2 and "已经停用" in again.stderr
    assert run(["user", "reset", "zhang"], home).returncode == 2  # a disabled account is enabled first
    assert run(["user", "enable", "zhang"], home).stdout.strip() == "已启用 zhang"
    reset = run(["user", "reset", "zhang"], home)
    assert reset.returncode == 0 and "只显示这一次" in reset.stderr
    assert len(reset.stdout.strip()) == 19 and reset.stdout.count("-") == 3
    # the unit directory: the same rules as the web pages
    added = run(["ledger", "units", "add", "市测试中心", "--alias", "测试中心"], home)
    assert added.returncode == 0, added.stderr
    merged = run(["ledger", "units", "merge", "测试中心", "发改委"], home)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith("已将“市测试中心”并入“市发展和改革委员会”：转移分工 0 条，联络员 0 个，督办单 0 份")
    assert "市测试中心、测试中心" in merged.stdout
    refused = run(["ledger", "units", "deactivate", "发改委"], home)
    assert refused.returncode != 0 and "仍牵头" in refused.stderr and "不能停用" in refused.stderr
    assert "Traceback" not in refused.stderr
    import sqlite3

    with sqlite3.connect(home / "luoshi.db") as db:
        trail = " ".join(f"{b} {a}" for b, a in db.execute("SELECT before, after FROM audit_events"))
        hashes = [h for row in db.execute("SELECT password_hash, api_token_hash FROM users") for h in row if h]
    assert "$argon2" not in trail and hashes and not any(h in trail for h in hashes)


def test_demo_without_seed_is_a_clear_error(tmp_path: Path) -> None:
    r = run(["demo", "--no-serve", str(tmp_path / "missing.txt")], tmp_path / "var")
    assert r.returncode == 2 and "找不到种子报告" in r.stderr and "Traceback" not in r.stderr


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    r = run(["serve", "--port", "8999"], tmp_path / "empty")
    assert r.returncode == 2 and "luoshi db upgrade" in r.stderr
