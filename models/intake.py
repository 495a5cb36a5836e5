"""Taking in youths and households with their requests (visitation), with consent recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from matching.geo import lookup_postcode
from models.audit import record_audit
from models.consent import ConsentRecord
from models.errors import N_, DomainError
from models.followup import OUTCOME_ANSWERS, OUTCOME_QUESTIONS
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Program
from models.users import User
from models.writes import begin_write, claim_submission, note_result, shared_write

CONSENT_VERSION = "2026-1"
GUARDIAN_CONSENT_TEXT = (
    "Forælder/værge giver samtykke til, at foreningen behandler de nødvendige oplysninger om barnet "
    "for at finde en frivillig mentor og følge forløbet. Samtykket kan trækkes tilbage når som helst."
)
FAMILY_CONSENT_TEXT = (
    "Familien giver samtykke til, at foreningen behandler de nødvendige oplysninger for at finde en "
    "frivillig og følge forløbet. Samtykket kan trækkes tilbage når som helst."
)
ADULT_AGE = 18
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
class ConsentDraft:
    given_by: str
    relation: str  # self | guardian | parent
    given_on: date | None = None


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


def _request(draft: RequestDraft, organisation_id: int, by: User, today: date, **mentee: int) -> Request:
    referred = draft.referred_on or today
    if referred > today:
        raise DomainError(N_("The referral date cannot be in the future."), field="referred_on")
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
    submit_key: str | None = None,
) -> tuple[Youth, Request]:
    """A referred youth and their first request; a minor needs a guardian's consent."""
    age = today.year - birth_year
    _check_postcode(profile.postcode)
    _check_request(request, by.organisation_id, "youth", age)
    if consent is None or not consent.given_by.strip():
        if age < ADULT_AGE:
            raise DomainError(N_("A youth under 18 needs the consent of a parent or guardian: who gave it?"),
                              field="consent_given_by")
        raise DomainError(N_("Record who gave consent."), field="consent_given_by")
    begin_write(session)
    claim = claim_submission(session, submit_key, "register_youth", user_id=by.id, already=REGISTERED)
    youth = Youth(
        organisation_id=by.organisation_id, first_name=first_name.strip(), last_name=last_name.strip(),
        birth_year=birth_year, gender=gender, postcode=profile.postcode, languages=profile.languages,
        interests=profile.interests, interests_text=profile.interests_text, availability=profile.availability,
        notes=profile.notes, guardian_name=guardian_name, guardian_phone=guardian_phone,
        guardian_email=guardian_email, school=school, no_trusted_adult=no_trusted_adult,
    )
    session.add(youth)
    session.flush()
    _consent(session, by, "youth", youth.id, consent, GUARDIAN_CONSENT_TEXT if age < ADULT_AGE else FAMILY_CONSENT_TEXT)
    req = _request(request, by.organisation_id, by, today, youth_id=youth.id)
    session.add(req)
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
    submit_key: str | None = None,
) -> tuple[Household, list[Request]]:
    """A household with its members and one or more requests, each matched on its own."""
    _check_postcode(profile.postcode)
    if not members:
        raise DomainError(N_("Add at least one member of the household."), field="members")
    if not requests:
        raise DomainError(N_("Add at least one request: what help does the family want?"), field="need")
    for draft in requests:
        _check_request(draft, by.organisation_id, "family", None)
    if consent is None or not consent.given_by.strip():
        raise DomainError(N_("Record who in the family gave consent."), field="consent_given_by")
    begin_write(session)
    claim = claim_submission(session, submit_key, "register_household", user_id=by.id, already=REGISTERED)
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
    _consent(session, by, "household", household.id, consent, FAMILY_CONSENT_TEXT)
    created = []
    for draft in requests:
        req = _request(draft, by.organisation_id, by, today, household_id=household.id)
        session.add(req)
        created.append(req)
    session.flush()
    note_result(claim, household.id)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                 record_type="Household", record_id=household.id, detail={"requests": [r.id for r in created]})
    session.commit()
    return household, created


def _consent(session: Session, by: User, subject_type: str, subject_id: int, consent: ConsentDraft, text: str) -> None:
    session.add(ConsentRecord(
        organisation_id=by.organisation_id, subject_type=subject_type, subject_id=subject_id,
        given_by=consent.given_by.strip(), relation=consent.relation, purpose="mentoring",
        text_version=CONSENT_VERSION, text=text, recorded_by_id=by.id,
    ))
