"""Following a relationship: check-ins, pause and resume, closure with reason and outcome.

Every operation here follows models.writes: one transaction that claims the form's token, locks
the volunteer, the request and the match (in that order) and checks the version the coordinator
saw on the locked match, so two coordinators working on the same match cannot overwrite each
other: the second gets a Conflict (or, for a double click, AlreadyDone) and nothing of theirs
is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from models.audit import record_audit
from models.errors import N_, Conflict, DomainError
from models.lifecycle import (
    cancel_planned_checkins,
    change_status,
    exclude_pair,
    return_request_to_pool,
    update_volunteer_pool_state,
)
from models.matches import (
    CLOSURE_REASONS,
    OPEN_MATCH_STATUSES,
    CheckIn,
    Match,
    MeetingLog,
)
from models.mentees import Request
from models.organisations import Program
from models.risk_state import refresh_match_risk
from models.users import User
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, peek_row, shared_write

CONTACTED: tuple[str, ...] = ("volunteer", "youth", "parent")
OUTCOME_QUESTIONS: tuple[str, ...] = ("education_or_work", "leisure_activity", "social_case")
OUTCOME_ANSWERS: tuple[str, ...] = ("yes", "no", "unknown")
# Reasons a coordinator chooses when closing (a "no" at the introduction is recorded there).
CLOSING_REASONS: tuple[str, ...] = tuple(r for r in CLOSURE_REASONS if r != "intro_declined")
FOLLOWUP_AFTER_DAYS = 365
# Check-ins that measure the outcome: 12 months after closure, and one year after the start.
MEASURES: tuple[str, ...] = ("followup", "one_year")


def match_start(match: Match) -> date | None:
    """The first day of the relationship, as far as it is known."""
    return match.started_on or match.intro_on or (match.created_at.date() if match.created_at else None)


def _locked_match(session: Session, match_id: int, organisation_id: int, seen_version: int | None) -> Match:
    """Lock the match (volunteer and request first, as everywhere) and check nobody changed it
    since the coordinator's page was shown; every check after this reads the locked rows."""
    peek = peek_row(session, Match, match_id)
    if peek.organisation_id != organisation_id:
        raise DomainError(N_("The record no longer exists."))
    lock(session, Volunteer, peek.volunteer_id)
    lock(session, Request, peek.request_id)
    match = lock(session, Match, match_id)
    if seen_version is not None and match.version != seen_version:
        raise Conflict(N_("Someone else changed this match while you were working on it. "
                          "Nothing was saved; look at it again and repeat your change."))
    return match


def _check_date(match: Match, on: date, today: date, field_name: str) -> None:
    if on > today:
        raise DomainError(N_("The date cannot be in the future."), field=field_name)
    start = match_start(match)
    if start is not None and on < start:
        raise DomainError(N_("The date cannot be before the match began (%(date)s)."), field=field_name,
                          date=start.strftime("%d-%m-%Y"))


# --- check-ins --------------------------------------------------------------------------

@dataclass
class CheckInAnswers:
    done_on: date
    contacted: list[str]
    rating: int | None
    concerns: str = ""
    agreements: str = ""
    next_step: str = ""
    outcome: dict[str, str] = field(default_factory=dict)


def _clean_outcome(outcome: dict[str, str], required: bool) -> dict[str, str]:
    answers = {q: (outcome.get(q) or "") for q in OUTCOME_QUESTIONS}
    if any(a and a not in OUTCOME_ANSWERS for a in answers.values()):
        raise DomainError(N_("Choose an answer from the list."), field="outcome")
    if required and not all(answers.values()):
        raise DomainError(N_("This program records the outcome: answer each question (\"don't know\" is an answer)."),
                          field="outcome")
    cleaned = {q: a for q, a in answers.items() if a}
    words = (outcome.get("own_words") or "").strip()[:2000]
    if words:
        cleaned["own_words"] = words
    return cleaned


@shared_write
def record_checkin(session: Session, match_id: int, by: User, today: date, answers: CheckInAnswers,
                   checkin_id: int | None = None, seen_version: int | None = None,
                   submit_key: str | None = None) -> CheckIn:
    """Record a check-in: the planned one ``checkin_id``, or else the earliest one due, or an extra one."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"record_checkin:{match_id}", user_id=by.id,
                             already=N_("This check-in has already been recorded."))
    match = _locked_match(session, match_id, by.organisation_id, seen_version)
    if match.status == "introduced":
        raise DomainError(N_("Check-ins start when the match has started."))
    if not answers.contacted or any(c not in CONTACTED for c in answers.contacted):
        raise DomainError(N_("Choose who you talked to."), field="contacted")
    if answers.rating is not None and not 1 <= answers.rating <= 5:
        raise DomainError(N_("Choose how it goes, from 1 to 5."), field="rating")
    _check_date(match, answers.done_on, today, "done_on")
    open_checkins = select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.done_on.is_(None))
    if checkin_id is not None:
        checkin = session.exec(open_checkins.where(CheckIn.id == checkin_id)).first()
        if checkin is None:
            raise Conflict(N_("This check-in has already been recorded."))
    else:
        kinds = ("followup", "one_year") if match.status == "closed" else ("scheduled", "one_year")
        checkin = session.exec(open_checkins.where(CheckIn.kind.in_(kinds), CheckIn.due_on <= today)
                               .order_by(CheckIn.due_on)).first()
        if checkin is None:
            checkin = CheckIn(match_id=match.id, due_on=answers.done_on, kind="extra")
    # After the closure there is no relationship left to rate, only the outcome to ask about.
    if match.status != "closed" and checkin.kind != "followup" and answers.rating is None:
        raise DomainError(N_("Choose how it goes, from 1 to 5."), field="rating")
    program = session.get(Program, match.program_id)
    checkin.outcome = _clean_outcome(answers.outcome, required=checkin.kind in MEASURES and program.outcome_required)
    checkin.done_on = answers.done_on
    checkin.done_by_id = by.id
    checkin.contacted = list(dict.fromkeys(answers.contacted))
    checkin.rating = answers.rating
    checkin.concerns = answers.concerns.strip()[:4000]
    checkin.agreements = answers.agreements.strip()[:4000]
    checkin.next_step = answers.next_step.strip()[:2000]
    session.add(checkin)
    match.version += 1
    session.add(match)
    session.flush()
    note_result(claim, checkin.id)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="create",
                 record_type="CheckIn", record_id=checkin.id, detail={"match_id": match.id, "kind": checkin.kind})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return checkin


@shared_write
def mark_contact_handled(session: Session, match_id: int, by: User, seen_version: int | None = None,
                         today: date | None = None) -> int:
    """The coordinator has answered the volunteer's "talk to me"; returns how many flags it cleared."""
    from models.clock import today as local_today
    from models.clock import utcnow

    begin_write(session)
    match = _locked_match(session, match_id, by.organisation_id, seen_version)
    logs = list(session.exec(select(MeetingLog).where(MeetingLog.match_id == match.id, MeetingLog.needs_contact,
                                                      MeetingLog.contact_handled_at.is_(None))))
    for log in logs:
        log.contact_handled_at = utcnow()
        session.add(log)
    match.version += 1
    session.add(match)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update",
                 record_type="Match", record_id=match.id, detail={"contact_handled": len(logs)})
    refresh_match_risk(session, today or local_today(), [match.id])
    session.commit()
    return len(logs)


# --- pause and resume ---------------------------------------------------------------------

@shared_write
def pause_match(session: Session, match_id: int, by: User, today: date, *, on: date, until: date | None,
                reason: str, seen_version: int | None = None, submit_key: str | None = None) -> Match:
    """A break (exams, illness, travel): no alerts for missing meetings while it lasts."""
    begin_write(session)
    claim_submission(session, submit_key, f"pause_match:{match_id}", user_id=by.id, already=N_("The pause has been saved."))
    match = _locked_match(session, match_id, by.organisation_id, seen_version)
    if not reason.strip():
        raise DomainError(N_("Write why the match is paused."), field="reason")
    _check_date(match, on, today, "on")
    if until is not None and until <= on:
        raise DomainError(N_("The pause must end after it begins."), field="until")
    change_status(session, match, "paused", by_id=by.id, on=on, reason=reason.strip()[:2000])
    match.paused_until = until
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update",
                 record_type="Match", record_id=match.id, detail={"status": "paused"})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match


@shared_write
def resume_match(session: Session, match_id: int, by: User, today: date, *, on: date, reason: str = "",
                 seen_version: int | None = None, submit_key: str | None = None) -> Match:
    begin_write(session)
    claim_submission(session, submit_key, f"resume_match:{match_id}", user_id=by.id,
                     already=N_("The match has been resumed."))
    match = _locked_match(session, match_id, by.organisation_id, seen_version)
    _check_date(match, on, today, "on")
    change_status(session, match, "active", by_id=by.id, on=on, reason=reason.strip()[:2000] or "genoptaget")
    match.paused_until = None
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update",
                 record_type="Match", record_id=match.id, detail={"status": "active"})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match


# --- closure ------------------------------------------------------------------------------

@dataclass
class Closure:
    closed_on: date
    reason: str
    note: str = ""
    exit_conversation: str = ""
    outcome: dict[str, str] = field(default_factory=dict)
    next_step: str = ""  # the handover ("den gode overgang"): what or who comes next
    pair_may_rematch: bool = False  # may this pair be proposed again?
    request_back_to_pool: bool = True
    volunteer_back_to_pool: bool = True


@shared_write
def close_match(session: Session, match_id: int, by: User, today: date, closure: Closure,
                seen_version: int | None = None, submit_key: str | None = None) -> Match:
    """Close a relationship with its reason, exit conversation and outcome; both sides go where
    the coordinator chose, and a 12-month follow-up is planned where the program measures it."""
    begin_write(session)
    claim_submission(session, submit_key, f"close_match:{match_id}", user_id=by.id, already=N_("This match is already closed."))
    match = _locked_match(session, match_id, by.organisation_id, seen_version)
    if match.status not in OPEN_MATCH_STATUSES:
        raise Conflict(N_("This match is already closed."))
    if closure.reason not in CLOSING_REASONS:
        raise DomainError(N_("Choose why the match ends."), field="reason")
    if closure.reason == "other" and not closure.note.strip():
        raise DomainError(N_("Write why the match ends."), field="note")
    _check_date(match, closure.closed_on, today, "closed_on")
    program = session.get(Program, match.program_id)
    started = match.status != "introduced"
    match.outcome = _clean_outcome(closure.outcome, required=program.outcome_required and started)
    match.closure_reason = closure.reason
    match.closure_note = "\n".join(p for p in (match.closure_note, closure.note.strip()) if p)[:4000]
    match.exit_conversation = closure.exit_conversation.strip()[:4000]
    match.next_step = closure.next_step.strip()[:2000]
    match.paused_until = None
    change_status(session, match, "closed", by_id=by.id, on=closure.closed_on, reason=closure.reason)
    # Planned check-ins of a closed match are not due any more; the one-year measure of a match
    # that started still is (the goal is measured a year after the start, however it went).
    cancel_planned_checkins(session, match, keep=("one_year",) if started else ())
    session.flush()
    if program.measures_followup and started:
        session.add(CheckIn(match_id=match.id, kind="followup",
                            due_on=closure.closed_on + timedelta(days=FOLLOWUP_AFTER_DAYS)))
    if not closure.pair_may_rematch:
        exclude_pair(session, match.organisation_id, match.request_id, match.volunteer_id,
                     f"Afsluttet: {closure.reason}", by.id)
    request = session.get(Request, match.request_id)
    if closure.request_back_to_pool:
        return_request_to_pool(session, request, today)
    else:
        request.status = "closed"
        request.pool_since = None
        request.version += 1
        session.add(request)
    session.flush()
    volunteer = session.get(Volunteer, match.volunteer_id)
    if closure.volunteer_back_to_pool:
        if volunteer.status == "inactive":
            volunteer.status = "approved"
        update_volunteer_pool_state(session, volunteer, today)
    elif volunteer.status == "approved":
        # Keeps the approval and history, but no new proposals until a coordinator says so.
        volunteer.status = "inactive"
        volunteer.pool_since = None
        volunteer.version += 1
        session.add(volunteer)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update",
                 record_type="Match", record_id=match.id,
                 detail={"status": "closed", "reason": closure.reason,
                         "request_back": closure.request_back_to_pool, "volunteer_back": closure.volunteer_back_to_pool})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return match


@shared_write
def reactivate_volunteer(session: Session, volunteer_id: int, by: User, today: date) -> Volunteer:
    """An inactive volunteer wants a new match: back in the pool, waiting from today."""
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.organisation_id != by.organisation_id or volunteer.status != "inactive":
        raise Conflict(N_("This volunteer is not waiting to come back."))
    volunteer.status = "approved"
    session.flush()
    update_volunteer_pool_state(session, volunteer, today)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"status": "approved", "back_in_pool": True})
    session.commit()
    return volunteer
