"""The delivery worker (``luoshi notify run``): route events, send messages, survive being killed.

One pass (:meth:`Worker.run_once`):

1. **Recover** claims left by a dead worker: a delivery in ``sending`` whose worker process is gone
   (same host) or whose claim is older than the lease may or may not have reached the receiver —
   the process died between the claim and the record of the result. Sending it again could send
   it twice, so it becomes ``uncertain`` and is shown to the administrator (``luoshi notify
   status``, the inbox page), who looks at the group or mailbox and runs ``luoshi notify confirm``
   or ``luoshi notify retry``. At most one message per channel is in flight per worker, so a kill
   leaves at most that many.
2. **Scan** (every ``scan_every`` seconds): overdue notices, report reminders, the daily digest.
3. **Route** each new outbox event in its own transaction: mark it routed only if nobody else has
   (a conditional UPDATE), and create its inbox rows and deliveries in the same transaction — a kill
   leaves either all of them or none, and the unique delivery keys forbid duplicates.
4. **Deliver** due messages one at a time: claim (conditional UPDATE to ``sending``, committed
   before any byte leaves), send, record ``sent`` — or, on failure, retry later with exponential
   backoff (30 s doubling, at most an hour) until ``max_attempts``, then ``failed``. Errors that
   cannot heal (a refused login, an unknown robot) fail at once.

Several workers may run against one database (claims are atomic); secrets are never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, update

from luoshi.errors import ValidationError
from luoshi.ledger.db import LedgerSession, session_factory
from luoshi.ledger.models import utcnow
from luoshi.ledger.notify_models import Delivery, NotifyChannel, OutboxEvent
from luoshi.notify import channels, route, scan

log = logging.getLogger("luoshi.notify")
RETRY_BASE = 30.0  # seconds before the first retry; doubles each time
RETRY_MAX = 3600.0


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1`` (``attempts`` ≥ 1 made so far)."""
    return dt.timedelta(seconds=min(RETRY_MAX, RETRY_BASE * 2 ** max(0, attempts - 1)))


def as_of(now: dt.datetime) -> dt.datetime:
    """The moment the scans judge: ``now``, or its time of day on ``LUOSHI_TODAY`` (the day the pages
    judge by, set for demos and tests) so that the worker and the pages agree on what is overdue."""
    day = (os.environ.get("LUOSHI_TODAY") or "").strip()
    if not day:
        return now
    try:
        fixed = dt.date.fromisoformat(day)
    except ValueError:
        raise ValidationError(f"LUOSHI_TODAY 不是有效日期（YYYY-MM-DD）：{day!r}") from None
    local = now.astimezone(route.BEIJING)
    return dt.datetime.combine(fixed, local.timetz())


def site_url() -> str | None:
    value = (os.environ.get("LUOSHI_SITE_URL") or "").strip().rstrip("/")
    return value or None


@dataclass
class Config:
    interval: float = 5.0  # seconds between passes when idle
    batch: int = 100  # events routed / messages sent per pass
    remind_days: int = 3  # 报送提醒: working days before a report is due
    digest_at: dt.time = dt.time(8, 30)  # Beijing time
    scan_every: float = 300.0
    max_attempts: int = 8
    lease: float = 600.0  # a claim older than this is a dead worker's, whatever the host
    site_url: str | None = field(default_factory=site_url)


@dataclass
class Pass:
    recovered: int = 0
    scanned: dict[str, int] = field(default_factory=dict)
    routed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.routed or self.sent or self.retried or self.failed)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Worker:
    def __init__(self, engine: Engine, config: Config | None = None, *, clock: Any = utcnow) -> None:
        self.engine = engine
        self.config = config or Config()
        self.sessions = session_factory(engine)
        self.clock = clock
        self.host = socket.gethostname()[:60]
        self.ident = f"{self.host}:{os.getpid()}"
        self.last_scan: float | None = None
        self.http = httpx.Client(timeout=channels.TIMEOUT, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def _session(self) -> LedgerSession:
        s = self.sessions()
        s.info["actor"] = "luoshi-notify"
        return s

    # 1. recover -------------------------------------------------------------------------------
    def recover(self) -> int:
        now = self.clock()
        expired = now - dt.timedelta(seconds=self.config.lease)
        with self._session() as s, s.begin():
            stale = []
            for d in s.scalars(select(Delivery).where(Delivery.state == "sending")):
                host, _, pid = (d.claimed_by or "").rpartition(":")
                mine = host == self.host and pid.isdigit()
                dead = (mine and int(pid) != os.getpid() and not _alive(int(pid))) or (
                    d.claimed_at is not None and d.claimed_at < expired)
                if dead:
                    stale.append(d)
            for d in stale:
                d.state = "uncertain"
                d.last_error = (f"发送时工作进程 {d.claimed_by} 中断，无法确认是否送达；"
                                "请核实后用 luoshi notify confirm 或 retry 处理")
                log.warning("delivery %s left in flight by %s: marked uncertain", d.id, d.claimed_by)
        return len(stale)

    # 3. route ---------------------------------------------------------------------------------
    def route_new(self) -> int:
        with self._session() as s:
            ids = list(s.scalars(select(OutboxEvent.id).where(OutboxEvent.routed_at.is_(None))
                                 .order_by(OutboxEvent.id).limit(self.config.batch)))
        done = 0
        for event_id in ids:
            now = self.clock()
            with self._session() as s, s.begin():
                taken = s.execute(update(OutboxEvent).where(OutboxEvent.id == event_id,
                                                            OutboxEvent.routed_at.is_(None))
                                  .values(routed_at=now))
                if taken.rowcount != 1:  # type: ignore[attr-defined]
                    continue
                event = s.get(OutboxEvent, event_id)
                assert event is not None
                inbox, made = route.route(s, event, now)
                log.info("event %s (%s): %d inbox, %d deliveries", event.id, event.kind, inbox, made)
            done += 1
        return done

    # 4. deliver -------------------------------------------------------------------------------
    def _claim(self, delivery_id: int) -> bool:
        now = self.clock()
        with self._session() as s, s.begin():
            res = s.execute(update(Delivery).where(Delivery.id == delivery_id,
                                                   Delivery.state.in_(("pending", "held")))
                            .values(state="sending", claimed_by=self.ident, claimed_at=now,
                                    attempts=Delivery.attempts + 1))
            return res.rowcount == 1  # type: ignore[attr-defined]

    def message(self, d: Delivery) -> channels.Message:
        ev = d.event
        path = route.link_for(None, ev)
        link = f"{self.config.site_url}{path}" if self.config.site_url and path else None
        data = {k: v for k, v in ev.payload.items() if k not in ("title", "body")}
        return channels.Message(key=d.key, kind=ev.kind, title=str(ev.payload.get("title", "")),
                                body=str(ev.payload.get("body", "")), link=link, address=d.address, data=data)

    def deliver_one(self, delivery_id: int) -> str | None:
        """Claim, send and record one delivery; returns its new state (None: someone else has it)."""
        if not self._claim(delivery_id):
            return None
        with self._session() as s:
            d = s.get(Delivery, delivery_id)
            assert d is not None
            ch: NotifyChannel = d.channel
            kind, settings, secrets = ch.kind, dict(ch.settings or {}), dict(ch.secrets or {})
            msg, attempts = self.message(d), d.attempts
        error: channels.SendError | None = None
        try:
            channels.send(kind, settings, secrets, msg, client=self.http)
        except channels.SendError as exc:
            error = exc
        except Exception as exc:  # a bug or an unexpected library error: recorded, retried, never fatal
            error = channels.SendError(f"发送出错：{type(exc).__name__}")
        now = self.clock()
        values: dict[str, Any] = {"claimed_by": None, "claimed_at": None}
        if error is None:
            values |= {"state": "sent", "sent_at": now, "last_error": None}
        elif error.permanent or attempts >= self.config.max_attempts:
            values |= {"state": "failed", "last_error": error.message}
        else:
            values |= {"state": "pending", "next_attempt_at": now + backoff(attempts), "last_error": error.message}
        with self._session() as s, s.begin():
            s.execute(update(Delivery).where(Delivery.id == delivery_id, Delivery.state == "sending")
                      .values(**values))
        if error is not None:
            log.warning("delivery %s on channel %s: %s (%s)", delivery_id, ch.name, error.message, values["state"])
        return str(values["state"])

    def deliver_due(self) -> Pass:
        out = Pass()
        now = self.clock()
        with self._session() as s:
            ids = list(s.scalars(select(Delivery.id).where(Delivery.state.in_(("pending", "held")),
                                                           Delivery.next_attempt_at <= now)
                                 .order_by(Delivery.next_attempt_at, Delivery.id).limit(self.config.batch)))
        for delivery_id in ids:
            state = self.deliver_one(delivery_id)
            if state == "sent":
                out.sent += 1
            elif state == "pending":
                out.retried += 1
            elif state == "failed":
                out.failed += 1
        return out

    def run_once(self, *, scan_now: bool | None = None) -> Pass:
        out = Pass()
        out.recovered = self.recover()
        due = self.last_scan is None or time.monotonic() - self.last_scan >= self.config.scan_every
        if scan_now if scan_now is not None else due:
            self.last_scan = time.monotonic()
            with self._session() as s, s.begin():
                out.scanned = scan.scan(s, as_of(self.clock()), remind_days=self.config.remind_days,
                                        digest_at=self.config.digest_at)
        out.routed = self.route_new()
        sent = self.deliver_due()
        out.sent, out.retried, out.failed = sent.sent, sent.retried, sent.failed
        return out

    def run(self, stop: threading.Event | None = None, *, parent: int | None = None) -> None:
        """Pass after pass until ``stop`` is set; a busy pass is followed at once by the next.

        With ``parent`` (the pid of ``luoshi serve``), stop as soon as that process is gone — also
        when it was killed and could not stop us — so no orphan keeps sending.
        """
        stop = stop or threading.Event()
        log.info("notification worker %s started", self.ident)
        while not stop.is_set():
            if parent is not None and os.getppid() != parent:
                log.info("parent process %s is gone: stopping", parent)
                break
            try:
                result = self.run_once()
            except Exception:  # the database went away for a moment: log, wait, go on
                log.exception("notification pass failed; retrying in %.0f s", self.config.interval)
                stop.wait(self.config.interval)
                continue
            if not result.busy:
                stop.wait(self.config.interval)


def counts(session: LedgerSession) -> dict[str, int]:
    """Deliveries per state, and events not yet routed (``unrouted``)."""
    out = {state: 0 for state in ("pending", "held", "sending", "sent", "failed", "uncertain")}
    for state, n in session.execute(select(Delivery.state, func.count()).group_by(Delivery.state)):
        out[state] = n
    out["unrouted"] = session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.routed_at.is_(None))) or 0
    return out


def problems(session: LedgerSession, limit: int = 100) -> list[Delivery]:
    """Deliveries the administrator must look at: failed, uncertain, or retrying after an error."""
    q = (select(Delivery).where((Delivery.state.in_(("failed", "uncertain")))
                                | ((Delivery.state == "pending") & Delivery.last_error.is_not(None)))
         .order_by(Delivery.id.desc()).limit(limit))
    return list(session.scalars(q))
