"""公文 format of the documents luoshi prints (GB/T 9704): 印发通知 + 附件, 督查通报, page numbers."""

from __future__ import annotations

import datetime as dt
import io

import docx
from conftest import Ledger
from docx.oxml.ns import qn

from luoshi.export.docx_style import title_lines
from luoshi.export.downloads import bulletin_download, plan_download
from luoshi.ledger.models import Report
from luoshi.ledger.services import periods


def _footer_texts(doc) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(odd, even) footer of every section: the text around the PAGE field and the field itself."""
    out = []
    for section in doc.sections:
        pair = []
        for footer in (section.footer, section.even_page_footer):
            xml = footer._element.xml
            assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
            pair.append(footer.paragraphs[0].text)
        out.append(tuple(pair))
    return out


def test_titles_break_between_words_never_inside_one() -> None:
    assert title_lines("关于2024年第一季度《2024年政府工作报告》重点任务落实情况的通报", 19.6) == [
        "关于2024年第一季度", "《2024年政府工作报告》", "重点任务落实情况的通报"]
    assert title_lines("《2024年政府工作报告》重点任务分工方案", 30) == ["《2024年政府工作报告》重点任务分工方案"]


def test_plan_docx_is_a_notice_with_the_plan_attached(ledger: Ledger) -> None:
    with ledger.session() as s:
        periods.configure(s, s.get_one(Report, ledger.report_id), doc_prefix="枣政办字")
        d = plan_download(s, ledger.report_id, fmt="docx", number=3, issued=dt.date(2024, 2, 20))
    doc = docx.Document(io.BytesIO(d.content))
    paras = [p.text for p in doc.paragraphs]
    assert paras[:2] == ["枣庄市人民政府办公室文件", "枣政办字〔2024〕3号"]
    assert doc.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xE6, 0x00, 0x12)  # red 发文机关标志
    assert "枣庄市人民政府办公室关于\n印发《2024年政府工作报告》\n重点任务分工方案的通知" in paras
    assert "各区（市）、县人民政府，市政府各部门，各有关单位：" in paras
    assert any(p.startswith("经枣庄市人民政府同意，现将《2024年政府工作报告》重点任务分工方案印发给你们") for p in paras)
    assert any(p.startswith("三、强化督查问效。枣庄市人民政府督查室将") for p in paras)
    assert paras.count("枣庄市人民政府办公室") == 1 and "2024年2月20日" in paras  # 落款
    assert "附件" in paras and "抄送：市委办公室，市人大常委会办公室，市政协办公室。" in paras
    assert "枣庄市人民政府办公室\t2024年2月20日印发" in paras  # 版记
    notice, annex = doc.sections
    assert (notice.orientation, annex.orientation) == (0, 1)  # portrait notice, landscape table
    assert round(notice.left_margin.cm, 1) == 2.8 and round(notice.top_margin.cm, 1) == 3.7
    assert _footer_texts(doc) == [("— 1 —", "— 1 —")] * 2  # the PAGE field shows 1 until laid out
    assert doc.settings.odd_and_even_pages_header_footer
    (table,) = doc.tables
    assert "编号" not in [c.text for c in table.rows[0].cells]
    props = doc.core_properties
    assert (props.title, props.author) == ("《2024年政府工作报告》重点任务分工方案", "枣庄市人民政府办公室")
    assert props.created.year >= 2026 and props.last_modified_by == "枣庄市人民政府办公室"


def test_bulletin_follows_gbt_9704(ledger: Ledger) -> None:
    with ledger.session() as s:
        periods.configure(s, s.get_one(Report, ledger.report_id), supervision_office="枣庄市政府督查室")
        d = bulletin_download(s, "2024Q1", report=ledger.report_id, issued=dt.date(2024, 4, 12), number=5)
    doc = docx.Document(io.BytesIO(d.content))
    paras = [p.text for p in doc.paragraphs]
    assert paras[:3] == ["督查通报", "第5期", "枣庄市政府督查室\t2024年4月12日"]
    assert 'w:color="E60012"' in doc.paragraphs[3]._p.xml  # the red rule under the 版头
    tail = [p for p in paras if p][-3:]
    assert tail == ["2024年4月12日", "抄送：市委办公室，市人大常委会办公室，市政协办公室。", "枣庄市政府督查室\t2024年4月12日印发"]
    assert _footer_texts(doc) == [("— 1 —", "— 1 —")]
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert heading.paragraph_format.keep_with_next
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    assert doc.core_properties.author == "枣庄市政府督查室"
