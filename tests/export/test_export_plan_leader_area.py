"""The plan round trip keeps 责任领导 and the area of new rows — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from conftest import Ledger
from sqlalchemy import func, select

from luoshi.export.downloads import import_upload, plan_download
from luoshi.export.errors import WorkbookRejected
from luoshi.export.plan_xlsx import HEADER_ROW, SHEET
from luoshi.ledger.models import LEADER_MAX_LENGTH, AuditEvent, Commitment
from luoshi.ledger.services import commitments as commitment_service
from luoshi.ledger.services.history import history

HEADLINE = "一、主要预期目标"
# plan headings of the report's areas （二）（三）（四） (the plan numbers 主要预期目标 first)
AREA_2 = "三、聚力深化创新驱动，培育高维度竞争优势"
AREA_3 = "四、聚力拓展市场空间，构建高水平开放格局"
AREA_4 = "五、聚力推动城市焕新，打造高能级鲁南门户"
LEADER = "市政府副市长 张三"


def _export(ledger: Ledger, *, with_leader: bool = False, fmt: str = "xlsx") -> bytes:
    with ledger.session() as s:
        return plan_download(s, ledger.report_id, with_leader=with_leader, fmt=fmt).content


def _open(content: bytes):  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return wb, wb[SHEET]


def _save(wb) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _headers(ws) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.value for c in ws[HEADER_ROW]]


def _grouped(ws) -> list[tuple[int, str, list]]:  # type: ignore[no-untyped-def]
    """(row number, heading above it, values) of every task row."""
    out, group = [], ""
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        values = [c.value for c in row]
        if values[0] and values[1] is None:
            group = values[0]
        elif values[1] is not None:
            out.append((row[0].row, group, values))
    return out


def _heading_row(ws, title: str) -> int:  # type: ignore[no-untyped-def]
    return next(r[0].row for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == title)


def _new_row(ws, at: int, text: str, lead: str, leader: str | None = None) -> None:  # type: ignore[no-untyped-def]
    ws.insert_rows(at)
    col = {h: j for j, h in enumerate(_headers(ws), start=1)}
    ws.cell(at, col["重点任务"]).value = text
    ws.cell(at, col["牵头单位"]).value = lead
    if leader is not None:
        ws.cell(at, col["责任领导"]).value = leader


def test_new_rows_keep_their_area_on_the_next_export(ledger: Ledger) -> None:
    wb, ws = _open(_export(ledger))
    assert _heading_row(ws, AREA_4) > _heading_row(ws, AREA_3) > _heading_row(ws, AREA_2)
    _new_row(ws, _heading_row(ws, AREA_3) + 1, "建设市级跨境电商公共海外仓2处", "市商务局")
    _new_row(
        ws, _heading_row(ws, AREA_3), "建设市级科技成果转化中试基地2处", "市科技局"
    )  # last row of （二）
    _new_row(ws, _heading_row(ws, HEADLINE) + 1, "森林覆盖率保持在30%以上", "市自然资源和规划局")
    edited = _save(wb)

    with ledger.session("office") as s:
        preview = import_upload(s, edited, apply=False, author="office")
    areas = {r.text: next(c.after for c in r.changes if c.field == "所属分组") for r in preview.creations}
    assert areas == {
        "建设市级跨境电商公共海外仓2处": AREA_3,
        "建设市级科技成果转化中试基地2处": AREA_2,
        "森林覆盖率保持在30%以上": HEADLINE,
    }
    with ledger.session("office") as s:
        result = import_upload(s, edited, apply=True, author="office")
    assert len(result.created_ids) == 3
    with ledger.session() as s:
        made = {c.text: c for c in (s.get_one(Commitment, i) for i in result.created_ids)}
        area = made["建设市级跨境电商公共海外仓2处"].section
        assert area.title == AREA_3.split("、", 1)[1] and area.key == "2.3"
        assert made["建设市级科技成果转化中试基地2处"].section.title == AREA_2.split("、", 1)[1]
        top = made["森林覆盖率保持在30%以上"]
        assert top.headline and top.section is None and top.source == "manual"
        created = next(
            e for e in history(s, made["建设市级跨境电商公共海外仓2处"].id) if e.action == "create"
        )
        assert created.actor == "office" and created.after["section_id"] is not None

    _wb, again = _open(_export(ledger))
    group_of = {v[1]: g for _n, g, v in _grouped(again)}
    assert group_of["建设市级跨境电商公共海外仓2处"] == AREA_3
    assert group_of["建设市级科技成果转化中试基地2处"] == AREA_2
    assert group_of["森林覆盖率保持在30%以上"] == HEADLINE
    assert "其他任务" not in "".join(g for _n, g, _v in _grouped(again))
    with ledger.session("office") as s:
        assert import_upload(s, _export(ledger), apply=True, author="office").empty


def _leaders(ledger: Ledger) -> dict[int, str | None]:
    with ledger.session() as s:
        query = select(Commitment.id, Commitment.leader).where(Commitment.report_id == ledger.report_id)
        return {cid: leader for cid, leader in s.execute(query)}


def test_leader_column_round_trips_as_audited_edits(ledger: Ledger) -> None:
    plain = _headers(_open(_export(ledger))[1])
    assert "责任领导" not in plain  # no leaders yet and not asked for
    wb, ws = _open(_export(ledger, with_leader=True))
    headers = _headers(ws)
    assert headers[4] == "责任领导"
    rows = _grouped(ws)
    assert all(v[4] is None for _n, _g, v in rows)
    (n1, _g1, v1), (n2, _g2, v2) = rows[0], rows[5]
    ws.cell(n1, 5).value = f"{LEADER}\n"
    ws.cell(n2, 5).value = "常务副市长李四/副市长王五（协管）"  # no fixed format: free text
    _new_row(
        ws, _heading_row(ws, AREA_3) + 1, "建设市级跨境电商公共海外仓2处", "市科技局", leader="副市长 赵六"
    )
    edited = _save(wb)

    with ledger.session("office") as s:
        preview = import_upload(s, edited, apply=False, author="office")
    assert {r.commitment_id: [(c.field, c.before, c.after) for c in r.changes] for r in preview.updates} == {
        v1[-1]: [("责任领导", "", LEADER)],
        v2[-1]: [("责任领导", "", "常务副市长李四/副市长王五（协管）")],
    }
    assert ("责任领导", "", "副市长 赵六") in [
        (c.field, c.before, c.after) for c in preview.creations[0].changes
    ]
    assert not any("责任领导" in w for w in preview.warnings)
    assert set(_leaders(ledger).values()) == {None}  # preview wrote nothing

    with ledger.session("office") as s:
        result = import_upload(s, edited, apply=True, author="office")
    leaders = _leaders(ledger)
    assert leaders[v1[-1]] == LEADER and leaders[v2[-1]] == "常务副市长李四/副市长王五（协管）"
    assert leaders[result.created_ids[0]] == "副市长 赵六"
    assert sum(1 for v in leaders.values() if v) == 3
    with ledger.session() as s:
        (event,) = [e for e in history(s, v1[-1]) if e.action == "update" and "leader" in (e.after or {})]
        assert (event.actor, event.before["leader"], event.after["leader"]) == ("office", None, LEADER)
        assert commitment_service.to_dict(s.get_one(Commitment, v1[-1]))["leader"] == LEADER

    # the next export prints the column even without --with-leader, filled; re-import changes nothing
    wb, ws = _open(_export(ledger))
    assert _headers(ws) == headers
    got = {v[-1]: v[4] for _n, _g, v in _grouped(ws)}
    assert got[v1[-1]] == LEADER and got[result.created_ids[0]] == "副市长 赵六"
    with ledger.session("office") as s:
        assert import_upload(s, _save(wb), apply=True, author="office").empty
    # the Word plan prints it as well
    table = docx.Document(io.BytesIO(_export(ledger, fmt="docx"))).tables[0]
    assert table.rows[0].cells[4].text == "责任领导"
    assert LEADER in [r.cells[4].text for r in table.rows]

    # clearing a cell clears the leader (audited)
    row = next(n for n, _g, v in _grouped(ws) if v[-1] == v1[-1])
    ws.cell(row, 5).value = None
    with ledger.session("office") as s:
        import_upload(s, _save(wb), apply=True, author="office")
    assert _leaders(ledger)[v1[-1]] is None
    with ledger.session() as s:
        last = [e for e in history(s, v1[-1]) if e.action == "update" and "leader" in (e.after or {})][-1]
        assert last.before["leader"] == LEADER and last.after["leader"] is None


def test_overlong_leader_is_a_row_error_and_nothing_changes(ledger: Ledger) -> None:
    wb, ws = _open(_export(ledger, with_leader=True))
    rows = _grouped(ws)
    ws.cell(rows[0][0], 5).value = "长" * (LEADER_MAX_LENGTH + 1)
    ws.cell(rows[1][0], 5).value = LEADER  # a valid edit, not applied either
    with ledger.session() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEvent))
    with ledger.session("office") as s, pytest.raises(WorkbookRejected) as info:
        import_upload(s, _save(wb), apply=True, author="office")
    ((sheet, row, column, message),) = [(e.sheet, e.row, e.column, e.message) for e in info.value.errors]
    assert (sheet, row, column) == (SHEET, rows[0][0], "E列（责任领导）")
    assert f"最多{LEADER_MAX_LENGTH}字" in message
    assert set(_leaders(ledger).values()) == {None}
    with ledger.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
