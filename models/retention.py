"""A mentee's data on request (GDPR access and erasure) and the anonymisation of closed records.

Anonymising follows ``models.volunteer_profile.erase_volunteer``: what the figures need stays
(dates, statuses, reasons, ratings, the outcome's yes/no answers, birth year, gender, postcode),
while names, contact details and free text go. Rows stay, so counts and durations still add up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import AuditEvent, record_audit
from models.clock import add_months, utcnow
from models.consent import ConsentRecord
from models.errors import N_, Conflict, DomainError, NotFound
from models.lifecycle import cancel_planned_checkins, change_status, update_volunteer_pool_state
from models.matches import (
    CLOSURE_REASONS,
    OPEN_MATCH_STATUSES,
    CheckIn,
    Exclusion,
    Match,
    MatchEvent,
    MeetingLog,
)
from models.matchruns import Proposal
from models.mentees import Household, HouseholdMember, Request, Youth
from models.notes import Note
from models.organisations import Program, ProgramBase
from models.outbox import OutboxMessage
from models.referrals.privacy import (
    anonymise_referral,
    due_referrals,
    export_referrals,
    referrals_of_mentee,
)
from models.referrals.tables import Referral
from models.risk_state import refresh_match_risk
from models.users import User
from models.volunteer_profile import ANONYMISED, anonymise_volunteer
from models.volunteers import Volunteer
from models.writes import begin_write, forget_old_submissions, lock, lock_all, shared_write

MENTEE_MODELS: dict[str, type[Youth] | type[Household]] = {"Youth": Youth, "Household": Household}
OPEN_REQUEST_STATUSES: tuple[str, ...] = ("waiting", "matched")
ERASED_REASON = "erased on request"
ERASED_NOTE = "Lukket, fordi oplysningerne om den unge/familien er slettet efter anmodning."
# Status-change reasons the system writes itself: kept, because they carry no personal text.
_SYSTEM_REASONS = frozenset(CLOSURE_REASONS) | {
    "proposal approved", "manual match", "volunteer declined", "volunteer deleted their account",
    "genoptaget", ERASED_REASON,
}
# Changes that count as activity on a case (views and exports do not keep data alive).
_ACTIVITY_ACTIONS: tuple[str, ...] = ("create", "update", "delete")


OUTBOX_KEEP_DAYS = 90
SUBMISSION_KEEP_DAYS = 30


@dataclass
class RetentionReport:
    """How many records one run of ``apply_retention`` anonymised."""

    youths: int = 0
    households: int = 0
    volunteers: int = 0
    matches: int = 0  # matches whose free text was cleared along with their mentee
    emails: int = 0  # sent e-mails older than OUTBOX_KEEP_DAYS, deleted
    referrals: int = 0  # referrals anonymised: with their mentee, or declined/withdrawn past retention

    @property
    def total(self) -> int:
        return self.youths + self.households + self.volunteers


# --- access -------------------------------------------------------------------------------

def _mentee(session: Session, record_type: str, record_id: int, by: User, locked: bool = False) -> Youth | Household:
    model = MENTEE_MODELS.get(record_type)
    if model is None:
        raise DomainError(N_("Unknown kind of record: %(record_type)s."), record_type=record_type)
    record = lock(session, model, record_id) if locked else session.get(model, record_id)
    # Another organisation's record is reported exactly like a missing one.
    if record is None or record.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    return record


def _requests_of(session: Session, record: Youth | Household) -> list[Request]:
    column = Request.youth_id if isinstance(record, Youth) else Request.household_id
    return list(session.exec(select(Request).where(column == record.id).order_by(Request.id)))


def _matches_of(session: Session, requests: list[Request]) -> list[Match]:
    ids = [r.id for r in requests]
    if not ids:
        return []
    return list(session.exec(select(Match).where(Match.request_id.in_(ids)).order_by(Match.id)))


def _notes_of(session: Session, record: Youth | Household, matches: list[Match]) -> list[Note]:
    # Web pages write "Youth", older code "youth": compare without case.
    about_record = (func.lower(Note.subject_type) == type(record).__name__.lower()) & (Note.subject_id == record.id)
    condition = about_record
    if matches:
        about_matches = (func.lower(Note.subject_type) == "match") & Note.subject_id.in_([m.id for m in matches])
        condition = about_record | about_matches
    return list(session.exec(select(Note).where(Note.organisation_id == record.organisation_id, condition)
                             .order_by(Note.created_at)))


def _consents_of(session: Session, record: Youth | Household) -> list[ConsentRecord]:
    return list(session.exec(select(ConsentRecord).where(
        ConsentRecord.organisation_id == record.organisation_id,
        ConsentRecord.subject_type == type(record).__name__.lower(),
        ConsentRecord.subject_id == record.id)))


def _members_of(session: Session, record: Youth | Household) -> list[HouseholdMember]:
    if not isinstance(record, Household):
        return []
    return list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == record.id)
                             .order_by(HouseholdMember.id)))


def export_mentee(session: Session, record_type: str, record_id: int, by: User) -> dict:
    """Everything Makker holds about a youth or a family, as JSON-ready data (dates as ISO text).

    The volunteers' own data is theirs, not the mentee's: matches say nothing about who mentored.
    """
    begin_write(session)  # read and audited in one short transaction
    record = _mentee(session, record_type, record_id, by)
    requests = _requests_of(session, record)
    matches = _matches_of(session, requests)
    match_ids = [m.id for m in matches]
    meetings = list(session.exec(select(MeetingLog).where(MeetingLog.match_id.in_(match_ids))
                                 .order_by(MeetingLog.met_on))) if match_ids else []
    checkins = list(session.exec(select(CheckIn).where(CheckIn.match_id.in_(match_ids))
                                 .order_by(CheckIn.due_on))) if match_ids else []
    events = list(session.exec(select(MatchEvent).where(MatchEvent.match_id.in_(match_ids))
                               .order_by(MatchEvent.at))) if match_ids else []
    data = {
        "record_type": record_type,
        "record": record.model_dump(mode="json", exclude={"organisation_id"}),
        "members": [m.model_dump(mode="json", exclude={"household_id"}) for m in _members_of(session, record)],
        "requests": [r.model_dump(mode="json", exclude={"organisation_id", "created_by_id", "version"})
                     for r in requests],
        "consents": [c.model_dump(mode="json", include={"given_by", "relation", "purpose", "text_version", "text",
                                                        "given_on", "given_at", "withdrawn_on", "withdrawn_by",
                                                        "withdrawal_note", "withdrawn_at"})
                     for c in _consents_of(session, record)],
        "notes": [n.model_dump(mode="json", include={"subject_type", "subject_id", "body", "created_at"})
                  for n in _notes_of(session, record, matches)],
        "matches": [m.model_dump(mode="json", include={
            "id", "request_id", "status", "created_at", "intro_on", "intro_note", "started_on", "paused_until",
            "closed_on", "closure_reason", "closure_note", "exit_conversation", "next_step", "meeting_rhythm",
            "outcome"})
            for m in matches],
        "match_history": [e.model_dump(mode="json", include={"match_id", "from_status", "to_status", "on", "reason"})
                          for e in events],
        "meetings": [m.model_dump(mode="json", include={"match_id", "met_on", "minutes", "activities", "note",
                                                        "rating"})
                     for m in meetings],
        "checkins": [c.model_dump(mode="json", include={"match_id", "kind", "due_on", "done_on", "contacted", "rating",
                                                        "concerns", "agreements", "next_step", "outcome"})
                     for c in checkins],
        "referrals": export_referrals(session, referrals_of_mentee(session, record_type, record.id)),
    }
    record_audit(session, organisation_id=record.organisation_id, user_id=by.id, action="export",
                 record_type=record_type, record_id=record.id)
    session.commit()
    return data


# --- anonymising --------------------------------------------------------------------------

def _without_own_words(outcome: dict | None) -> dict:
    # A new dict, so the JSON column notices the change; the yes/no answers stay for the figures.
    return {k: v for k, v in (outcome or {}).items() if k != "own_words"}


def _anonymise_mentee(session: Session, record: Youth | Household, requests: list[Request],
                      matches: list[Match]) -> dict[str, int]:
    """Blank the person, their requests and the free text of their matches (no commit)."""
    record.notes = record.interests_text = ""
    record.languages, record.interests, record.availability = {}, [], 0
    if isinstance(record, Youth):
        record.first_name, record.last_name = ANONYMISED, ""
        record.guardian_name = record.guardian_phone = record.guardian_email = record.school = ""
    else:
        record.family_name = ANONYMISED
        record.contact_name = record.contact_phone = record.contact_email = record.wishes = ""
    record.anonymised_at = utcnow()
    session.add(record)
    for member in _members_of(session, record):
        member.first_name = ANONYMISED
        session.add(member)
    for consent in _consents_of(session, record):
        consent.given_by = ANONYMISED
        consent.withdrawn_by = ANONYMISED if consent.withdrawn_by else ""
        consent.withdrawal_note = ""
        session.add(consent)
    notes = _notes_of(session, record, matches)
    for note in notes:
        session.delete(note)
    request_ids = [r.id for r in requests]
    for request in requests:
        request.need = ANONYMISED
        request.description = request.complexity_reason = request.referred_by = ""
        request.goal_worries = request.goal_works = request.goal_next = ""
        request.version += 1
        session.add(request)
    if request_ids:
        # Coordinators' reasons for rejecting a pair are free text about the mentee.
        for proposal in session.exec(select(Proposal).where(Proposal.request_id.in_(request_ids))):
            proposal.reason = ""
            session.add(proposal)
        for exclusion in session.exec(select(Exclusion).where(Exclusion.request_id.in_(request_ids))):
            exclusion.reason = ""
            session.add(exclusion)
    for match in matches:
        match.intro_note = match.exit_conversation = match.next_step = ""
        match.closure_note = ERASED_NOTE if match.closure_note == ERASED_NOTE else ""
        match.outcome = _without_own_words(match.outcome)
        match.version += 1
        session.add(match)
        for log in session.exec(select(MeetingLog).where(MeetingLog.match_id == match.id)):
            log.note = ""
            session.add(log)
        for checkin in session.exec(select(CheckIn).where(CheckIn.match_id == match.id)):
            checkin.concerns = checkin.agreements = checkin.next_step = ""
            checkin.outcome = _without_own_words(checkin.outcome)
            session.add(checkin)
        for event in session.exec(select(MatchEvent).where(MatchEvent.match_id == match.id)):
            if event.reason not in _SYSTEM_REASONS:  # e.g. the introduction's summary
                event.reason = ""
                session.add(event)
    referrals = referrals_of_mentee(session, type(record).__name__, record.id)
    for referral in referrals:
        anonymise_referral(session, referral)
    return {"requests": len(requests), "matches": len(matches), "notes_deleted": len(notes),
            "referrals": len(referrals)}


@shared_write
def erase_mentee(session: Session, record_type: str, record_id: int, by: User, today: date) -> None:
    """Erase a youth or a family on request: open matches close, open requests close, and the
    personal data goes; dates, statuses, reasons and ratings stay for the figures."""
    # The house's lock order puts volunteers before the mentee, and which volunteers are involved
    # is only known from the matches: read them, lock, read again, and start over if a match was
    # made meanwhile with another volunteer.
    for _attempt in range(3):
        begin_write(session)
        record = _mentee(session, record_type, record_id, by)
        involved = {m.volunteer_id for m in _matches_of(session, _requests_of(session, record))
                    if m.status in OPEN_MATCH_STATUSES}
        volunteers = lock_all(session, Volunteer, involved)
        record = _mentee(session, record_type, record_id, by, locked=True)
        requests = lock_all(session, Request, [r.id for r in _requests_of(session, record)])
        matches = lock_all(session, Match, [m.id for m in _matches_of(session, requests)])
        # Last in the lock order: a message or status on them waits for the erasure, then finds it.
        lock_all(session, Referral, [r.id for r in referrals_of_mentee(session, type(record).__name__, record.id)])
        open_matches = [m for m in matches if m.status in OPEN_MATCH_STATUSES]
        if {m.volunteer_id for m in open_matches} <= involved:
            break
    else:
        raise Conflict(N_("Someone else changed the same thing at the same moment. Nothing was saved; "
                          "reload the page and try again."))
    if record.anonymised_at is not None:
        raise Conflict(N_("This record has already been erased."))
    for match in open_matches:
        match.closure_reason = match.closure_reason or "other"
        match.closure_note = ERASED_NOTE
        match.paused_until = None
        change_status(session, match, "closed", by_id=by.id, on=today, reason=ERASED_REASON)
        # Nobody will be followed up any more: planned check-ins go.
        cancel_planned_checkins(session, match)
    closed_requests = 0
    for request in requests:
        if request.status in OPEN_REQUEST_STATUSES:
            request.status, request.pool_since = "closed", None
            closed_requests += 1
    session.flush()  # the volunteers' capacity is counted from the closed matches
    for volunteer in volunteers:
        update_volunteer_pool_state(session, volunteer, today)
    for consent in _consents_of(session, record):
        consent.withdrawn_at = consent.withdrawn_at or utcnow()
        consent.withdrawn_on = consent.withdrawn_on or today
    counts = _anonymise_mentee(session, record, requests, matches)
    record_audit(session, organisation_id=record.organisation_id, user_id=by.id, action="erase",
                 record_type=record_type, record_id=record.id,
                 detail={**counts, "closed_matches": len(open_matches), "closed_requests": closed_requests,
                         "anonymised_at": record.anonymised_at.isoformat()})
    refresh_match_risk(session, today, [m.id for m in open_matches])
    session.commit()


# --- retention ----------------------------------------------------------------------------

def _last_activity(session: Session, record_type: str, ids: list[int]) -> dict[int, date]:
    """The day of the latest recorded change per record (from the audit trail)."""
    if not ids:
        return {}
    stmt = (select(AuditEvent.record_id, func.max(AuditEvent.at))
            .where(AuditEvent.record_type == record_type, AuditEvent.record_id.in_(ids),
                   AuditEvent.action.in_(_ACTIVITY_ACTIONS))
            .group_by(AuditEvent.record_id))
    return {rid: at.date() for rid, at in session.exec(stmt) if at is not None}


def _due_mentees(session: Session, model: type[Youth] | type[Household], today: date,
                 organisation_id: int | None) -> list[tuple[Youth | Household, list[Request], list[Match]]]:
    """Mentees whose every request and match has ended more than their retention period ago."""
    stmt = select(model).where(model.anonymised_at.is_(None))
    if organisation_id is not None:
        stmt = stmt.where(model.organisation_id == organisation_id)
    records = list(session.exec(stmt.order_by(model.id)))
    if not records:
        return []
    column = Request.youth_id if model is Youth else Request.household_id
    requests: dict[int, list[Request]] = defaultdict(list)
    for request in session.exec(select(Request).where(column.in_([r.id for r in records]))):
        requests[getattr(request, column.key)].append(request)
    all_requests = [r for rs in requests.values() for r in rs]
    matches: dict[int, list[Match]] = defaultdict(list)
    if all_requests:
        for match in session.exec(select(Match).where(Match.request_id.in_([r.id for r in all_requests]))):
            matches[match.request_id].append(match)
    programs = {p.id: p for p in session.exec(select(Program))}
    record_changed = _last_activity(session, model.__name__, [r.id for r in records])
    request_changed = _last_activity(session, "Request", [r.id for r in all_requests])
    default_months = ProgramBase.model_fields["retention_months"].default
    longest = defaultdict(lambda: default_months)
    for program in programs.values():
        longest[program.organisation_id] = max(longest[program.organisation_id], program.retention_months)

    due = []
    for record in records:
        own = requests.get(record.id, [])
        own_matches = [m for r in own for m in matches.get(r.id, [])]
        if any(r.status in OPEN_REQUEST_STATUSES for r in own):
            continue
        if any(m.status in OPEN_MATCH_STATUSES for m in own_matches):
            continue
        # The case ended on the latest day anything happened to it; a request closed without a
        # match has no date of its own, so its referral and later changes stand in for it.
        days = [record.created_at.date(), record_changed.get(record.id, date.min)]
        days += [d for r in own for d in (r.referred_on, r.created_at.date(), request_changed.get(r.id, date.min))]
        days += [m.closed_on for m in own_matches if m.closed_on]
        # With programs that keep records for different periods, the longest applies.
        months = max((programs[r.program_id].retention_months for r in own), default=longest[record.organisation_id])
        if today > add_months(max(days), months):
            due.append((record, own, own_matches))
    return due


def _due_volunteers(session: Session, today: date, organisation_id: int | None) -> list[Volunteer]:
    """Declined or withdrawn volunteers past their deletion date, or past retention since they left."""
    stmt = select(Volunteer).where(Volunteer.anonymised_at.is_(None), Volunteer.status.in_(("declined", "withdrawn")))
    if organisation_id is not None:
        stmt = stmt.where(Volunteer.organisation_id == organisation_id)
    volunteers = list(session.exec(stmt.order_by(Volunteer.id)))
    if not volunteers:
        return []
    programs = {p.id: p for p in session.exec(select(Program))}
    matches: dict[int, list[Match]] = defaultdict(list)
    for match in session.exec(select(Match).where(Match.volunteer_id.in_([v.id for v in volunteers]))):
        matches[match.volunteer_id].append(match)
    changed = _last_activity(session, "Volunteer", [v.id for v in volunteers])
    due = []
    for volunteer in volunteers:
        own = matches.get(volunteer.id, [])
        if any(m.status in OPEN_MATCH_STATUSES for m in own):
            continue  # a coordinator must close the match first; the mentee must not lose it silently
        if volunteer.deletion_due_at is not None:
            if volunteer.deletion_due_at <= today:
                due.append(volunteer)
            continue
        days = [volunteer.created_at.date(), changed.get(volunteer.id, date.min)]
        days += [m.closed_on for m in own if m.closed_on]
        if today > add_months(max(days), programs[volunteer.program_id].retention_months):
            due.append(volunteer)
    return due


def apply_retention(session: Session, today: date, organisation_id: int | None = None) -> RetentionReport:
    """Anonymise what has been closed for longer than each program keeps records; one commit.

    Anonymised records are never picked again, so a second run the same day reports nothing.
    """
    begin_write(session)
    report = RetentionReport()
    for model in (Youth, Household):
        for record, requests, matches in _due_mentees(session, model, today, organisation_id):
            counts = _anonymise_mentee(session, record, requests, matches)
            record_audit(session, organisation_id=record.organisation_id, user_id=None, action="anonymise",
                         record_type=model.__name__, record_id=record.id,
                         detail={**counts, "reason": "retention", "on": today.isoformat()})
            if model is Youth:
                report.youths += 1
            else:
                report.households += 1
            report.matches += counts["matches"]
            report.referrals += counts["referrals"]
    for volunteer in _due_volunteers(session, today, organisation_id):
        anonymise_volunteer(session, volunteer)
        record_audit(session, organisation_id=volunteer.organisation_id, user_id=None, action="anonymise",
                     record_type="Volunteer", record_id=volunteer.id,
                     detail={"reason": "retention", "on": today.isoformat(), "status": volunteer.status})
        report.volunteers += 1
    # Locked (a message posted at the same moment waits, then finds the referral erased).
    for referral in lock_all(session, Referral, [r.id for r in due_referrals(session, today, organisation_id)]):
        if referral.anonymised_at is not None:
            continue
        anonymise_referral(session, referral)
        record_audit(session, organisation_id=referral.organisation_id, user_id=None, action="anonymise",
                     record_type="Referral", record_id=referral.id,
                     detail={"reason": "retention", "on": today.isoformat(), "status": referral.status})
        report.referrals += 1
    # Sent e-mails name mentees and volunteers in their text; they are not kept for long.
    cutoff = datetime.combine(today - timedelta(days=OUTBOX_KEEP_DAYS), datetime.min.time(), tzinfo=UTC)
    old = select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff)
    if organisation_id is not None:
        old = old.where(OutboxMessage.organisation_id == organisation_id)
    for message in session.exec(old):
        session.delete(message)
        report.emails += 1
    # Form tokens only stop double clicks; a month is more than enough.
    forget_old_submissions(session, datetime.combine(today - timedelta(days=SUBMISSION_KEEP_DAYS),
                                                     datetime.min.time(), tzinfo=UTC))
    session.commit()
    return report
