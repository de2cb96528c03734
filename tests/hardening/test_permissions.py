"""The permission matrix: every role × every route in the app's route table (writes, then reads).

Routes are read from ``app.routes`` at test time, so a new POST/PUT/PATCH/DELETE route is covered
the day it is added: it must get a sample request in ``SAMPLES`` (the test says so) and is treated
as admin-only unless listed in ``UNIT_ROUTES``. Each sample is a request that would succeed for a
role allowed to make it, so a refusal is a permission decision, not a validation error.

Roles: anonymous public, leader, liaison of unit B (attacking unit A's records), liaison of unit A,
admin — each by cookie session (with a valid CSRF token, so CSRF is not what stops them) and by
API token. Refused means 401/403/404 (404 when the record is hidden from that role) or, for an
HTML form, a redirect to the login page; allowed means anything but those. Nothing may be 5xx.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from luoshi.devtools.routes import route_table
from luoshi.devtools.samples import make_pdf
from luoshi.export.downloads import XLSX, template_download

# Routes every visitor may post to.
OPEN_ROUTES = {("POST", "/login"), ("POST", "/logout"), ("POST", "/api/session"), ("DELETE", "/api/session")}
# Routes a unit liaison may use on records of their own unit (everything else is admin-only).
UNIT_ROUTES = {
    ("POST", "/my/c/{cid}/report"),
    ("POST", "/my/notices/{nid}"),
    ("POST", "/api/commitments/{cid}/progress"),
    ("POST", "/api/progress/{pid}/evidence"),
    ("POST", "/api/notices/{nid}/answer"),
    ("POST", "/downloads/upload"),  # the sample is unit A's progress template
    ("POST", "/downloads/apply"),
}
# Routes a leader may use (leaders read everything and comment: 领导批示).
LEADER_ROUTES = {
    ("POST", "/api/commitments/{cid}/comments"),
    ("POST", "/dashboard/c/{cid}/comments"),
    ("POST", "/admin/commitments/{cid}/comments"),
}
# Routes every signed-in user may use on their own records: the inbox (mark own messages read) and
# their own account (password).
OWN_ROUTES = {("POST", "/inbox/read"), ("POST", "/account/password")}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PDF = make_pdf(["进度证明材料"])


@dataclass
class Targets:
    """Records of unit A that every caller tries to act on."""

    rid: int
    cid: int
    cid2: int
    period: int
    pid: int
    nid: int
    eid: int
    uid: int  # a unit of its own for the directory routes (renamed, merged away)
    into: int  # the unit it is merged into
    username: str  # an account of that unit (reset, disabled)
    template: bytes  # unit A's progress template, as downloaded
    token: str  # names that template waiting to be applied (as an upload's preview hands out)


@pytest.fixture(scope="module")
def targets(web: Any) -> Targets:
    from luoshi.ledger.db import transaction
    from luoshi.ledger.models import Commitment, Notice, Period
    from luoshi.ledger.services import progress as progress_service
    from luoshi.ledger.services.common import get
    from luoshi.web.signing import sign

    s = web.seeded
    cid, cid2 = s.led["liaison_a"][:2]
    with transaction(web.engine, actor="setup") as db:
        periods = list(db.scalars(select(Period).where(Period.report_id == s.report_id).order_by(Period.start)))
        c = get(db, Commitment, cid)
        pr = progress_service.save_draft(db, c, periods[0], author="setup", percent=10, narrative="初始报送")
        ev = progress_service.attach(db, pr, "证明.pdf", PDF)
        progress_service.submit(db, pr)
        n = Notice(commitment_id=cid, unit_id=s.unit_a, period_id=periods[0].id, reason="missing",
                   detail="未按时报送", issued=dt.date(2024, 4, 1), due=dt.date(2024, 4, 10))
        db.add(n)
        db.flush()
        from luoshi.ledger.models import Report, Unit
        from luoshi.web import accounts

        gov = get(db, Report, s.report_id).government
        spare, into = Unit(government=gov, name="权限测试单位", kind="部门"), Unit(government=gov, name="权限测试承接单位",
                                                                               kind="部门")
        db.add_all([spare, into])
        db.flush()
        accounts.add_user(db, "spare_liaison", "liaison", "Spare-liaison-2026", unit=spare)
        spare_id, into_id = spare.id, into.id
        template = template_download(db, s.unit_a, periods[1]).content
    pending = web.settings.upload_dir / "pending-workbooks"
    pending.mkdir(parents=True, exist_ok=True)
    (pending / ("0" * 32 + ".xlsx")).write_bytes(template)
    token = sign(web.settings.secret_key, "workbook-upload", {"f": "0" * 32, "n": "模板.xlsx"}, ttl=3600)
    return Targets(s.report_id, cid, cid2, periods[1].id, pr.id, n.id, ev.id, spare_id, into_id, "spare_liaison",
                   template, token)


def sample(method: str, path: str, t: Targets) -> dict[str, Any] | None:
    """A request to (method, path) that an allowed caller would get through; None if unknown."""
    upload = {"files": {"file": ("report.txt", "各位代表：2024年主要预期目标是：生产总值增长5%左右。".encode())}}
    samples: dict[tuple[str, str], dict[str, Any]] = {
        # HTML forms (admin)
        ("POST", "/admin/reports"): upload,
        ("POST", "/admin/reports/{rid}/confirm"): {"data": {}},
        ("POST", "/admin/reports/{rid}/publish"): {"data": {}},
        ("POST", "/admin/reports/{rid}/commitments"): {"data": {"kind": "measure", "title": "新增任务"}},
        ("POST", "/admin/reports/{rid}/merge"): {"data": {"ids": [str(t.cid), str(t.cid2)]}},
        ("POST", "/admin/commitments/{cid}/assign"): {"data": {"lead": "", "support": ""}},
        ("POST", "/admin/commitments/{cid}"): {"data": {"title": "改过的标题", "published": "1"}},
        ("POST", "/admin/commitments/{cid}/split"): {"data": {"parts": "第一部分\n第二部分"}},
        ("POST", "/admin/commitments/{cid}/drop"): {"data": {}},
        ("POST", "/admin/commitments/{cid}/evaluate"): {"data": {"result": "完成", "reason": "核实"}},
        ("POST", "/admin/periods"): {"data": {"op": "close", "report": str(t.rid), "period": str(t.period)}},
        ("POST", "/admin/notices/{nid}/close"): {"data": {}},
        ("POST", "/admin/progress/{pid}"): {"data": {"decision": "accept"}},
        ("POST", "/admin/evaluations"): {"data": {"report": str(t.rid)}},
        # HTML forms (liaison)
        ("POST", "/my/c/{cid}/report"): {"data": {"period": str(t.period), "percent": "40", "narrative": "按计划推进"},
                                         "files": {"evidence": ("证明.pdf", PDF, "application/pdf")}},
        ("POST", "/my/notices/{nid}"): {"data": {"answer": "已整改"}},
        # JSON API
        ("POST", "/api/reports"): upload,
        ("POST", "/api/reports/{rid}/confirm"): {},
        ("POST", "/api/reports/{rid}/publish"): {},
        ("PATCH", "/api/commitments/{cid}"): {"json": {"title": "改过的标题"}},
        ("POST", "/api/commitments"): {"json": {"report_id": t.rid, "kind": "measure", "title": "新增任务"}},
        ("DELETE", "/api/commitments/{cid}"): {},
        ("POST", "/api/commitments/{cid}/split"): {"json": {"parts": ["第一部分", "第二部分"]}},
        ("POST", "/api/commitments/merge"): {"json": {"ids": [t.cid, t.cid2]}},
        ("PUT", "/api/commitments/{cid}/assignments"): {"json": {}},
        ("POST", "/api/commitments/{cid}/progress"): {"json": {"period_id": t.period, "percent": 50,
                                                               "narrative": "按计划推进"}},
        ("POST", "/api/progress/{pid}/evidence"): {"files": {"file": ("证明.pdf", PDF, "application/pdf")}},
        ("POST", "/api/progress/{pid}/review"): {"json": {"decision": "return", "reason": "材料不全"}},
        ("PUT", "/api/reports/{rid}/cycle"): {"json": {"cycle": "月"}},
        ("POST", "/api/reports/{rid}/periods"): {},
        ("PUT", "/api/periods/{pid}"): {"json": {"closed": False}},
        ("POST", "/api/periods/{pid}/notices"): {},
        ("POST", "/api/notices/{nid}/answer"): {"json": {"answer": "已整改"}},
        ("POST", "/api/notices/{nid}/close"): {},
        ("PUT", "/api/commitments/{cid}/evaluation"): {"json": {"result": "完成", "reason": "核实"}},
        ("POST", "/api/reports/{rid}/evaluations/finalise"): {"json": {"reason": "提前定稿"}},
        ("POST", "/api/commitments/{cid}/comments"): {"json": {"body": "请加快推进"}},
        ("POST", "/dashboard/c/{cid}/comments"): {"data": {"body": "请加快推进"}},
        ("POST", "/admin/commitments/{cid}/comments"): {"data": {"body": "请加快推进"}},
        ("POST", "/inbox/read"): {"data": {}},
        ("POST", "/inbox/deliveries"): {"data": {"id": "1", "action": "retry"}},
        # unit directory and accounts (admin), one's own password (everyone signed in)
        ("POST", "/admin/units"): {"data": {"gov": "1", "name": "权限测试新单位", "kind": "部门"}},
        ("POST", "/admin/units/{uid}/rename"): {"data": {"name": "权限测试单位（更名）"}},
        ("POST", "/admin/units/{uid}/alias"): {"data": {"alias": "权限测试别名"}},
        ("POST", "/admin/units/{uid}/merge"): {"data": {"into": str(t.into)}},
        ("POST", "/admin/units/{uid}/active"): {"data": {"active": "0"}},
        ("POST", "/admin/units/{uid}/liaisons"): {"data": {"username": "perm_new_liaison"}},
        ("POST", "/admin/units/import"): {"data": {"gov": "1"},
                                          "files": {"file": ("units.csv", "单位名称\n权限测试导入单位\n".encode())}},
        ("POST", "/admin/units/import/apply"): {"data": {"token": "expired"}},
        ("POST", "/admin/accounts/{username}/reset"): {"data": {}},
        ("POST", "/admin/accounts/{username}/active"): {"data": {"active": "0"}},
        ("POST", "/account/password"): {"data": {"old": "not-the-password", "new": "Another-pass-2026",
                                                 "repeat": "Another-pass-2026"}},
        # downloads page: uploads (previewed) and their apply
        ("POST", "/downloads/upload"): {"files": {"file": ("模板.xlsx", t.template, XLSX)}},
        ("POST", "/downloads/apply"): {"data": {"token": t.token}},
        # bulk work (HTML forms and JSON)
        ("POST", "/admin/bulk/assign"): {"data": {"ids": [str(t.cid2)], "lead": "", "support": ""}},
        ("POST", "/admin/bulk/publish"): {"data": {"ids": [str(t.cid2)]}},
        ("POST", "/admin/bulk/accept"): {"data": {"ids": [str(t.pid)]}},
        ("POST", "/admin/bulk/close-notices"): {"data": {"ids": [str(t.nid)]}},
        ("POST", "/api/bulk/assign"): {"json": {"ids": [t.cid2]}},
        ("POST", "/api/bulk/publish"): {"json": {"ids": [t.cid2]}},
        ("POST", "/api/bulk/accept"): {"json": {"ids": [t.pid]}},
        ("POST", "/api/bulk/close-notices"): {"json": {"ids": [t.nid]}},
    }
    return samples.get((method, path))


def fill(path: str, t: Targets) -> str:
    """Path parameters → unit A's records ({pid} is a period under /api/periods, else a progress report)."""
    values = {"rid": t.rid, "report_id": t.rid, "cid": t.cid, "nid": t.nid, "eid": t.eid, "uid": t.uid,
              "username": t.username,
              "pid": t.period if path.startswith("/api/periods/") else t.pid,
              "slug": "liaison", "name": "duchashi-01-admin.png"}

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        assert name in values, f"{path}: no sample value for path parameter {{{name}}}; add one in fill()"
        return str(values[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", sub, path)


def write_routes(app: Any) -> list[tuple[str, str]]:
    return [(m, p) for m, p in route_table(app) if m in WRITE_METHODS]


def refused(resp: Any) -> bool:
    if resp.status_code in (401, 403, 404):
        return True
    return resp.status_code in (302, 303) and resp.headers.get("location", "").startswith("/login")


def run_matrix(web: Any, t: Targets, caller: Any, allowed: set[tuple[str, str]] | None) -> list[str]:
    """Send every write route's sample as ``caller``; list the violations (``allowed`` None = all)."""
    problems = []
    for method, path in write_routes(web.app):
        if (method, path) in OPEN_ROUTES:
            continue
        kw = sample(method, path, t)
        if kw is None:
            problems.append(f"{method} {path}: new write route without a sample request in test_permissions.SAMPLES")
            continue
        resp = caller.request(method, fill(path, t), **kw)
        may = allowed is None or (method, path) in allowed
        if resp.status_code >= 500:
            problems.append(f"{method} {path}: {resp.status_code} server error")
        elif may and resp.status_code in (401, 403):
            problems.append(f"{method} {path}: allowed role refused with {resp.status_code}: {resp.text[:200]}")
        elif not may and not refused(resp):
            problems.append(f"{method} {path}: NOT refused ({resp.status_code} {resp.headers.get('location', '')}"
                            f" {resp.text[:120]!r})")
    return problems


def test_route_table_has_write_routes(web: Any) -> None:
    routes = write_routes(web.app)
    assert len(routes) >= 20, routes
    assert ("POST", "/api/commitments/{cid}/progress") in routes


# --------------------------------------------------------------------------- read routes
# Who may read each GET route (callers: anonymous, leader, liaison_b, liaison_a, admin). Open
# routes answer everyone alike; the others refuse everyone not listed. A new GET route must get a
# row here (the test says so).
EVERYONE = frozenset({"anonymous", "leader", "liaison_b", "liaison_a", "admin"})
MEMBERS = EVERYONE - {"anonymous"}
OVERSEERS = frozenset({"leader", "admin"})
UNIT_A = OVERSEERS | {"liaison_a"}  # policy.may_see_private_progress on unit A's commitment
OFFICE = frozenset({"admin"})
READ_ROWS: dict[str, frozenset[str]] = {
    **dict.fromkeys(["/", "/c/{cid}", "/screen", "/favicon.ico", "/login", "/api/areas", "/api/commitments",
                     "/api/commitments/{cid}", "/api/commitments/{cid}/progress", "/api/dashboard",
                     "/api/evaluations", "/api/openapi.json", "/api/periods", "/api/reports",
                     "/api/reports/{report_id}", "/api/reports/{report_id}/sections", "/api/units", "/api/me", "/reconcile/",
                     "/reconcile/compare", "/reconcile/gov/{government}", "/reconcile/gov/{government}/{year}",
                     "/reconcile/gov/{government}/{year}/ambition", "/help", "/help/{slug}",
                     "/help/images/{name}"], EVERYONE),
    "/api/notices": MEMBERS,
    "/account/password": MEMBERS,
    "/admin/units": OFFICE,
    "/admin/notices/preview": OFFICE,
    "/api/periods/{pid}/notices/preview": OFFICE,
    "/inbox": MEMBERS,
    "/admin/units/{uid}": OFFICE,
    "/api/progress": MEMBERS,
    "/api/commitments/{cid}/comments": UNIT_A,
    "/api/commitments/{cid}/history": UNIT_A,
    "/evidence/{eid}": UNIT_A,
    "/my/c/{cid}/report": OFFICE | {"liaison_a"},
    "/my": frozenset({"liaison_a", "liaison_b"}),
    "/my/notices": OFFICE | {"liaison_a", "liaison_b"},
    "/downloads": OFFICE | {"liaison_a", "liaison_b"},
    "/downloads/template.xlsx": OFFICE | {"liaison_a", "liaison_b"},  # a liaison: their own unit's
    **dict.fromkeys(["/downloads/plan.xlsx", "/downloads/plan.docx", "/downloads/bulletin.docx",
                     "/downloads/extraction.xlsx"], OFFICE),
    "/dashboard": OVERSEERS,
    "/dashboard/c/{cid}": OVERSEERS,
    "/dashboard/list": OVERSEERS,
    "/api/scorecard": OVERSEERS,
    **dict.fromkeys(["/admin", "/admin/commitments/{cid}", "/admin/evaluations", "/admin/notices", "/admin/periods",
                     "/admin/progress", "/admin/reports/{rid}", "/admin/history"], OFFICE),
}


def read_routes(app: Any) -> list[str]:
    return [p for m, p in route_table(app) if m == "GET"]


def read_callers(web: Any, via: str) -> dict[str, Any]:
    make = web.session if via == "session" else web.token
    return {"anonymous": web.anonymous(), **{name: make(name) for name in sorted(EVERYONE - {"anonymous"})}}


# Read routes that need a query parameter to mean anything (else every caller gets the same 422).
READ_QUERY = {"/admin/notices/preview": "?period={period}"}


@pytest.mark.parametrize("via", ["session", "token"])
def test_read_matrix(web: Any, targets: Targets, via: str) -> None:
    """Every GET route × every caller: restricted reads refuse exactly those the rules leave out,
    open ones answer everybody the same way; nothing is a server error."""
    callers = read_callers(web, via)
    problems = []
    for path in read_routes(web.app):
        allowed = READ_ROWS.get(path)
        if allowed is None:
            problems.append(f"GET {path}: new read route without a row in test_permissions.READ_ROWS")
            continue
        url = fill(path.replace("{government}", "枣庄市").replace("{year}", "2024"), targets)
        url += READ_QUERY.get(path, "").format(period=targets.period)
        answers = {name: caller.get(url) for name, caller in callers.items()}
        for name, resp in answers.items():
            if resp.status_code >= 500:
                problems.append(f"GET {path} as {name}: {resp.status_code} server error")
            elif name in allowed and refused(resp) and allowed != EVERYONE:
                problems.append(f"GET {path} as {name}: allowed but refused ({resp.status_code})")
            elif name not in allowed and not refused(resp):
                problems.append(f"GET {path} as {name}: NOT refused ({resp.status_code})")
        if allowed == EVERYONE:
            statuses = {name: r.status_code for name, r in answers.items()}
            if len(set(statuses.values())) > 1:
                problems.append(f"GET {path}: open route answers callers differently {statuses}")
    assert problems == [], "\n".join(problems)


def test_anonymous_by_form_token(web: Any, targets: Targets) -> None:
    """Anonymous visitors (with a valid pre-login CSRF token, as the login page hands out) are refused."""
    anon = web.anonymous()
    page = anon.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the login page carries a CSRF token"
    anon.csrf = token.group(1)
    assert run_matrix(web, targets, anon, allowed=set()) == []


def test_anonymous_api(web: Any, targets: Targets) -> None:
    assert run_matrix(web, targets, web.anonymous(), allowed=set()) == []


@pytest.mark.parametrize("via", ["session", "token"])
def test_leader_only_comments(web: Any, targets: Targets, via: str) -> None:
    caller = web.session("leader") if via == "session" else web.token("leader")
    assert run_matrix(web, targets, caller, allowed=LEADER_ROUTES | OWN_ROUTES) == []


@pytest.mark.parametrize("via", ["session", "token"])
def test_liaison_of_another_unit_is_refused(web: Any, targets: Targets, via: str) -> None:
    caller = web.session("liaison_b") if via == "session" else web.token("liaison_b")
    assert run_matrix(web, targets, caller, allowed=OWN_ROUTES) == []


@pytest.mark.parametrize("via", ["session", "token"])
def test_liaison_of_the_unit(web: Any, targets: Targets, via: str) -> None:
    caller = web.session("liaison_a") if via == "session" else web.token("liaison_a")
    assert run_matrix(web, targets, caller, allowed=UNIT_ROUTES | OWN_ROUTES) == []


def test_refused_writes_changed_nothing(web: Any, targets: Targets) -> None:
    """Before the admin runs: unit A's commitment still has its title and its report is not reviewed."""
    from luoshi.ledger.db import session_factory
    from luoshi.ledger.models import Commitment, Notice, ProgressReport

    db = session_factory(web.engine)()
    try:
        c = db.get(Commitment, targets.cid)
        assert c is not None and c.title != "改过的标题" and c.state == "active"
        assert db.get(Notice, targets.nid).closed is False
        assert db.get(ProgressReport, targets.pid).state in {"submitted", "draft"}
    finally:
        db.close()


@pytest.mark.parametrize("via", ["session", "token"])
def test_admin_may_do_everything(web: Any, targets: Targets, via: str) -> None:
    caller = web.session("admin") if via == "session" else web.token("admin")
    assert run_matrix(web, targets, caller, allowed=None) == []
