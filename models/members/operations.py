"""Joining, approving, pausing and leaving one programme; the person stays one person."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import JSON, case, delete, exists, insert, literal
from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, Conflict, DomainError
from models.members.queries import PROGRAMME_STEPS, lock_membership, missing_steps
from models.members.tables import Membership
from models.organisations import Program
from models.users import User
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, shared_write

ENDED = ("declined", "withdrawn")


def add_first_memberships(session: Session, volunteer_ids: Iterable[int] | None = None,
                          today: date | None = None) -> None:
    """The first programme's membership of volunteers written in bulk (imports, the demo), where
    the per-row hook does not run; idempotent: volunteers that have one are left alone."""
    from models.clock import today as clock_today

    day = today or clock_today()
    has = exists().where(Membership.volunteer_id == Volunteer.id, Membership.program_id == Volunteer.program_id)
    ended = Volunteer.status.in_(ENDED)
    rows = select(Volunteer.organisation_id, Volunteer.id, Volunteer.program_id,
                  case((ended, literal("left")), else_=literal("active")), Volunteer.capacity,
                  literal(day), case((ended, literal(day)), else_=None), literal(""), literal({}, JSON),
                  literal(utcnow())).where(~has)
    if volunteer_ids is not None:
        rows = rows.where(Volunteer.id.in_(list(volunteer_ids)))
    session.execute(insert(Membership).from_select(
        ["organisation_id", "volunteer_id", "program_id", "status", "capacity", "joined_on", "left_on",
         "leave_reason", "own_steps", "created_at"], rows))


def join_by_import(session: Session, volunteer: Volunteer, program: Program, capacity: int,
                   today: date) -> Membership | None:
    """An existing volunteer merged into an import for ``program`` gets a place in it (no
    commit; the caller holds the volunteer's lock): active at once when they are approved and
    have done every step the programme asks, otherwise an application. None if they have one
    (a place they left stays left: rejoining is the coordinator's decision, not the file's)."""
    if lock_membership(session, volunteer.id, program.id) is not None:
        return None
    member = Membership(organisation_id=volunteer.organisation_id, volunteer_id=volunteer.id, program_id=program.id)
    ready = volunteer.status == "approved" and not missing_steps(session, volunteer, program)
    member.status, member.capacity, member.joined_on = ("active" if ready else "applied"), capacity, today
    member.approved_on, member.left_on, member.leave_reason = (today if ready else None), None, ""
    session.add(member)
    session.flush()
    return member


def drop_memberships(session: Session, volunteer_ids: list[int]) -> None:
    """Before the volunteer rows themselves are deleted (an import undone)."""
    session.exec(delete(Membership).where(Membership.volunteer_id.in_(volunteer_ids)))


def _program_of(session: Session, volunteer: Volunteer, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None or program.organisation_id != volunteer.organisation_id:
        raise DomainError(N_("Choose one of your organisation's programmes."), field="program_id")
    return program


def _lock_current_member(session: Session, volunteer_id: int, program_id: int) -> tuple[Volunteer, Program, Membership]:
    """Lock the person, then their place in the programme, and decide on the locked rows: a place
    left meanwhile is a lost race, told as one."""
    volunteer = lock(session, Volunteer, volunteer_id)
    program = _program_of(session, volunteer, program_id)
    member = lock_membership(session, volunteer_id, program_id)
    if member is None or member.status == "left":
        raise Conflict(N_("%(name)s is not in %(program)s any more. Reload the page."),
                       name=volunteer.first_name, program=program.name)
    return volunteer, program, member


@shared_write
def join_program(session: Session, volunteer_id: int, program_id: int, capacity: int, by: User, today: date,
                 motivation: str = "", submit_key: str | None = None) -> Membership:
    """The volunteer applies to (or a coordinator adds them to) a further programme of their
    organisation. A coordinator's addition of a person who has done every required step is
    active at once; otherwise it waits for that programme's approval."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"join_program:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This application has already been sent."))
    volunteer = lock(session, Volunteer, volunteer_id)
    program = _program_of(session, volunteer, program_id)
    if volunteer.status in ENDED or volunteer.anonymised_at is not None:
        raise DomainError(N_("%(name)s is no longer a volunteer here."), name=volunteer.first_name)
    if not 1 <= capacity <= 5:
        raise DomainError(N_("Choose between 1 and 5."), field="capacity")
    member = lock_membership(session, volunteer_id, program_id)
    if member is not None and member.status != "left":
        raise Conflict(N_("%(name)s is already in %(program)s."), name=volunteer.first_name, program=program.name)
    if member is None:
        member = Membership(organisation_id=volunteer.organisation_id, volunteer_id=volunteer_id,
                            program_id=program_id)
    member.status, member.capacity, member.joined_on = "applied", capacity, today
    member.left_on, member.leave_reason, member.approved_on = None, "", None
    session.add(member)
    session.flush()
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"programme": program.name, "membership_status": "applied",
                         "why_this_programme": motivation.strip()[:500]})
    note_result(claim, member.id)
    session.commit()
    return member


@shared_write
def approve_membership(session: Session, volunteer_id: int, program_id: int, by: User, today: date,
                       submit_key: str | None = None) -> Membership:
    """The programme's coordinator lets the volunteer in: every step the programme requires
    must be done (checked on the locked rows; shared steps count from any programme)."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"approve_membership:{volunteer_id}:{program_id}",
                             user_id=by.id)
    volunteer = lock(session, Volunteer, volunteer_id)
    program = _program_of(session, volunteer, program_id)
    member = lock_membership(session, volunteer_id, program_id)
    if member is None or member.status != "applied":
        raise Conflict(N_("%(name)s has no open application to %(program)s. Reload the page."),
                       name=volunteer.first_name, program=program.name)
    if volunteer.status != "approved":
        raise DomainError(N_("%(name)s must finish the screening before joining another programme."),
                          name=volunteer.first_name)
    missing = missing_steps(session, volunteer, program)
    if missing:
        raise DomainError(N_("Every screening step must be done before approval (%(n)s missing)."), n=len(missing))
    member.status, member.approved_on = "active", today
    session.add(member)
    if volunteer.pool_since is None:
        volunteer.pool_since = today  # free places in the new programme: waiting for a match there
    volunteer.version += 1
    session.add(volunteer)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"programme": program.name, "membership_status": "active"})
    note_result(claim, member.id)
    session.commit()
    return member


@shared_write
def leave_program(session: Session, volunteer_id: int, program_id: int, by: User, today: date, reason: str,
                  submit_key: str | None = None) -> Membership:
    """Leave one programme: its open matches close (with the reason), its open proposals are
    withdrawn; every other programme goes on. Leaving the last one is withdrawing as a volunteer,
    which has its own page."""
    from models.lifecycle import (
        cancel_planned_checkins,
        change_status,
        return_request_to_pool,
        update_volunteer_pool_state,
    )
    from models.matches import OPEN_MATCH_STATUSES, Match
    from models.members.queries import program_ids_of
    from models.mentees import Request
    from models.risk_state import refresh_match_risk
    from models.writes import lock_all

    begin_write(session)
    claim = claim_submission(session, submit_key, f"leave_program:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This has already been saved."))
    volunteer, program, member = _lock_current_member(session, volunteer_id, program_id)
    if program_ids_of(session, volunteer_id) == [program_id]:
        raise DomainError(N_("This is the only programme: to stop altogether, withdraw as a volunteer."))
    if not reason.strip():
        raise DomainError(N_("Write why (only coordinators see it)."), field="reason")
    match_ids = list(session.exec(select(Match.id).where(Match.volunteer_id == volunteer_id,
                                                         Match.program_id == program_id,
                                                         Match.status.in_(OPEN_MATCH_STATUSES))))
    request_ids = list(session.exec(select(Match.request_id).where(Match.id.in_(match_ids)))) if match_ids else []
    lock_all(session, Request, request_ids)
    # As when a volunteer stops: the match closes for lack of the volunteer's time, its plan
    # stops (the one-year measure of a match that started stays), the mentee waits again.
    for match in lock_all(session, Match, match_ids):
        if match.status not in OPEN_MATCH_STATUSES:
            continue
        started = match.started_on is not None
        match.closure_reason = "volunteer_time"
        match.closure_note = "\n".join(p for p in (match.closure_note, reason.strip()) if p)[:4000]
        change_status(session, match, "closed", by_id=by.id, on=today, reason="volunteer left the programme")
        cancel_planned_checkins(session, match, keep=("one_year",) if started else ())
        return_request_to_pool(session, session.get(Request, match.request_id), today)
    _withdraw_proposals(session, volunteer_id, program_id)
    member.status, member.left_on, member.leave_reason = "left", today, reason.strip()[:500]
    session.add(member)
    session.flush()
    update_volunteer_pool_state(session, volunteer, today)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"programme": program.name, "membership_status": "left", "note": reason[:500]})
    refresh_match_risk(session, today, match_ids)
    note_result(claim, member.id)
    session.commit()
    return member


def _withdraw_proposals(session: Session, volunteer_id: int, program_id: int) -> None:
    """Proposals of the volunteer in one programme they are no longer available in are settled."""
    from models.matchruns import Proposal
    from models.mentees import Request

    for proposal in session.exec(select(Proposal).join(Request, Request.id == Proposal.request_id).where(
            Proposal.volunteer_id == volunteer_id, Proposal.status == "proposed", Request.program_id == program_id)):
        proposal.status = "superseded"
        session.add(proposal)


def _after_place_change(session: Session, volunteer: Volunteer, program: Program, member: Membership, by: User,
                        today: date, detail: dict) -> None:
    """What every change of a place does before its commit: the person's place in the pool
    follows the free places left in all programmes, and the change is in the audit log."""
    from models.lifecycle import update_volunteer_pool_state

    session.add(member)
    session.flush()
    update_volunteer_pool_state(session, volunteer, today)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"programme": program.name, **detail})


@shared_write
def pause_membership(session: Session, volunteer_id: int, program_id: int, by: User, today: date,
                     submit_key: str | None = None) -> Membership:
    """Not available for new matches in one programme for now (the summer off from the homework
    café); running matches there go on, proposals there are withdrawn, other programmes are
    untouched."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"pause_membership:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This has already been saved."))
    volunteer, program, member = _lock_current_member(session, volunteer_id, program_id)
    if member.status != "active":
        raise Conflict(N_("The place in %(program)s is not active, so it cannot be paused. Reload the page."),
                       program=program.name)
    member.status = "paused"
    _withdraw_proposals(session, volunteer_id, program_id)
    _after_place_change(session, volunteer, program, member, by, today, {"membership_status": "paused"})
    note_result(claim, member.id)
    session.commit()
    return member


@shared_write
def resume_membership(session: Session, volunteer_id: int, program_id: int, by: User, today: date,
                      submit_key: str | None = None) -> Membership:
    """Back from a pause in one programme: proposed again there from the next matching run."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"resume_membership:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This has already been saved."))
    volunteer, program, member = _lock_current_member(session, volunteer_id, program_id)
    if member.status != "paused":
        raise Conflict(N_("The place in %(program)s is not paused. Reload the page."), program=program.name)
    member.status = "active"
    _after_place_change(session, volunteer, program, member, by, today, {"membership_status": "active"})
    note_result(claim, member.id)
    session.commit()
    return member


@shared_write
def set_programme_capacity(session: Session, volunteer_id: int, program_id: int, capacity: int, by: User,
                           today: date, submit_key: str | None = None) -> Membership:
    """How many youths or families at a time the volunteer takes in one programme. Never below
    the matches already open there (decided on the locked person, who every new match locks
    first)."""
    from models.members.queries import open_in_program

    begin_write(session)
    claim = claim_submission(session, submit_key, f"programme_capacity:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This has already been saved."))
    volunteer, program, member = _lock_current_member(session, volunteer_id, program_id)
    if not 1 <= capacity <= 5:
        raise DomainError(N_("Choose between 1 and 5."), field="capacity")
    taken = open_in_program(session, volunteer_id, program_id)
    if capacity < taken:
        raise DomainError(N_("%(n)s matches in %(program)s are running: choose at least %(n)s."), n=taken,
                          program=program.name, field="capacity")
    member.capacity = capacity
    if program.id == volunteer.program_id:
        volunteer.capacity = capacity  # the first programme's capacity is the profile's too
    _after_place_change(session, volunteer, program, member, by, today, {"capacity": capacity})
    note_result(claim, member.id)
    session.commit()
    return member


@shared_write
def record_programme_step(session: Session, volunteer_id: int, program_id: int, step: str, on: date, by: User,
                          today: date, submit_key: str | None = None) -> Membership:
    """A step the programme runs itself (its own intro course) done for that programme."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"programme_step:{volunteer_id}:{program_id}", user_id=by.id,
                             already=N_("This screening step has already been saved."))
    volunteer, program, member = _lock_current_member(session, volunteer_id, program_id)
    if step not in PROGRAMME_STEPS or step not in (program.required_steps or []):
        raise DomainError(N_("That step is not part of this program's screening."), field="step")
    if on is None:
        raise DomainError(N_("Write the date."), field="step_date")
    if on > today:
        raise DomainError(N_("The date cannot be in the future."), field="step_date")
    member.own_steps = {**member.own_steps, step: on.isoformat()}
    session.add(member)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"programme": program.name, "screening": step, "status": "done"})
    note_result(claim, member.id)
    session.commit()
    return member
