"""A volunteer's own data: edit, pause, download (GDPR access) and delete (GDPR erasure)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.consent import ConsentRecord
from models.emails import send
from models.errors import N_, Conflict, DomainError
from models.events.keeping import note_left
from models.events.operations import export_events, release_places
from models.events.tables import CalendarFeed
from models.lifecycle import (
    cancel_planned_checkins,
    change_status,
    open_match_count,
    return_request_to_pool,
    update_volunteer_pool_state,
)
from models.matches import OPEN_MATCH_STATUSES, Match, MeetingLog
from models.members.queries import memberships_of
from models.mentees import Request
from models.notes import Note
from models.organisations import Program
from models.outbox import OutboxMessage
from models.risk_state import refresh_match_risk, refresh_volunteer_risk
from models.safeguard.operations import anonymise_safeguarding, export_safeguarding
from models.sessions import end_other_sessions
from models.signup import VolunteerDetails, apply_details, check_details
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from models.writes import begin_write, lock, lock_all, shared_write

ANONYMISED = "Anonymiseret"


@shared_write
def update_profile(session: Session, volunteer: Volunteer, details: VolunteerDetails, today: date, by: User) -> None:
    check_details(details, today)
    volunteer_id = volunteer.id
    begin_write(session)
    lock_all(session, User, [u for u in (volunteer.user_id,) if u])
    volunteer = lock(session, Volunteer, volunteer_id)
    ongoing = open_match_count(session, volunteer.id)
    if details.capacity < ongoing:
        # Checked on the locked row: a match approved at this very moment is counted.
        raise DomainError(N_("The number of mentees cannot be lower than your ongoing matches (%(n)s)."),
                          field="capacity", n=ongoing)
    apply_details(volunteer, details)
    volunteer.version += 1
    session.add(volunteer)
    update_volunteer_pool_state(session, volunteer, today)  # a changed capacity may fill or free a place
    if volunteer.user_id:
        user = session.get(User, volunteer.user_id)
        user.name, user.phone = f"{details.first_name} {details.last_name}", details.phone
        session.add(user)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"profile": True})
    refresh_volunteer_risk(session, today, volunteer.id)  # the experience weighs against heavy requests
    session.commit()


@shared_write
def pause_availability(session: Session, volunteer: Volunteer, until: date | None, today: date) -> None:
    """Not available for new matches until ``until`` (None ends a pause)."""
    if until is not None and until <= today:
        raise DomainError(N_("The pause must end after today."), field="paused_until")
    volunteer_id = volunteer.id
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    volunteer.paused_until = until
    volunteer.version += 1
    session.add(volunteer)
    session.commit()


@shared_write
def export_volunteer(session: Session, volunteer: Volunteer, by: User) -> dict:
    """Everything Makker holds about the volunteer (not the mentee's case data)."""
    volunteer_id = volunteer.id
    begin_write(session)  # the export is written to the audit trail in the same short transaction
    volunteer = session.get(Volunteer, volunteer_id, populate_existing=True)
    steps = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)).all()
    consents = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "volunteer",
                                                        ConsentRecord.subject_id == volunteer.id)).all()
    matches = session.exec(select(Match).where(Match.volunteer_id == volunteer.id)).all()
    meetings = session.exec(select(MeetingLog).where(MeetingLog.volunteer_id == volunteer.id)).all()
    events = export_events(session, volunteer.id)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="export",
                 record_type="Volunteer", record_id=volunteer.id)
    session.commit()
    profile = volunteer.model_dump(exclude={"organisation_id", "program_id", "user_id", "version"})
    return {
        "profile": profile,
        "consents": [c.model_dump(include={"purpose", "text_version", "text", "given_on", "given_at", "withdrawn_on",
                                           "withdrawn_at"}) for c in consents],
        "screening": [s.model_dump(include={"step", "status", "step_date", "note"}) for s in steps],
        "matches": [m.model_dump(include={"id", "status", "started_on", "closed_on", "closure_reason", "intro_note",
                                            "next_step", "meeting_rhythm"})
                    for m in matches],
        "meetings": [m.model_dump(include={"match_id", "met_on", "minutes", "activities", "note", "rating"})
                     for m in meetings],
        **export_safeguarding(session, volunteer.id),  # signed papers and concerns (issue 15)

        "events": events,  # sign-ups and attendance (issue 15)
        "programmes": [{"programme": session.get(Program, m.program_id).name,  # one person, several programmes
                        **m.model_dump(include={"status", "capacity", "joined_on", "approved_on", "left_on",
                                                "leave_reason", "own_steps"})}
                       for m in memberships_of(session, volunteer.id)],
    }


@shared_write
def erase_volunteer(session: Session, volunteer: Volunteer, by: User, today: date, coordinator_email: str | None = None) -> None:
    """Delete the account: open matches close (the coordinator is told), personal data is erased.

    What the figures need stays, without the person: dates, statuses and reasons. The volunteer
    is locked first, so no match can be made for them meanwhile; then the requests and matches
    of their open matches, read fresh, so a match a coordinator just closed is not closed again.
    """
    volunteer_id = volunteer.id
    begin_write(session)
    lock_all(session, User, [u for u in (volunteer.user_id,) if u])
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.anonymised_at is not None:
        raise Conflict(N_("This account has already been deleted."))
    # Coming places go to the next on the waiting list (events lock after the volunteer).
    release_places(session, volunteer.id, utcnow())
    open_ids = list(session.exec(select(Match.id).where(Match.volunteer_id == volunteer.id,
                                                        Match.status.in_(OPEN_MATCH_STATUSES))))
    request_ids = list(session.exec(select(Match.request_id).where(Match.id.in_(open_ids)))) if open_ids else []
    lock_all(session, Request, request_ids)
    for match in lock_all(session, Match, open_ids):
        if match.status not in OPEN_MATCH_STATUSES:
            continue  # closed meanwhile (it cannot have been, with the volunteer locked; cheap to check)
        match.closure_reason = "volunteer_time"
        match.closure_note = "Den frivillige har slettet sin konto."
        started = match.started_on is not None
        change_status(session, match, "closed", by_id=by.id, on=today, reason="volunteer deleted their account")
        # As at any closure: the plan stops, the one-year measure of a match that started stays.
        cancel_planned_checkins(session, match, keep=("one_year",) if started else ())
        return_request_to_pool(session, session.get(Request, match.request_id), today)
        coordinator = session.get(User, match.coordinator_id) if match.coordinator_id else None
        to = coordinator.email if coordinator else coordinator_email
        if to:
            from models.proposals import mentee_name

            send(session, "volunteer_left", to=to, organisation_id=volunteer.organisation_id,
                 name=coordinator.name if coordinator else "", volunteer=volunteer.name,
                 mentee=mentee_name(session, session.get(Request, match.request_id)), link="")
    anonymise_volunteer(session, volunteer)
    note_left(session, volunteer.id, today, "account_deleted", by)  # the retention figures count them gone
    volunteer.status = "withdrawn"
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="erase",
                 record_type="Volunteer", record_id=volunteer.id)
    refresh_match_risk(session, today, open_ids)
    session.commit()


def anonymise_volunteer(session: Session, volunteer: Volunteer) -> None:
    """Blank what names or describes the volunteer (no commit); used by erasure and retention.

    Status stays (declined/withdrawn are figures too); screening notes, notes and the consent's
    signer go as well.
    """
    for log in session.exec(select(MeetingLog).where(MeetingLog.volunteer_id == volunteer.id)):
        log.note = ""
        session.add(log)
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)):
        step.note = ""
        session.add(step)
    anonymise_safeguarding(session, volunteer.id)  # the signed name, a concern's own words
    for place in memberships_of(session, volunteer.id):  # their words on leaving; the places stay as figures
        place.leave_reason = ""
        session.add(place)
    for note in session.exec(select(Note).where(Note.organisation_id == volunteer.organisation_id,
                                                func.lower(Note.subject_type) == "volunteer",
                                                Note.subject_id == volunteer.id)):
        session.delete(note)
    for consent in session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "volunteer",
                                                            ConsentRecord.subject_id == volunteer.id)):
        consent.given_by = ANONYMISED
        session.add(consent)
    for feed in session.exec(select(CalendarFeed).where(CalendarFeed.volunteer_id == volunteer.id)):
        session.delete(feed)  # the secret calendar address goes; attendance stays as a figure
    # Queued or sent e-mails to them name them and their mentee.
    for message in session.exec(select(OutboxMessage).where(OutboxMessage.to_email == volunteer.email)):
        session.delete(message)
    # Whole-family work (issue 14): they leave every family's team (their agreements stay, unnamed).
    from models.families.tables import TeamMember

    for member in session.exec(select(TeamMember).where(TeamMember.volunteer_id == volunteer.id)):
        session.delete(member)
    volunteer.first_name, volunteer.last_name = ANONYMISED, ""
    volunteer.email, volunteer.phone = f"slettet-{volunteer.id}@invalid", ""
    volunteer.interests_text = volunteer.experience_text = volunteer.motivation = ""
    volunteer.pool_since, volunteer.anonymised_at = None, utcnow()
    volunteer.version += 1
    session.add(volunteer)
    if volunteer.user_id:
        user = session.get(User, volunteer.user_id)
        user.active, user.email, user.name, user.phone, user.password_hash = (
            False, f"slettet-{user.id}@invalid", ANONYMISED, "", "")
        session.add(user)
        end_other_sessions(session, user.id)
