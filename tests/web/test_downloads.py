"""Downloads and uploads in the web app: the documents the CLI makes, as files with their Chinese
names, to those the rules allow; an uploaded plan or template previewed as a diff table, applied
on confirmation (audited under the user's name), 「无变化」 when nothing changes, refused rows
listed with their row numbers."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from luoshi.export.downloads import DOCX, XLSX

from .conftest import Ledger


def _filename(r) -> str:  # type: ignore[no-untyped-def]
    """The file name a browser saves as: the RFC 5987 ``filename*`` of Content-Disposition."""
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;") and 'filename="' in cd, cd
    m = re.search(r"filename\*=UTF-8''(\S+)", cd)
    assert m, cd
    return unquote(m.group(1))


def _cells(data: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(data))
    return [[c for c in row] for ws in wb.worksheets if ws.sheet_state == "visible"
            for row in ws.iter_rows(values_only=True)]


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def _find(ws, header: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(row, column) of the header cell ``header``."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == header:
                return cell.row, cell.column
    raise AssertionError(f"no header {header!r}")


def _row_of(ws, id_col: int, header_row: int, cid: int) -> int:  # type: ignore[no-untyped-def]
    for r in range(header_row + 1, ws.max_row + 1):
        if str(ws.cell(r, id_col).value or "").strip() == str(cid):
            return r
    raise AssertionError(f"no row for {cid}")


def _save(wb) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "分工方案.xlsx", report: int | None = None, csrf: bool = True):  # type: ignore[no-untyped-def]
    fields = {"report": str(report or "")}
    if csrf:
        fields["csrf_token"] = client.csrf
    return client.post("/downloads/upload", data=fields, files={"file": (name, data, XLSX)}, follow_redirects=False)


def _token(html: str) -> str:
    m = re.search(r'name="token" value="([^"]+)"', html)
    assert m, "no 确认导入 form on the preview"
    return m.group(1)


def _apply(client, token: str, report: int):  # type: ignore[no-untyped-def]
    return client.post("/downloads/apply", data={"token": token, "report": str(report), "csrf_token": client.csrf},
                       follow_redirects=False)


def _banner(client, r) -> str:  # type: ignore[no-untyped-def]
    assert r.status_code == 303, r.text[:300]
    page = client.get(r.headers["location"])
    m = re.search(r'<p class="flash (ok|error)" role="(?:status|alert)">([^<]+)</p>', page.text)
    assert m, page.text[:2000]
    return f"{m.group(1)}:{m.group(2)}"


def _rows(html: str, table_id: str) -> list[list[str]]:
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S)
    return [[re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            for row in rows]


# --------------------------------------------------------------------------- downloads


def test_plan_as_xlsx_and_docx_with_chinese_names(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    x = admin.get("/downloads/plan.xlsx", params={"report": ledger.report})
    assert x.status_code == 200 and x.headers["content-type"] == XLSX
    assert _filename(x) == "测试市_2024年政府工作报告重点任务分工方案.xlsx"
    cells = [v for row in _cells(x.content) for v in row if isinstance(v, str)]
    assert "全年实施省市重点项目260个以上" in cells and "年内建成市民服务中心" in cells
    d = admin.get("/downloads/plan.docx", params={"report": ledger.report, "number": 7})
    assert d.status_code == 200 and d.headers["content-type"] == DOCX
    assert _filename(d) == "测试市_2024年政府工作报告重点任务分工方案.docx"
    text = _docx_text(d.content)
    assert "全年实施省市重点项目260个以上" in text and re.search(r"〔\d{4}〕7号", text)  # 印发 today, as the CLI


def test_templates_go_to_the_office_and_to_the_units_own_liaison(ledger: Ledger, as_user) -> None:
    l1 = as_user("liaison1")
    own = l1.get("/downloads/template.xlsx", params={"period": ledger.q1})
    assert own.status_code == 200 and own.headers["content-type"] == XLSX
    assert _filename(own) == "市发展和改革委员会_2024Q1_进度填报模板.xlsx"
    texts = {v for row in _cells(own.content) for v in row if isinstance(v, str)}
    assert "全年实施省市重点项目260个以上" in texts and "年内建成市民服务中心" not in texts
    other = l1.get("/downloads/template.xlsx", params={"unit": ledger.unit2, "period": ledger.q1},
                   headers={"Accept": "application/json"})
    assert other.status_code == 403 and other.json()["error"] == "只能下载本单位的填报模板"
    office = as_user("admin").get("/downloads/template.xlsx", params={"unit": ledger.unit2, "period": ledger.q1})
    assert office.status_code == 200 and _filename(office) == "市行政审批服务局_2024Q1_进度填报模板.xlsx"
    assert "年内建成市民服务中心" in {v for row in _cells(office.content) for v in row if isinstance(v, str)}
    no_unit = as_user("admin").get("/downloads/template.xlsx", headers={"Accept": "application/json"})
    assert no_unit.status_code == 422 and no_unit.json()["error"] == "请选择单位"


def test_bulletin_and_extraction(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    b = admin.get("/downloads/bulletin.docx", params={"period": ledger.q1, "number": 3})
    assert b.status_code == 200 and b.headers["content-type"] == DOCX
    assert _filename(b) == "测试市_2024Q1_督查通报.docx"
    text = _docx_text(b.content)
    assert "第3期" in text and "市发展和改革委员会" in text
    e = admin.get("/downloads/extraction.xlsx", params={"report": ledger.report})
    assert e.status_code == 200 and e.headers["content-type"] == XLSX
    assert _filename(e) == "测试市_2024年政府工作报告_抽取结果.xlsx"
    wb = load_workbook(io.BytesIO(e.content))
    assert wb.sheetnames == ["目标", "任务", "实绩"]
    assert [c.value for c in wb["目标"][1]][:3] == ["编号", "指标", "动词"]
    quotes = [row[11] for row in wb["目标"].iter_rows(min_row=2, values_only=True)]
    assert any("260" in (q or "") for q in quotes), quotes
    # a leader reads, a liaison fills their template: neither takes the office's documents
    for who in ("leader", "liaison1"):
        c = as_user(who)
        for url in ("/downloads/plan.xlsx", "/downloads/bulletin.docx", "/downloads/extraction.xlsx"):
            r = c.get(url, headers={"Accept": "application/json"})
            assert r.status_code == 403 and r.json()["error"] == "没有权限执行此操作", (who, url)


def test_the_page_offers_what_the_caller_may_download(ledger: Ledger, as_user) -> None:
    office = as_user("admin").get("/downloads", params={"report": ledger.report})
    assert f'href="/downloads/plan.xlsx?report={ledger.report}"' in office.text
    assert office.text.count("督查通报（Word）") == 4  # one per quarter
    twin = as_user("admin").get("/downloads", params={"report": ledger.report, "format": "json"}).json()
    assert [u["name"] for u in twin["units"]] == ["市发展和改革委员会", "市行政审批服务局"]
    mine = as_user("liaison1").get("/downloads")
    assert mine.status_code == 200 and "plan.xlsx" not in mine.text and "督查通报" not in mine.text
    assert re.findall(r'<select name="unit" id="template-unit"><option value="(\d+)">', mine.text) == [str(ledger.unit1)]
    assert as_user("leader").get("/downloads").status_code == 403


# --------------------------------------------------------------------------- plan upload


def _plan_with_deadline(admin, ledger: Ledger, cid: int, deadline: str) -> tuple[bytes, int]:  # type: ignore[no-untyped-def]
    """The exported plan with ``cid``'s 完成时限 changed, and the sheet row of that commitment."""
    wb = load_workbook(io.BytesIO(admin.get("/downloads/plan.xlsx", params={"report": ledger.report}).content))
    ws = wb.worksheets[0]
    header_row, id_col = _find(ws, "编号")
    _, deadline_col = _find(ws, "完成时限")
    row = _row_of(ws, id_col, header_row, cid)
    ws.cell(row, deadline_col).value = deadline
    return _save(wb), row


def test_plan_upload_previews_a_diff_then_applies_it_audited(ledger: Ledger, as_user, engine) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import AuditEvent, Commitment

    admin = as_user("admin")
    data, row = _plan_with_deadline(admin, ledger, ledger.b, "2024年6月底")
    preview = _upload(admin, data, report=ledger.report)
    assert preview.status_code == 200, preview.text[:500]
    assert "分工方案：修改 1 项，新增 0 项，未变 2 项。" in preview.text
    rows = _rows(preview.text, "diff")
    assert len(rows) == 1
    line, cid, text, field, before, after = rows[0]
    assert (line, cid, text, field, before, after) == (str(row), str(ledger.b), "年内建成市民服务中心", "完成时限", "2024年12月底",
                                                 "2024年6月底")
    db = session_factory(engine)()
    try:
        assert db.get(Commitment, ledger.b).deadline.isoformat() == "2024-12-31"  # a preview changes nothing
    finally:
        db.close()
    assert _banner(admin, _apply(admin, _token(preview.text), ledger.report)) == "ok:已导入分工方案：修改 1 项，新增 0 项"
    db = session_factory(engine)()
    try:
        c = db.get(Commitment, ledger.b)
        assert c.deadline.isoformat() == "2024-06-30"
        events = list(db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Commitment",
                                                           AuditEvent.entity_id == str(ledger.b),
                                                           AuditEvent.action == "update")))
        assert [(e.actor, e.after.get("deadline")) for e in events] == [("admin", "2024-06-30")]
    finally:
        db.close()
    # the same workbook again: nothing to do, said so, no button
    again = _upload(admin, data, report=ledger.report)
    assert "无变化：分工方案与台账一致，不需要导入。" in again.text and 'name="token"' not in again.text


def test_plan_with_errors_lists_them_by_row_and_applies_nothing(ledger: Ledger, as_user) -> None:
    admin = as_user("admin")
    wb = load_workbook(io.BytesIO(admin.get("/downloads/plan.xlsx").content))
    ws = wb.worksheets[0]
    header_row, id_col = _find(ws, "编号")
    _, lead_col = _find(ws, "牵头单位")
    row = _row_of(ws, id_col, header_row, ledger.a)
    ws.cell(row, lead_col).value = "市火星开发局"
    r = _upload(admin, _save(wb), report=ledger.report)
    assert r.status_code == 422
    assert "工作簿有1处问题，未导入任何数据。" in r.text and 'name="token"' not in r.text
    errors = _rows(r.text, "import-errors")
    assert len(errors) == 1 and errors[0][1] == str(row) and "牵头单位" in errors[0][2]
    assert "市火星开发局" in errors[0][3]


def test_uploads_are_checked_for_csrf_size_kind_and_owner(ledger: Ledger, as_user, app) -> None:
    admin = as_user("admin")
    data, _row = _plan_with_deadline(admin, ledger, ledger.b, "2024年6月底")
    no_token = _upload(admin, data, csrf=False)
    assert no_token.status_code == 403 and "页面已过期" in no_token.text
    from luoshi.web.limits import max_workbook_bytes

    big = b"PK" + b"\0" * (max_workbook_bytes(app.state.settings) + 10)
    r = admin.post("/downloads/upload", data={"csrf_token": admin.csrf}, files={"file": ("大.xlsx", big, XLSX)},
                   headers={"Accept": "application/json"})
    assert r.status_code == 413 and "上传的文件过大：工作簿最多 5 MB" in r.json()["error"]
    junk = _upload(admin, "不是工作簿".encode(), name="说明.xlsx")
    assert _banner(admin, junk) == "error:不是 .xlsx 工作簿（文件不是 zip 格式）：请另存为 .xlsx 后再导入"
    csv = _upload(admin, "编号,完成时限\n2,2024年6月底\n".encode(), name="分工方案.csv")
    assert _banner(admin, csv).startswith("error:这是文本或 CSV 文件，不是 Excel 工作簿")
    liaison = as_user("liaison1")
    refused = liaison.post("/downloads/upload", data={"csrf_token": liaison.csrf},
                           files={"file": ("分工方案.xlsx", data, XLSX)}, headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json()["error"] == "只有督查室可以导入分工方案"
    preview = _upload(admin, data, report=ledger.report)
    other = as_user("admin")  # another session of the same account may apply; a liaison may not
    r = liaison.post("/downloads/apply", data={"token": _token(preview.text), "csrf_token": liaison.csrf},
                     headers={"Accept": "application/json"})
    assert r.status_code == 403
    forged = _apply(other, _token(preview.text)[:-3] + "abc", ledger.report)
    assert _banner(other, forged) == "error:预览已过期，请重新上传工作簿"


# --------------------------------------------------------------------------- template upload


def _filled(client, ledger: Ledger, unit: int | None, values: dict[int, tuple[float, str]]) -> bytes:  # type: ignore[no-untyped-def]
    params = {"period": ledger.q1, **({"unit": unit} if unit else {})}
    wb = load_workbook(io.BytesIO(client.get("/downloads/template.xlsx", params=params).content))
    ws = wb["进度填报"]
    header_row, id_col = _find(ws, "编号")
    _, pct_col = _find(ws, "完成进度(%)")
    _, text_col = _find(ws, "进展情况")
    for cid, (pct, words) in values.items():
        row = _row_of(ws, id_col, header_row, cid)
        ws.cell(row, pct_col).value = pct
        ws.cell(row, text_col).value = words
    return _save(wb)


def test_liaison_fills_their_template_previews_applies_then_no_change(ledger: Ledger, as_user, engine) -> None:
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import ProgressReport

    l1 = as_user("liaison1")
    data = _filled(l1, ledger, None, {ledger.a: (40, "已开工项目180个")})
    preview = _upload(l1, data, name="模板.xlsx")
    assert preview.status_code == 200, preview.text[:500]
    assert "进度填报：市发展和改革委员会 2024Q1，报送 1 项，未填 0 项。" in preview.text
    rows = _rows(preview.text, "diff")
    assert [r[1:] for r in rows] == [[str(ledger.a), "全年实施省市重点项目260个以上", "40%", "", "已开工项目180个", "新报送"]]
    assert _banner(l1, _apply(l1, _token(preview.text), ledger.report)) == \
        "ok:已导入 市发展和改革委员会 2024Q1 进度 1 项，等待督查室审核"
    db = session_factory(engine)()
    try:
        pr = db.scalar(select(ProgressReport).where(ProgressReport.commitment_id == ledger.a,
                                                    ProgressReport.period_id == ledger.q1))
        assert (pr.percent, pr.state, pr.narrative) == (40, "submitted", "已开工项目180个")
    finally:
        db.close()
    again = _upload(l1, data, name="模板.xlsx")
    assert "无变化：本表内容与已报送的进度相同，不需要导入。" in again.text


def test_liaison_cannot_import_another_units_template(ledger: Ledger, as_user) -> None:
    data = _filled(as_user("admin"), ledger, ledger.unit2, {ledger.b: (50, "主体完工")})
    l1 = as_user("liaison1")
    r = l1.post("/downloads/upload", data={"csrf_token": l1.csrf}, files={"file": ("模板.xlsx", data, XLSX)},
                headers={"Accept": "application/json"})
    assert r.status_code == 403
    assert r.json()["error"] == "这是“市行政审批服务局”的填报模板，只能导入本单位的模板"


@pytest.mark.parametrize("who", ["leader", None])
def test_the_page_and_the_uploads_are_closed_to_others(ledger: Ledger, as_user, client, who) -> None:
    c = as_user(who) if who else client
    r = c.get("/downloads", headers={"Accept": "application/json"})
    assert r.status_code == (403 if who else 401)
