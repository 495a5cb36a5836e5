"""Screening: each step recorded with who, when and the result; approval only when all are done.

Every change locks the volunteer first (models.writes) and decides on the locked state, so two
coordinators at once, or a double click, never send two e-mails or approve and decline both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, DomainError
from models.organisations import Program
from models.users import User
from models.volunteers import STEP_STATUSES, ScreeningStep, Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, shared_write

DONE = ("done", "approved")
DELETE_DECLINED_AFTER_DAYS = 30


@dataclass
class ChecklistItem:
    step: str
    status: str
    step_date: date | None
    note: str
    done: bool
    signature: bool = False  # signed by the volunteer in the portal, not recorded by a coordinator


def screening_checklist(session: Session, volunteer: Volunteer) -> list[ChecklistItem]:
    """The program's required steps in order, with their state (missing steps show as pending),
    then the texts the volunteer must have signed in their current version (issue 15)."""
    from models.safeguard.queries import (  # safeguard reads volunteers
        SIGNATURE_STEPS,
        signature_states,
    )
    program = session.get(Program, volunteer.program_id)
    recorded = {s.step: s for s in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id))}
    items = []
    for step in program.required_steps:
        s = recorded.get(step)
        status = s.status if s else "pending"
        items.append(ChecklistItem(step, status, s.step_date if s else None, s.note if s else "", status in DONE))
    for state in signature_states(session, volunteer):
        items.append(ChecklistItem(SIGNATURE_STEPS[state.kind], state.status,
                                   state.signature.signed_on if state.signature else None, "",
                                   state.signed_current, signature=True))
    return items


def _user_locale(session: Session, volunteer: Volunteer) -> str:
    user = session.get(User, volunteer.user_id) if volunteer.user_id else None
    return user.locale if user else "da"


@shared_write
def record_step(session: Session, volunteer: Volunteer, step: str, status: str, by: User, on: date | None,
                note: str, today: date, step_label: str = "", status_label: str = "", link: str = "",
                submit_key: str | None = None) -> ScreeningStep:
    """Record one step's state; the volunteer is told by e-mail when it changed (not when the
    same answer is saved again)."""
    volunteer_id = volunteer.id
    begin_write(session)
    claim = claim_submission(session, submit_key, f"record_step:{volunteer_id}", user_id=by.id,
                             already=N_("This screening step has already been saved."))
    volunteer = lock(session, Volunteer, volunteer_id)
    program = session.get(Program, volunteer.program_id)
    if step not in program.required_steps:
        raise DomainError(N_("That step is not part of this program's screening."), field="step")
    if status not in STEP_STATUSES:
        raise DomainError(N_("Choose a status for the step."), field="status")
    if on is not None and on > today:
        raise DomainError(N_("The date cannot be in the future."), field="step_date")
    if volunteer.status not in ("applicant", "screening"):
        raise DomainError(N_("The screening of this volunteer is finished."))
    record = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                      ScreeningStep.step == step)).first()
    if record is None:
        record = ScreeningStep(volunteer_id=volunteer.id, step=step)
    elif (record.status, record.step_date, record.note) == (status, on, note.strip()[:2000]):
        # Saved again unchanged: nothing to record, nobody to tell.
        note_result(claim, record.id)
        session.commit()
        return record
    record.status, record.step_date, record.note = status, on, note.strip()[:2000]
    record.recorded_by_id, record.recorded_at = by.id, utcnow()
    session.add(record)
    if volunteer.status == "applicant":
        volunteer.status = "screening"
        session.add(volunteer)
    send(session, "screening_update", to=volunteer.email, locale=_user_locale(session, volunteer),
         organisation_id=volunteer.organisation_id, name=volunteer.first_name, step=step_label or step,
         status=status_label or status, link=link)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"screening": step, "status": status})
    session.flush()
    note_result(claim, record.id)
    session.commit()
    return record


@shared_write
def approve_volunteer(session: Session, volunteer: Volunteer, by: User, today: date, link: str = "") -> Volunteer:
    """Every required step done: the volunteer enters the matching pool today."""
    volunteer_id = volunteer.id
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    missing = [item.step for item in screening_checklist(session, volunteer) if not item.done]
    if missing:
        raise DomainError(N_("Every screening step must be done before approval (%(n)s missing)."), n=len(missing))
    if volunteer.status not in ("applicant", "screening"):
        raise DomainError(N_("The screening of this volunteer is finished."))
    volunteer.status, volunteer.approved_at, volunteer.pool_since = "approved", utcnow(), today
    volunteer.version += 1
    session.add(volunteer)
    program = session.get(Program, volunteer.program_id)
    send(session, "volunteer_approved", to=volunteer.email, locale=_user_locale(session, volunteer),
         organisation_id=volunteer.organisation_id, name=volunteer.first_name, program=program.name, link=link)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"status": "approved"})
    session.commit()
    return volunteer


@shared_write
def decline_volunteer(session: Session, volunteer: Volunteer, by: User, today: date, reason: str) -> Volunteer:
    """Not approved: a kind e-mail, and the data is scheduled for deletion."""
    volunteer_id = volunteer.id
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.status not in ("applicant", "screening"):
        raise DomainError(N_("The screening of this volunteer is finished."))
    if not reason.strip():
        raise DomainError(N_("Write the reason (only coordinators see it)."), field="reason")
    volunteer.status = "declined"
    volunteer.deletion_due_at = today + timedelta(days=DELETE_DECLINED_AFTER_DAYS)
    volunteer.version += 1
    session.add(volunteer)
    program = session.get(Program, volunteer.program_id)
    send(session, "volunteer_declined", to=volunteer.email, locale=_user_locale(session, volunteer),
         organisation_id=volunteer.organisation_id, name=volunteer.first_name, program=program.name,
         deletion_date=volunteer.deletion_due_at.strftime("%d-%m-%Y"))
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"status": "declined", "reason": reason[:500]})
    session.commit()
    return volunteer
