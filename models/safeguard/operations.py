"""Changing the safeguarding state: an admin publishes a new version of a text, a volunteer signs
it, a coordinator records a børneattest, the daily renewal reminder, and "Jeg er bekymret".

Each write follows models.writes: lock first (organisation, then volunteer, then match), decide
on the locked rows, write, commit once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, AlreadyDone, DomainError
from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.queries import active_in
from models.organisations import Organisation, Program
from models.risk_state import refresh_match_risk
from models.safeguard.queries import (
    CERTIFICATE_RECEIVED,
    CERTIFICATE_STEP,
    REMIND_DAYS_BEFORE,
    SIGNATURE_STEPS,
    add_months,
    current_text,
    renewal_months,
)
from models.safeguard.tables import (
    TEXT_KINDS,
    CertificateReminder,
    Concern,
    SafeguardText,
    Signature,
)
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, peek_row, shared_write

MAX_TITLE, MAX_BODY = 200, 20000
CERTIFICATE_RESULTS: tuple[str, ...] = ("done", "remarks")  # received without / with remarks
ANONYMISED_NAME = "Slettet"


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _stored_current(session: Session, organisation_id: int, kind: str) -> SafeguardText:
    """The current version as a stored row (the default is stored the first time it is needed).
    The caller holds the organisation's lock, so two first signers store it once."""
    text = current_text(session, organisation_id, kind)
    if text.id is None:
        session.add(text)
        session.flush()
    return text


@shared_write
def publish_text(session: Session, organisation_id: int, kind: str, title: str, body: str, by: User,
                 submit_key: str | None = None) -> SafeguardText:
    """A new version of a text: every volunteer is asked to sign it again (old signatures stay)."""
    if kind not in TEXT_KINDS:
        raise DomainError(N_("Unknown text."))
    title, body = title.strip(), body.strip().replace("\r\n", "\n")
    if not title:
        raise DomainError(N_("Write a title."), field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(N_("The title can be at most %(n)s characters."), field="title", n=MAX_TITLE)
    if len(body) < 20:
        raise DomainError(N_("Write the text volunteers sign (at least 20 characters)."), field="body")
    if len(body) > MAX_BODY:
        raise DomainError(N_("The text can be at most %(n)s characters."), field="body", n=MAX_BODY)
    begin_write(session)
    claim = claim_submission(session, submit_key, f"publish_text:{organisation_id}:{kind}", user_id=by.id,
                             already=N_("This version has already been published."))
    lock(session, Organisation, organisation_id)
    current = current_text(session, organisation_id, kind)
    if current.title == title and current.body == body:
        raise DomainError(N_("The text is unchanged, so there is no new version to sign."), field="body")
    # The default is stored as version 1 first: a volunteer who read it signs "1", and that must
    # never mean the admin's text.
    current = _stored_current(session, organisation_id, kind)
    text = SafeguardText(organisation_id=organisation_id, kind=kind, title=title, body=body, created_by_id=by.id,
                         version=current.version + 1)
    session.add(text)
    session.flush()
    record_audit(session, organisation_id=organisation_id, user_id=by.id, action="create",
                 record_type="SafeguardText", record_id=text.id, detail={"title": title, "text_version": text.version})
    note_result(claim, text.id)
    session.commit()
    return text


@shared_write
def sign_text(session: Session, volunteer_id: int, kind: str, version: int, signed_name: str, by: User,
              today: date, submit_key: str | None = None) -> Signature:
    """The volunteer signs the version of the text they read (``version``), with their full name."""
    if kind not in TEXT_KINDS:
        raise DomainError(N_("Unknown text."))
    begin_write(session)
    claim = claim_submission(session, submit_key, f"sign_text:{volunteer_id}:{kind}", user_id=by.id,
                             already=N_("You have already signed it."))
    peek = peek_row(session, Volunteer, volunteer_id)
    lock(session, Organisation, peek.organisation_id)
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.anonymised_at is not None or volunteer.status in ("declined", "withdrawn"):
        raise DomainError(N_("This volunteer is no longer active."))
    text = _stored_current(session, volunteer.organisation_id, kind)
    if version != text.version:
        raise DomainError(N_("The text has changed since you opened it. Read the new version and sign again."),
                          field="version")
    if not signed_name.strip():
        raise DomainError(N_("Write your full name to sign."), field="signed_name")
    if _normal(signed_name) != _normal(volunteer.name):
        raise DomainError(N_("Write your full name as we have it: %(name)s."), field="signed_name",
                          name=volunteer.name)
    already = session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id,
                                                   Signature.text_id == text.id)).first()
    if already is not None:
        raise AlreadyDone(N_("You have already signed this version."), result_id=already.id)
    signature = Signature(organisation_id=volunteer.organisation_id, volunteer_id=volunteer.id, text_id=text.id,
                          kind=kind, version=text.version, signed_name=" ".join(signed_name.split())[:200],
                          signed_on=today)
    session.add(signature)
    session.flush()
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="create",
                 record_type="Volunteer", record_id=volunteer.id, detail={"screening": SIGNATURE_STEPS[kind], "status": "signed",
                                                             "text_version": text.version})
    note_result(claim, signature.id)
    session.commit()
    return signature


@shared_write
def record_certificate(session: Session, volunteer_id: int, received_on: date | None, result: str, by: User,
                       today: date, submit_key: str | None = None) -> ScreeningStep:
    """The børneattest received on ``received_on`` with ``result`` (done: no remarks; remarks).
    Also after approval: a renewed one puts the volunteer back into new proposals."""
    if result not in CERTIFICATE_RESULTS:
        raise DomainError(N_("Choose the result of the børneattest."), field="result")
    if received_on is None:
        raise DomainError(N_("Enter the date the børneattest was received."), field="received_on")
    if received_on > today:
        raise DomainError(N_("The date cannot be in the future."), field="received_on")
    begin_write(session)
    claim = claim_submission(session, submit_key, f"record_certificate:{volunteer_id}", user_id=by.id,
                             already=N_("This børneattest has already been saved."))
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.anonymised_at is not None or volunteer.status in ("declined", "withdrawn"):
        raise DomainError(N_("This volunteer is no longer active."))
    program = session.get(Program, volunteer.program_id)
    if CERTIFICATE_STEP not in (program.required_steps or []):
        raise DomainError(N_("This program does not ask for a børneattest."))
    months = renewal_months(program)
    if add_months(received_on, months) <= today:
        raise DomainError(N_("A børneattest received then has already run out (it is renewed every %(n)s months)."),
                          field="received_on", n=months)
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                    ScreeningStep.step == CERTIFICATE_STEP)).first()
    if step is None:
        step = ScreeningStep(volunteer_id=volunteer.id, step=CERTIFICATE_STEP)
    before = (step.status, step.step_date)
    step.status, step.step_date = result, received_on
    step.recorded_by_id, step.recorded_at = by.id, utcnow()
    session.add(step)
    if volunteer.status == "applicant":
        volunteer.status = "screening"
    volunteer.version += 1
    session.add(volunteer)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"screening": CERTIFICATE_STEP, "status": result, "on": received_on.isoformat(),
                         "renewal": before[1] is not None})
    session.flush()
    note_result(claim, step.id)
    session.commit()
    return step


@dataclass
class RenewalReport:
    due: int = 0  # børneattester that run out within REMIND_DAYS_BEFORE days or have run out
    reminded: int = 0  # of those, newly reminded today
    emails: int = 0


def send_certificate_reminders(session: Session, today: date, base_url: str,
                               organisation_id: int | None = None) -> RenewalReport:
    """The daily job: coordinators are told which børneattester must be renewed (no names in the
    e-mail, only links). Each børneattest is reminded about once per renewal date, so running
    it twice, or on two machines, sends nothing twice."""
    begin_write(session)
    report = RenewalReport()
    programs = session.exec(select(Program).where(Program.active)).all()
    due_by_org: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for program in programs:
        if organisation_id is not None and program.organisation_id != organisation_id:
            continue
        if CERTIFICATE_STEP not in (program.required_steps or []):
            continue
        months = renewal_months(program)
        rows = session.exec(select(ScreeningStep.volunteer_id, ScreeningStep.step_date)
                            .join(Volunteer, Volunteer.id == ScreeningStep.volunteer_id)
                            .where(active_in(program.id),
                                   Volunteer.anonymised_at.is_(None), ScreeningStep.step == CERTIFICATE_STEP,
                                   ScreeningStep.status.in_(CERTIFICATE_RECEIVED),
                                   ScreeningStep.step_date.is_not(None))).all()
        for volunteer_id, received in rows:
            renew_by = add_months(received, months)
            if (renew_by - today).days <= REMIND_DAYS_BEFORE:
                report.due += 1
                due_by_org[program.organisation_id].append((volunteer_id, renew_by))
    for org_id, due in due_by_org.items():
        sent = {(r.volunteer_id, r.renew_by) for r in session.exec(select(CertificateReminder).where(
            CertificateReminder.organisation_id == org_id,
            CertificateReminder.volunteer_id.in_([v for v, _ in due])))}
        new = sorted((d, v) for v, d in due if (v, d) not in sent)
        if not new:
            continue
        for renew_by, volunteer_id in new:
            session.add(CertificateReminder(organisation_id=org_id, volunteer_id=volunteer_id, renew_by=renew_by,
                                            sent_on=today))
        report.reminded += len(new)
        organisation = session.get(Organisation, org_id)
        lines = "\n".join(f"- {renew_by:%d-%m-%Y}: {base_url}/koordinator/frivillige/{volunteer_id}"
                          for renew_by, volunteer_id in new)
        for user in _coordinators(session, org_id):
            message = send(session, "certificate_renewal", to=user.email, locale=user.locale, organisation_id=org_id,
                           dedupe_key=f"certificate-renewal:{user.id}:{today.isoformat()}", name=user.name,
                           count=len(new), items=lines, organisation=organisation.name)
            if message is not None:
                report.emails += 1
    session.commit()
    return report


def _coordinators(session: Session, organisation_id: int, responsible_id: int | None = None) -> list[User]:
    """Who is told: the match's own coordinator if active, else every active coordinator
    (and the admins, when the organisation has no coordinator)."""
    if responsible_id is not None:
        responsible = session.get(User, responsible_id)
        if responsible is not None and responsible.active and responsible.role in ("coordinator", "admin"):
            return [responsible]
    staff = list(session.exec(select(User).where(User.organisation_id == organisation_id, User.active,
                                                 User.role == "coordinator").order_by(User.id)))
    return staff or list(session.exec(select(User).where(User.organisation_id == organisation_id, User.active,
                                                          User.role == "admin").order_by(User.id)))


@shared_write
def raise_concern(session: Session, volunteer_id: int, match_id: int, message: str, by: User, today: date,
                  base_url: str, submit_key: str | None = None) -> Concern:
    """"Jeg er bekymret": the match goes to the top of the at-risk list at once and the
    coordinator gets an e-mail that says only that there is a concern, with a link."""
    message = message.strip()
    if len(message) > 2000:
        raise DomainError(N_("Write at most %(n)s characters."), field="message", n=2000)
    begin_write(session)
    claim = claim_submission(session, submit_key, f"raise_concern:{volunteer_id}", user_id=by.id,
                             already=N_("Your coordinator has already been told."))
    volunteer = lock(session, Volunteer, volunteer_id)
    match = lock(session, Match, match_id)
    if match.volunteer_id != volunteer.id or match.status not in OPEN_MATCH_STATUSES:
        raise DomainError(N_("Choose one of your own current matches."), field="match_id")
    concern = Concern(organisation_id=match.organisation_id, volunteer_id=volunteer.id, match_id=match.id,
                      message=message)
    session.add(concern)
    session.flush()
    organisation = session.get(Organisation, match.organisation_id)
    for user in _coordinators(session, match.organisation_id, match.coordinator_id):
        send(session, "concern_raised", to=user.email, locale=user.locale, organisation_id=match.organisation_id,
             dedupe_key=f"concern:{concern.id}:{user.id}", name=user.name,
             link=f"{base_url}/koordinator/makkerpar/{match.id}", organisation=organisation.name)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="create",
                 record_type="Match", record_id=match.id, detail={"concern": concern.id})
    refresh_match_risk(session, today, [match.id])
    note_result(claim, concern.id)
    session.commit()
    return concern


@shared_write
def handle_concerns(session: Session, match_id: int, by: User, today: date, submit_key: str | None = None) -> int:
    """The coordinator has acted on the match's concerns: they leave the at-risk list."""
    begin_write(session)
    claim_submission(session, submit_key, f"handle_concerns:{match_id}", user_id=by.id,
                     already=N_("The concerns have already been marked as handled."))
    match = lock(session, Match, match_id)
    concerns = list(session.exec(select(Concern).where(Concern.match_id == match.id, Concern.handled_at.is_(None))))
    if not concerns:
        raise AlreadyDone(N_("The concerns have already been marked as handled."))
    now = utcnow()
    for concern in concerns:
        concern.handled_at, concern.handled_by_id = now, by.id
        session.add(concern)
    record_audit(session, organisation_id=match.organisation_id, user_id=by.id, action="update",
                 record_type="Match", record_id=match.id, detail={"concerns_handled": len(concerns)})
    refresh_match_risk(session, today, [match.id])
    session.commit()
    return len(concerns)


def anonymise_safeguarding(session: Session, volunteer_id: int) -> None:
    """Blank what names the volunteer in their signatures and concerns (no commit): the dates and
    versions stay, as the record that the papers were signed."""
    for signature in session.exec(select(Signature).where(Signature.volunteer_id == volunteer_id)):
        signature.signed_name = ANONYMISED_NAME
        session.add(signature)
    for concern in session.exec(select(Concern).where(Concern.volunteer_id == volunteer_id)):
        concern.message = ""
        session.add(concern)


def export_safeguarding(session: Session, volunteer_id: int) -> dict:
    """The volunteer's signatures and concerns, for their data export."""
    signatures = session.exec(select(Signature).where(Signature.volunteer_id == volunteer_id)
                              .order_by(Signature.signed_at)).all()
    concerns = session.exec(select(Concern).where(Concern.volunteer_id == volunteer_id)
                            .order_by(Concern.created_at)).all()
    return {
        "signatures": [s.model_dump(include={"kind", "version", "signed_name", "signed_on"}) for s in signatures],
        "concerns": [c.model_dump(include={"match_id", "message", "created_at", "handled_at"}) for c in concerns],
    }
