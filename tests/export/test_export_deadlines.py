"""完成时限 as the report gives it: extraction → ledger → every export, one format per document."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from conftest import Ledger, make_plan, make_template
from sqlalchemy import select

from luoshi.export.cells import format_deadline
from luoshi.export.downloads import import_upload, plan_download
from luoshi.export.plan_docx import write_plan_docx
from luoshi.export.plan_xlsx import HEADER_ROW, SHEET, write_plan_xlsx
from luoshi.export.template_xlsx import write_template_xlsx
from luoshi.extract.deadlines import deadline_phrase
from luoshi.ledger.models import Commitment


@pytest.mark.parametrize(("text", "expected"), [
    ("6月底前完成枣菏高速建设", (dt.date(2024, 6, 30), "6月底前")),
    ("上半年开工建设", (dt.date(2024, 6, 30), "上半年")),
    ("三季度末前全部建成投用", (dt.date(2024, 9, 30), "三季度末前")),
    ("年内新增规上企业200家", (dt.date(2024, 12, 31), "年内")),
    ("长期坚持绿色发展", (None, "长期坚持")),
    ("常态化开展安全生产检查", (None, "常态化")),
    ("持续推进老旧小区改造", (None, None)),  # a verb in a sentence, not a time
    ("推进老旧小区改造", (None, None)),
])
def test_deadline_phrase_keeps_the_reports_words(text: str, expected: tuple) -> None:
    assert deadline_phrase(text, 2024) == expected


def test_one_format_for_words_and_dates() -> None:
    assert [format_deadline(*a) for a in [
        (dt.date(2024, 6, 30), "上半年"), (dt.date(2024, 12, 31), "年内"), (None, "长期坚持"),
        (dt.date(2024, 12, 31), None), (dt.date(2024, 6, 15), None), (None, None),
    ]] == ["上半年", "年底前", "长期坚持", "2024年12月底", "2024年6月15日", ""]


def test_words_printed_the_same_in_xlsx_docx_and_template() -> None:
    plan = make_plan()
    plan.groups[0].rows[0].deadline_text = "年内"
    plan.groups[1].rows[1].deadline, plan.groups[1].rows[1].deadline_text = None, "长期坚持"
    ws = openpyxl.load_workbook(io.BytesIO(write_plan_xlsx(plan)))[SHEET]
    col = [c.value for c in ws[HEADER_ROW]].index("完成时限") + 1
    xlsx = [ws.cell(r, col).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert xlsx == [None, "年底前", "2024年12月底", None, "2024年6月底", "长期坚持"]
    table = docx.Document(io.BytesIO(write_plan_docx(plan))).tables[0]
    dcol = [c.text for c in table.rows[0].cells].index("完成时限")
    assert [r.cells[dcol].text for r in table.rows[1:] if r.cells[0].text.isdigit()] == [
        "年底前", "2024年12月底", "2024年6月底", "长期坚持"]
    template = make_template()
    template.rows[1].deadline_text = "三季度末"
    tws = openpyxl.load_workbook(io.BytesIO(write_template_xlsx(template)))["进度填报"]
    assert [tws.cell(r, 6).value for r in (4, 5, 6)] == ["2024年12月底", "三季度末", None]


def test_words_flow_from_the_report_into_the_ledger_and_back(ledger: Ledger) -> None:
    with ledger.session() as s:
        rows = list(s.scalars(select(Commitment).where(Commitment.report_id == ledger.report_id)))
        ongoing = [c for c in rows if c.deadline_text == "常态化"]
        assert ongoing and all(c.deadline is None for c in ongoing)
        assert {c.deadline_text for c in rows if c.deadline == dt.date(2024, 12, 31)} >= {"年内", None}
        content = plan_download(s, ledger.report_id, fmt="xlsx").content
    ws = openpyxl.load_workbook(io.BytesIO(content))[SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    col, id_col = headers.index("完成时限") + 1, headers.index("编号") + 1
    printed = {ws.cell(r, id_col).value: ws.cell(r, col).value for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    assert {printed[c.id] for c in ongoing if c.id in printed} == {"常态化"}
    assert set(printed.values()) - {None} <= {"常态化", "年底前", "2024年12月底"}

    # untouched: no change; words typed over a date: the ledger keeps both the date and the words
    with ledger.session() as s:
        assert import_upload(s, content, apply=False, author="t").empty
    target = next(i for i, v in printed.items() if v == "年底前")
    row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, id_col).value == target)
    ws.cell(row, col).value = "上半年"
    buf = io.BytesIO()
    ws.parent.save(buf)
    with ledger.session() as s:
        diff = import_upload(s, buf.getvalue(), apply=True, author="t")
    assert [(r.commitment_id, [(c.field, c.before, c.after) for c in r.changes]) for r in diff.updates] == [
        (target, [("完成时限", "年底前", "上半年")])]
    with ledger.session() as s:
        c = s.get_one(Commitment, target)
        assert (c.deadline, c.deadline_text) == (dt.date(2024, 6, 30), "上半年")
