"""The words people read: one table of every term the pages, exports and messages print.

The ledger stores codes (``draft``, ``lead``, ``missing``) and model names (``Commitment``); people
read 草稿, 牵头, 未按时报送, 任务. Every surface takes its words from here, so one thing has one name
everywhere — a commitment that is ``draft`` is 草稿 on the review page, in the audit log and in the
分工方案 alike, never 待确认 on one and 草稿 on another. The ledger owns the table because the
exports print the same words as the pages and the ledger is the layer both stand on.

Besides the plain tables, :func:`entity_label`, :func:`field_label` and :func:`value_text` turn an
audit event's raw (model, column, value) into the words of the 变更记录, and :func:`unit_display`
is the one rule for which of a unit's names a page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
"""Times are stored in UTC and shown in the office's local time (China has one time zone)."""

# ---- statuses, kinds, roles -------------------------------------------------------------------
COMMITMENT_KINDS = {"target": "指标", "milestone": "节点", "measure": "举措"}
COMMITMENT_STATES = {"draft": "草稿", "active": "已发布", "closed": "已销号"}
"""A commitment's life: 草稿 (being reviewed; never 待确认), 已发布 (assigned and supervised), 已销号."""
PUBLISHED = {True: "已公开", False: "未公开"}
"""Whether the public board shows it (公开; never 已分配, which is what an assignment is)."""
COMMITMENT_SOURCES = {"extracted": "从报告提取", "manual": "手工添加"}
PROGRESS_STATES = {"draft": "草稿", "submitted": "待审核", "accepted": "已采纳", "returned": "已退回"}
EVALUATION_STATES = {"draft": "预评价", "final": "已定稿"}
ASSIGNMENT_ROLES = {"lead": "牵头", "support": "配合"}
ASSIGNMENT_CONFIRMED = {True: "已确认", False: "待确认"}
"""Only an assignment is 待确认 (suggested by the extraction, not yet confirmed by the office)."""
USER_ROLES = {"admin": "督查室", "liaison": "单位联络员", "leader": "领导", "public": "公众"}
NOTICE_REASONS = {"missing": "未按时报送", "behind": "进度滞后", "overdue": "逾期未完成"}
NOTICE_CLOSED = {True: "已办结", False: "未办结"}
EVALUATION_RESULTS = ("超额完成", "完成", "基本完成", "未完成")  # stored as written (models.RESULTS)
LIGHTS = {"green": "正常推进", "yellow": "进度滞后", "red": "严重滞后", "grey": "未开始/无数据"}
PROMISE_OUTCOMES = {"kept": "兑现", "missed": "未兑现", "unverifiable": "无法核验"}
PROMISE_STATUSES = {"met": "兑现", "missed": "未兑现", "no_data": "无数据", "qualitative": "定性目标，无法核验"}
"""Cross-year results of a promise: 兑现 / 未兑现 (never 达成, which the year-end evaluation's 完成 covers)."""
COMPARATORS = {">=": "不低于", "<=": "不高于", "~": "左右", "=": "等于"}
CYCLES = {"季": "按季度", "月": "按月"}

# ---- page names ------------------------------------------------------------------------------
PAGES = {
    "public": "任务公开", "screen": "亮屏", "dashboard": "领导驾驶舱", "my": "我的任务", "admin": "报告与导入",
    "progress": "进度审核", "periods": "报送周期", "notices": "督办单", "evaluations": "年终评价",
    "history": "变更记录", "inbox": "消息与通知发送", "corpus": "历年承诺", "help": "使用手册",
}
"""One name per page: the cross-year pages are 历年承诺 everywhere (their scorecard is one of them)."""

# ---- the audit trail -------------------------------------------------------------------------
ACTIONS = {"create": "新建", "update": "修改", "delete": "删除"}
ENTITIES = {
    "Government": "政府", "Unit": "单位", "Report": "报告", "Section": "章节", "Commitment": "任务",
    "Assignment": "责任分工", "LedgerSettings": "台账设置", "Period": "报送周期", "ProgressReport": "进度报告",
    "Evidence": "佐证材料", "Notice": "督办单", "Evaluation": "年终评价", "CalendarDay": "工作日历",
    "User": "账号", "Comment": "批示意见", "CommitmentTarget": "举措与指标的关联",
    "NotifyChannel": "通知渠道", "Subscription": "通知订阅",
}

_COMMON_FIELDS = {
    "id": "编号", "name": "名称", "title": "标题", "kind": "类别", "state": "状态", "version": "版本",
    "created_at": "创建时间", "active": "启用", "note": "备注", "report_id": "报告", "commitment_id": "任务",
    "unit_id": "单位", "period_id": "报送周期", "government_id": "政府", "user_id": "账号",
}
FIELDS: dict[str, dict[str, str]] = {
    "Unit": {"name": "单位全称", "short_name": "简称", "aliases": "别名", "kind": "单位类别", "parent_id": "上级单位"},
    "Report": {"year": "年度", "sha256": "文件指纹", "source_text": "报告全文", "source_name": "文件名",
               "revision": "修订次数", "imported_at": "导入时间"},
    "Commitment": {
        "section_id": "所属部分", "code": "提取编号", "kind": "类别", "title": "任务", "text": "任务内容",
        "quote": "报告原文", "start": "原文起点", "end": "原文终点", "indicator": "指标", "metric": "指标动词",
        "value": "目标值", "value_max": "目标上限", "unit": "计量单位", "comparator": "比较方式",
        "modality": "语气", "headline": "主要预期目标", "deadline": "完成时限", "deadline_text": "时限原文",
        "leader": "分管领导", "milestones": "节点安排", "published": "公开", "source": "来源",
        "split_from_id": "拆分自",
    },
    "Assignment": {"role": "分工", "suggested_by": "建议依据", "confirmed": "确认"},
    "LedgerSettings": {
        "cycle": "报送周期", "yellow_behind": "黄灯落后点数", "red_behind": "红灯落后点数",
        "report_due_days": "报送期限（工作日）", "notice_due_days": "督办回复期限（工作日）",
        "notice_prefix": "督办单编号前缀", "tolerance": "评价容差", "weights": "考核权重",
        "issuing_office": "发文机关", "doc_prefix": "发文字号前缀", "supervision_office": "督查机构",
        "statistics_date": "统计日期",
    },
    "Period": {"label": "周期", "start": "开始日期", "end": "结束日期", "due": "报送截止", "closed": "已关闭"},
    "ProgressReport": {
        "reported_value": "报送数值", "percent": "完成进度", "narrative": "进展情况", "author": "报送人",
        "state": "状态", "return_reason": "退回理由", "submitted_at": "提交时间", "late": "逾期报送",
    },
    "Evidence": {"progress_report_id": "进度报送", "filename": "文件名", "sha256": "文件指纹", "size": "大小",
                 "content_type": "文件类型", "uploaded_at": "上传时间"},
    "Notice": {
        "reason": "督办事由", "reasons": "督办事由", "serial_year": "编号年度", "serial": "序号",
        "number": "督办单编号", "detail": "督办内容", "issued": "下发日期", "due": "回复期限",
        "answered_at": "回复时间", "answer": "回复内容", "closed": "办结",
    },
    "Evaluation": {
        "result": "评价结果", "computed_result": "按规则测算", "final_value": "年末实际值", "score": "得分",
        "override_reason": "调整理由", "by": "评价人", "at": "评价时间", "finalised_at": "定稿时间",
        "final_reason": "提前定稿理由",
    },
    "CalendarDay": {"day": "日期", "workday": "工作日"},
    "User": {
        "username": "登录名", "display_name": "姓名", "password_hash": "密码", "role": "角色",
        "api_token_hash": "接口令牌", "api_token_expires_at": "令牌有效期",
        "must_change_password": "一次性密码", "password_changed_at": "密码修改时间", "unit_id": "所属单位",
    },
    "Comment": {"author_id": "作者", "body": "内容"},
    "CommitmentTarget": {"measure_id": "举措", "target_id": "指标"},
    "NotifyChannel": {"settings": "设置", "secrets": "密钥"},
    "Subscription": {"channel_id": "渠道", "events": "事件", "address": "地址", "quiet_start": "免打扰开始",
                     "quiet_end": "免打扰结束"},
}

# code → words, per (entity, field); booleans of any other field read 是/否
VALUES: dict[tuple[str, str], dict[Any, str]] = {
    ("Commitment", "kind"): COMMITMENT_KINDS,
    ("Commitment", "state"): COMMITMENT_STATES,
    ("Commitment", "published"): PUBLISHED,
    ("Commitment", "source"): COMMITMENT_SOURCES,
    ("Commitment", "comparator"): COMPARATORS,
    ("Assignment", "role"): ASSIGNMENT_ROLES,
    ("Assignment", "confirmed"): ASSIGNMENT_CONFIRMED,
    ("ProgressReport", "state"): PROGRESS_STATES,
    ("Evaluation", "state"): EVALUATION_STATES,
    ("Notice", "reason"): NOTICE_REASONS,
    ("Notice", "reasons"): NOTICE_REASONS,
    ("Notice", "closed"): NOTICE_CLOSED,
    ("User", "role"): USER_ROLES,
    ("User", "must_change_password"): {True: "待本人修改", False: "无"},
    ("User", "active"): {True: "在用", False: "停用"},
    ("Unit", "active"): {True: "在用", False: "停用"},
    ("LedgerSettings", "cycle"): CYCLES,
}
# the keys inside JSON columns (考核权重 groups, 进度节点) and the codes they hold
WEIGHT_GROUPS = {"kind": "任务类别", "modality": "语气", "role": "分工", "result": "评价结果", "status": "进度状态"}
WEIGHT_CODES: dict[str, str] = {**COMMITMENT_KINDS, **ASSIGNMENT_ROLES, **LIGHTS, "missing": "未报送"}
SECRET_MARKS = {"(set)": "已设置", "(changed)": "已更改"}
EMPTY = "（空）"


def entity_label(entity: str) -> str:
    """A model's name in words (任务, 督办单); an unknown one reads 记录, never the class name."""
    return ENTITIES.get(entity, "记录")


def field_label(entity: str, field: str) -> str:
    """A column's name in words (状态, 完成时限); an unknown column reads 其他字段, never its key."""
    return FIELDS.get(entity, {}).get(field) or _COMMON_FIELDS.get(field) or "其他字段"


def local_time(value: dt.datetime | str | None) -> str:
    """A stored instant in local time to the minute (``2024-05-15 16:30``); naive values are UTC."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def value_text(entity: str, field: str, value: Any, names: dict[tuple[str, Any], str] | None = None) -> str:
    """A stored value as people read it: codes in words, ids as names (``names`` maps
    (field, id) → name), instants in local time, 是/否 for flags, 已设置 for secrets, （空） for nothing."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, str) and value in SECRET_MARKS:
        return SECRET_MARKS[value]
    table = VALUES.get((entity, field))
    if isinstance(value, list):
        return "、".join(value_text(entity, field, v, names) for v in value)
    if table is not None and value in table:
        return table[value]
    if isinstance(value, bool):
        return "是" if value else "否"
    if names is not None and (field, value) in names:
        return names[(field, value)]
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        if set(value) == {"date", "percent"}:  # a milestone of the expected-progress curve
            return f"{value['date']} 达到 {value_text(entity, field, value['percent'])}%"
        return "；".join(f"{WEIGHT_GROUPS.get(k) or WEIGHT_CODES.get(k) or k}：{value_text(entity, field, v, names)}"
                        for k, v in value.items())
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T" and value[:4].isdigit():
        try:
            return local_time(value)
        except ValueError:
            return value
    text = str(value)
    return text if len(text) <= 120 else text[:118] + "……"


def unit_display(name: str, short_name: str | None = None) -> str:
    """The name a page shows for a unit: its full name (市发展和改革委员会), as the 分工方案 prints it.

    Short names (市发展改革委) are accepted when typed, never shown alone, so one unit never appears
    under two names on two pages.
    """
    return name
