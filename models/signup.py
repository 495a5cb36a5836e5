"""A volunteer signs up online: account, profile, consent, then e-mail confirmation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from matching.geo import lookup_postcode
from models.audit import record_audit
from models.clock import utcnow
from models.consent import CONSENT_VERSION, ConsentRecord, consent_text
from models.emails import send
from models.errors import N_, DomainError
from models.organisations import Organisation, Program
from models.users import User, check_password_strength, hash_password, normalise_email
from models.volunteers import ScreeningStep, Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, shared_write

MIN_VOLUNTEER_AGE = 18


@dataclass
class VolunteerDetails:
    """What a volunteer tells about themselves (sign-up and profile)."""

    first_name: str
    last_name: str
    phone: str
    birth_year: int
    gender: str
    postcode: str
    languages: dict[str, int] = field(default_factory=dict)
    interests: list[str] = field(default_factory=list)
    interests_text: str = ""
    availability: int = 0
    supports: str = "either"
    age_min: int = 13
    age_max: int = 18
    capacity: int = 1
    mentee_gender_wish: str | None = None
    experience: int = 0
    experience_text: str = ""
    motivation: str = ""


def check_details(details: VolunteerDetails, today: date) -> None:
    """The rules every volunteer profile keeps; raises with the field to point at."""
    if today.year - details.birth_year < MIN_VOLUNTEER_AGE:
        raise DomainError(N_("Volunteers must be at least %(age)s years old."), field="birth_year", age=MIN_VOLUNTEER_AGE)
    if lookup_postcode(details.postcode) is None:
        raise DomainError(N_("%(code)s is not a Danish postcode."), field="postcode", code=details.postcode)
    if not details.availability:
        raise DomainError(N_("Tick at least one time of the week when you are usually free."), field="availability")
    if not details.languages:
        raise DomainError(N_("Choose at least one language you speak."), field="languages")
    if details.age_min > details.age_max:
        raise DomainError(N_("The youngest age must not be above the oldest."), field="age_min")


def apply_details(volunteer: Volunteer, details: VolunteerDetails) -> None:
    for name, value in vars(details).items():
        setattr(volunteer, name, value)


class AddressTaken(DomainError):
    """The address already belongs to someone: the page must not say so (see tell_owner_of_address)."""

    def __init__(self, email: str) -> None:
        super().__init__(N_("This e-mail is already signed up. Sign in, or ask for a new password."), field="email")
        self.email = email


def tell_owner_of_address(session: Session, program: Program, email: str, today: date, locale: str,
                          sign_in_link: str, reset_link: str, confirm_link_for: Callable[[User], str]) -> None:
    """Someone signed up with an address in use: its owner hears it by e-mail, at most once a day.

    The sign-up page answers exactly as for a new address, so it tells nobody whether the
    address has an account (in any organisation, staff included). A volunteer who never
    confirmed the address gets a fresh confirmation link instead (the old one may have expired).
    """
    email = normalise_email(email)
    program_id = program.id
    begin_write(session)
    program = session.get(Program, program_id)
    user = session.exec(select(User).where(User.email == email)).first()
    organisation = session.get(Organisation, program.organisation_id)
    if user is not None and user.active and user.role == "volunteer" and user.email_confirmed_at is None:
        volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user.id)).first()
        own_program = session.get(Program, volunteer.program_id) if volunteer else program
        own_organisation = session.get(Organisation, user.organisation_id)
        send(session, "confirm_email", to=email, locale=user.locale, organisation_id=user.organisation_id,
             dedupe_key=f"signup_exists:{email}:{today.isoformat()}", name=volunteer.first_name if volunteer else "",
             program=own_program.name, organisation=own_organisation.name, link=confirm_link_for(user))
        session.commit()
        return
    send(session, "signup_exists", to=email, locale=user.locale if user else locale,
         organisation_id=user.organisation_id if user else program.organisation_id,
         dedupe_key=f"signup_exists:{email}:{today.isoformat()}", program=program.name,
         organisation=organisation.name if organisation else "Makker", sign_in_link=sign_in_link,
         reset_link=reset_link)
    session.commit()


def volunteer_consent_text(session: Session, program: Program) -> str:
    """What a volunteer consents to when signing up for ``program`` (shown on the form, stored)."""
    organisation = session.get(Organisation, program.organisation_id)
    return consent_text("volunteer", organisation.kind if organisation else "association")


SIGNED_UP = N_("You are signed up: look for our e-mail and confirm your address.")


@shared_write
def register_volunteer(
    session: Session, program: Program, email: str, password: str, details: VolunteerDetails, today: date,
    locale: str = "da", submit_key: str | None = None,
) -> tuple[Volunteer, User]:
    """Create the account (unconfirmed), the profile (signed up) and the consent record.

    Leaves the write transaction open (no commit) so the caller queues the confirmation e-mail
    in it and commits once; a second submission of the same form raises AlreadyDone.
    """
    email = normalise_email(email)
    check_details(details, today)
    check_password_strength(password)
    # Hashed before looking the address up, so a taken address costs the same time as a new one;
    # slow on purpose: before the transaction, not inside it.
    password_hash = hash_password(password)
    program_id = program.id
    begin_write(session)
    claim = claim_submission(session, submit_key, f"register_volunteer:{program_id}", user_id=None, already=SIGNED_UP)
    program = session.get(Program, program_id)
    taken = session.exec(select(User).where(User.email == email)).first() or session.exec(
        select(Volunteer).where(Volunteer.email == email, Volunteer.anonymised_at.is_(None))).first()
    if taken:
        raise AddressTaken(email)
    user = User(organisation_id=program.organisation_id, email=email, name=f"{details.first_name} {details.last_name}",
                role="volunteer", password_hash=password_hash, phone=details.phone, locale=locale)
    session.add(user)
    session.flush()
    volunteer = Volunteer(organisation_id=program.organisation_id, program_id=program.id, user_id=user.id,
                          email=email, status="applicant", first_name="", last_name="", birth_year=details.birth_year,
                          gender=details.gender, postcode=details.postcode)
    apply_details(volunteer, details)
    session.add(volunteer)
    session.flush()
    # The volunteer consents by ticking the box on the form they send today.
    session.add(ConsentRecord(organisation_id=program.organisation_id, subject_type="volunteer",
                              subject_id=volunteer.id, given_by=user.name, relation="self", purpose="volunteer",
                              text_version=CONSENT_VERSION, text=volunteer_consent_text(session, program),
                              given_on=today))
    record_audit(session, organisation_id=program.organisation_id, user_id=user.id, action="create",
                 record_type="Volunteer", record_id=volunteer.id, detail={"signup": True})
    note_result(claim, user.id)
    return volunteer, user


@shared_write
def confirm_email(session: Session, user: User) -> Volunteer | None:
    """The e-mail is confirmed: the volunteer moves into screening with the program's steps.

    Opening the link twice (or in two tabs at once) does it once: user and volunteer are locked
    and the steps are only added when missing.
    """
    user_id = user.id
    begin_write(session)
    user = lock(session, User, user_id)
    found = session.exec(select(Volunteer.id).where(Volunteer.user_id == user.id)).first()
    volunteer = lock(session, Volunteer, found) if found is not None else None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        session.add(user)
    if volunteer is not None and volunteer.status == "applicant":
        volunteer.status = "screening"
        program = session.get(Program, volunteer.program_id)
        existing = {s.step for s in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id))}
        for step in program.required_steps:
            if step not in existing:
                session.add(ScreeningStep(volunteer_id=volunteer.id, step=step, status="pending"))
        session.add(volunteer)
    session.commit()
    return volunteer
