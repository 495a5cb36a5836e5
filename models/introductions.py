"""The introduction meeting: both sides say yes (the match starts) or no (both wait again)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, Conflict, DomainError
from models.lifecycle import (
    cancel_planned_checkins,
    change_status,
    exclude_pair,
    return_request_to_pool,
    schedule_checkins,
    update_volunteer_pool_state,
)
from models.matches import MEETING_RHYTHMS, Match
from models.mentees import Request
from models.organisations import Program
from models.risk_state import refresh_match_risk
from models.users import User
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, peek_row, shared_write


@shared_write
def record_introduction(
    session: Session,
    match_id: int,
    by: User,
    on: date,
    today: date,
    volunteer_yes: bool,
    mentee_yes: bool,
    attendees: str = "",
    note: str = "",
    rhythm: str | None = None,
    submit_key: str | None = None,
) -> Match:
    """Yes from both: the match becomes active from ``on`` and its check-in plan starts then.
    A no from either: closed as "said no at the introduction", the pair excluded, both back in
    their pools."""
    if on > today:
        raise DomainError(N_("The introduction cannot be in the future."), field="intro_on")
    if rhythm is not None and rhythm not in MEETING_RHYTHMS:
        raise DomainError(N_("Choose an answer from the list."), field="rhythm")
    begin_write(session)
    claim_submission(session, submit_key, f"record_introduction:{match_id}", user_id=by.id,
                     already=N_("The introduction of this match has already been recorded."))
    # The house's lock order (volunteer, request, match), so a closure at the same moment waits
    # instead of deadlocking.
    peek = peek_row(session, Match, match_id)
    volunteer = lock(session, Volunteer, peek.volunteer_id)
    request = lock(session, Request, peek.request_id)
    match = lock(session, Match, match_id)
    if match.status != "introduced":
        raise Conflict(N_("The introduction of this match has already been recorded."))
    if match.created_at and on < match.created_at.date():
        raise DomainError(N_("The introduction cannot be before the match was made."), field="intro_on")
    match.intro_on = on
    summary = f"Introduktion {on:%d-%m-%Y}. Deltog: {attendees}. {note}".strip()
    if volunteer_yes and mentee_yes:
        match.volunteer_accepted_at = match.volunteer_accepted_at or utcnow()
        match.meeting_rhythm = rhythm or match.meeting_rhythm  # how often they agreed to meet
        change_status(session, match, "active", by_id=by.id, on=on, reason=summary)
        # The plan counts from the real start: drop the undone dates planned at approval.
        cancel_planned_checkins(session, match)
        session.flush()
        schedule_checkins(session, match, session.get(Program, match.program_id), on)
    else:
        who = "den frivillige" if not volunteer_yes else "den unge/familien"
        match.closure_reason = "intro_declined"
        match.closure_note = f"Sagde nej ved introduktionen: {who}. {note}".strip()
        change_status(session, match, "closed", by_id=by.id, on=on, reason=summary)
        exclude_pair(session, match.organisation_id, match.request_id, match.volunteer_id,
                     "Sagde nej ved introduktionen", by.id)
        cancel_planned_checkins(session, match)
        return_request_to_pool(session, request, on)
        session.flush()
        update_volunteer_pool_state(session, volunteer, on)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update", record_type="Match",
                 record_id=match.id, detail={"introduction": "yes" if volunteer_yes and mentee_yes else "no"})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match
