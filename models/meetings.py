"""The volunteer's side of a relationship: log a meeting, answer a proposal, ask to end.

Each operation locks the volunteer and then the match (models.writes) and decides on what the
locks return, so a coordinator closing the match at the same moment is seen, never overwritten.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models.audit import record_audit
from models.clock import today as local_today
from models.clock import utcnow
from models.errors import N_, DomainError
from models.lifecycle import (
    cancel_planned_checkins,
    change_status,
    exclude_pair,
    return_request_to_pool,
    update_volunteer_pool_state,
)
from models.matches import (
    MEETING_ACTIVITIES,
    MEETING_RHYTHMS,
    OPEN_MATCH_STATUSES,
    Match,
    MeetingLog,
)
from models.mentees import Request
from models.risk_state import refresh_match_risk
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, peek_row, shared_write

MAX_MINUTES = 12 * 60


def _own_match(session: Session, match_id: int, volunteer_id: int) -> tuple[Match, Volunteer]:
    """Lock the volunteer, the request and the match, in the house's order; read them fresh."""
    peek = peek_row(session, Match, match_id)
    volunteer = lock(session, Volunteer, volunteer_id)
    lock(session, Request, peek.request_id)
    return lock(session, Match, match_id), volunteer


@shared_write
def log_meeting(
    session: Session, match: Match, volunteer: Volunteer, today: date, *, met_on: date, minutes: int,
    activities: list[str], note: str, rating: int, needs_contact: bool, submit_key: str | None = None,
) -> MeetingLog:
    """One meeting, in under a minute; "I need to talk to the coordinator" raises an alert."""
    match_id, volunteer_id = match.id, volunteer.id
    begin_write(session)
    claim = claim_submission(session, submit_key, f"log_meeting:{match_id}", user_id=volunteer.user_id,
                             already=N_("This meeting has already been logged."))
    match, volunteer = _own_match(session, match_id, volunteer_id)
    if match.volunteer_id != volunteer.id or match.status not in OPEN_MATCH_STATUSES:
        raise DomainError(N_("You can only log meetings of your own ongoing match."))
    if met_on > today:
        raise DomainError(N_("The meeting cannot be in the future."), field="met_on")
    start = match.intro_on or match.started_on or (match.created_at.date() if match.created_at else None)
    if start is not None and met_on < start:
        raise DomainError(N_("The meeting cannot be before your match began (%(date)s)."), field="met_on",
                          date=start.strftime("%d-%m-%Y"))
    if not 1 <= minutes <= MAX_MINUTES:
        raise DomainError(N_("Write how long you met, in minutes (1 to 720)."), field="minutes")
    if not 1 <= rating <= 5:
        raise DomainError(N_("Choose how it went, from 1 to 5."), field="rating")
    unknown = [a for a in activities if a not in MEETING_ACTIVITIES]
    if unknown:
        raise DomainError(N_("Choose what you did from the list."), field="activities")
    log = MeetingLog(match_id=match.id, volunteer_id=volunteer.id, met_on=met_on, minutes=minutes,
                     activities=list(activities), note=note.strip()[:2000], rating=rating, needs_contact=needs_contact)
    session.add(log)
    session.flush()
    note_result(claim, log.id)
    record_audit(session, organisation_id=match.organisation_id, user_id=volunteer.user_id, action="create",
                 record_type="MeetingLog", record_id=log.id, detail={"match_id": match.id})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return log


@shared_write
def accept_match(session: Session, match: Match, volunteer: Volunteer) -> Match:
    match_id, volunteer_id = match.id, volunteer.id
    begin_write(session)
    match, volunteer = _own_match(session, match_id, volunteer_id)
    if match.volunteer_id != volunteer.id or match.status != "introduced":
        raise DomainError(N_("This proposal can no longer be answered."))
    match.volunteer_accepted_at = utcnow()
    session.add(match)
    record_audit(session, organisation_id=match.organisation_id, user_id=volunteer.user_id, action="update",
                 record_type="Match", record_id=match.id, detail={"volunteer": "accepted"})
    session.commit()
    return match


@shared_write
def decline_match(session: Session, match_id: int, volunteer: Volunteer, today: date, reason: str) -> Match:
    """The volunteer says no to a proposed match: both go back to the pool, the pair is excluded."""
    volunteer_id = volunteer.id
    begin_write(session)
    match, volunteer = _own_match(session, match_id, volunteer_id)
    if match.volunteer_id != volunteer.id or match.status != "introduced":
        raise DomainError(N_("This proposal can no longer be answered."))
    match.closure_reason = "intro_declined"
    match.closure_note = f"Den frivillige sagde nej: {reason.strip()}"[:4000]
    change_status(session, match, "closed", by_id=volunteer.user_id, on=today, reason="volunteer declined")
    # The check-ins planned at approval are not due for a match that never started.
    cancel_planned_checkins(session, match)
    exclude_pair(session, match.organisation_id, match.request_id, volunteer.id,
                 "Den frivillige sagde nej til forslaget", volunteer.user_id)
    return_request_to_pool(session, session.get(Request, match.request_id), today)
    session.flush()
    update_volunteer_pool_state(session, volunteer, today)
    record_audit(session, organisation_id=match.organisation_id, user_id=volunteer.user_id, action="update",
                 record_type="Match", record_id=match.id, detail={"volunteer": "declined"})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match


@shared_write
def request_end(session: Session, match: Match, volunteer: Volunteer, reason: str, today: date | None = None) -> Match:
    """Ask the coordinator to end the relationship; the coordinator closes it properly."""
    match_id, volunteer_id = match.id, volunteer.id
    begin_write(session)
    match, volunteer = _own_match(session, match_id, volunteer_id)
    if match.volunteer_id != volunteer.id or match.status not in OPEN_MATCH_STATUSES:
        raise DomainError(N_("You can only ask to end your own ongoing match."))
    match.end_requested_at = utcnow()
    match.closure_note = f"Den frivillige ønsker at stoppe: {reason.strip()}"[:4000]
    session.add(match)
    record_audit(session, organisation_id=match.organisation_id, user_id=volunteer.user_id, action="update",
                 record_type="Match", record_id=match.id, detail={"end_requested": True})
    refresh_match_risk(session, today or local_today(), [match.id])
    session.commit()
    return match


@shared_write
def set_meeting_rhythm(session: Session, match_id: int, by_user_id: int, rhythm: str | None,
                       volunteer: Volunteer | None = None) -> Match:
    """Record how often the pair agreed to meet (by the coordinator, or by the volunteer for their
    own open match); the meeting reminders follow it, and "as we agree" means no reminders."""
    if rhythm is not None and rhythm not in MEETING_RHYTHMS:
        raise DomainError(N_("Choose an answer from the list."), field="rhythm")
    begin_write(session)
    match = lock(session, Match, match_id)
    if match.status not in OPEN_MATCH_STATUSES:
        raise DomainError(N_("The rhythm can only be set for an ongoing match."))
    if volunteer is not None and match.volunteer_id != volunteer.id:
        raise DomainError(N_("The rhythm can only be set for an ongoing match."))
    before = match.meeting_rhythm
    match.meeting_rhythm = rhythm
    match.version += 1
    session.add(match)
    record_audit(session, organisation_id=match.organisation_id, user_id=by_user_id, action="update",
                 record_type="Match", record_id=match.id, detail={"meeting_rhythm": rhythm, "before": before})
    session.commit()
    return match
