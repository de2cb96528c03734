"""The ledger's data model (SQLAlchemy 2 declarative, typed).

One schema for SQLite and PostgreSQL. The "ledger" of a plan year is its ``Report``: periods,
settings and commitments hang off it. Status (green/yellow/red) is derived in
``luoshi.ledger.services.status`` and never stored as user input; only its consequences (notices)
are rows. Every change to an audited model is written to ``AuditEvent`` by the session hook in
``luoshi.ledger.audit`` in the same transaction.

Vocabularies (kept as short strings so that both engines and the JSON dumps agree):

- Unit.kind: 部门 | 区市 | 园区 | 企业
- Commitment.kind: target | milestone | measure; .state: draft | active | closed (销号);
  .source: extracted | manual; .comparator: >= | <= | ~ | =; .modality: 确保 | 预期 | 力争 | 争取
- Assignment.role: lead | support
- LedgerSettings.cycle: 月 | 季
- ProgressReport.state: draft | submitted | accepted | returned
- Notice.reason: missing | behind | overdue (the first of .reasons, which lists every reason of
  the one notice a commitment gets per period)
- Evaluation.result: 超额完成 | 完成 | 基本完成 | 未完成; .state: draft (预评价) | final
- User.role: admin | liaison | leader | public
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from luoshi.ledger.limits import length

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UNIT_KINDS = ("部门", "区市", "园区", "企业")
COMMITMENT_KINDS = ("target", "milestone", "measure")
COMMITMENT_STATES = ("draft", "active", "closed")
COMPARATORS = (">=", "<=", "~", "=")
MODALITIES = ("确保", "预期", "力争", "争取")
ROLES = ("lead", "support")
CYCLES = ("月", "季")
REPORT_STATES = ("draft", "submitted", "accepted", "returned")
# 未按时报送 / 进度滞后 / 逾期未完成, in the order a notice lists them
NOTICE_REASONS = ("missing", "behind", "overdue")
RESULTS = ("超额完成", "完成", "基本完成", "未完成")
EVALUATION_STATES = ("draft", "final")
USER_ROLES = ("admin", "liaison", "leader", "public")
LEADER_MAX_LENGTH = length("commitment.leader")  # 责任领导: free text such as "市政府副市长 张三"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite drops the offset; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }

    # models with ``__audited__ = True`` get an AuditEvent for every insert/update/delete
    __audited__ = False
    # columns whose values never enter the audit trail (only that they were set or changed)
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset()
    # rows that may be inserted but never updated or deleted through a session (see audit.py)
    __append_only__ = False


class Government(Base):
    __tablename__ = "governments"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(length("government.name")), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="government")


class Unit(Base):
    """A responsible unit (department, county/district, park or enterprise)."""

    __tablename__ = "units"
    __audited__ = True
    __table_args__ = (UniqueConstraint("government_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("governments.id"), index=True)
    name: Mapped[str] = mapped_column(String(length("unit.name")))
    short_name: Mapped[str | None] = mapped_column(String(length("unit.short_name")))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(length("unit.kind")))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    government: Mapped[Government] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Report(Base):
    """One imported 政府工作报告; the ledger of its plan year hangs off it."""

    __tablename__ = "reports"
    __audited__ = True
    __table_args__ = (UniqueConstraint("government_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    government_id: Mapped[int] = mapped_column(ForeignKey("governments.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(length("report.title")))
    sha256: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)  # cleaned text; spans point into it
    source_name: Mapped[str | None] = mapped_column(String(length("report.source_name")))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    government: Mapped[Government] = relationship()
    sections: Mapped[list[Section]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="Section.start"
    )
    commitments: Mapped[list[Commitment]] = relationship(back_populates="report", order_by="Commitment.id")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("report_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(length("section.key")))  # hierarchical id from extraction: "2.3.1"
    parent_key: Mapped[str | None] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    report: Mapped[Report] = relationship(back_populates="sections")


commitment_targets = Table(
    "commitment_targets",
    Base.metadata,
    Column("measure_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
)


class Commitment(Base):
    """A target, milestone or measure the government committed to (from a span, or added by hand)."""

    __tablename__ = "commitments"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    code: Mapped[str | None] = mapped_column(String(length("commitment.code")))  # extraction id at import (T001 / K001)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(length("commitment.title")))
    text: Mapped[str] = mapped_column(Text)
    quote: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    indicator: Mapped[str | None] = mapped_column(String(length("commitment.indicator")))
    metric: Mapped[str | None] = mapped_column(String(length("commitment.metric")))
    value: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(length("commitment.unit")))
    comparator: Mapped[str | None] = mapped_column(String(2))
    modality: Mapped[str] = mapped_column(String(4), default="预期")
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    # 完成时限 in the report's words (上半年, 6月底前, 长期坚持); None → the date alone is printed
    deadline_text: Mapped[str | None] = mapped_column(String(length("commitment.deadline_text")))
    # 责任领导 as the plan prints it ("市政府副市长 张三"); free text, not a User
    leader: Mapped[str | None] = mapped_column(String(LEADER_MAX_LENGTH))
    # per-commitment expected-progress curve: [{"date": "2024-06-30", "percent": 50}, ...]
    milestones: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    source: Mapped[str] = mapped_column(String(10), default="extracted")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # a part of a split points to the original (closed 销号); the original's parts are those pointing to it
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("commitments.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    report: Mapped[Report] = relationship(back_populates="commitments")
    section: Mapped[Section | None] = relationship()
    targets: Mapped[list[Commitment]] = relationship(
        secondary=commitment_targets,
        primaryjoin=lambda: Commitment.id == commitment_targets.c.measure_id,
        secondaryjoin=lambda: Commitment.id == commitment_targets.c.target_id,
        order_by=lambda: Commitment.id,
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    split_from: Mapped[Commitment | None] = relationship(
        remote_side=lambda: Commitment.id, back_populates="parts"
    )
    parts: Mapped[list[Commitment]] = relationship(back_populates="split_from", order_by=lambda: Commitment.id)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    @property
    def lead(self) -> Assignment | None:
        return next((a for a in self.assignments if a.role == "lead"), None)


class Assignment(Base):
    """Who answers for a commitment: one lead (牵头) and any number of supporting (配合) units."""

    __tablename__ = "assignments"
    __audited__ = True
    __table_args__ = (UniqueConstraint("commitment_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    suggested_by: Mapped[list[str]] = mapped_column(default=list)  # trigger words of the suggestion
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    commitment: Mapped[Commitment] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()


class LedgerSettings(Base):
    """Per-ledger (per report) cycle and rules; defaults apply until someone changes them."""

    __tablename__ = "ledger_settings"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    cycle: Mapped[str] = mapped_column(String(2), default="季")
    yellow_behind: Mapped[float] = mapped_column(Float, default=10.0)  # points behind 时序进度
    red_behind: Mapped[float] = mapped_column(Float, default=30.0)
    report_due_days: Mapped[int] = mapped_column(Integer, default=5)  # working days after period end
    notice_due_days: Mapped[int] = mapped_column(Integer, default=5)  # working days to answer 督办单
    notice_prefix: Mapped[str] = mapped_column(String(20), default="督")  # 督〔2024〕3号
    tolerance: Mapped[float] = mapped_column(Float, default=0.05)  # relative band for 左右 / 基本完成
    # 差异化考核 weights: {"kind": {...}, "modality": {...}, "role": {...}, "result": {...}}
    weights: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # 公文 the exports print: 发文机关 of the plan's 印发通知, its 文号 prefix (枣政办字), the 督查室
    # that issues the 督查通报; None → derived from the government's name (see periods.offices)
    issuing_office: Mapped[str | None] = mapped_column(String(length("settings.issuing_office")))
    doc_prefix: Mapped[str | None] = mapped_column(String(length("settings.doc_prefix")))
    supervision_office: Mapped[str | None] = mapped_column(String(length("settings.supervision_office")))
    # 统计日期: the day the ledger is judged on when the operator fixes one (see luoshi.ledger.clock)
    statistics_date: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Period(Base):
    __tablename__ = "periods"
    __audited__ = True
    __table_args__ = (UniqueConstraint("report_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))  # 2024Q1 / 2024-03
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class ProgressReport(Base):
    __tablename__ = "progress_reports"
    __audited__ = True
    __table_args__ = (
        UniqueConstraint("commitment_id", "period_id"),
        # covers the bulk status and trend queries (luoshi.ledger.services.status / web.summary): index-only reads
        Index("ix_progress_reports_counted", "commitment_id", "state", "period_id", "percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    reported_value: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float] = mapped_column(Float)
    narrative: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(length("progress.author")))
    state: Mapped[str] = mapped_column(String(10), default="draft")
    return_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    commitment: Mapped[Commitment] = relationship()
    period: Mapped[Period] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="progress_report", order_by="Evidence.id")

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Evidence(Base):
    """A file attached to a progress report; the bytes live content-addressed on disk."""

    __tablename__ = "evidence"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(length("evidence.filename")))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(length("evidence.content_type")))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    progress_report: Mapped[ProgressReport] = relationship(back_populates="evidence")


class Notice(Base):
    """督办单: one per commitment and period, listing every reason (missing report, behind schedule,
    past deadline); numbered per year of issue (``number`` as printed, e.g. 督〔2024〕3号); answered
    by the unit, closed by the office."""

    __tablename__ = "notices"
    __audited__ = True
    __table_args__ = (UniqueConstraint("commitment_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    reason: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    serial_year: Mapped[int | None] = mapped_column(Integer)
    serial: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    issued: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date] = mapped_column(Date)
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    answer: Mapped[str | None] = mapped_column(Text)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    commitment: Mapped[Commitment] = relationship()
    unit: Mapped[Unit | None] = relationship()
    period: Mapped[Period | None] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Evaluation(Base):
    __tablename__ = "evaluations"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), unique=True)
    result: Mapped[str] = mapped_column(String(10))
    computed_result: Mapped[str | None] = mapped_column(String(10))  # what the rule said
    final_value: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(length("evaluation.by")))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # draft (预评价) until an operator finalises the year; only final ones are official
    state: Mapped[str] = mapped_column(String(10), default="draft")
    finalised_at: Mapped[dt.datetime | None] = mapped_column()
    final_reason: Mapped[str | None] = mapped_column(Text)  # why finalised before the last period was due
    version: Mapped[int] = mapped_column(Integer, default=1)

    commitment: Mapped[Commitment] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class ScoreSnapshot(Base):
    """A unit's scorecard at one point (period label or "final"), kept to show rank changes."""

    __tablename__ = "score_snapshots"
    __table_args__ = (UniqueConstraint("report_id", "label", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """Local override of the official calendar: a holiday or make-up working day.

    ``chinese_calendar`` only knows the years the State Council has announced; rows here extend or
    correct it (e.g. next year's schedule entered by hand before a package update).
    """

    __tablename__ = "calendar_days"
    __audited__ = True

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(length("calendar.note")))


class User(Base):
    __tablename__ = "users"
    __audited__ = True
    __audit_exclude__: ClassVar[frozenset[str]] = frozenset({"password_hash", "api_token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(length("user.username")), unique=True)
    display_name: Mapped[str] = mapped_column(String(length("user.display_name")))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    api_token_hash: Mapped[str | None] = mapped_column(String(200))
    api_token_expires_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # a one-time password set by the office: nothing but choosing a new one is allowed until cleared
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column()  # dates a change in the audit trail
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit | None] = relationship()

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}


class Comment(Base):
    """A leader's or the office's remark on a commitment (领导批示/督查室意见); append-only.

    Written only through ``luoshi.ledger.services.comments`` (audited); never edited or deleted.
    """

    __tablename__ = "comments"
    __audited__ = True
    __append_only__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    commitment: Mapped[Commitment] = relationship()
    author: Mapped[User] = relationship()


class UserSession(Base):
    """One signed-in browser, so that logging out ends it on the server, not only in the browser.

    The session cookie is signed and carries a random session id; only the id's SHA-256 is stored
    here, so a copy of the database holds no usable session. A cookie is honoured only while its
    row exists and has not expired: logging out deletes the row, changing the password or disabling
    the account deletes all of the user's rows. Not audited (a security log, like ``LoginFailure``).
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, autoincrement=False)  # a digest, not a counter
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()


class LoginFailure(Base):
    """One login attempt (user name as typed, lower-cased; client address), kept for the throttle.

    Counted before the password is checked and cleared by a successful login, so the rows left are
    failures. In the database so that every worker process counts the same attempts; rows older
    than the throttle window are pruned at each login. Not audited (it is itself a security log).
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(index=True)

    __table_args__ = (Index("ix_login_failures_username_ip", "username", "ip"),)


class AuditEvent(Base):
    """Append-only change log; written only by ``luoshi.ledger.audit``.

    ``commitment_id`` is filled for rows that belong to a commitment (its assignments, reports,
    notices, evaluation) so that a commitment's history is one indexed query.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(length("audit.actor")))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    commitment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class LedgerCommit(Base):
    """One committed change of the ledger, numbered in commit order (``luoshi.ledger.changes``).

    ``commitments`` lists the commitments the change touched; None means it may touch any figure
    (settings, periods, units, a restore). Not ledger data: never backed up, kept only for a while.
    """

    __tablename__ = "ledger_commits"

    serial: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    commitments: Mapped[list[int] | None] = mapped_column(JSON)


class TrendStep(Base):
    """What one accepted report adds to its report's carried-forward progress sum
    (``luoshi.ledger.services.trend``): millionths of a percent, derived, rebuilt at will."""

    __tablename__ = "trend_steps"

    commitment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    report_id: Mapped[int] = mapped_column(Integer, index=True)
    change: Mapped[int] = mapped_column(BigInteger)


class TrendTotal(Base):
    """The sum of a period's trend steps (millionths of a percent), derived like them."""

    __tablename__ = "trend_totals"

    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    period_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    total: Mapped[int] = mapped_column(BigInteger)


import luoshi.ledger.notify_models  # noqa: E402,F401  (notification tables share Base: one schema, one backup)

# tables in dependency order (backup/restore and truncation rely on it)
TABLE_ORDER = [t.name for t in Base.metadata.sorted_tables]
