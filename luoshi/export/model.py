"""Plain data the document writers take: no database objects, so writers are testable alone.

``luoshi.export.source`` fills these from the ledger; tests build them by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HEADLINE_GROUP = "主要预期目标"


@dataclass
class PlanRow:
    """One task of the 分工方案."""

    id: int | None  # commitment id (None for a row not yet in the ledger)
    text: str  # 重点任务, in the report's own words
    lead: list[str] = field(default_factory=list)  # 牵头单位
    support: list[str] = field(default_factory=list)  # 配合单位
    deadline: dt.date | None = None  # 完成时限
    leader: str | None = None  # 责任领导
    version: int | None = None  # commitment version at export (optimistic locking on re-import)
    deadline_text: str | None = None  # 完成时限 in the report's words (上半年, 长期坚持)


@dataclass
class PlanGroup:
    """A heading row and its tasks: the 主要预期目标, then one group per area of the report."""

    title: str
    rows: list[PlanRow] = field(default_factory=list)
    section_id: int | None = None  # ledger section new rows of this group belong to
    headline: bool = False


@dataclass
class Plan:
    government: str
    year: int
    groups: list[PlanGroup]
    report_id: int | None = None
    with_leader: bool = True  # print the 责任领导 column
    issued: dt.date | None = None
    issuing_office: str = ""  # 发文机关 of the 印发通知 (empty: the table alone, no notice)
    doc_number: str = ""  # 文号, e.g. 枣政办字〔2024〕3号
    copy_to: str = ""  # 版记 抄送 line
    supervision_office: str = ""  # the 督查机构 named in the notice's requirements
    units: list[str] = field(default_factory=list)  # the unit directory, for the workbook's dropdown

    @property
    def title(self) -> str:
        return f"《{self.year}年政府工作报告》重点任务分工方案"

    def rows(self) -> list[PlanRow]:
        return [r for g in self.groups for r in g.rows]


@dataclass
class TemplateRow:
    """One commitment a unit reports progress on."""

    id: int
    text: str
    role: str  # 牵头 | 配合
    target: str  # expected value as written, e.g. "增长5.5%左右" or ""
    deadline: dt.date | None
    expected_percent: float | None  # 时序进度 at the period end
    last_percent: float | None = None  # last accepted/submitted percent
    value_unit: str | None = None  # unit of the reported value, e.g. %, 亿元
    version: int | None = None
    quantified: bool = True  # a target with a value: 本期完成值 may be filled
    deadline_text: str | None = None  # 完成时限 in the report's words


@dataclass
class Template:
    government: str
    year: int
    report_id: int
    unit_id: int
    unit: str
    period_id: int
    period: str  # label, e.g. 2024Q1
    period_end: dt.date
    due: dt.date | None
    rows: list[TemplateRow]

    @property
    def title(self) -> str:
        return f"{self.unit} {self.period} 政府工作报告重点任务进度填报表"


@dataclass
class BulletinItem:
    commitment_id: int
    text: str
    unit: str
    expected_percent: float | None
    reported_percent: float | None
    reason: str  # why it is red/yellow, in words


@dataclass
class UnitRank:
    rank: int
    unit: str
    total: int
    green: int
    yellow: int
    red: int
    missing: int  # reports not submitted for the period
    score: float
    lead: int = 0  # of ``total``: commitments the unit leads
    support: int = 0  # and those it supports
    basis: str = ""  # what the ranking rests on (official evaluations or the period's lights)


@dataclass
class Bulletin:
    government: str
    year: int
    period: str  # label, e.g. 2024Q1
    period_title: str  # e.g. 2024年第一季度
    issued: dt.date
    total: int
    green: int
    yellow: int
    red: int
    missing: int  # tracked commitments without a submitted report for the period
    reported: int  # progress reports submitted for the period
    late: int  # of which submitted after the due date
    red_items: list[BulletinItem]
    yellow_items: list[BulletinItem]
    ranking: list[UnitRank]
    issuer: str = "督查室"  # the 督查机构 that issues it, e.g. 枣庄市人民政府督查室
    number: int | None = None  # 期号: 第N期
    copy_to: str = ""  # 版记 抄送 line (empty: none)

    @property
    def title(self) -> str:
        return f"关于{self.period_title}《{self.year}年政府工作报告》重点任务落实情况的通报"
