"""Changes to referrals, one transaction each, audit logged, e-mail through the outbox.

Every operation that decides on a referral locks its row first (after the programme when the
programme may change too) and decides on what the lock returns, so two coordinators accepting
the same referral at once end with one acceptance and a clear Conflict for the other.

E-mails to referrers never carry personal data: they say that something is new and link to the
page behind the sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from matching.geo import lookup_postcode
from matching.vocabulary import INTERESTS, LANGUAGES
from models.audit import record_audit
from models.child_protection import require_certificate, under_15
from models.clock import utcnow
from models.consent import ADULT_AGE, ConsentDraft, ConsentRecord
from models.emails import send
from models.errors import N_, Conflict, DomainError, NotFound
from models.intake import RequestDraft, _check_request
from models.mentees import MEMBER_ROLES, Household, HouseholdMember, Request, Youth
from models.organisations import Organisation, Program
from models.referrals.consent import (
    PURPOSE_REFERRAL,
    PURPOSE_WITH_STATUS,
    REFERRAL_CONSENT_VERSION,
    check_referral_consents,
    referral_consent_text,
)
from models.referrals.queries import (
    referral_consents,
    settings_for,
)
from models.referrals.tables import (
    CUSTODY,
    DECLINE_REASONS,
    OPEN_REFERRAL_STATUSES,
    REFERRAL_KINDS,
    Referral,
    ReferralChannel,
    ReferralMessage,
    ReferralStatus,
    ReferringUnit,
)
from models.users import User, normalise_email
from models.writes import begin_write, claim_submission, lock, note_result, shared_write

GENDERS: tuple[str, ...] = ("female", "male", "other")
WISHES: tuple[str, ...] = ("female", "male")
MAX_MEMBERS = 12
SENT_ALREADY = N_("This referral has already been sent, and it was saved. Nothing was sent twice.")
DECIDED_ALREADY = N_("This was already saved. Nothing was saved twice.")
CORRECTED_ALREADY = N_("Your correction was already saved and sent to the coordinator. Nothing was sent twice.")
POSTED_ALREADY = N_("This message has already been sent. Nothing was sent twice.")


# --- the referral (the referrer) ---------------------------------------------------------------

@dataclass
class Member:
    first_name: str
    role: str
    birth_year: int | None
    gender: str = ""


@dataclass
class ReferralDraft:
    """A referral as the referrer typed it."""

    kind: str  # youth | family
    postcode: str
    reason: str
    wishes: str = ""
    volunteer_wishes: str = ""
    mentor_gender_preferred: str | None = None
    mentor_gender_required: str | None = None
    complexity: int = 0
    complexity_reason: str = ""
    languages: dict[str, int] = field(default_factory=dict)
    interests: list[str] = field(default_factory=list)
    interests_text: str = ""
    availability: int = 0
    # a youth
    first_name: str = ""
    last_name: str = ""
    birth_year: int | None = None
    gender: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_email: str = ""
    school: str = ""
    no_trusted_adult: bool = False
    # a family
    family_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    members: list[Member] = field(default_factory=list)
    # consent
    custody: str = ""
    consents: list[ConsentDraft] = field(default_factory=list)
    consent_to_referral: bool = False
    consent_to_status: bool = False
    consent_form_signed: bool = False


def _referrer_unit(session: Session, by: User) -> ReferringUnit:
    unit = session.get(ReferringUnit, by.referring_unit_id) if by.referring_unit_id else None
    if by.role != "referrer" or unit is None or unit.organisation_id != by.organisation_id:
        raise DomainError(N_("Only a referrer of a referring unit can refer."))
    if not unit.active:
        raise DomainError(N_("Your unit no longer refers to %(organisation)s. Ask its administrator."),
                          organisation=session.get(Organisation, by.organisation_id).name)
    return unit


def referable_programs(session: Session, by: User) -> list[Program]:
    """The active programmes the referrer's unit may refer to."""
    if not by.referring_unit_id:
        return []
    return list(session.exec(select(Program).join(ReferralChannel, ReferralChannel.program_id == Program.id).where(
        ReferralChannel.unit_id == by.referring_unit_id, Program.organisation_id == by.organisation_id,
        Program.active).order_by(Program.name)))


def _age(birth_year: int, today: date) -> int:
    return today.year - birth_year  # Makker reckons every age by the year of birth


def check_referral(session: Session, by: User, program: Program, draft: ReferralDraft, today: date) -> None:
    """Everything a referral must hold, each refusal naming its field; nothing is written."""
    unit = _referrer_unit(session, by)
    if draft.kind not in REFERRAL_KINDS:
        raise DomainError(N_("Choose an answer from the list."), field="kind")
    channel = session.get(ReferralChannel, (unit.id, program.id))
    if channel is None or program.organisation_id != by.organisation_id or not program.active:
        raise DomainError(N_("Your unit does not refer to %(program)s."), field="program", program=program.name)
    if draft.kind == "youth" and program.serves == "family":
        raise DomainError(N_("%(program)s is for families, not youths."), field="program", program=program.name)
    if draft.kind == "family" and program.serves == "youth":
        raise DomainError(N_("%(program)s is for youths, not families."), field="program", program=program.name)
    if draft.kind == "youth":
        if not draft.first_name.strip():
            raise DomainError(N_("This field is required."), field="first_name")
        if not draft.last_name.strip():
            raise DomainError(N_("This field is required."), field="last_name")
        if draft.birth_year is None:
            raise DomainError(N_("Write the birth year as four digits."), field="birth_year")
        age = _age(draft.birth_year, today)
        if not program.min_age <= age <= program.max_age:
            raise DomainError(N_("%(program)s takes youths aged %(min)s to %(max)s; this youth is %(age)s."),
                              field="birth_year", program=program.name, min=program.min_age, max=program.max_age,
                              age=age)
        if draft.gender not in GENDERS:
            raise DomainError(N_("Choose an answer from the list."), field="gender")
    else:
        age = None
        if not draft.family_name.strip():
            raise DomainError(N_("This field is required."), field="family_name")
        if not draft.contact_name.strip():
            raise DomainError(N_("This field is required."), field="contact_name")
        _check_members(draft.members, today)
    if lookup_postcode(draft.postcode or "") is None:
        raise DomainError(N_("%(code)s is not a Danish postcode."), field="postcode", code=draft.postcode)
    if not draft.reason.strip():
        raise DomainError(N_("Write why you refer, in the family's own words."), field="reason")
    if draft.complexity not in (0, 1, 2, 3):
        raise DomainError(N_("Choose an answer from the list."), field="complexity")
    if draft.complexity >= 2 and not draft.complexity_reason.strip():
        raise DomainError(N_("Say what makes the case heavy (only the coordinators see it)."),
                          field="complexity_reason")
    for name in ("mentor_gender_preferred", "mentor_gender_required"):
        if getattr(draft, name) not in (None, "", *WISHES):
            raise DomainError(N_("Choose an answer from the list."), field=name)
    if set(draft.languages) - set(LANGUAGES) or any(level not in (1, 2, 3) for level in draft.languages.values()):
        raise DomainError(N_("Choose a language from the list."), field="languages")
    if set(draft.interests) - set(INTERESTS):
        raise DomainError(N_("Choose an answer from the list."), field="interests")
    if draft.custody not in ("", *CUSTODY):
        raise DomainError(N_("Choose an answer from the list."), field="custody")
    has_children = any(m.birth_year is not None and _age(m.birth_year, today) < ADULT_AGE for m in draft.members)
    check_referral_consents(draft.consents, today, kind=draft.kind, custody=draft.custody, age=age,
                            has_children=has_children)
    if not draft.consent_to_referral:
        raise DomainError(N_("The family must consent to the referral itself."), field="consent_to_referral")
    if not draft.consent_form_signed:
        raise DomainError(N_("Confirm that the family has signed the consent form."), field="consent_form_signed")


def _check_members(members: list[Member], today: date) -> None:
    if not members:
        raise DomainError(N_("Add at least one member of the household."), field="members")
    if len(members) > MAX_MEMBERS:
        raise DomainError(N_("Write at most %(n)s members."), field="members", n=MAX_MEMBERS)
    for member in members:
        if member.role not in MEMBER_ROLES:
            raise DomainError(N_("Choose an answer from the list."), field="members")
        if member.birth_year is None or not today.year - 120 <= member.birth_year <= today.year:
            raise DomainError(N_("Write each member's birth year (%(name)s)."), field="members",
                              name=member.first_name)
        if member.gender not in ("", *GENDERS):
            raise DomainError(N_("Choose an answer from the list."), field="members")
    if not any(m.role == "parent" or (m.role == "other" and _age(m.birth_year, today) >= ADULT_AGE)
               for m in members if m.birth_year is not None):
        raise DomainError(N_("Add at least one adult of the household."), field="members")


def _fill(referral: Referral, draft: ReferralDraft) -> None:
    """Copy the draft onto the referral, trimmed to the columns' sizes."""
    referral.kind = draft.kind
    referral.postcode = draft.postcode.strip()
    referral.reason, referral.wishes = draft.reason.strip()[:4000], draft.wishes.strip()[:2000]
    referral.volunteer_wishes = draft.volunteer_wishes.strip()[:2000]
    referral.mentor_gender_preferred = draft.mentor_gender_preferred or None
    referral.mentor_gender_required = draft.mentor_gender_required or None
    referral.complexity, referral.complexity_reason = draft.complexity, draft.complexity_reason.strip()[:2000]
    referral.languages, referral.interests = dict(draft.languages), list(draft.interests)
    referral.interests_text, referral.availability = draft.interests_text.strip()[:1000], draft.availability
    youth = draft.kind == "youth"
    referral.first_name = draft.first_name.strip()[:100] if youth else ""
    referral.last_name = draft.last_name.strip()[:100] if youth else ""
    referral.birth_year = draft.birth_year if youth else None
    referral.gender = draft.gender if youth else ""
    referral.guardian_name = draft.guardian_name.strip()[:200] if youth else ""
    referral.guardian_phone = draft.guardian_phone.strip()[:30] if youth else ""
    referral.guardian_email = normalise_email(draft.guardian_email)[:254] if youth else ""
    referral.school = draft.school.strip()[:200] if youth else ""
    referral.no_trusted_adult = draft.no_trusted_adult if youth else False
    referral.family_name = "" if youth else draft.family_name.strip()[:200]
    referral.contact_name = "" if youth else draft.contact_name.strip()[:200]
    referral.contact_phone = "" if youth else draft.contact_phone.strip()[:30]
    referral.contact_email = "" if youth else normalise_email(draft.contact_email)[:254]
    referral.members = [] if youth else [
        {"first_name": m.first_name.strip()[:100], "role": m.role, "birth_year": m.birth_year, "gender": m.gender}
        for m in draft.members]
    referral.custody = draft.custody
    referral.status_consent = draft.consent_to_status


def _record_consents(session: Session, by: User, referral: Referral, program: Program, unit: ReferringUnit,
                     drafts: list[ConsentDraft]) -> None:
    organisation = session.get(Organisation, referral.organisation_id)
    settings = settings_for(session, program.id)
    text = referral_consent_text(organisation.name, organisation.kind, unit.name, program.name,
                                 referral.status_consent, settings.first_status_months, settings.status_every_months)
    for draft in drafts:
        session.add(ConsentRecord(
            organisation_id=referral.organisation_id, subject_type="referral", subject_id=referral.id,
            given_by=draft.given_by.strip()[:200], relation=draft.relation,
            purpose=PURPOSE_WITH_STATUS if referral.status_consent else PURPOSE_REFERRAL,
            text_version=REFERRAL_CONSENT_VERSION, text=text, given_on=draft.given_on, recorded_by_id=by.id))


def _staff_to_tell(session: Session, organisation_id: int) -> list[User]:
    return list(session.exec(select(User).where(User.organisation_id == organisation_id, User.role == "coordinator",
                                                User.active).order_by(User.id)))


def tell_staff(session: Session, referral: Referral, kind: str, link: str, **params: object) -> None:
    organisation = session.get(Organisation, referral.organisation_id)
    for user in _staff_to_tell(session, referral.organisation_id):
        send(session, kind, to=user.email, locale=user.locale, organisation_id=referral.organisation_id,
             name=user.name, link=link, organisation=organisation.name, **params)


def tell_referrer(session: Session, referral: Referral, kind: str, link: str) -> None:
    referrer = session.get(User, referral.referrer_id)
    if referrer is None or not referrer.active:
        return
    organisation = session.get(Organisation, referral.organisation_id)
    send(session, kind, to=referrer.email, locale=referrer.locale, organisation_id=referral.organisation_id,
         name=referrer.name, link=link, organisation=organisation.name)


@shared_write
def submit_referral(session: Session, by: User, program_id: int, draft: ReferralDraft, today: date,
                    link_for_staff: Callable[[Referral], str], submit_key: str | None = None) -> Referral:
    """A new referral in the coordinators' intake queue; its date starts the waiting time."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "submit_referral", user_id=by.id, already=SENT_ALREADY)
    program = session.get(Program, program_id)
    if program is None or program.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    check_referral(session, by, program, draft, today)
    unit = _referrer_unit(session, by)
    referral = Referral(organisation_id=by.organisation_id, program_id=program.id, unit_id=unit.id,
                        referrer_id=by.id, kind=draft.kind, submitted_on=today)
    _fill(referral, draft)
    session.add(referral)
    session.flush()
    note_result(claim, referral.id)
    _record_consents(session, by, referral, program, unit, draft.consents)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create", record_type="Referral",
                 record_id=referral.id, detail={"program": program.id, "unit": unit.id, "kind": draft.kind,
                                                "consents": len(draft.consents),
                                                "status_consent": referral.status_consent})
    tell_staff(session, referral, "referral_received", link_for_staff(referral), program=program.name,
                unit=unit.name)
    session.commit()
    return referral


def _own_open_referral(session: Session, by: User, referral_id: int) -> Referral:
    referral = lock(session, Referral, referral_id)
    if referral.referrer_id != by.id:
        raise NotFound(N_("The record no longer exists."))
    if referral.status not in OPEN_REFERRAL_STATUSES:
        raise Conflict(N_("The coordinator has already decided on this referral; it can no longer be changed. "
                          "Write a message instead."))
    return referral


@shared_write
def update_referral(session: Session, by: User, referral_id: int, draft: ReferralDraft, today: date,
                    link_for_staff: Callable[[Referral], str], seen_version: int | None = None,
                    submit_key: str | None = None) -> Referral:
    """The referrer corrects or completes a referral the coordinator has not decided on yet."""
    begin_write(session)
    # The form's token first: a double click saves once and the second answer says so, instead
    # of the version check calling the referrer's own first click "changed meanwhile".
    claim_submission(session, submit_key, "update_referral", user_id=by.id, already=CORRECTED_ALREADY)
    # Columns, not the row: an entity loaded before the lock would keep its stale state after it.
    peek = session.exec(select(Referral.referrer_id, Referral.program_id).where(Referral.id == referral_id)).first()
    if peek is None or peek.referrer_id != by.id:
        raise NotFound(N_("The record no longer exists."))
    program = session.get(Program, peek.program_id)
    referral = _own_open_referral(session, by, referral_id)
    if seen_version is not None and referral.version != seen_version:
        raise Conflict(N_("The referral changed while you were editing it. Nothing was saved; look at it again."))
    check_referral(session, by, program, draft, today)
    was = referral.status
    _fill(referral, draft)
    referral.status = "received"
    referral.updated_at = utcnow()
    referral.version += 1
    session.add(referral)
    for record in referral_consents(session, referral):
        session.delete(record)
    _record_consents(session, by, referral, program, session.get(ReferringUnit, referral.unit_id), draft.consents)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"changed": "referral", "was": was})
    tell_staff(session, referral, "referral_received", link_for_staff(referral), program=program.name,
                unit=session.get(ReferringUnit, referral.unit_id).name)
    session.commit()
    return referral


@shared_write
def withdraw_referral(session: Session, by: User, referral_id: int, note: str = "",
                      submit_key: str | None = None) -> Referral:
    """The referrer takes back a referral the coordinator has not decided on."""
    begin_write(session)
    claim_submission(session, submit_key, "withdraw_referral", user_id=by.id, already=DECIDED_ALREADY)
    referral = _own_open_referral(session, by, referral_id)
    referral.status, referral.withdrawn_note = "withdrawn", note.strip()[:2000]
    referral.decided_at, referral.updated_at = utcnow(), utcnow()
    referral.version += 1
    session.add(referral)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"status": "withdrawn"})
    session.commit()
    return referral


# --- the coordinator's intake --------------------------------------------------------------

def lock_staff_referral(session: Session, by: User, referral_id: int) -> Referral:
    referral = lock(session, Referral, referral_id)
    if referral.organisation_id != by.organisation_id or by.role not in ("coordinator", "admin"):
        raise NotFound(N_("The record no longer exists."))
    return referral


def _decided_conflict(session: Session, referral: Referral) -> Conflict:
    who = session.get(User, referral.decided_by_id) if referral.decided_by_id else None
    if referral.status == "accepted":
        return Conflict(N_("%(name)s has already accepted this referral. Nothing was saved; reload the page."),
                        name=who.name if who else "")
    if referral.status == "declined":
        return Conflict(N_("%(name)s has already declined this referral. Nothing was saved; reload the page."),
                        name=who.name if who else "")
    return Conflict(N_("The referrer has withdrawn this referral. Nothing was saved."))


@dataclass
class Acceptance:
    """What the coordinator sets when accepting; the rest comes from the referral."""

    need: str
    complexity: int
    complexity_reason: str = ""


@dataclass
class Accepted:
    referral: Referral
    request: Request
    certificate_added: bool = False


@shared_write
def accept_referral(session: Session, by: User, referral_id: int, acceptance: Acceptance, today: date,
                    link_for_referrer: Callable[[Referral], str], seen_version: int | None = None,
                    submit_key: str | None = None) -> Accepted:
    """Accept into the waiting list: the youth or household and the request are made from the
    referral (nothing typed twice), the consents become theirs, and the referral's date is the
    start of the waiting time. Two coordinators at once: the first wins, the second gets a Conflict."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "accept_referral", user_id=by.id, already=DECIDED_ALREADY)
    # Columns, not the row: an entity loaded before the lock would keep its stale state after it
    # (two coordinators at once would both see "received" and both accept).
    peek = session.exec(select(Referral.organisation_id, Referral.program_id).where(
        Referral.id == referral_id)).first()
    if peek is None or peek.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    program = lock(session, Program, peek.program_id)  # a child under 15 adds the børneattest to it
    referral = lock_staff_referral(session, by, referral_id)
    if referral.status not in OPEN_REFERRAL_STATUSES:
        raise _decided_conflict(session, referral)
    if seen_version is not None and referral.version != seen_version:
        raise Conflict(N_("The referrer changed the referral while you were reading it. Nothing was saved; "
                          "read it again."))
    age = _age(referral.birth_year, today) if referral.kind == "youth" else None
    kind = "youth" if referral.kind == "youth" else "family"
    request_draft = RequestDraft(program=program, need=acceptance.need, complexity=acceptance.complexity,
                                 complexity_reason=acceptance.complexity_reason)
    if acceptance.complexity not in (0, 1, 2, 3):
        raise DomainError(N_("Choose an answer from the list."), field="complexity")
    _check_request(request_draft, by.organisation_id, kind, age)
    if not program.active:
        raise DomainError(N_("%(program)s is not active. Decline the referral or activate the program first."),
                          program=program.name)
    profile = {"organisation_id": referral.organisation_id, "postcode": referral.postcode,
               "languages": dict(referral.languages), "interests": list(referral.interests),
               "interests_text": referral.interests_text, "availability": referral.availability}
    young = False
    if referral.kind == "youth":
        mentee = Youth(first_name=referral.first_name, last_name=referral.last_name, birth_year=referral.birth_year,
                       gender=referral.gender, guardian_name=referral.guardian_name,
                       guardian_phone=referral.guardian_phone, guardian_email=referral.guardian_email,
                       school=referral.school, no_trusted_adult=referral.no_trusted_adult, **profile)
        session.add(mentee)
        session.flush()
        young = under_15(referral.birth_year, today)
        subject, column = "youth", {"youth_id": mentee.id}
    else:
        mentee = Household(family_name=referral.family_name, contact_name=referral.contact_name,
                           contact_phone=referral.contact_phone, contact_email=referral.contact_email,
                           wishes=referral.wishes, **profile)
        session.add(mentee)
        session.flush()
        for member in referral.members:
            session.add(HouseholdMember(household_id=mentee.id, first_name=member["first_name"],
                                        role=member["role"], birth_year=member["birth_year"],
                                        gender=member.get("gender") or ""))
            young = young or under_15(member["birth_year"], today)
        subject, column = "household", {"household_id": mentee.id}
    referrer = session.get(User, referral.referrer_id)
    unit = session.get(ReferringUnit, referral.unit_id)
    description = referral.reason
    if referral.volunteer_wishes:
        description += "\n\nØnsker til den frivillige: " + referral.volunteer_wishes
    request = Request(
        organisation_id=referral.organisation_id, program_id=program.id, need=acceptance.need.strip()[:200],
        description=description[:4000], complexity=acceptance.complexity,
        complexity_reason=acceptance.complexity_reason.strip()[:2000],
        mentor_gender_required=referral.mentor_gender_required, mentor_gender_preferred=referral.mentor_gender_preferred,
        goal_next=referral.wishes, referred_on=referral.submitted_on,
        referred_by=f"{referrer.name}, {unit.name}"[:200], status="waiting", pool_since=referral.submitted_on,
        created_by_id=by.id, **column)
    session.add(request)
    session.flush()
    # The family consented to the referral and what follows: the records become the mentee's.
    for record in referral_consents(session, referral):
        record.subject_type, record.subject_id = subject, mentee.id
        session.add(record)
    added = require_certificate(session, program, by.id, "referral with a child under 15") if young else False
    referral.status, referral.decided_at, referral.decided_by_id = "accepted", utcnow(), by.id
    referral.youth_id = mentee.id if subject == "youth" else None
    referral.household_id = mentee.id if subject == "household" else None
    referral.request_id, referral.version = request.id, referral.version + 1
    session.add(referral)
    note_result(claim, referral.id)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"status": "accepted", "request": request.id})
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="create",
                 record_type=type(mentee).__name__, record_id=mentee.id,
                 detail={"request_id": request.id, "referral": referral.id})
    tell_referrer(session, referral, "referral_update", link_for_referrer(referral))
    session.commit()
    return Accepted(referral, request, added)


@shared_write
def ask_for_more(session: Session, by: User, referral_id: int, question: str,
                 link_for_referrer: Callable[[Referral], str], submit_key: str | None = None) -> Referral:
    """The coordinator needs more before deciding: the question goes to the referrer's thread."""
    if not question.strip():
        raise DomainError(N_("Write what you need to know."), field="question")
    begin_write(session)
    claim_submission(session, submit_key, "ask_referral", user_id=by.id, already=DECIDED_ALREADY)
    referral = lock_staff_referral(session, by, referral_id)
    if referral.status not in OPEN_REFERRAL_STATUSES:
        raise _decided_conflict(session, referral)
    referral.status, referral.updated_at = "needs_info", utcnow()
    referral.version += 1
    session.add(referral)
    session.add(ReferralMessage(referral_id=referral.id, author_id=by.id, kind="question",
                                body=question.strip()[:4000]))
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"status": "needs_info"})
    tell_referrer(session, referral, "referral_update", link_for_referrer(referral))
    session.commit()
    return referral


@shared_write
def decline_referral(session: Session, by: User, referral_id: int, reason: str, note: str,
                     link_for_referrer: Callable[[Referral], str], submit_key: str | None = None) -> Referral:
    """Decline with a reason the referrer reads."""
    if reason not in DECLINE_REASONS:
        raise DomainError(N_("Choose an answer from the list."), field="reason")
    if not note.strip():
        raise DomainError(N_("Write the reason in words the referrer and the family can read."), field="note")
    begin_write(session)
    claim_submission(session, submit_key, "decline_referral", user_id=by.id, already=DECIDED_ALREADY)
    referral = lock_staff_referral(session, by, referral_id)
    if referral.status not in OPEN_REFERRAL_STATUSES:
        raise _decided_conflict(session, referral)
    referral.status, referral.decline_reason, referral.decline_note = "declined", reason, note.strip()[:2000]
    referral.decided_at, referral.decided_by_id, referral.updated_at = utcnow(), by.id, utcnow()
    referral.version += 1
    session.add(referral)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"status": "declined", "reason": reason})
    tell_referrer(session, referral, "referral_update", link_for_referrer(referral))
    session.commit()
    return referral


# --- the thread ------------------------------------------------------------------------------

@shared_write
def post_message(session: Session, by: User, referral_id: int, body: str, link: str,
                 submit_key: str | None = None) -> ReferralMessage:
    """A message on the referral's thread, from the referrer or from staff; the other side is told."""
    if not body.strip():
        raise DomainError(N_("Write a message."), field="body")
    begin_write(session)
    claim = claim_submission(session, submit_key, "referral_message", user_id=by.id, already=POSTED_ALREADY)
    # Locked: a message never lands on a referral being erased at the same moment.
    referral = lock(session, Referral, referral_id)
    if referral.organisation_id != by.organisation_id or referral.anonymised_at is not None:
        raise NotFound(N_("The record no longer exists."))
    from_referrer = by.role == "referrer"
    if from_referrer and referral.referrer_id != by.id:
        raise NotFound(N_("The record no longer exists."))
    message = ReferralMessage(referral_id=referral.id, author_id=by.id, from_referrer=from_referrer,
                              body=body.strip()[:4000])
    session.add(message)
    session.flush()
    note_result(claim, message.id)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="create",
                 record_type="Referral", record_id=referral.id, detail={"message": message.id})
    if from_referrer:
        tell_staff(session, referral, "referral_message", link, program=session.get(Program, referral.program_id).name)
    else:
        tell_referrer(session, referral, "referral_message", link)
    session.commit()
    return message


def mark_read(session: Session, by: User, referral: Referral, status_id: int | None = None) -> None:
    """The page was seen: audit the view, and mark the other side's messages (and a status) read."""
    begin_write(session)
    now = utcnow()
    from_referrer = by.role != "referrer"  # the messages this reader has been sent
    for message in session.exec(select(ReferralMessage).where(
            ReferralMessage.referral_id == referral.id, ReferralMessage.from_referrer == from_referrer,
            ReferralMessage.read_at.is_(None))):
        message.read_at = now
        session.add(message)
    detail: dict = {}
    if status_id is not None:
        status = session.get(ReferralStatus, status_id)
        if status is None or status.referral_id != referral.id or status.sent_at is None:
            raise NotFound(N_("The record no longer exists."))
        detail["status"] = status.id
        if by.role == "referrer" and status.read_at is None:
            status.read_at = now
            session.add(status)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="view",
                 record_type="Referral", record_id=referral.id, detail=detail)
    session.commit()


