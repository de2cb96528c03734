"""The commands: luoshi export plan|template|bulletin and luoshi import-xlsx, on both engines."""

from __future__ import annotations

import io
import os

import docx
import openpyxl
import pytest
from conftest import Ledger

from luoshi.cli import main


@pytest.fixture
def cli_env(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, luoshi_home) -> Ledger:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LUOSHI_DATABASE_URL", ledger.engine.url.render_as_string(hide_password=False))
    return ledger


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_export_and_import_commands(cli_env: Ledger, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.xlsx"
    code, out, _ = run(["export", "plan", "--format", "xlsx", "--out", str(plan), "--report", str(cli_env.report_id)], capsys)
    assert code == 0 and "已导出" in out
    code, _, _ = run(["export", "plan", "--out", str(tmp_path / "plan.docx")], capsys)
    assert code == 0 and docx.Document(str(tmp_path / "plan.docx")).tables[0].rows[0].cells[1].text == "重点任务"
    code, _, _ = run(["export", "template", "--unit", "市工业和信息化局", "--period", "2024Q2", "--out", str(tmp_path / "t.xlsx")], capsys)
    assert code == 0 and openpyxl.load_workbook(tmp_path / "t.xlsx")["进度填报"]["C3"].value == "重点任务"
    code, _, _ = run(["export", "bulletin", "--period", "2024Q1", "--date", "2024-04-12", "--out", str(tmp_path / "b.docx")], capsys)
    assert code == 0 and len(docx.Document(str(tmp_path / "b.docx")).inline_shapes) == 2

    wb = openpyxl.load_workbook(plan)
    ws = wb["分工方案"]
    ws["E5"] = "2024年9月底"
    buf = io.BytesIO()
    wb.save(buf)
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(buf.getvalue())
    code, out, _ = run(["import-xlsx", str(edited), "--dry-run"], capsys)
    assert code == 0 and "修改 1 项" in out and "2024年9月底" in out and "预演，未写入" in out
    code, out, _ = run(["import-xlsx", str(edited), "--as", "office"], capsys)
    assert code == 0 and "已写入台账" in out
    code, out, _ = run(["import-xlsx", str(edited)], capsys)
    assert code == 0 and "修改 0 项" in out


def test_errors_are_one_line_with_exit_2(cli_env: Ledger, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(os.urandom(5 * 1024 * 1024))
    code, _, err = run(["import-xlsx", str(junk)], capsys)
    assert code == 2 and err.count("\n") == 1 and "不是 .xlsx 工作簿" in err
    code, _, err = run(["export", "template", "--unit", "市火星局", "--period", "2024Q1", "--out", str(tmp_path / "x.xlsx")], capsys)
    assert code == 2 and "未知单位“市火星局”" in err
    code, _, err = run(["export", "bulletin", "--period", "2030Q9", "--out", str(tmp_path / "x.docx")], capsys)
    assert code == 2 and "周期“2030Q9”不存在" in err


def test_template_sent_twice_says_no_change_and_notice_number(cli_env: Ledger, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.xlsx"
    code, _, _ = run(["export", "template", "--unit", "市工业和信息化局", "--period", "2024Q1", "--out", str(path)], capsys)
    wb = openpyxl.load_workbook(path)
    ws = wb["进度填报"]
    ws["J4"], ws["L4"] = 35, "按计划推进"
    wb.save(path)
    code, out, _ = run(["import-xlsx", str(path), "--as", "liaison"], capsys)
    assert code == 0 and "报送 1 项" in out and "已写入台账" in out
    code, out, _ = run(["import-xlsx", str(path), "--as", "liaison"], capsys)
    assert code == 0 and "与已报送相同 1 项" in out and "无变化：本表内容与已报送的进度相同" in out

    notice = tmp_path / "plan.docx"
    code, _, _ = run(["export", "plan", "--out", str(notice), "--number", "7", "--date", "2024-02-20"], capsys)
    assert code == 0 and [p.text for p in docx.Document(str(notice)).paragraphs][1] == "〔2024〕7号"
    code, _, err = run(["export", "plan", "--out", str(notice), "--number", "0"], capsys)
    assert code == 2 and "文号序号应在 1—99999 之间：0" in err


def test_extraction_workbook_of_a_stored_report(cli_env: Ledger, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The same workbook the web's 下载与导入 page serves, read again from the report's stored text."""
    out = tmp_path / "extraction.xlsx"
    code, said, _ = run(["export", "extraction", "--out", str(out), "--report", str(cli_env.report_id)], capsys)
    assert code == 0 and "已导出" in said
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["目标", "任务", "实绩"]
    targets = list(wb["目标"].iter_rows(min_row=2, values_only=True))
    assert len(targets) > 10 and any(row[1] == "地区生产总值" or "生产总值" in str(row[11]) for row in targets)
    code, _, err = run(["export", "extraction", "--out", str(out), "--report", "987654"], capsys)
    assert code != 0 and "987654" in err
