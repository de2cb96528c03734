"""``emit``: the one call a ledger service makes to say something happened (transactional outbox).

The service calls ``outbox.emit(session, kind, *rows)`` after its ``flush``, inside its own
transaction: the outbox row commits or rolls back with the change, so no event is ever sent for a
change that did not happen, and none is lost for one that did (a worker that is down finds it
later). Nothing is sent from here; :mod:`luoshi.notify.worker` routes and delivers.

Each event gets a natural key (``notice_issued:12``, ``report_returned:7:3`` — the report's version,
so a second return is a second event). Emitting an event whose key exists is a no-op; that is what
makes the worker's scans (:mod:`luoshi.notify.scan`) safe to repeat.

The payload carries what routing needs (``units`` concerned, ``roles`` who should hear, the
``commitment_id``) and the words every channel shows (``title``, ``body``), written now, from the
rows as they are in this transaction — a later edit does not rewrite a message already emitted.

This module imports only the ledger's models, so any ledger service may import it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.ledger import policy
from luoshi.ledger.models import Comment, Commitment, Evaluation, Notice, ProgressReport
from luoshi.ledger.notify_models import OutboxEvent

KINDS: dict[str, str] = {
    "notice_issued": "督办单下发",
    "notice_overdue": "督办单逾期未复",
    "report_returned": "进度报告被退回",
    "report_accepted": "进度报告审核通过",
    "deadline_soon": "报送截止提醒",
    "comment": "领导批示",
    "evaluation": "年终评价结果",
    "daily_digest": "每日督办摘要",
}
TITLE_CHARS = 40  # a commitment's title shown in a message is cut to this many characters


def short(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _assigned(c: Commitment) -> list[int]:
    return sorted({a.unit_id for a in c.assignments})


def _lead(c: Commitment) -> list[int]:
    lead = c.lead
    return [lead.unit_id] if lead is not None else _assigned(c)


def _notice(n: Notice, kind: str) -> tuple[str, dict[str, Any]]:
    c = n.commitment
    unit = n.unit.name if n.unit is not None else "（未指定单位）"
    number = n.number or "督办单"
    period = f"（{n.period.label}）" if n.period is not None else ""
    if kind == "notice_issued":
        title = f"督办单：{short(c.title)}"
        # the detail lists every reason in words (未按时报送：…；进度滞后：…)
        body = (f"{unit}：任务“{short(c.title, 80)}”{period}被督办（{number}）。"
                f"{n.detail}。请于 {n.due.isoformat()} 前答复。")
    else:
        title = f"督办单逾期：{short(c.title)}"
        body = f"{unit}：督办单（任务“{short(c.title, 80)}”）答复期限 {n.due.isoformat()} 已过，尚未答复。"
    units = [n.unit_id] if n.unit_id is not None else _lead(c)
    payload = {"title": title, "body": body, "units": units, "roles": [policy.ADMIN] if kind == "notice_overdue" else [],
               "notice_id": n.id, "commitment_id": c.id, "due": n.due.isoformat(), "reason": n.reason,
               "reasons": list(n.reasons or [n.reason]), "number": n.number}
    return f"{kind}:{n.id}", payload


def _report(pr: ProgressReport, kind: str) -> tuple[str, dict[str, Any]]:
    c = pr.commitment
    if kind == "report_returned":
        title = f"进度报告被退回：{short(c.title)}"
        body = (f"任务“{short(c.title, 80)}”{pr.period.label} 的进度报告被督查室退回。"
                f"退回原因：{pr.return_reason or '（未写明）'}。请修改后重新提交。")
    else:
        title = f"进度报告已通过：{short(c.title)}"
        body = f"任务“{short(c.title, 80)}”{pr.period.label} 的进度报告（完成 {round(pr.percent, 1):g}%）已审核通过。"
    payload = {"title": title, "body": body, "units": _lead(c), "roles": [], "commitment_id": c.id,
               "report_id": pr.id, "period": pr.period.label}
    return f"{kind}:{pr.id}:{pr.version}", payload


def _comment(cm: Comment) -> tuple[str, dict[str, Any]]:
    c = cm.commitment
    who = cm.author
    label = "领导批示" if policy.is_leader(who) else "督查室意见"
    payload = {"title": f"{label}：{short(c.title)}",
               "body": f"{who.display_name}就任务“{short(c.title, 80)}”{label}：{cm.body}",
               "units": _assigned(c), "roles": [policy.ADMIN] if policy.is_leader(who) else [],
               "commitment_id": c.id, "comment_id": cm.id, "author_role": who.role}
    return f"comment:{cm.id}", payload


def _evaluation(ev: Evaluation) -> tuple[str, dict[str, Any]]:
    c = ev.commitment
    payload = {"title": f"年终评价：{short(c.title)}",
               "body": f"任务“{short(c.title, 80)}”年终评价结果为“{ev.result}”（得分 {ev.score:g}）。",
               # the units it judges; leaders see the year's results on the dashboard and in the
               # digest rather than one message per commitment when the whole ledger is evaluated
               "units": _assigned(c), "roles": [], "commitment_id": c.id, "evaluation_id": ev.id,
               "result": ev.result}
    return f"evaluation:{ev.id}:{ev.version}", payload


def describe(kind: str, row: Any) -> tuple[str, dict[str, Any]]:
    """(key, payload) of the event ``kind`` about ``row``."""
    if kind in ("notice_issued", "notice_overdue") and isinstance(row, Notice):
        return _notice(row, kind)
    if kind in ("report_returned", "report_accepted") and isinstance(row, ProgressReport):
        return _report(row, kind)
    if kind == "comment" and isinstance(row, Comment):
        return _comment(row)
    if kind == "evaluation" and isinstance(row, Evaluation):
        return _evaluation(row)
    raise TypeError(f"no event {kind!r} for {type(row).__name__}")


def emit(session: Session, kind: str, *rows: Any) -> list[OutboxEvent]:
    """Write one outbox row per row (in the caller's transaction); existing keys are skipped."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    if rows:
        session.flush()  # ids and versions are final before the keys are made
    out = []
    for row in rows:
        key, payload = describe(kind, row)
        event = add(session, key, kind, payload)
        if event is not None:
            out.append(event)
    return out


def add(session: Session, key: str, kind: str, payload: dict[str, Any]) -> OutboxEvent | None:
    """The outbox row for ``key`` (None when it exists already: events are once-only)."""
    if session.scalar(select(OutboxEvent.id).where(OutboxEvent.key == key)) is not None:
        return None
    event = OutboxEvent(key=key, kind=kind, commitment_id=payload.get("commitment_id"), payload=payload)
    session.add(event)
    session.flush()
    return event
