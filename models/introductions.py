"""The introduction meeting: both sides say yes (the match starts) or no (both wait again)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.db import begin_write
from models.errors import N_, Conflict, DomainError
from models.lifecycle import (
    change_status,
    return_request_to_pool,
    schedule_checkins,
    update_volunteer_pool_state,
)
from models.matches import MEETING_RHYTHMS, CheckIn, Exclusion, Match
from models.mentees import Request
from models.organisations import Program
from models.risk_state import refresh_match_risk
from models.users import User
from models.volunteers import Volunteer


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
) -> Match:
    """Yes from both: the match becomes active from ``on`` and its check-in plan starts then.
    A no from either: closed as "said no at the introduction", the pair excluded, both back in
    their pools."""
    if on > today:
        raise DomainError(N_("The introduction cannot be in the future."), field="intro_on")
    if rhythm is not None and rhythm not in MEETING_RHYTHMS:
        raise DomainError(N_("Choose an answer from the list."), field="rhythm")
    begin_write(session)
    match = session.exec(select(Match).where(Match.id == match_id).with_for_update()).one()
    if match.status != "introduced":
        raise Conflict(N_("The introduction of this match has already been recorded."))
    if match.created_at and on < match.created_at.date():
        raise DomainError(N_("The introduction cannot be before the match was made."), field="intro_on")
    match.intro_on = on
    summary = f"Introduktion {on:%d-%m-%Y}. Deltog: {attendees}. {note}".strip()
    volunteer = session.get(Volunteer, match.volunteer_id)
    request = session.get(Request, match.request_id)
    if volunteer_yes and mentee_yes:
        match.volunteer_accepted_at = match.volunteer_accepted_at or utcnow()
        match.meeting_rhythm = rhythm or match.meeting_rhythm  # how often they agreed to meet
        change_status(session, match, "active", by_id=by.id, on=on, reason=summary)
        # The plan counts from the real start: drop the undone dates planned at approval.
        for checkin in session.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.done_on.is_(None))):
            session.delete(checkin)
        session.flush()
        schedule_checkins(session, match, session.get(Program, match.program_id), on)
    else:
        who = "den frivillige" if not volunteer_yes else "den unge/familien"
        match.closure_reason = "intro_declined"
        match.closure_note = f"Sagde nej ved introduktionen: {who}. {note}".strip()
        change_status(session, match, "closed", by_id=by.id, on=on, reason=summary)
        session.add(Exclusion(organisation_id=match.organisation_id, request_id=match.request_id,
                              volunteer_id=match.volunteer_id, reason="Sagde nej ved introduktionen",
                              created_by_id=by.id))
        for checkin in session.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.done_on.is_(None))):
            session.delete(checkin)
        return_request_to_pool(session, request, on)
        session.flush()
        update_volunteer_pool_state(session, volunteer, on)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update", record_type="Match",
                 record_id=match.id, detail={"introduction": "yes" if volunteer_yes and mentee_yes else "no"})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match
