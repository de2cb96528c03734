"""Numbers as written: Arabic and Chinese numerals, multipliers, units, ranges, comparators."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.extract.numbers import find_quantities, parse_number, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "value_max", "unit", "comparator"),
    [
        ("1.8万人", 1.8, None, "万人", "="),
        ("1,100万人以上", 1100, None, "万人", ">="),
        ("5.5%左右", 5.5, None, "%", "~"),
        ("约1.5万亿元", 1.5, None, "万亿元", "~"),
        ("4.5%以内", 4.5, None, "%", "<="),
        ("60微克以下", 60, None, "微克", "<="),
        ("超过1000万人", 1000, None, "万人", ">="),
        ("突破700家", 700, None, "家", ">="),
        ("不低于90%", 90, None, "%", ">="),
        ("不超过3%", 3, None, "%", "<="),
        ("至少5个", 5, None, "个", ">="),
        ("控制在5.5%", 5.5, None, "%", "<="),
        ("2.3万余亩", 2.3, None, "万亩", ">="),
        ("20多个", 20, None, "个", ">="),
        ("3%上下", 3, None, "%", "~"),
        ("2—3个", 2, 3, "个", "="),
        ("5%—5.5%", 5, 5.5, "%", "="),
        ("6%－6.5%", 6, 6.5, "%", "="),
        ("2~3个", 2, 3, "个", "="),
        ("2至3个", 2, 3, "个", "="),
        ("两到三个", 2, 3, "个", "="),
        ("100万元至300万元", 100, 300, "万元", "="),
        ("十二项", 12, None, "项", "="),
        ("三百所", 300, None, "所", "="),
        ("两个", 2, None, "个", "="),
        ("每立方米45微克", 45, None, "微克/立方米", "="),
        ("3万吨/天", 3, None, "万吨/天", "="),
        ("1.3万亿斤", 1.3, None, "万亿斤", "="),
        ("400万千瓦", 400, None, "万千瓦", "="),
        ("200万平方米", 200, None, "万平方米", "="),
        ("1000套（间）", 1000, None, "套（间）", "="),
        ("0.2个百分点", 0.2, None, "个百分点", "="),
        ("2.6万人次", 2.6, None, "万人次", "="),
        ("1383亿美元", 1383, None, "亿美元", "="),
        ("12.2平方公里", 12.2, None, "平方公里", "="),
        # the open list of measure words: 颗, 枚, 起, 宗, 例, 门, 期, 场次, 条（段）, 亿方
        ("144颗", 144, None, "颗", "="),
        ("48枚", 48, None, "枚", "="),
        ("120多万起", 120, None, "万起", ">="),
        ("182宗", 182, None, "宗", "="),
        ("1.2万例", 1.2, None, "万例", "="),
        ("30门", 30, None, "门", "="),
        ("10期", 10, None, "期", "="),
        ("223场次", 223, None, "场次", "="),
        ("10条（段）", 10, None, "条（段）", "="),
        ("370亿方", 370, None, "亿方", "="),
    ],
)
def test_quantity_as_written(
    text: str, value: float, value_max: float | None, unit: str, comparator: str
) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert (q.value, q.value_max, q.unit, q.comparator) == (value, value_max, unit, comparator)


def test_absolute_value_helper() -> None:
    q = parse_quantity("1.8万人")
    assert q is not None and q.absolute == 18000 and q.base_unit == "人"
    q = parse_quantity("1.5万亿元")
    assert q is not None and q.absolute == 1.5e12


@pytest.mark.parametrize("text", ["5G", "PM2.5", "一是", "十大工程", "2023-2024", "3D打印"])
def test_names_and_words_are_not_quantities(text: str) -> None:
    assert [q for q in find_quantities(text) if q.unit] == []


def test_offsets_point_into_the_text() -> None:
    text = "新增城镇就业3.2万人以上，城镇调查失业率5.5%左右"
    qs = find_quantities(text, base=100)
    assert [text[q.start - 100 : q.end - 100] for q in qs] == ["3.2万人以上", "5.5%左右"]


def test_chinese_numerals() -> None:
    assert parse_number("十二") == 12
    assert parse_number("两") == 2
    assert parse_number("1,234.5") == 1234.5
    with pytest.raises(ValueError):
        parse_number("多少")


_UNITS = st.sampled_from(["个", "家", "%", "万人", "亿元", "公里", "万千瓦", "个百分点", "万吨/天", "亩"])
_VALUES = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(value=_VALUES, unit=_UNITS, suffix=st.sampled_from(["", "以上", "左右", "以内"]))
def test_round_trip_of_generated_quantities(value, unit: str, suffix: str) -> None:
    written = f"{value.normalize():f}"
    q = parse_quantity(f"{written}{unit}{suffix}")
    assert q is not None
    assert q.value == float(written) and q.unit == unit and q.value_max is None
    assert q.comparator == {"": "=", "以上": ">=", "左右": "~", "以内": "<="}[suffix]


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(0, 5000),
    width=st.integers(1, 5000),
    unit=_UNITS,
    sep=st.sampled_from(["—", "－", "~", "至", "到"]),
)
def test_round_trip_of_generated_ranges(low: int, width: int, unit: str, sep: str) -> None:
    q = parse_quantity(f"{low}{sep}{low + width}{unit}")
    assert q is not None and (q.value, q.value_max, q.unit) == (low, low + width, unit)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="0123456789.,%一二两三四五六七八九十百千万亿个家以上左右约—－~至到每立方米微克", max_size=30
    )
)
def test_never_raises_on_number_like_text(text: str) -> None:
    find_quantities(text)
    parse_quantity(text)


def test_a_number_at_a_line_start_is_read() -> None:
    assert [(q.value, q.unit) for q in find_quantities("增长5%\n3个项目")] == [(5, "%"), (3, "个")]


def test_small_chinese_numerals_do_not_load_cn2an() -> None:
    """cn2an takes ~0.1 s to import: 一 … 九十九, 两, 一百 are read without it, other ones with it."""
    import subprocess
    import sys

    code = (
        "import sys; from luoshi.extract.numbers import parse_number as p; "
        "assert (p('两'), p('八'), p('十二'), p('二十'), p('一百'), p('两千')) == (2, 8, 12, 20, 100, 2000); "
        "assert 'cn2an' not in sys.modules; assert p('三百五') == 350; assert 'cn2an' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_numerals_read_by_table_agree_with_cn2an() -> None:
    import itertools

    import cn2an

    from luoshi.extract.numbers import _small_cn

    alphabet = "零〇一二两三四五六七八九十百千万"
    read = 0
    for n in range(1, 4):
        for chars in itertools.product(alphabet, repeat=n):
            s = "".join(chars)
            if _small_cn(s) is not None:
                read += 1
                assert parse_number(s) == float(cn2an.cn2an(s, "smart")), s
    assert read > 100


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("560万人民群众", "万"),
        ("覆盖农村5亿人口", "亿"),
        ("3方面", None),
        ("2门类", None),
        ("10起步", None),
        ("5宗旨", None),
        ("900多万个体工商户", "万"),
    ],
)
def test_a_measure_word_that_begins_a_word_is_no_unit(text: str, unit: str | None) -> None:
    (q,) = find_quantities(text)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("国民生产总值增长百分之六。", [(6, None, "%", "=", "百分之六")]),
        ("增长百分之七点五左右", [(7.5, None, "%", "~", "百分之七点五左右")]),
        ("百分之八至百分之九的增长", [(8, 9, "%", "=", "百分之八至百分之九")]),
        ("物价涨幅控制在百分之十以内", [(10, None, "%", "<=", "百分之十以内")]),
        ("增长百分之一百二十，达到5万吨", [(120, None, "%", "=", "百分之一百二十"), (5, None, "万吨", "=", "5万吨")]),
    ],
)
def test_percentages_in_words(text: str, expected: list) -> None:
    got = [(q.value, q.value_max, q.unit, q.comparator, text[q.start : q.end]) for q in find_quantities(text)]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("粮食产量34，250万吨，比1980年预计增加1，000万吨；", [(34250, "万吨"), (1980, "年"), (1000, "万吨")]),
        ("科学技术成果3，000多项。", [(3000, "项")]),
        # an ordinal, a group that is not three digits, or no unit after it: two numbers
        ("居全国第4，210个学科", [(4, None), (210, "个")]),
        ("列全省第3，3个县", [(3, None), (3, "个")]),
        ("每公斤发热量7，000大卡", [(7, None), (0, None)]),
    ],
)
def test_digits_grouped_with_a_full_width_comma(text: str, expected: list) -> None:
    assert [(q.value, q.unit) for q in find_quantities(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发电量3120亿度", [(3120, "亿度", "=")]),
        ("内燃机2000万马力", [(2000, "万马力", "=")]),
        ("城镇居民收入将增加四十多亿元", [(40, "亿元", ">=")]),
        ("重大科学研究项目共四百多项", [(400, "项", ">=")]),
        ("曾一度下降", []),  # 度 without a multiplier is no kilowatt-hour
    ],
)
def test_units_of_older_reports(text: str, expected: list) -> None:
    assert [(q.value, q.unit, q.comparator) for q in find_quantities(text)] == expected
