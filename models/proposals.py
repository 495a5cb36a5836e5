"""Deciding on proposals: approve (race-safe), reject, choose an alternative, match by hand.

Every path that creates a match goes through ``_create_match``, which re-checks the hard rules
with the matching core's own functions at the moment of the decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from matching.explanation import PairExplanation, explain_pair
from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, Conflict, DomainError
from models.lifecycle import (
    capacity_left,
    exclude_pair,
    schedule_checkins,
    take_request_from_pool,
    update_volunteer_pool_state,
)
from models.matches import Exclusion, Match, MatchEvent
from models.matchruns import Proposal
from models.members.queries import lock_membership, membership
from models.mentees import Household, Request, Youth
from models.organisations import Program
from models.pool import pair_profiles
from models.risk_state import refresh_match_risk
from models.users import User
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, peek_row, shared_write

# Hard rules in the words a coordinator reads (English msgids; translated by the web layer).
RULE_MESSAGES: dict[str, str] = {
    "approved": N_("the volunteer is not approved (screening not finished)"),
    "capacity": N_("the volunteer has no free places"),
    "program": N_("the program does not serve this kind of request"),
    "supports": N_("the volunteer does not want to support this kind of request"),
    "age_eligible": N_("the youth's age is outside the program's ages"),
    "required_gender": N_("the request requires a mentor of another gender"),
    "distance": N_("they live further apart than the program allows"),
    "experience_minimum": N_("the request is too complex for the volunteer's experience"),
    "heavy_cases": N_("the volunteer already has as many heavy cases as the program allows"),
    "child_certificate": N_("a child under 15 is involved and the volunteer has no børneattest received "
                            "without remarks"),
    "certificate_valid": N_("the volunteer's børneattest has run out and must be renewed"),
    "excluded": N_("this pair has been excluded (rejected or broke off before)"),
    "already_matched": N_("this pair has already been matched once"),
}
# Soft components that make a coordinator think twice before a manual match.
SOFT_CONCERN_BELOW: dict[str, tuple[float, str]] = {
    "wishes": (1.0, N_("a wish about gender is not met")),
    "experience": (1.0, N_("the volunteer has less experience than the request's complexity calls for")),
    "languages": (0.34, N_("they have no language in common at a good level")),
    "availability": (0.34, N_("they are rarely free at the same times")),
    "interests": (0.01, N_("they share no interests")),
}

# The experience standing's warnings (matching.explanation.experience_standing), in words.
EXPERIENCE_WARNINGS: dict[str, str] = {
    "experience_at_minimum": N_("the volunteer has just the least experience the program allows for this complexity"),
    "last_heavy_place": N_("this would be the volunteer's last heavy case under the program's limit"),
}


@dataclass
class PairCheck:
    explanation: PairExplanation
    hard_failures: list[tuple[str, str]] = field(default_factory=list)  # (rule, msgid)
    soft_concerns: list[str] = field(default_factory=list)  # msgids

    @property
    def score(self) -> float:
        return self.explanation.total


class SoftConcerns(DomainError):
    """A manual match that goes against soft wishes: needs the coordinator's confirmation."""

    def __init__(self, concerns: list[str]) -> None:
        super().__init__(N_("This match goes against some wishes. Confirm to make it anyway."))
        self.concerns = concerns


def check_pair(session: Session, request: Request, volunteer: Volunteer, today: date,
               ignore: tuple[str, ...] = ()) -> PairCheck:
    """The hard rules and soft concerns of one pair, with its full explanation."""
    program = session.get(Program, request.program_id)
    request_profile, volunteer_profile = pair_profiles(session, request, volunteer, today)
    exclusions = {(e.request_id, e.volunteer_id) for e in session.exec(
        select(Exclusion).where(Exclusion.request_id == request.id, Exclusion.volunteer_id == volunteer.id))}
    matched = {(m.request_id, m.volunteer_id) for m in session.exec(
        select(Match).where(Match.request_id == request.id, Match.volunteer_id == volunteer.id))}
    explanation = explain_pair(request_profile, volunteer_profile, program.rules(), today,
                               exclusions=exclusions, already_matched=matched)
    check = PairCheck(explanation)
    member = membership(session, volunteer.id, request.program_id)
    if member is None or member.status != "active":
        check.hard_failures.append(("program", N_("the volunteer is not an approved member of this programme")))
    for rule in explanation.rules:
        if not rule.held and rule.name not in ignore:
            check.hard_failures.append((rule.name, RULE_MESSAGES[rule.name]))
    for component in explanation.components:
        limit = SOFT_CONCERN_BELOW.get(component.name)
        if limit and component.value < limit[0]:
            check.soft_concerns.append(limit[1])
        if component.name == "experience":
            check.soft_concerns += [EXPERIENCE_WARNINGS[w] for w in component.detail.get("warnings", [])]
    return check


# Older names of the pattern in models.writes, kept for code that imports them from here.
conflict_on_lock_failure = shared_write
_lock = lock


def mentee_name(session: Session, request: Request) -> str:
    """What a volunteer may know of the mentee's name: the first name, or the family's name."""
    if request.youth_id:
        return session.get(Youth, request.youth_id).first_name
    return session.get(Household, request.household_id).family_name


def _create_match(session: Session, request: Request, volunteer: Volunteer, by: User, today: date,
                  intro_note: str, proposal: Proposal | None, reply_link: str, intro_on: date | None = None) -> Match:
    if request.status != "waiting":
        raise Conflict(N_("The request has already been matched by someone else. Reload the page."))
    if volunteer.status != "approved" or capacity_left(session, volunteer, request.program_id) <= 0:
        raise Conflict(N_("%(name)s has no free places any more. Reload the page and choose another volunteer."),
                       name=volunteer.first_name)
    check = check_pair(session, request, volunteer, today, ignore=("capacity",))
    if check.hard_failures:
        rule, msgid = check.hard_failures[0]
        raise DomainError(N_("The match breaks a rule: %(rule)s."), rule=msgid)
    program = session.get(Program, request.program_id)
    match = Match(organisation_id=request.organisation_id, program_id=request.program_id, request_id=request.id,
                  volunteer_id=volunteer.id, proposal_id=proposal.id if proposal else None, coordinator_id=by.id,
                  status="introduced", intro_note=intro_note, intro_on=intro_on)
    session.add(match)
    session.flush()
    session.add(MatchEvent(match_id=match.id, to_status="introduced", on=today, by_id=by.id, from_version=0,
                           reason="proposal approved" if proposal else "manual match"))
    take_request_from_pool(session, request)
    session.flush()
    update_volunteer_pool_state(session, volunteer, today)
    schedule_checkins(session, match, program, today)
    # Open proposals of this request are settled; so are the volunteer's if now full.
    rivals = select(Proposal).where(Proposal.status == "proposed", Proposal.request_id == request.id)
    for rival in session.exec(rivals):
        if proposal is None or rival.id != proposal.id:
            rival.status = "superseded"
            session.add(rival)
    if capacity_left(session, volunteer, request.program_id) <= 0:
        # Full in this programme: their open proposals here are settled (other programmes keep theirs).
        for rival in session.exec(select(Proposal).join(Request, Request.id == Proposal.request_id).where(
                Proposal.status == "proposed", Proposal.volunteer_id == volunteer.id,
                Request.program_id == request.program_id)):
            rival.status = "superseded"
            session.add(rival)
    if volunteer.email:
        user = session.get(User, volunteer.user_id) if volunteer.user_id else None
        send(session, "match_proposed", to=volunteer.email, locale=user.locale if user else "da",
             organisation_id=request.organisation_id, name=volunteer.first_name, mentee=mentee_name(session, request),
             need=request.need, reply_by=(today + timedelta(days=program.proposal_reply_days)).strftime("%d-%m-%Y"),
             link=reply_link)
    record_audit(session, organisation_id=request.organisation_id, user_id=by.id, action="create",
                 record_type="Match", record_id=match.id,
                 detail={"request_id": request.id, "volunteer_id": volunteer.id,
                         "proposal_id": proposal.id if proposal else None})
    refresh_match_risk(session, today, [match.id])
    return match


@shared_write
def approve_proposal(session: Session, proposal_id: int, by: User, today: date, intro_note: str = "",
                     reply_link: str = "", intro_on: date | None = None, submit_key: str | None = None) -> Match:
    """Approve one proposal: one transaction that either makes the whole match or nothing.

    Two coordinators approving rival proposals at the same time: the second waits for the first
    (row locks on PostgreSQL, the write lock on SQLite), then sees the new state and gets a
    Conflict with a message it can show.
    """
    begin_write(session)
    claim = claim_submission(session, submit_key, f"approve_proposal:{proposal_id}", user_id=by.id)
    # The lock order of models.writes: volunteer, request, proposal. Rival approvals queue
    # behind each other instead of deadlocking, and each sees what the one before it did.
    peek = peek_row(session, Proposal, proposal_id)
    volunteer = lock(session, Volunteer, peek.volunteer_id)
    lock_membership(session, peek.volunteer_id, peek_row(session, Request, peek.request_id).program_id)
    request = lock(session, Request, peek.request_id)
    proposal = lock(session, Proposal, proposal_id)
    if proposal.status != "proposed":
        raise Conflict(N_("This proposal has already been decided (%(status)s). Reload the page."),
                       status=proposal.status)
    if intro_on is not None and intro_on < today:
        raise DomainError(N_("The introduction meeting cannot be planned in the past."), field="intro_on")
    match = _create_match(session, request, volunteer, by, today, intro_note, proposal, reply_link, intro_on)
    proposal.status = "approved"
    proposal.decided_by_id = by.id
    proposal.decided_at = utcnow()
    session.add(proposal)
    note_result(claim, match.id)
    session.commit()
    return match


@shared_write
def manual_match(session: Session, request_id: int, volunteer_id: int, by: User, today: date,
                 confirm_soft: bool = False, intro_note: str = "", reply_link: str = "",
                 submit_key: str | None = None) -> Match:
    """Match by hand: refused when a hard rule breaks; needs confirmation when soft wishes do."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"manual_match:{request_id}", user_id=by.id)
    volunteer = lock(session, Volunteer, volunteer_id)
    # The volunteer's place in the request's programme decides the capacity: locked, read fresh.
    lock_membership(session, volunteer_id, peek_row(session, Request, request_id).program_id)
    request = lock(session, Request, request_id)
    if not confirm_soft:
        check = check_pair(session, request, volunteer, today)
        if not check.hard_failures and check.soft_concerns:
            session.rollback()
            raise SoftConcerns(check.soft_concerns)
    match = _create_match(session, request, volunteer, by, today, intro_note, None, reply_link)
    note_result(claim, match.id)
    session.commit()
    return match


@shared_write
def reject_proposal(session: Session, proposal_id: int, by: User, reason: str,
                    submit_key: str | None = None) -> Proposal:
    """Reject with a reason; the pair is never proposed again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Write why the proposal is rejected."), field="reason")
    begin_write(session)
    claim_submission(session, submit_key, f"reject_proposal:{proposal_id}", user_id=by.id)
    peek = peek_row(session, Proposal, proposal_id)
    lock(session, Volunteer, peek.volunteer_id)
    lock(session, Request, peek.request_id)
    proposal = lock(session, Proposal, proposal_id)
    if proposal.status != "proposed":
        raise Conflict(N_("This proposal has already been decided (%(status)s). Reload the page."),
                       status=proposal.status)
    proposal.status = "rejected"
    proposal.reason = reason[:2000]
    proposal.decided_by_id = by.id
    proposal.decided_at = utcnow()
    session.add(proposal)
    exclude_pair(session, proposal.organisation_id, proposal.request_id, proposal.volunteer_id,
                 f"Rejected: {reason}", by.id)
    record_audit(session, organisation_id=proposal.organisation_id, user_id=by.id, action="update",
                 record_type="Proposal", record_id=proposal.id, detail={"status": "rejected"})
    session.commit()
    return proposal
