"""Who may do what, and who may see what: every permission rule of the ledger, written once.

Each rule is a predicate over an :class:`Actor` — the web's logged-in principal and the ledger's
``User`` row both are one — and, where a listing needs it, the same rule as an SQL clause right
beside it (``*_clause``), so that a page listing records and the check on one record cannot drift
apart (tests/ledger/test_policy.py holds each pair to the same answers). Web views, the JSON API,
CLI commands and ledger services call these; nothing else compares roles. A test greps the package
for role literals compared anywhere but here.

The roles:

- ``admin`` — the supervision office (督查室): runs the ledger, sees and does everything;
- ``leader`` — government leaders (领导): read everything, drafts included, and comment (批示),
  but change nothing;
- ``liaison`` — one unit's liaison (单位联络员): reports progress on the commitments its unit
  leads or supports and sees those even unpublished; answers the notices sent to its unit or on
  the commitments it leads;
- ``public`` — anonymous visitors: published commitments and accepted progress only.

An inactive (disabled) account is treated as the public, whatever its role: disabling someone
must take their rights away everywhere at once, not only at login.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from luoshi.ledger.models import USER_ROLES, Assignment, Commitment, Notice, ProgressReport, Report
from luoshi.ledger.services import publication

ADMIN = "admin"
LIAISON = "liaison"
LEADER = "leader"
PUBLIC = "public"
# the roles an account may have to log in (the public needs no account)
LOGIN_ROLES: tuple[str, ...] = tuple(r for r in USER_ROLES if r != PUBLIC)


@runtime_checkable
class Actor(Protocol):
    """Whoever acts or reads: what every rule needs to know about them, and nothing more."""

    @property
    def id(self) -> int | None: ...

    @property
    def role(self) -> str: ...

    @property
    def unit_id(self) -> int | None: ...

    @property
    def active(self) -> bool: ...


def _role(actor: Actor | None) -> str:
    """The role the rules apply: a missing or disabled account counts as the public."""
    if actor is None or not actor.active:
        return PUBLIC
    return actor.role


# --------------------------------------------------------------------------- roles


def is_office(actor: Actor | None) -> bool:
    """The supervision office (督查室): the only role that changes the plan and judges reports."""
    return _role(actor) == ADMIN


def is_overseer(actor: Actor | None) -> bool:
    """The office and leaders: they oversee the whole ledger (dashboard, drafts, full history)."""
    return _role(actor) in (ADMIN, LEADER)


def is_leader(actor: Actor | None) -> bool:
    """A leader (领导): reads everything, comments (批示), changes nothing."""
    return _role(actor) == LEADER


def is_liaison(actor: Actor | None) -> bool:
    """A unit's liaison (their own pages: my tasks, my notices)."""
    return _role(actor) == LIAISON


def is_member(actor: Actor | None) -> bool:
    """Any account that may log in (office, leader, liaison) — not the public."""
    return _role(actor) in LOGIN_ROLES


def may_log_in(actor: Actor) -> bool:
    """An active account of a role that logs in."""
    return is_member(actor)


def speaks_for_unit(role: str) -> bool:
    """Accounts of this role act for one unit, so they must name it (a liaison without a unit
    would see and answer nothing)."""
    return role == LIAISON


def reports_progress(actor: Actor | None) -> bool:
    """Who may report progress at all: the office, and liaisons (for their unit's commitments,
    see :func:`may_report`)."""
    return _role(actor) in (ADMIN, LIAISON)


def answers_notices(actor: Actor | None) -> bool:
    """Who may answer 督办单 at all: the office, and liaisons (for their unit's, see :func:`may_answer`)."""
    return _role(actor) in (ADMIN, LIAISON)


# --------------------------------------------------------------------------- workbooks (downloads, uploads)


def exchanges_workbooks(actor: Actor | None) -> bool:
    """Who uses the downloads page at all: the office (every document) and liaisons (their own
    unit's progress templates, see :func:`may_fill_template`)."""
    return _role(actor) in (ADMIN, LIAISON)


def may_fill_template(actor: Actor | None, unit_id: int | None) -> bool:
    """Download and upload the progress template (进度填报模板) of unit ``unit_id``: the office for
    any unit, a liaison for their own unit only."""
    if is_office(actor):
        return True
    return is_liaison(actor) and actor is not None and unit_id is not None and actor.unit_id == unit_id


def may_issue_documents(actor: Actor | None) -> bool:
    """The office's documents — the 分工方案, the 督查通报, the extraction workbook — and importing
    an edited plan: the supervision office only."""
    return is_office(actor)


# --------------------------------------------------------------------------- a unit's commitments


def liaison_of(actor: Actor | None, c: Commitment | Any) -> bool:
    """A liaison of a unit assigned to ``c`` (lead or support): the rule behind a unit's own records.

    ``c`` is anything with ``assignments`` carrying ``unit_id`` (a ``Commitment`` or a loaded row).
    """
    if not is_liaison(actor) or actor is None or actor.unit_id is None:
        return False
    return any(a.unit_id == actor.unit_id for a in c.assignments)


def liaison_commitments(actor: Actor) -> Any:
    """SQL twin of :func:`liaison_of`: the ids of the commitments ``actor``'s unit is assigned to."""
    return select(Assignment.commitment_id).where(Assignment.unit_id == actor.unit_id)


def liaisons_of_units(units: Any) -> Any:
    """SQL over ``User``: the liaison accounts of these units (who hears of a unit's records)."""
    from luoshi.ledger.models import User

    return (User.role == LIAISON) & User.unit_id.in_(units)


def accounts_of_roles(roles: Any) -> Any:
    """SQL over ``User``: accounts holding one of ``roles`` (messages addressed to a role)."""
    from luoshi.ledger.models import User

    return User.role.in_(roles)


# --------------------------------------------------------------------------- commitments & reports


def may_see_drafts(actor: Actor | None) -> bool:
    """Unpublished commitments and reports, evaluation reasons, every notice: the overseers."""
    return is_overseer(actor)


def may_see_commitment(actor: Actor | None, c: Commitment | Any) -> bool:
    """Published commitments to everyone; unpublished ones to overseers and the assigned units."""
    return bool(c.published) or may_see_drafts(actor) or liaison_of(actor, c)


def visible_clause(actor: Actor | None) -> Any:
    """SQL twin of :func:`may_see_commitment` on ``Commitment`` rows; None when nothing is hidden."""
    if may_see_drafts(actor):
        return None
    if is_liaison(actor) and actor is not None and actor.unit_id is not None:
        return or_(Commitment.published.is_(True), Commitment.id.in_(liaison_commitments(actor)))
    return Commitment.published.is_(True)


def may_see_report(session: Session, actor: Actor | None, report: Report) -> bool:
    """A report exists for the public once it is published (``services.publication``: any of its
    commitments is); overseers see every report, next year's plan under review included."""
    return may_see_drafts(actor) or publication.is_published(session, report)


def reports_clause(actor: Actor | None) -> Any:
    """SQL twin of :func:`may_see_report` on ``Report`` rows; None when nothing is hidden."""
    return None if may_see_drafts(actor) else publication.published_clause()


def may_see_private_progress(actor: Actor | None, c: Commitment | Any) -> bool:
    """The working side of ``c``: progress not yet accepted, who wrote it, why it was returned, the
    evidence files, the change history. Overseers, and the units that answer for it."""
    return may_see_drafts(actor) or liaison_of(actor, c)


def may_report(actor: Actor | None, c: Commitment | Any) -> bool:
    """Report progress on ``c`` (and attach evidence): the office, and liaisons of its units."""
    return is_office(actor) or liaison_of(actor, c)


# --------------------------------------------------------------------------- progress reports


def may_see_progress(actor: Actor | None, pr: ProgressReport) -> bool:
    """A progress report in the progress list: a liaison sees every report of their unit's
    commitments (drafts and returned ones included) and no other; overseers all; the public the
    accepted reports of published commitments."""
    if is_liaison(actor):
        return liaison_of(actor, pr.commitment)
    if may_see_drafts(actor):
        return True
    return pr.state == "accepted" and bool(pr.commitment.published)


def progress_clause(actor: Actor | None) -> Any:
    """SQL twin of :func:`may_see_progress` on ``ProgressReport`` rows joined to their ``Commitment``;
    None when nothing is hidden."""
    if is_liaison(actor) and actor is not None:
        return ProgressReport.commitment_id.in_(liaison_commitments(actor))
    if may_see_drafts(actor):
        return None
    return (ProgressReport.state == "accepted") & Commitment.published.is_(True)


# --------------------------------------------------------------------------- notices (督办单)


def may_answer(actor: Actor | None, n: Notice) -> bool:
    """Answer a 督办单: the office, or a liaison of the unit it was sent to or of the commitment's
    lead unit (a supporting unit does not answer for the lead)."""
    if is_office(actor):
        return True
    if not is_liaison(actor) or actor is None or actor.unit_id is None:
        return False
    return n.unit_id == actor.unit_id or any(
        a.unit_id == actor.unit_id and a.role == "lead" for a in n.commitment.assignments
    )


def may_close(actor: Actor | None, n: Notice) -> bool:
    """Only the supervision office closes (办结) a 督办单."""
    return is_office(actor)


def may_see_notice(actor: Actor | None, n: Notice) -> bool:
    """Overseers see every notice; a liaison the notices they may answer; the public none."""
    return may_see_drafts(actor) or may_answer(actor, n)


def notices_clause(actor: Actor | None) -> Any:
    """SQL twin of :func:`may_see_notice` on ``Notice`` rows; None when nothing is hidden."""
    if may_see_drafts(actor):
        return None
    if is_liaison(actor) and actor is not None and actor.unit_id is not None:
        lead_of = select(Assignment.commitment_id).where(Assignment.unit_id == actor.unit_id,
                                                         Assignment.role == "lead")
        return or_(Notice.unit_id == actor.unit_id, Notice.commitment_id.in_(lead_of))
    return false()


# --------------------------------------------------------------------------- comments & history


def may_post_comment(actor: Actor | None) -> bool:
    """Comments are 领导批示 and 督查室意见: leaders and the office write them."""
    return is_overseer(actor)


def may_read_comments(actor: Actor | None, c: Commitment | Any) -> bool:
    """Those who write comments, and the liaisons of the units the comments are addressed to."""
    return is_overseer(actor) or liaison_of(actor, c)


def may_read_full_history(actor: Actor | None) -> bool:
    """The whole audit trail, private evaluation fields included: the overseers."""
    return is_overseer(actor)
