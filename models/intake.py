"""Taking in youths and households with their requests (visitation), with consent recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from matching.geo import lookup_postcode
from models.audit import record_audit
from models.child_protection import require_certificate, under_15
from models.consent import ConsentDraft, check_consents, check_youth_consents, record_consent
from models.errors import N_, DomainError
from models.followup import OUTCOME_ANSWERS, OUTCOME_QUESTIONS
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Organisation, Program
from models.users import User
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write

REGISTERED = N_("This referral has already been saved.")


@dataclass
class RequestDraft:
    """One need of the mentee, matched on its own."""

    program: Program
    need: str
    description: str = ""
    complexity: int = 0
    complexity_reason: str = ""
    mentor_gender_required: str | None = None
    mentor_gender_preferred: str | None = None
    goal_worries: str = ""
    goal_works: str = ""
    goal_next: str = ""
    referred_on: date | None = None
    referred_by: str = ""
    baseline: dict[str, str] = field(default_factory=dict)  # situation at entry, same questions as the outcome


@dataclass
class MenteeDraft:
    postcode: str
    languages: dict[str, int] = field(default_factory=dict)
    interests: list[str] = field(default_factory=list)
    interests_text: str = ""
    availability: int = 0
    notes: str = ""


def _check_postcode(code: str) -> None:
    if lookup_postcode(code) is None:
        raise DomainError(N_("%(code)s is not a Danish postcode."), field="postcode", code=code)


def _check_request(draft: RequestDraft, organisation_id: int, kind: str, age: int | None) -> None:
    program = draft.program
    if program.organisation_id != organisation_id:
        raise DomainError(N_("Choose one of your own programs."), field="program")
    if kind == "youth" and program.serves == "family":
        raise DomainError(N_("%(program)s is for families, not youths."), field="program", program=program.name)
    if kind == "family" and program.serves == "youth":
        raise DomainError(N_("%(program)s is for youths, not families."), field="program", program=program.name)
    if age is not None and not (program.min_age <= age <= program.max_age):
        raise DomainError(
            N_("%(program)s takes youths aged %(min)s to %(max)s; this youth is %(age)s."),
            field="birth_year", program=program.name, min=program.min_age, max=program.max_age, age=age,
        )
    if not draft.need.strip():
        raise DomainError(N_("Describe what help is needed."), field="need")
    if draft.complexity >= 2 and not draft.complexity_reason.strip():
        raise DomainError(N_("Give the reason for a high complexity (only coordinators see it)."),
                          field="complexity_reason")


def _check_referred_on(draft: RequestDraft, today: date) -> None:
    if (draft.referred_on or today) > today:
        raise DomainError(N_("The referral date cannot be in the future."), field="referred_on")


def _request(draft: RequestDraft, organisation_id: int, by: User, today: date, **mentee: int) -> Request:
    _check_referred_on(draft, today)
    referred = draft.referred_on or today
    return Request(
        organisation_id=organisation_id, program_id=draft.program.id, need=draft.need.strip(),
        description=draft.description, complexity=draft.complexity, complexity_reason=draft.complexity_reason,
        mentor_gender_required=draft.mentor_gender_required or None,
        mentor_gender_preferred=draft.mentor_gender_preferred or None, goal_worries=draft.goal_worries,
        goal_works=draft.goal_works, goal_next=draft.goal_next, referred_on=referred, referred_by=draft.referred_by,
        status="waiting", pool_since=referred, created_by_id=by.id,
        baseline={q: a for q, a in draft.baseline.items() if q in OUTCOME_QUESTIONS and a in OUTCOME_ANSWERS},
        **mentee,
    )


def check_youth(organisation_id: int, today: date, birth_year: int, profile: MenteeDraft, request: RequestDraft,
                consents: list[ConsentDraft]) -> None:
    """The rules a youth's intake keeps, before anything is written (the form and the import)."""
    age = today.year - birth_year
    _check_postcode(profile.postcode)
    _check_request(request, organisation_id, "youth", age)
    _check_referred_on(request, today)
    check_youth_consents(consents, age, today)


def check_household(organisation_id: int, today: date, profile: MenteeDraft, members: list[tuple[str, str, int, str]],
                    requests: list[RequestDraft], consents: list[ConsentDraft]) -> None:
    """The rules a household's intake keeps, before anything is written (the form and the import)."""
    _check_postcode(profile.postcode)
    if not members:
        raise DomainError(N_("Add at least one member of the household."), field="members")
    if not requests:
        raise DomainError(N_("Add at least one request: what help does the family want?"), field="need")
    for draft in requests:
        _check_request(draft, organisation_id, "family", None)
        _check_referred_on(draft, today)
    if not consents:
        raise DomainError(N_("Record who in the family gave consent."), field="consent_given_by")
    check_consents(consents, today, "household")


def new_request(draft: RequestDraft, organisation_id: int, by: User, today: date, **mentee: int) -> Request:
    """The request row of a checked draft (the intake form and the import build it alike)."""
    return _request(draft, organisation_id, by, today, **mentee)


@shared_write
def register_youth(
    session: Session,
    by: User,
    today: date,
    *,
    first_name: str,
    last_name: str,
    birth_year: int,
    gender: str,
    profile: MenteeDraft,
    consent: ConsentDraft | None,
    request: RequestDraft,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_email: str = "",
    school: str = "",
    no_trusted_adult: bool = False,
    second_consent: ConsentDraft | None = None,
    submit_key: str | None = None,
) -> tuple[Youth, Request]:
    """A referred youth and their first request, with consent: a custody holder's under 15 (both
    custody holders may consent), from 15 a custody holder's or the youth's own."""
    age = today.year - birth_year
    consents = [c for c in (consent, second_consent) if c is not None and c.given_by.strip()]
    check_youth(by.organisation_id, today, birth_year, profile, request, consents)
    begin_write(session)
    claim = claim_submission(session, submit_key, "register_youth", user_id=by.id, already=REGISTERED)
    if under_15(birth_year, today):
        # The program may gain the børneattest step: locked, so a settings save meanwhile is refused.
        lock(session, Program, request.program.id)
    youth = Youth(
        organisation_id=by.organisation_id, first_name=first_name.strip(), last_name=last_name.strip(),
        birth_year=birth_year, gender=gender, postcode=profile.postcode, languages=profile.languages,
        interests=profile.interests, interests_text=profile.interests_text, availability=profile.availability,
        notes=profile.notes, guardian_name=guardian_name, guardian_phone=guardian_phone,
        guardian_email=guardian_email, school=school, no_trusted_adult=no_trusted_adult,
    )
    session.add(youth)
    session.flush()
    for draft in consents:
        _consent(session, by, "youth", youth.id, draft, today, age)
    req = _request(request, by.organisation_id, by, today, youth_id=youth.id)
    session.add(req)
    if under_15(birth_year, today):
        require_certificate(session, request.program, by.id, "youth under 15")
    session.flush()
    note_result(claim, youth.id)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create", record_type="Youth",
                 record_id=youth.id, detail={"request_id": req.id})
    session.commit()
    return youth, req


@shared_write
def register_household(
    session: Session,
    by: User,
    today: date,
    *,
    family_name: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    wishes: str,
    members: list[tuple[str, str, int, str]],
    profile: MenteeDraft,
    consent: ConsentDraft | None,
    requests: list[RequestDraft],
    second_consent: ConsentDraft | None = None,
    submit_key: str | None = None,
) -> tuple[Household, list[Request]]:
    """A household with its members and one or more requests, each matched on its own; one or
    two adults of the family give consent."""
    consents = [c for c in (consent, second_consent) if c is not None and c.given_by.strip()]
    check_household(by.organisation_id, today, profile, members, requests, consents)
    begin_write(session)
    claim = claim_submission(session, submit_key, "register_household", user_id=by.id, already=REGISTERED)
    if any(under_15(birth_year, today) for _name, _role, birth_year, _gender in members):
        # The programs may gain the børneattest step: locked, so a settings save meanwhile is refused.
        lock_all(session, Program, [draft.program.id for draft in requests])
    household = Household(
        organisation_id=by.organisation_id, family_name=family_name.strip(), contact_name=contact_name,
        contact_phone=contact_phone, contact_email=contact_email, wishes=wishes, postcode=profile.postcode,
        languages=profile.languages, interests=profile.interests, interests_text=profile.interests_text,
        availability=profile.availability, notes=profile.notes,
    )
    session.add(household)
    session.flush()
    for first_name, role, birth_year, gender in members:
        session.add(HouseholdMember(household_id=household.id, first_name=first_name.strip(), role=role,
                                    birth_year=birth_year, gender=gender or ""))
    for draft in consents:
        _consent(session, by, "household", household.id, draft, today)
    created = []
    young_children = any(under_15(birth_year, today) for _name, _role, birth_year, _gender in members)
    for draft in requests:
        req = _request(draft, by.organisation_id, by, today, household_id=household.id)
        session.add(req)
        created.append(req)
        if young_children:
            require_certificate(session, draft.program, by.id, "household with a child under 15")
    session.flush()
    note_result(claim, household.id)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                 record_type="Household", record_id=household.id, detail={"requests": [r.id for r in created]})
    session.commit()
    return household, created


def _consent(session: Session, by: User, subject_type: str, subject_id: int, consent: ConsentDraft, today: date,
             age: int | None = None) -> None:
    organisation = session.get(Organisation, by.organisation_id)
    record_consent(session, by.id, by.organisation_id, organisation.kind, subject_type, subject_id, consent, today,
                   age=age)
