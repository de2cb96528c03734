"""The one terminal table every command prints: columns line up with Chinese text."""

from __future__ import annotations

import pytest

from luoshi.commands.output import clip, display_width, table


def test_widths_count_cjk_twice() -> None:
    assert display_width("GDP增长5%") == 9
    assert display_width("５") == 2  # full-width digits take two columns as well


def test_clip_ends_in_ellipsis_within_the_limit() -> None:
    assert clip("枣庄市发展和改革委员会", 9) == "枣庄市发…"
    assert display_width(clip("枣庄市发展和改革委员会", 9)) == 9
    assert clip("短", 9) == "短"


def test_rows_line_up_under_chinese_headers() -> None:
    out = table(["编号", "单位", "完成%"], [[1, "市发展改革委", 12.5], [12, "市财政局", None], [3, "x", True]])
    assert out.splitlines() == [
        "编号  单位          完成%",
        "----  ------------  -----",
        "1     市发展改革委  12.5",
        "12    市财政局      -",
        "3     x             是",
    ]


def test_per_column_limits_and_empty_cells() -> None:
    out = table(["指标", "2023", "2024"], [["生产总值增长率", None, "5%左右\n（预期）"]], max_col=[6, 4, 8], empty="")
    assert out.splitlines() == [
        "指标   2023  2024",
        "-----  ----  --------",
        "生产…        5%左右 …",
    ]
    with pytest.raises(ValueError, match="3 columns but 2 widths"):
        table(["a", "b", "c"], [], max_col=[1, 2])
