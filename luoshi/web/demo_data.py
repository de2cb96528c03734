"""Demo set-up: confirm suggested units, publish, periods, accounts, and labelled demo progress.

Used by ``luoshi demo``, the page-timing bench and the web tests. Every write goes through the
ledger services (so it is audited, actor ``demo``). Generated progress is deterministic (seeded by
commitment id) and every narrative starts with 【演示数据】 so nobody mistakes it for real reports.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from luoshi.errors import InputError
from luoshi.ledger.clock import clock as ledger_clock
from luoshi.ledger.models import Commitment, Period, ProgressReport, Report, Unit, User
from luoshi.ledger.services import assign as assign_service
from luoshi.ledger.services import periods as period_service
from luoshi.ledger.services import progress as progress_service
from luoshi.ledger.services import publication
from luoshi.paths import reports_dir, seed_report
from luoshi.web import accounts
from luoshi.web.passwords import generate_password

DEMO_LABEL = "【演示数据】"
REPORTS = reports_dir()
SEED = seed_report()


def seed_path(explicit: str | Path | None = None) -> Path:
    path = Path(explicit) if explicit else SEED
    if not path.is_file():
        where = f"“{path}”" if explicit else f"默认位置 {path}（仓库旁的 ../shared/reports/）"
        raise InputError(f"找不到种子报告：{where}；请给出报告文件路径：luoshi demo FILE")
    return path


def ensure_corpus(out: Path, reports: Path = REPORTS) -> str:
    """Build the cross-year corpus (历年承诺 pages) from ``reports`` unless ``out`` already exists.

    Returns a one-line note for the console. A missing reports folder is not an error: the pages
    then explain how to build the corpus by hand.
    """
    if out.is_file():
        return f"历年语料库：{out}（已存在）"
    if not reports.is_dir():
        return f"历年语料库：未建立（找不到报告目录 {reports}；可运行 luoshi corpus build 报告目录 --out {out}）"
    from luoshi.corpus.build import build

    out.parent.mkdir(parents=True, exist_ok=True)
    res = build(reports, out, workers=1, progress=False)
    failed = f"，失败 {len(res.failures)}" if res.failures else ""
    return f"历年语料库：{res.processed} 份报告{failed}，用时 {res.seconds:.1f} 秒 → {out}"


def import_report(db: Session, path: Path) -> tuple[Report, str]:
    """Import ``path`` unless the same file is already in the ledger; returns (report, status)."""
    from luoshi.ledger.services.importing import apply_plan, extract_for_import, plan_import

    extraction, text = extract_for_import(path, government=None, year=None)
    plan = plan_import(db, extraction, source_text=text, source_name=path.name)
    report = apply_plan(db, plan)
    return report, plan.status


def confirm_and_publish(db: Session, report: Report) -> tuple[int, int]:
    """Confirm every suggested lead, then publish the plan by the ledger's rule
    (``publication.publish``); returns (assigned, published)."""
    assigned = 0
    rows = list(db.scalars(select(Commitment).where(Commitment.report_id == report.id).order_by(Commitment.id)))
    for c in rows:
        if c.state == "draft" and c.lead is not None:
            assign_service.assign(db, c)
            assigned += 1
    return assigned, publication.publish(db, report).published


@dataclass
class DemoAccount:
    username: str
    role: str
    password: str
    unit: str | None = None


def busiest_units(db: Session, report: Report, n: int) -> list[Unit]:
    counts: Counter[int] = Counter()
    for c in db.scalars(select(Commitment).where(Commitment.report_id == report.id, Commitment.state == "active")):
        for a in c.assignments:
            if a.role == "lead":
                counts[a.unit_id] += 1
    return [db.get_one(Unit, uid) for uid, _ in counts.most_common(n)]


def ensure_accounts(db: Session, report: Report, *, liaisons: int = 4) -> list[DemoAccount]:
    """Demo accounts for each role; passwords are new at every run (printed once)."""
    wanted: list[tuple[str, str, str | None, str]] = [
        ("duchashi", "admin", None, "市政府督查室"),
        ("leader", "leader", None, "市政府领导"),
    ]
    for i, unit in enumerate(busiest_units(db, report, liaisons), 1):
        wanted.append((f"liaison{i}", "liaison", unit.name, f"{unit.short_name or unit.name}联络员"))
    out = []
    for username, role, unit, name in wanted:
        password = generate_password()
        existing = db.scalar(select(User).where(User.username == username))
        if existing is None:
            accounts.add_user(db, username, role, password, unit=unit, display_name=name)
        else:
            accounts.set_password(db, username, password)
        out.append(DemoAccount(username, role, password, unit))
    return out


def fix_statistics_date(db: Session, report: Report) -> dt.date:
    """The day the demo ledger is judged on, stored as its statistics date (统计日期): the ledger's
    clock if an override or an earlier run fixed one, the machine's date within the plan year, else
    15 November of it — late in the year, with three quarters reported, so the display is not all
    red nor all grey. Every reader (CLI, web, exports) then judges the demo on the same day."""
    c = ledger_clock(db, report)
    today = c.today()
    if c.source == "machine" and today.year != report.year:
        today = dt.date(report.year, 11, 15)
    if c.source != "ledger":
        period_service.configure(db, report, statistics_date=today)
    return today


def generate_progress(db: Session, report: Report, *, through: dt.date, accept: bool = True) -> int:
    """Demo progress for every active commitment in every period ended by ``through``; returns count.

    Most items keep pace with 时序进度, some lag (yellow/red), a few have no report — a plausible
    mix so the dashboard has something to show. Skips (commitment, period) pairs that already have a
    report, so running it twice adds nothing.
    """
    from luoshi.ledger.services.status import expected_percent

    periods = [p for p in db.scalars(select(Period).where(Period.report_id == report.id).order_by(Period.start))
               if p.end <= through]
    done = {(cid, pid) for cid, pid in db.execute(select(ProgressReport.commitment_id, ProgressReport.period_id)
                                                  .join(Commitment).where(Commitment.report_id == report.id))}
    rows = list(db.scalars(select(Commitment).where(Commitment.report_id == report.id, Commitment.state == "active")
                           .order_by(Commitment.id)))
    n = 0
    for c in rows:
        rng = random.Random(c.id * 7919)
        pace = rng.choice([1.0, 1.0, 1.0, 1.05, 0.95, 0.85, 0.7, 0.45])
        skip_last = rng.random() < 0.06
        lead = c.lead
        author = (lead.unit.short_name or lead.unit.name) + "联络员" if lead else "demo"
        for i, p in enumerate(periods):
            if (c.id, p.id) in done or (skip_last and i == len(periods) - 1):
                continue
            pct = round(min(100.0, expected_percent(c, p.end, report.year) * pace + rng.uniform(-3, 3)), 1)
            pct = max(0.0, pct)
            value = None
            if c.kind == "target" and c.value and c.unit != "%" and c.comparator != "<=" \
                    and not (c.metric or "").startswith("增长"):
                value = round(c.value * pct / 100, 2)
            narrative = f"{DEMO_LABEL}{p.label} 按计划推进，完成 {pct:g}%。"
            pr = progress_service.save_draft(db, c, p, author=author, percent=pct, value=value,
                                             narrative=narrative)
            submitted = dt.datetime.combine(p.due - dt.timedelta(days=rng.randint(0, 3)), dt.time(9, 30),
                                            tzinfo=dt.UTC)
            progress_service.submit(db, pr, now=submitted)
            if accept:
                progress_service.accept(db, pr)
            n += 1
    return n


def build(engine: object, path: Path | None = None, *, through: dt.date | None = None,
          accept: bool = True) -> tuple[int, list[DemoAccount]]:
    """Everything ``luoshi demo`` prepares, in one transaction; returns (report id, accounts)."""
    from luoshi.ledger.db import transaction

    with transaction(engine, actor="demo") as db:  # type: ignore[arg-type]
        report, _ = import_report(db, seed_path(path))
        confirm_and_publish(db, report)
        accts = ensure_accounts(db, report)
        if through is not None:
            generate_progress(db, report, through=through, accept=accept)
        return report.id, accts
