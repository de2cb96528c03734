"""The 督查通报: tables, fonts, embedded chart images, and the no-CJK-font fallback."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image

from luoshi.export.bulletin_docx import write_bulletin_docx
from luoshi.export.charts import bulletin_charts, cjk_font
from luoshi.export.model import Bulletin


def _texts(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[c.text for c in row.cells] for row in table.rows]


def test_bulletin_tables_and_images(sample_bulletin: Bulletin) -> None:
    doc = docx.Document(io.BytesIO(write_bulletin_docx(sample_bulletin)))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == "督查通报"
    assert paras[1] == "督查室\t2024年4月12日"  # 版头: issuer left, date right
    title = next(p for p in doc.paragraphs if p.text.replace("\n", "") == sample_bulletin.title)
    assert title.text.split("\n") == ["关于2024年第一季度", "《2024年政府工作报告》", "重点任务落实情况的通报"]
    rfonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    summary_text = next(p for p in paras if p.startswith("纳入督办的重点任务共"))
    assert "共5项" in summary_text and "严重滞后2项" in summary_text and "已报送4项" in summary_text
    assert "未报送1项" in summary_text
    for heading in ("一、总体情况", "二、严重滞后（红灯）任务", "三、进度滞后（黄灯）任务", "四、责任单位排名"):
        p = next(p for p in doc.paragraphs if p.text == heading)
        assert p.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"

    summary, red, yellow, ranking = doc.tables
    assert _texts(summary)[0] == ["指标", "数量（项）", "占比"]
    assert ["严重滞后（红灯）", "2", "40.0%"] in _texts(summary)
    red_rows = _texts(red)
    assert red_rows[0] == ["序号", "重点任务", "时序进度", "实际进度", "情况"]
    # grouped by unit: a merged heading row per unit, units in order
    assert red_rows[1] == ["市交通运输局（1项）"] * 5
    assert red_rows[2] == ["1", "建成投用枣菏高速", "30%", "5%", "落后时序进度25个百分点"]
    assert red_rows[3] == ["市工业和信息化局（1项）"] * 5
    assert red_rows[4][3] == "—"
    assert _texts(yellow)[1] == ["市住房城乡建设局（1项）"] * 5
    rank_rows = _texts(ranking)
    assert rank_rows[0] == ["排名", "责任单位", "任务数", "绿灯", "黄灯", "红灯", "未报送", "得分"]
    assert rank_rows[1] == ["1", "市发展改革委", "2", "2", "0", "0", "0", "100.0"]
    assert len(rank_rows) == 5
    for t in doc.tables:
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    images = [r for r in doc.part.rels.values() if "image" in r.reltype]
    assert len(images) == 2 and len(doc.inline_shapes) == 2
    img = Image.open(io.BytesIO(images[0].target_part.blob))
    assert img.format == "PNG" and img.width > 300
    assert any(p.startswith("图1") for p in paras) and any(p.startswith("图2") for p in paras)


def test_empty_lists_say_so(sample_bulletin: Bulletin) -> None:
    sample_bulletin.red_items = []
    sample_bulletin.yellow_items = []
    doc = docx.Document(io.BytesIO(write_bulletin_docx(sample_bulletin, charts=[])))
    paras = [p.text for p in doc.paragraphs]
    assert "本期无严重滞后任务。" in paras and "本期无进度滞后任务。" in paras
    assert len(doc.tables) == 2 and len(doc.inline_shapes) == 0


def test_charts_use_a_cjk_font_when_the_system_has_one(sample_bulletin: Bulletin) -> None:
    font = cjk_font()
    if font is None:
        pytest.fail("no CJK font found: install fonts-noto-cjk (the test set-up does)")
    charts = bulletin_charts(sample_bulletin)
    assert all(c.cjk for c in charts)
    assert "市发展改革委" not in charts[1].caption  # names are drawn in the image itself


def test_charts_fall_back_to_numbered_labels_explained_in_the_caption(sample_bulletin: Bulletin) -> None:
    status, ranking = bulletin_charts(sample_bulletin, font=False)
    assert not status.cjk and not ranking.cjk
    assert "R＝严重滞后 2项" in status.caption
    assert "1 市发展改革委；2 市住房城乡建设局" in ranking.caption
    assert Image.open(io.BytesIO(ranking.png)).format == "PNG"
