"""``luoshi extract`` and the pipeline entry points, end to end on the shared reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from luoshi.cli import main
from luoshi.paths import reports_dir
from luoshi.pipeline import extract_document, extract_path

REPORTS = reports_dir()
SEED = REPORTS / "zaozhuang-2024.txt"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture(scope="module")
def seed_extraction():
    return extract_path(SEED)


def test_extract_path_fills_report_info(seed_extraction) -> None:
    r = seed_extraction.report
    assert (r.government, r.year, r.title) == ("枣庄市", 2024, "2024年枣庄市政府工作报告")
    assert len(r.sha256) == 64 and r.path == str(SEED) and r.kind == "txt" and r.encoding == "utf-8"
    assert seed_extraction.sections[0] == {
        "id": "1",
        "parent": None,
        "level": 1,
        "title": "2023年工作回顾",
        "start": 52,
        "end": 4199,
        "role": "review",
    }
    assert seed_extraction.cleaned_text is None


def test_every_target_belongs_to_a_task(seed_extraction) -> None:
    """A target is carried by the row of its job; the 主要预期目标 head the plan on their own, so
    no measure row repeats them."""
    linked = {tid for task in seed_extraction.tasks for tid in task.targets}
    headline = {t.id for t in seed_extraction.targets if t.headline}
    assert len(headline) == 8
    assert {t.id for t in seed_extraction.targets} - headline == linked
    kinds = {t.kind for t in seed_extraction.tasks}
    assert kinds == {"quantified", "milestone", "measure"}


def test_overrides_and_text() -> None:
    from luoshi.ingest.read import load

    ex = extract_document(load(SEED), government="某市", year=2025, with_text=True)
    assert (ex.report.government, ex.report.year, ex.report.title) == ("某市", 2025, "2025年某市政府工作报告")
    assert ex.cleaned_text and ex.to_dict(with_text=True)["cleaned_text"] == ex.cleaned_text


def test_json_contract(capsys) -> None:
    code, out, _ = run(["extract", str(SEED), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"report", "sections", "targets", "actuals", "tasks"}
    assert {"government", "year", "title", "sha256"} <= set(data["report"])
    assert {"id", "parent", "level", "title", "start", "end"} <= set(data["sections"][0])
    t = data["targets"][0]
    assert {"id", "indicator", "metric", "value", "unit", "comparator", "modality", "section", "quote", "start",
            "end", "deadline"} <= set(t)  # fmt: skip
    assert {"id", "section", "text", "start", "end", "targets", "kind", "deadline"} <= set(data["tasks"][0])
    assert "生产总值" in out  # ensure_ascii=False
    code, out, _ = run(["extract", str(SEED), "--with-text"], capsys)
    data = json.loads(out)
    first = data["targets"][0]
    assert data["cleaned_text"][first["start"] : first["end"]] == first["quote"]


def test_table(capsys) -> None:
    code, out, _ = run(["extract", str(SEED), "--table"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2024年枣庄市政府工作报告")
    assert lines[1].split()[:3] == ["编号", "指标", "动词"]
    assert any(line.startswith("T001  生产总值") for line in lines)
    from luoshi.commands.output import display_width

    # CJK-aware: the data rows line up (same display width up to the quote column)
    widths = {display_width(line[: line.rfind("  ")]) for line in lines[3:8]}
    assert len(widths) == 1


def test_xlsx(tmp_path: Path, capsys, seed_extraction) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "seed.xlsx"
    code, _, _ = run(["extract", str(SEED), "--xlsx", str(out)], capsys)
    assert code == 0
    ws = load_workbook(out)["目标"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(seed_extraction.targets)
    quote_col = header.index("原文")
    assert [r[quote_col] for r in body] == [t.quote for t in seed_extraction.targets]
    assert body[0][header.index("编号")] == "T001"
    tasks = list(load_workbook(out)["任务"].iter_rows(values_only=True))
    header, body = tasks[0], tasks[1:]
    assert len(body) == len(seed_extraction.tasks)
    assert body[0][header.index("小标题")] == "梯次培育助企登高"
    assert body[0][header.index("任务")].startswith("启动实施“8010”工业企业登高行动")


def test_bad_file_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(["extract", str(empty)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("luoshi: ") and len(err.strip().splitlines()) == 1


def test_several_files_need_out(capsys) -> None:
    code, _, err = run(["extract", str(SEED), str(SEED)], capsys)
    assert code == 2 and "--out" in err


def test_batch_with_a_bad_file(tmp_path: Path, capsys) -> None:
    inputs = []
    for name in ("zaozhuang-2024.txt", "national-2023.txt"):
        shutil.copyfile(REPORTS / name, tmp_path / name)
        inputs.append(str(tmp_path / name))
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"")
    inputs.insert(1, str(bad))
    out = tmp_path / "out"
    code, _, err = run(["extract", *inputs, "--out", str(out), "--workers", "2"], capsys)
    assert code == 1
    assert "ok 2 / failed 1" in err
    assert f"failed {bad}" in err
    assert sorted(p.name for p in out.iterdir()) == ["national-2023.json", "zaozhuang-2024.json"]
    data = json.loads((out / "national-2023.json").read_text(encoding="utf-8"))
    assert data["report"]["government"] == "国务院" and data["report"]["year"] == 2023


def test_batch_all_ok(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, _, err = run(["extract", str(SEED), "--out", str(out), "--workers", "1"], capsys)
    assert code == 0 and "ok 1 / failed 0" in err
    assert (out / "zaozhuang-2024.json").exists()


def test_a_headline_block_that_yields_no_target_is_said() -> None:
    from luoshi.ingest.clean import clean
    from luoshi.ingest.document import RawText

    text = (
        "各位代表：\n一、2024年工作回顾\n过去一年，全市地区生产总值增长5.2%，新增城镇就业2.1万人。\n"
        "二、2025年工作安排\n今年主要预期目标是：各项指标8大类全面进步。\n要新建学校3所。\n"
    )
    doc = clean(RawText(text=text, path="t.txt", sha256="0" * 64, kind="txt", encoding="utf-8"))
    ex = extract_document(doc, government="某市", year=2025)
    assert [(t.value, t.headline) for t in ex.targets] == [(3, False)]
    assert {"code": "no_headline_targets", "message": "找到了今年的主要预期目标段落，但未从中读出任何目标，请核对该段并手动添加目标"} in (
        ex.report.warnings
    )
