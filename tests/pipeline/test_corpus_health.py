"""The health check over every shared report: what a new user sees on reports luoshi was not built on.

Every report must have its government and plan year right, a headline block with its targets where
its text has one, and targets and actuals unless its text truly has none. The few exceptions are
listed here with the reason, read from the text.
"""

from __future__ import annotations

import pytest

from luoshi.corpus.health import Health, check, read_index
from luoshi.paths import reports_dir

pytestmark = pytest.mark.slow

# the reports beside dev/ (not in dev-index.tsv)
_TOP = {
    "zaozhuang-2024.txt": ("枣庄市", 2024),
    **{f"national-{y}.txt": ("国务院", y) for y in range(2019, 2024)},
}
# dev-index.tsv calls 黄山-2024 the report of 黄山市; its text is that of 黄山区 (我代表区人民政府,
# 2023年是黄山区发展史上…, 在市委、市政府和区委的坚强领导下, 区人大、区政协)
_INDEX_ERRATA = {"dev/黄山-2024.txt": ("黄山区", 2024)}

_NO_HEADLINE_REASON = "这一时期的国务院报告没有单列当年主要预期目标的段落"
# reports whose text has no block of the year's headline targets (checked by reading: no 主要预期目标 /
# 预期目标是 / 主要指标安排如下 / 今年计划国内生产总值增长… for the plan year)
NO_HEADLINE = {
    f"dev/national-{y}.txt": _NO_HEADLINE_REASON
    for y in (1954, 1956, 1958, 1960, 1964, 1978, 1982, 1984, 1986, 1988, 2000, 2002)
}
# reports whose text has no quantified target for the plan year at all
NO_TARGETS = {
    "dev/national-1960.txt": "关于1956—1967年全国农业发展纲要执行情况的报告：只有纲要到1967年的要求，"
    "没有1960年的量化目标（只说“一九六○年能够继续跃进”）",
    "dev/national-1988.txt": "本届政府任期的五年工作总结和今后五年的目标（到1992年、到本世纪末、每年平均），"
    "没有1988年的量化目标（全文唯一的“今年”是“从今年起…推行外贸承包经营责任制”）",
}
# every report states results of earlier years
NO_ACTUALS: dict[str, str] = {}


@pytest.fixture(scope="module")
def health() -> Health:
    root = reports_dir()
    index = root / "dev-index.tsv"
    if not index.exists():
        pytest.skip("shared reports not available")
    return check(root, index=index, workers=2)


def _expected(root_index: dict[str, tuple[str, int]], path: str) -> tuple[str, int]:
    if path in _INDEX_ERRATA:
        return _INDEX_ERRATA[path]
    if path in _TOP:
        return _TOP[path]
    return root_index[path.removeprefix("dev/")]


def test_every_report_has_its_government_and_plan_year(health: Health) -> None:
    index = read_index(reports_dir() / "dev-index.tsv")
    assert len(health.reports) == 98 and not [r.path for r in health.reports if r.error]
    wrong = [
        (r.path, r.government, r.year, _expected(index, r.path))
        for r in health.reports
        if (r.government, r.year) != _expected(index, r.path)
    ]
    assert wrong == []


def test_headline_block_with_targets_where_the_text_has_one(health: Health) -> None:
    missing = [r.path for r in health.reports if r.headline == 0 and r.path not in NO_HEADLINE]
    assert missing == []
    # and none is claimed where the text has none
    assert [r.path for r in health.reports if r.path in NO_HEADLINE and r.headline] == []


def test_no_report_yields_zero_targets_or_actuals_unless_its_text_has_none(health: Health) -> None:
    zero_targets = [r.path for r in health.reports if r.targets == 0 and r.path not in NO_TARGETS]
    zero_actuals = [r.path for r in health.reports if r.actuals == 0 and r.path not in NO_ACTUALS]
    assert (zero_targets, zero_actuals) == ([], [])


def test_every_zero_is_said(health: Health) -> None:
    for r in health.reports:
        codes = {c for c, _ in r.warnings}
        assert r.targets or "no_targets" in codes, r.path
        assert r.actuals or "no_actuals" in codes, r.path
        assert r.headline or "no_headline" in codes or "no_plan_part" in codes or "no_parts" in codes, r.path
