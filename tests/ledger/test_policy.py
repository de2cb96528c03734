"""luoshi.ledger.policy: each predicate and its SQL twin give the same answers, and no role is
compared anywhere else in the package."""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import luoshi
from luoshi.ledger import policy
from luoshi.ledger.models import USER_ROLES, Commitment, Notice, ProgressReport, User
from luoshi.ledger.services import assign, commitments, periods, progress, units

from .helpers import small_ledger

PACKAGE = Path(luoshi.__file__).parent


@dataclass
class World:
    report_id: int
    c: dict[str, int]  # name → commitment id
    actors: dict[str, User | None]


def _user(session, username: str, role: str, unit: str | None = None, *, active: bool = True) -> User:
    unit_id = units.find_unit(session, "枣庄市", unit).id if unit else None
    u = User(username=username, display_name=username, role=role, unit_id=unit_id, active=active)
    session.add(u)
    session.flush()
    return u


@pytest.fixture
def world(session) -> World:
    """Four commitments: published with lead 工信局 and support 发改委; unpublished led by 发改委;
    unpublished led by 财政局; an unassigned draft. Progress reports and notices on them."""
    report = small_ledger(session)
    made = {}
    for name, lead, support in (("pub", "工信局", ["发改委"]), ("own", "发改委", []), ("other", "财政局", []),
                                ("draft", None, [])):
        c = commitments.add_manual(session, report, kind="measure", title=f"任务{name}")
        if lead:
            assign.assign(session, c, lead=lead, support=support)
        made[name] = c
    made["pub"].published = True
    session.flush()
    periods.generate_periods(session, report)
    q1 = periods.period(session, report, "2024Q1")
    for name, accept in (("pub", True), ("own", True), ("other", False)):
        pr = progress.save_draft(session, made[name], q1, author="t", percent=30, narrative="推进中")
        progress.submit(session, pr, now=dt.datetime(2024, 4, 1, tzinfo=dt.UTC))
        if accept:
            progress.accept(session, pr)
    draft_pr = progress.save_draft(session, made["pub"], periods.period(session, report, "2024Q2"), author="t",
                                   percent=50, narrative="草稿")
    assert draft_pr.state == "draft"
    gx = units.find_unit(session, "枣庄市", "工信局").id
    fg = units.find_unit(session, "枣庄市", "发改委").id
    cz = units.find_unit(session, "枣庄市", "财政局").id
    # one notice per commitment and period: "pub" gets one (to 工信局) in Q1 and one (to 发改委) in Q2
    q2 = periods.period(session, report, "2024Q2")
    for name, unit, reason, period in (("pub", gx, "missing", q1), ("pub", fg, "behind", q2),
                                       ("own", fg, "missing", q1), ("other", cz, "missing", q1),
                                       ("draft", None, "missing", q1)):
        session.add(Notice(commitment_id=made[name].id, unit_id=unit, period_id=period.id, reason=reason,
                           reasons=[reason], detail="未按时报送", issued=dt.date(2024, 4, 15),
                           due=dt.date(2024, 4, 22)))
    session.flush()
    actors: dict[str, User | None] = {
        "admin": _user(session, "dc", "admin"),
        "leader": _user(session, "ld", "leader"),
        "liaison_lead": _user(session, "gx", "liaison", "工信局"),
        "liaison_support": _user(session, "fg", "liaison", "发改委"),
        "liaison_other": _user(session, "cz", "liaison", "财政局"),
        "liaison_unassigned": _user(session, "sj", "liaison", "审计局"),
        "disabled_admin": _user(session, "old", "admin", active=False),
        "disabled_liaison": _user(session, "oldfg", "liaison", "发改委", active=False),
        "public_account": _user(session, "pub", "public"),
        "anonymous": None,
    }
    session.expire_all()
    return World(report.id, {k: v.id for k, v in made.items()}, actors)


def _ids(session, q: Any, clause: Any) -> set[int]:
    return set(session.scalars(q if clause is None else q.where(clause)))


def test_commitment_visibility_and_its_sql_agree(session, world: World) -> None:
    rows = list(session.scalars(select(Commitment).where(Commitment.report_id == world.report_id)))
    names = {v: k for k, v in world.c.items()}
    seen = {}
    for who, actor in world.actors.items():
        by_rule = {c.id for c in rows if policy.may_see_commitment(actor, c)}
        by_sql = _ids(session, select(Commitment.id).where(Commitment.report_id == world.report_id),
                      policy.visible_clause(actor))
        assert by_rule == by_sql, who
        seen[who] = sorted(names[i] for i in by_rule)
    everything = sorted(world.c)
    assert seen == {
        "admin": everything, "leader": everything,
        "liaison_lead": ["pub"], "liaison_support": ["own", "pub"], "liaison_other": ["other", "pub"],
        "liaison_unassigned": ["pub"], "disabled_admin": ["pub"], "disabled_liaison": ["pub"],
        "public_account": ["pub"], "anonymous": ["pub"],
    }


def test_report_visibility_and_its_sql_agree(session, world: World) -> None:
    from luoshi.ledger.models import Report

    plan = small_ledger(session, year=2025)  # next year's plan, nothing published yet
    rows = list(session.scalars(select(Report)))
    assert {r.id for r in rows} == {world.report_id, plan.id}
    for who, actor in world.actors.items():
        by_rule = {r.id for r in rows if policy.may_see_report(session, actor, r)}
        by_sql = _ids(session, select(Report.id), policy.reports_clause(actor))
        assert by_rule == by_sql, who
        assert by_rule == ({world.report_id, plan.id} if who in ("admin", "leader") else {world.report_id}), who


def test_progress_visibility_and_its_sql_agree(session, world: World) -> None:
    rows = list(session.scalars(select(ProgressReport)))
    assert len(rows) == 4
    label = {p.id: f"{next(k for k, v in world.c.items() if v == p.commitment_id)}:{p.state}" for p in rows}
    seen = {}
    for who, actor in world.actors.items():
        by_rule = {p.id for p in rows if policy.may_see_progress(actor, p)}
        by_sql = _ids(session, select(ProgressReport.id).join(Commitment), policy.progress_clause(actor))
        assert by_rule == by_sql, who
        seen[who] = sorted(label[i] for i in by_rule)
    assert seen["admin"] == seen["leader"] == ["other:submitted", "own:accepted", "pub:accepted", "pub:draft"]
    # a liaison sees all of their unit's reports, drafts included, and nobody else's
    assert seen["liaison_lead"] == ["pub:accepted", "pub:draft"]
    assert seen["liaison_support"] == ["own:accepted", "pub:accepted", "pub:draft"]
    assert seen["liaison_other"] == ["other:submitted"]
    assert seen["liaison_unassigned"] == []
    # the public: accepted reports of published commitments only
    for who in ("anonymous", "public_account", "disabled_admin", "disabled_liaison"):
        assert seen[who] == ["pub:accepted"], who


def test_notice_visibility_and_its_sql_agree(session, world: World) -> None:
    rows = list(session.scalars(select(Notice)))
    label = {n.id: f"{next(k for k, v in world.c.items() if v == n.commitment_id)}→"
                   f"{n.unit.short_name if n.unit else '-'}" for n in rows}
    seen = {}
    for who, actor in world.actors.items():
        by_rule = {n.id for n in rows if policy.may_see_notice(actor, n)}
        by_sql = _ids(session, select(Notice.id), policy.notices_clause(actor))
        assert by_rule == by_sql, who
        # a liaison sees exactly the notices they may answer
        if policy.is_liaison(actor):
            assert by_rule == {n.id for n in rows if policy.may_answer(actor, n)}, who
        seen[who] = sorted(label[i] for i in by_rule)
    assert len(seen["admin"]) == len(seen["leader"]) == 5
    # the lead unit answers every notice of its commitment; the support unit only those sent to it
    assert seen["liaison_lead"] == ["pub→市发展改革委", "pub→市工业和信息化局"]
    assert seen["liaison_support"] == ["own→市发展改革委", "pub→市发展改革委"]
    assert seen["liaison_other"] == ["other→市财政局"]
    for who in ("liaison_unassigned", "anonymous", "public_account", "disabled_admin", "disabled_liaison"):
        assert seen[who] == [], who


def test_who_may_act(session, world: World) -> None:
    pub = session.get(Commitment, world.c["pub"])
    notice = session.scalar(select(Notice).where(Notice.commitment_id == pub.id).order_by(Notice.id))
    rules = {
        "report": lambda a: policy.may_report(a, pub),
        "comment": policy.may_post_comment,
        "read_comments": lambda a: policy.may_read_comments(a, pub),
        "private": lambda a: policy.may_see_private_progress(a, pub),
        "answer": lambda a: policy.may_answer(a, notice),
        "close": lambda a: policy.may_close(a, notice),
        "log_in": policy.may_log_in,
    }
    table = {who: sorted(k for k, rule in rules.items() if actor is not None and rule(actor))
             for who, actor in world.actors.items()}
    assert table == {
        "admin": ["answer", "close", "comment", "log_in", "private", "read_comments", "report"],
        "leader": ["comment", "log_in", "private", "read_comments"],
        "liaison_lead": ["answer", "log_in", "private", "read_comments", "report"],
        "liaison_support": ["log_in", "private", "read_comments", "report"],  # notice went to the lead
        "liaison_other": ["log_in"],
        "liaison_unassigned": ["log_in"],
        "disabled_admin": [], "disabled_liaison": [], "public_account": [], "anonymous": [],
    }


def test_web_principal_meets_the_actor_protocol() -> None:
    from luoshi.web.auth import ANONYMOUS, Principal

    liaison = Principal(7, "gx", "工信局联络员", policy.LIAISON, 3, "session")
    assert isinstance(liaison, policy.Actor) and isinstance(ANONYMOUS, policy.Actor)
    assert liaison.active and not ANONYMOUS.active
    assert liaison.can("is_liaison") and not liaison.can("is_overseer")
    assert not ANONYMOUS.can("is_member")
    with pytest.raises(ValueError, match="no such policy rule: _role"):
        liaison.can("_role")
    with pytest.raises(ValueError, match="no such policy rule: is_boss"):
        liaison.can("is_boss")
    with pytest.raises(ValueError, match="no such policy rule: select"):  # imported, not a rule
        liaison.can("select")


def test_policy_names_every_role() -> None:
    assert {policy.ADMIN, policy.LIAISON, policy.LEADER, policy.PUBLIC} == set(USER_ROLES)
    assert policy.LOGIN_ROLES == ("admin", "liaison", "leader")


# --------------------------------------------------------------------------- no role checks elsewhere

USER_ROLE_LITERALS = frozenset(USER_ROLES)
_ROLE_NAMES = "|".join(USER_ROLES)
TEMPLATE_ROLE_CHECK = re.compile(rf"""\brole\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*\(?\s*["'](?:{_ROLE_NAMES})["']""")


def _is_role(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "role") or (isinstance(node, ast.Name)
                                                                         and node.id == "role")


def _role_literals(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & USER_ROLE_LITERALS
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_role_literals(e) for e in node.elts)) if node.elts else set()
    return set()


def role_checks(source: str) -> list[tuple[int, str]]:
    """(line, what) for each literal role check in Python ``source``: a role compared with a user
    role name or with a module's own constant (``role in POSTING_ROLES``), or ``require`` called
    with role names. Roles of other things (an assignment's lead/support, a paragraph's plan/review)
    are not user roles and pass."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if not any(_is_role(o) for o in operands):
                continue
            others = [o for o in operands if not _is_role(o)]
            literal = set().union(*(_role_literals(o) for o in others)) if others else set()
            opaque = [o for o in others if isinstance(o, ast.Name) and o.id.isupper()]  # a local ROLES tuple
            if literal or opaque:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "require":
            if any(_role_literals(a) for a in node.args):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_checker_finds_role_checks() -> None:
    """The grep below is only worth something if it catches the forms role checks take."""
    caught = role_checks(
        'user.role == "admin"\n'
        'u.role in ("admin", "leader")\n'
        'role != "liaison"\n'
        'user.role in POSTING_ROLES\n'
        'ctx.require("admin", "leader")\n'
        '"public" == user.role\n')
    assert [line for line, _ in caught] == [1, 2, 3, 4, 5, 6]
    # assignment and paragraph roles are not user roles
    assert role_checks('a.role == "lead"\np.role in ("plan", "review")\nrole == "support"\n') == []
    assert TEMPLATE_ROLE_CHECK.search('{% if user.role in ("admin", "leader") %}')
    assert TEMPLATE_ROLE_CHECK.search("{% if user.role == 'liaison' %}")
    assert not TEMPLATE_ROLE_CHECK.search('{% for u in units if u.role == "lead" %}')


def test_no_literal_role_check_outside_the_policy() -> None:
    """Every rule about roles lives in luoshi/ledger/policy.py; code and templates ask it."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "ledger" / "policy.py" or "migrations" in path.parts:
            continue
        for line, what in role_checks(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {what}")
    for path in sorted(PACKAGE.rglob("*.html")):
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TEMPLATE_ROLE_CHECK.search(text):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{i}: {text.strip()}")
    assert offenders == [], "role checks outside luoshi.ledger.policy:\n" + "\n".join(offenders)


@dataclass(frozen=True)
class _Actor:
    id: int | None
    role: str
    unit_id: int | None
    active: bool = True


def test_workbook_rules() -> None:
    """Downloads and uploads: the office every document and any unit's template; a liaison only
    their own unit's template; leaders and the public neither; a disabled office account nothing."""
    office, leader = _Actor(1, policy.ADMIN, None), _Actor(2, policy.LEADER, None)
    liaison, stranger = _Actor(3, policy.LIAISON, 7), _Actor(4, policy.LIAISON, None)
    disabled = _Actor(5, policy.ADMIN, None, active=False)
    assert [policy.exchanges_workbooks(a) for a in (office, leader, liaison, disabled, None)] == \
        [True, False, True, False, False]
    assert [policy.may_issue_documents(a) for a in (office, leader, liaison, disabled, None)] == \
        [True, False, False, False, False]
    assert policy.may_fill_template(office, 8) and policy.may_fill_template(liaison, 7)
    assert not policy.may_fill_template(liaison, 8) and not policy.may_fill_template(liaison, None)
    assert not policy.may_fill_template(stranger, None) and not policy.may_fill_template(leader, 7)
    assert not policy.may_fill_template(disabled, 7) and not policy.may_fill_template(None, 7)
