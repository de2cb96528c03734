from datetime import date

import pytest

from luoshi.extract.deadlines import deadline_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("年内建成投用", date(2024, 12, 31)),
        ("全年新增城镇就业3.5万人", date(2024, 12, 31)),
        ("今年完成改造", date(2024, 12, 31)),
        ("年底前全部完工", date(2024, 12, 31)),
        ("上半年开工建设", date(2024, 6, 30)),
        ("一季度实现开门红", date(2024, 3, 31)),
        ("第一季度完成", date(2024, 3, 31)),
        ("三季度投产", date(2024, 9, 30)),
        ("6月底前完成", date(2024, 6, 30)),
        ("9月投入使用", date(2024, 9, 30)),
        ("十月底前建成", date(2024, 10, 31)),
        ("2月底完成", date(2024, 2, 29)),
        ("2025年底前建成", date(2025, 12, 31)),
        ("2024年6月底前完成", date(2024, 6, 30)),
        ("2023年增长5%，年内再增长", date(2024, 12, 31)),
    ],
)
def test_deadline_phrases(text: str, expected: date) -> None:
    assert deadline_in(text, 2024) == expected


@pytest.mark.parametrize(
    "text", ["加快建设现代化产业体系", "2023年地区生产总值增长", "实施6个月专项行动", "12345热线"]
)
def test_no_time_named(text: str) -> None:
    assert deadline_in(text, 2024) is None
