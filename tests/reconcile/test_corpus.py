"""Corpus build: one command, parallel, resumable; compare/scorecard read it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPORTS

from luoshi.cli import cli
from luoshi.corpus.build import build
from luoshi.corpus.query import file_statuses, governments, load_reports
from luoshi.errors import InputError, NotFoundError


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("reports")
    for p in REPORTS.glob("*.txt"):
        shutil.copy(p, d / p.name)
    (d / "notes").mkdir()
    (d / "notes" / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)  # not a report
    (d / "README.md").write_text("not a report suffix", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def built(folder, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("corpus") / "corpus.sqlite"
    res = build(folder, out, workers=2, progress=False)
    return out, res.to_dict()


def test_first_build_processes_every_report_and_lists_failures(built):
    out, res = built
    assert res["scanned"] == 7 and res["processed"] == 7 and res["unchanged"] == 0
    assert [f["path"] for f in res["failed"]] == ["notes/broken.txt"]
    assert res["failed"][0]["reason"]
    govs = governments(out)
    assert govs["国务院"] == [2019, 2020, 2021, 2022, 2023]
    assert 2024 in govs["枣庄市"]


def test_corpus_is_queryable_sql(built):
    out, _ = built
    with sqlite3.connect(out) as con:
        n = con.execute("select count(*) from corpus_targets t join corpus_reports r on r.id = t.report_id "
                        "where r.government = '国务院' and r.year = 2019 and t.headline").fetchone()[0]
    assert n >= 7


def test_rebuild_processes_only_changes(folder, tmp_path):
    work = tmp_path / "copy"
    shutil.copytree(folder, work)
    out = tmp_path / "c.sqlite"
    first = build(work, out, workers=2, progress=False)
    assert first.processed == 7
    again = build(work, out, workers=2, progress=False)
    assert (again.processed, again.unchanged, again.removed) == (0, 7, 0)
    p = work / "national-2021.txt"
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = build(work, out, workers=2, progress=False)
    assert (changed.processed, changed.unchanged) == (1, 6)
    (work / "national-2023.txt").unlink()
    dropped = build(work, out, workers=2, progress=False)
    assert (dropped.processed, dropped.removed) == (0, 1)
    assert governments(out)["国务院"] == [2019, 2020, 2021, 2022]
    retried = build(work, out, workers=1, progress=False, retry_failed=True)
    assert retried.processed == 1 and len(retried.failures) == 1


def test_scorecard_from_corpus_matches_direct(built):
    out, _ = built
    r = CliRunner().invoke(cli, ["scorecard", "--corpus", str(out), "-g", "国务院", "--year", "2022", "--json"])
    assert r.exit_code == 0, r.output
    view = json.loads(r.output)
    gdp = [o for o in view["outcomes"] if o["indicator_key"] == "gdp_growth" and o["headline"]]
    assert gdp and gdp[0]["status"] == "missed" and gdp[0]["actual_value"] == 3


def test_scorecard_csv_and_text(built):
    out, _ = built
    r = CliRunner().invoke(cli, ["scorecard", "--corpus", str(out), "-g", "国务院", "--csv", "--headline"])
    assert r.exit_code == 0 and r.output.startswith("government,year,target_id")
    r = CliRunner().invoke(cli, ["scorecard", "--corpus", str(out), "-g", "枣庄市", "--ambition"])
    assert r.exit_code == 0 and "生态街巷100条" in r.output and "低于上年实绩" in r.output


def test_compare_year_and_government(built):
    out, _ = built
    r = CliRunner().invoke(cli, ["compare", "--corpus", str(out), "--year", "2024", "--json"])
    assert r.exit_code == 0
    table = json.loads(r.output)["table"]
    assert table["columns"] == ["枣庄市"] and table["rows"][0]["key"] == "gdp_growth"
    r = CliRunner().invoke(cli, ["compare", "--corpus", str(out), "--government", "国务院", "--csv"])
    assert r.exit_code == 0 and "生产总值增长" in r.output and "2019" in r.output


def test_errors_are_one_line(tmp_path, built):
    out, _ = built
    with pytest.raises(NotFoundError):
        load_reports(tmp_path / "missing.sqlite")
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError):
        file_statuses(bogus)
    with pytest.raises(InputError):
        build(tmp_path / "nope", tmp_path / "x.sqlite", progress=False)
    r = CliRunner().invoke(cli, ["compare", "--corpus", str(out)])
    assert r.exit_code != 0


def test_new_extractor_version_or_force_extracts_everything_again(folder, tmp_path):
    from luoshi.corpus.schema import Meta, engine_for

    out = tmp_path / "v.sqlite"
    build(folder, out, workers=1, progress=False)
    assert build(folder, out, workers=1, progress=False, force=True).processed == 7
    # a corpus built by an older luoshi: its extractions may differ from what this one gives
    from sqlalchemy.orm import Session

    engine = engine_for(out, create=False)
    with Session(engine) as session:
        session.merge(Meta(key="extractor_version", value="0.0.1"))
        session.commit()
    engine.dispose()
    again = build(folder, out, workers=1, progress=False)
    assert (again.processed, again.unchanged) == (7, 0)
    assert build(folder, out, workers=1, progress=False).processed == 0


def test_status_lists_each_reports_warnings(built):
    out, _ = built
    r = CliRunner().invoke(cli, ["corpus", "status", str(out)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    seed = lines.index("zaozhuang-2024.txt\t枣庄市 2024")
    # the seed never names its city: the name was read from the text and the operator is told so
    assert lines[seed + 1] == "  警告[government_inferred] 报告未写明作报告的政府，按正文中反复提到的枣庄市处理，请核对"
    assert "notes/broken.txt\t失败：" in r.output
    rows = {s.path: s for s in file_statuses(out)}
    assert ("government_inferred", "报告未写明作报告的政府，按正文中反复提到的枣庄市处理，请核对") in rows[
        "zaozhuang-2024.txt"
    ].warnings
    assert rows["national-2021.txt"].warnings == ()


def test_health_check_lists_each_report_and_fails_on_index_mismatch(tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    for name in ("zaozhuang-2024.txt", "national-2021.txt"):
        shutil.copy(REPORTS / name, d / name)
    index = tmp_path / "index.tsv"
    index.write_text("file\tgovernment\tplan_year\nzaozhuang-2024.txt\t枣庄市\t2024\n"
                     "national-2021.txt\t国务院\t2021\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["corpus", "status", "--check", str(d), "--index", str(index), "-j", "1"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "✓ national-2021.txt\t国务院 2021"
    assert lines[1].startswith("  部分：2020年工作回顾〔回顾〕；")
    assert "与索引核对 2 份：政府正确 2/2，年度正确 2/2" in lines
    assert lines[-1] == "全部通过"

    index.write_text("file\tgovernment\tplan_year\nzaozhuang-2024.txt\t枣庄市\t2023\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["corpus", "status", "--check", str(d), "--index", str(index), "-j", "1", "--json"])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    seed = next(x for x in out["reports"] if x["path"] == "zaozhuang-2024.txt")
    assert seed["problems"] == ["年度与索引不符：2024 ≠ 2023"]
    assert seed["targets"] > 0 and seed["actuals"] > 0 and seed["headline"] > 0
    assert out["totals"]["indexed"] == 1 and out["totals"]["year_right"] == 0 and not out["ok"]

    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tyear\nx\t1\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["corpus", "status", "--check", str(d), "--index", str(bad)])
    assert isinstance(r.exception, InputError) and "索引需要 file、government、plan_year 三列" in str(r.exception)
    r = CliRunner().invoke(cli, ["corpus", "status"])
    assert r.exit_code == 2 and "请指定语料库文件，或用 --check DIR 体检一个文件夹" in r.output
