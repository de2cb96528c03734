"""The seed report (枣庄 2024): no 2025 report yet, and targets below 2023's results.

Read from the seed: 2023 results 生态街巷119条, 老旧小区改造135个, 打通断头路19条, 500万元以上技改项目440个,
10亿元及以上项目95个, 新增植树造林8150亩, 购置校车70辆, 新增学位2.4万个, 美丽幸福示范河湖10条, 省级乡村振兴
齐鲁样板示范区4个, 旅游公路101公里; growth 地区生产总值6.4%, 一般公共预算收入7.2%, 社会消费品零售总额11.3%,
居民人均可支配收入(预计)6%. The 2024 plan sets each of these lower.
"""

from __future__ import annotations

import pytest

from luoshi.reconcile.ambition import ambition_check
from luoshi.reconcile.reconcile import NO_DATA, QUALITATIVE, reconcile_report

BELOW = {  # target quote fragment → (target value, last year's value)
    "生态街巷100条": (100, 119),
    "79个老旧小区改造": (79, 135),
    "15条城区断头路": (15, 19),
    "工业技改项目400个": (400, 440),
    "10亿元及以上项目80个": (80, 95),
    "植树造林5000亩": (5000, 8150),
    "校车60辆": (60, 70),
    "学位1.3万个": (1.3, 2.4),
    "美丽幸福示范河湖6条": (6, 10),
    "2个省级齐鲁样板示范区": (2, 4),
    "旅游公路84公里": (84, 101),
    "生产总值增长5.5%左右": (5.5, 6.4),
    "一般公共预算收入增长5.5%": (5.5, 7.2),
    "社会消费品零售总额增长6%": (6, 11.3),
    "居民人均可支配收入增长5.5%以上": (5.5, 6),
}
NOT_BELOW = ["固定资产投资增长8%左右", "公园游园90处", "50亿元及以上项目25个", "规上农产品加工企业突破300家",
             "清洁取暖建设8.3万户"]


def test_seed_reconciles_to_no_data(seed):
    outs = reconcile_report(seed, None)
    assert outs and {o.status for o in outs} <= {NO_DATA, QUALITATIVE}
    assert all(o.actual is None for o in outs)
    assert any(o.status == NO_DATA for o in outs)


@pytest.mark.parametrize("fragment", sorted(BELOW))
def test_ambition_flags(seed, fragment):
    rows = [r for r in ambition_check(seed) if fragment in r.target.quote]
    assert rows, f"zaozhuang-2024: no last-year counterpart linked for「{fragment}」"
    r = rows[0]
    value, last = BELOW[fragment]
    assert r.target.value == pytest.approx(value)
    assert r.actual_value == pytest.approx(last), r.actual.quote
    assert r.below


@pytest.mark.parametrize("fragment", NOT_BELOW)
def test_ambition_does_not_flag(seed, fragment):
    assert not [r for r in ambition_check(seed) if fragment in r.target.quote and r.below]
