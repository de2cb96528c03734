"""supervision that respects time: one numbered notice per commitment and period, draft/final
evaluation, split parts linked to their original

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:00:00

- ``notices``: one notice per (commitment, period) listing every reason in ``reasons``
  (missing / behind / overdue); ``reason`` keeps the first. Existing rows: ``red`` becomes
  ``overdue`` when its detail says the deadline passed, else ``behind``; where a commitment had two
  notices for one period (red and missing) they are merged into the older one (reasons and details
  joined, the answer kept if either had one, closed only if both were) and the newer one deleted.
  Each notice gets its number per year of issue (``serial_year``, ``serial``, ``number`` printed as
  督〔2024〕3号), existing ones in the order they were issued.
- ``ledger_settings.notice_prefix`` (default 督).
- ``evaluations.state`` draft | final (existing evaluations become drafts: none was confirmed by an
  operator), ``finalised_at``, ``final_reason``.
- ``commitments.split_from_id``: the original a part of a split came from.

``notices`` is rebuilt on SQLite (batch) to change its unique constraint; no table refers to it.
The other columns are plain ``ALTER TABLE ADD COLUMN`` on both engines (see 0002).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER = ("missing", "behind", "overdue")

notices = sa.table(
    "notices",
    sa.column("id", sa.Integer),
    sa.column("commitment_id", sa.Integer),
    sa.column("period_id", sa.Integer),
    sa.column("reason", sa.String),
    sa.column("reasons", sa.JSON),
    sa.column("detail", sa.Text),
    sa.column("issued", sa.Date),
    sa.column("answer", sa.Text),
    sa.column("answered_at", sa.DateTime(timezone=True)),
    sa.column("closed", sa.Boolean),
    sa.column("serial_year", sa.Integer),
    sa.column("serial", sa.Integer),
    sa.column("number", sa.String),
)
commitments = sa.table("commitments", sa.column("id", sa.Integer), sa.column("report_id", sa.Integer))
settings = sa.table("ledger_settings", sa.column("report_id", sa.Integer), sa.column("notice_prefix", sa.String))


def _code(reason: str, detail: str) -> str:
    if reason == "red":
        return "overdue" if "完成时限" in (detail or "") else "behind"
    return reason


def _merge_and_number(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(notices, commitments.c.report_id)
        .join(commitments, commitments.c.id == notices.c.commitment_id)
        .order_by(notices.c.id)
    ).all()
    kept: dict[tuple[int, int | None], dict[str, object]] = {}
    dropped: list[int] = []
    for r in rows:
        key = (r.commitment_id, r.period_id)
        code = _code(r.reason, r.detail)
        k = kept.get(key)
        if k is None:
            kept[key] = {"id": r.id, "report_id": r.report_id, "issued": r.issued, "codes": [code],
                         "detail": r.detail or "", "answer": r.answer, "answered_at": r.answered_at,
                         "closed": bool(r.closed)}
            continue
        if code not in k["codes"]:  # type: ignore[operator]
            k["codes"].append(code)  # type: ignore[union-attr]
        k["detail"] = "；".join(x for x in (k["detail"], r.detail or "") if x)
        if k["answer"] is None and r.answer is not None:
            k["answer"], k["answered_at"] = r.answer, r.answered_at
        k["closed"] = bool(k["closed"]) and bool(r.closed)
        dropped.append(r.id)
    if dropped:
        conn.execute(notices.delete().where(notices.c.id.in_(dropped)))
    prefixes = {r.report_id: r.notice_prefix for r in conn.execute(sa.select(settings))}
    counters: dict[tuple[int, int], int] = {}
    for k in sorted(kept.values(), key=lambda k: (k["issued"], k["id"])):  # type: ignore[arg-type,return-value]
        codes = sorted(k["codes"], key=ORDER.index)  # type: ignore[arg-type]
        year = k["issued"].year  # type: ignore[attr-defined]
        serial = counters[(k["report_id"], year)] = counters.get((k["report_id"], year), 0) + 1  # type: ignore[index]
        prefix = prefixes.get(k["report_id"]) or "督"
        conn.execute(
            notices.update()
            .where(notices.c.id == k["id"])
            .values(reason=codes[0], reasons=codes, detail=k["detail"], answer=k["answer"],
                    answered_at=k["answered_at"], closed=k["closed"], serial_year=year, serial=serial,
                    number=f"{prefix}〔{year}〕{serial}号")
        )


def upgrade() -> None:
    op.add_column("ledger_settings",
                  sa.Column("notice_prefix", sa.String(length=20), nullable=False, server_default="督"))
    if op.get_bind().dialect.name == "sqlite":  # the reference goes inline: no rebuild of commitments
        op.execute("ALTER TABLE commitments ADD COLUMN split_from_id INTEGER REFERENCES commitments (id)")
    else:
        op.add_column("commitments", sa.Column("split_from_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_commitments_split_from_id_commitments"), "commitments", "commitments",
                              ["split_from_id"], ["id"])
    op.add_column("evaluations", sa.Column("state", sa.String(length=10), nullable=False, server_default="draft"))
    op.add_column("evaluations", sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("evaluations", sa.Column("final_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("notices") as b:
        b.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        b.add_column(sa.Column("serial_year", sa.Integer(), nullable=True))
        b.add_column(sa.Column("serial", sa.Integer(), nullable=True))
        b.add_column(sa.Column("number", sa.String(length=40), nullable=True))
    _merge_and_number(op.get_bind())
    with op.batch_alter_table("notices") as b:
        b.alter_column("reasons", existing_type=sa.JSON(), nullable=False)
        b.drop_constraint("uq_notices_commitment_id", type_="unique")
        b.create_unique_constraint("uq_notices_commitment_id", ["commitment_id", "period_id"])


def downgrade() -> None:
    with op.batch_alter_table("notices") as b:
        b.drop_constraint("uq_notices_commitment_id", type_="unique")
        b.create_unique_constraint("uq_notices_commitment_id", ["commitment_id", "period_id", "reason"])
        b.drop_column("number")
        b.drop_column("serial")
        b.drop_column("serial_year")
        b.drop_column("reasons")
    conn = op.get_bind()
    conn.execute(notices.update().where(notices.c.reason.in_(("behind", "overdue"))).values(reason="red"))
    op.drop_column("evaluations", "final_reason")
    op.drop_column("evaluations", "finalised_at")
    op.drop_column("evaluations", "state")
    if conn.dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_commitments_split_from_id_commitments"), "commitments", type_="foreignkey")
    op.drop_column("commitments", "split_from_id")
    op.drop_column("ledger_settings", "notice_prefix")
