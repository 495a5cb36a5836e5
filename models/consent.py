"""Consent records: who consented (role and name), for whom, to what, when, and to which text.

General on purpose: a volunteer's own consent, the custody holders' and a youth's consent at
intake, and later a referral's consent are all rows here. ``given_on`` is the day the person gave
consent (the intake form asks for it); ``given_at`` is when it was typed in. A withdrawal keeps the
row and records the day, who withdrew it and what happened next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Field, Session, SQLModel, select

from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, Conflict, DomainError, NotFound
from models.matches import OPEN_MATCH_STATUSES, Match
from models.mentees import Household, Request, Youth
from models.organisations import Organisation
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write

SUBJECT_TYPES: tuple[str, ...] = ("volunteer", "youth", "household")
# Who gave it: a custody holder (parent or appointed guardian), or the person themselves (for a
# youth: from 15; for a family: an adult of the household).
CONSENT_ROLES: tuple[str, ...] = ("guardian", "self")
YOUTH_OWN_CONSENT_FROM_AGE = 15
ADULT_AGE = 18
CONSENT_VERSION = "2026-2"


class ConsentRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    subject_type: str = Field(max_length=20)  # for whom: one of SUBJECT_TYPES
    subject_id: int = Field(index=True)
    given_by: str = Field(max_length=200)  # the person who consented
    relation: str = Field(default="self", max_length=20)  # their role: one of CONSENT_ROLES
    purpose: str = Field(max_length=200)  # what for, e.g. "mentoring", "volunteer"
    text_version: str = Field(max_length=20)
    text: str = Field(max_length=8000)
    given_on: date  # the day consent was given
    given_at: datetime = Field(default_factory=utcnow)  # when it was recorded
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    withdrawn_on: date | None = None  # the day consent was withdrawn
    withdrawn_by: str = Field(default="", max_length=200)  # who withdrew it
    withdrawal_note: str = Field(default="", max_length=2000)  # what was said, what happens next
    withdrawn_at: datetime | None = None  # when the withdrawal was recorded
    withdrawal_recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


@dataclass
class ConsentDraft:
    """One person's consent as a coordinator records it."""

    given_by: str
    relation: str  # one of CONSENT_ROLES
    given_on: date | None = None


@dataclass
class Withdrawal:
    """What a withdrawal changed: the requests taken out of matching, the matches to close."""

    consent: ConsentRecord
    paused_requests: list[int] = field(default_factory=list)
    open_matches: list[int] = field(default_factory=list)


# --- the texts people consent to -----------------------------------------------------------

def organisation_noun(kind: str) -> str:
    """How a consent text names the organisation: "foreningen" or "kommunen"."""
    return "kommunen" if kind == "municipality" else "foreningen"


_TEXTS = {
    "volunteer": (
        "Jeg giver samtykke til, at {org} behandler de oplysninger, jeg giver her, for at vurdere mig som "
        "frivillig, finde en makker til mig og følge forløbet. {Org}s koordinatorer ser min profil. Når jeg "
        "bliver matchet, får den unge eller familien (og den unges forældre) mit fornavn og mine "
        "kontaktoplysninger. Ingen andre får mine oplysninger. Jeg kan til enhver tid se, hente og slette "
        "mine oplysninger og trække samtykket tilbage."
    ),
    "guardian": (
        "Som forældremyndighedsindehaver giver jeg samtykke til, at {org} behandler de nødvendige "
        "oplysninger om barnet for at finde en frivillig mentor og følge forløbet. Koordinatorerne ser "
        "oplysningerne; den frivillige får kun barnets fornavn, alder, interesser og det, forløbet handler "
        "om. Samtykket kan trækkes tilbage når som helst."
    ),
    "youth": (
        "Jeg giver samtykke til, at {org} behandler de nødvendige oplysninger om mig for at finde en "
        "frivillig mentor til mig og følge forløbet. Koordinatorerne ser oplysningerne; den frivillige får "
        "kun mit fornavn, min alder, mine interesser og det, forløbet handler om. Jeg kan trække samtykket "
        "tilbage når som helst."
    ),
    "household": (
        "Familien giver samtykke til, at {org} behandler de nødvendige oplysninger om familien for at "
        "finde en frivillig og følge forløbet. Koordinatorerne ser oplysningerne; den frivillige får kun "
        "familiens navn, medlemmernes fornavne, interesser og det, forløbet handler om. Samtykket kan "
        "trækkes tilbage når som helst."
    ),
}


def consent_text(kind: str, organisation_kind: str) -> str:
    """The consent text of ``kind`` ("volunteer", "guardian", "youth", "household") for an
    association or a municipality."""
    noun = organisation_noun(organisation_kind)
    return _TEXTS[kind].format(org=noun, Org=noun.capitalize())


def text_kind(subject_type: str, relation: str) -> str:
    """Which text a consent of this subject and role was given to."""
    if subject_type == "volunteer":
        return "volunteer"
    if subject_type == "household":
        return "household"
    return "guardian" if relation == "guardian" else "youth"


# --- whether a subject may be processed -----------------------------------------------------

def consents_of(session: Session, organisation_id: int, subject_type: str, subject_id: int) -> list[ConsentRecord]:
    return list(session.exec(select(ConsentRecord).where(
        ConsentRecord.organisation_id == organisation_id, ConsentRecord.subject_type == subject_type,
        ConsentRecord.subject_id == subject_id).order_by(ConsentRecord.given_on, ConsentRecord.id)))


def consent_in_force(records: list[ConsentRecord]) -> bool:
    """True unless consent was withdrawn and not given again since.

    A withdrawal by anyone who consented ends the consent of all (with joint custody both custody
    holders must agree); a consent given on or after the latest withdrawal restores it. A subject
    without any record counts as not consenting.
    """
    withdrawals = [r.withdrawn_on or (r.withdrawn_at.date() if r.withdrawn_at else None)
                   for r in records if r.withdrawn_on or r.withdrawn_at]
    latest = max(withdrawals) if withdrawals else None
    return any(r.withdrawn_on is None and r.withdrawn_at is None and (latest is None or r.given_on >= latest)
               for r in records)


# --- checking and recording consent --------------------------------------------------------

def check_consent(draft: ConsentDraft, today: date, subject_type: str, age: int | None = None) -> None:
    """One consent as a coordinator typed it: a name, a role that may consent, a real date."""

    if not draft.given_by.strip():
        raise DomainError(N_("Record who gave consent."), field="consent_given_by")
    if draft.relation not in CONSENT_ROLES:
        raise DomainError(N_("Choose an answer from the list."), field="consent_relation")
    if draft.given_on is None:
        raise DomainError(N_("Write the date consent was given (dd-mm-yyyy)."), field="consent_given_on")
    if draft.given_on > today:
        raise DomainError(N_("The date consent was given cannot be in the future."), field="consent_given_on")
    if subject_type == "youth" and age is not None:
        if draft.relation == "self" and age < YOUTH_OWN_CONSENT_FROM_AGE:
            raise DomainError(N_("A youth can give consent on their own from %(age)s; this youth is %(n)s. "
                                 "Record a custody holder's consent."), field="consent_relation",
                              age=YOUTH_OWN_CONSENT_FROM_AGE, n=age)
        if draft.relation == "guardian" and age >= ADULT_AGE:
            raise DomainError(N_("An adult gives consent themselves: choose \"The youth themselves\"."),
                              field="consent_relation")


def check_youth_consents(drafts: list[ConsentDraft], age: int, today: date) -> None:
    """The consents a youth is taken in with: a custody holder's under 15; from 15 a custody
    holder's or the youth's own; from 18 the youth's own. Both custody holders may consent."""

    if not drafts:
        if age < ADULT_AGE:
            raise DomainError(N_("A youth under 18 needs the consent of a parent or guardian: who gave it?"),
                              field="consent_given_by")
        raise DomainError(N_("Record who gave consent."), field="consent_given_by")
    check_consents(drafts, today, "youth", age)


def check_consents(drafts: list[ConsentDraft], today: date, subject_type: str, age: int | None = None) -> None:
    """Each consent of a form; the second one's errors point at the second one's fields."""
    for number, draft in enumerate(drafts, start=1):
        try:
            check_consent(draft, today, subject_type, age)
        except DomainError as error:
            if number > 1 and error.field:
                raise type(error)(error.msgid, error.field.replace("consent_", f"consent{number}_"),
                                  **error.params) from error
            raise


def record_consent(session: Session, by_id: int, organisation_id: int, organisation_kind: str, subject_type: str,
                   subject_id: int, draft: ConsentDraft, today: date, age: int | None = None,
                   purpose: str = "mentoring") -> ConsentRecord:
    """Add a consent (no commit), with the text of the organisation's kind for this role."""
    check_consent(draft, today, subject_type, age)
    record = ConsentRecord(
        organisation_id=organisation_id, subject_type=subject_type, subject_id=subject_id,
        given_by=draft.given_by.strip()[:200], relation=draft.relation, purpose=purpose,
        text_version=CONSENT_VERSION, text=consent_text(text_kind(subject_type, draft.relation), organisation_kind),
        given_on=draft.given_on, recorded_by_id=by_id)
    session.add(record)
    return record


def _mentee_and_requests(session: Session, subject_type: str, subject_id: int, organisation_id: int,
                         lock: bool) -> tuple[Youth | Household, list[Request]]:
    """The youth or household and its requests, the requests locked for update (id order)."""
    model = Youth if subject_type == "youth" else Household
    mentee = session.get(model, subject_id)
    if mentee is None or mentee.organisation_id != organisation_id:
        raise NotFound(N_("The record no longer exists."))
    column = Request.youth_id if subject_type == "youth" else Request.household_id
    stmt = select(Request).where(column == subject_id).order_by(Request.id)
    if lock:
        # Locked and read after the lock (models.writes), so decisions see the current state.
        return mentee, lock_all(session, Request, session.exec(select(Request.id).where(column == subject_id)))
    return mentee, list(session.exec(stmt))


@shared_write
def add_consent(session: Session, by, subject_type: str, subject_id: int, draft: ConsentDraft,  # noqa: ANN001
                today: date, submit_key: str | None = None) -> tuple[ConsentRecord, list[int]]:
    """Record a further consent of a youth or a family (the second custody holder, the youth at
    15, or consent given again after a withdrawal); returns it and the requests that came back to
    the waiting list because consent is in force again."""

    if subject_type not in ("youth", "household"):
        raise DomainError(N_("Choose an answer from the list."))
    begin_write(session)
    # A double click on the form records one consent (models.writes: one-time form tokens).
    claim = claim_submission(session, submit_key, f"add_consent:{subject_type}:{subject_id}", user_id=by.id,
                             already=N_("This consent has already been recorded."))
    mentee, requests = _mentee_and_requests(session, subject_type, subject_id, by.organisation_id, lock=True)
    if mentee.anonymised_at is not None:
        raise DomainError(N_("The record no longer exists."))
    age = today.year - mentee.birth_year if subject_type == "youth" else None
    organisation = session.get(Organisation, mentee.organisation_id)
    record = record_consent(session, by.id, mentee.organisation_id, organisation.kind, subject_type, mentee.id,
                            draft, today, age=age)
    session.flush()
    note_result(claim, record.id)
    returned = []
    if consent_in_force(consents_of(session, mentee.organisation_id, subject_type, mentee.id)):
        for request in requests:
            if request.status == "consent_withdrawn":
                request.status, request.pool_since = "waiting", today
                request.version += 1
                session.add(request)
                returned.append(request.id)
    record_audit(session, organisation_id=mentee.organisation_id, user_id=by.id, action="create",
                 record_type=type(mentee).__name__, record_id=mentee.id,
                 detail={"consent": record.id, "relation": record.relation, "requests_back": returned})
    session.commit()
    return record, returned


def withdrawal_effects(session: Session, consent: ConsentRecord) -> Withdrawal:
    """What withdrawing ``consent`` will do (nothing is changed): for the confirmation page."""

    effects = Withdrawal(consent)
    if consent.subject_type not in ("youth", "household") or consent.withdrawn_on is not None:
        return effects
    _mentee, requests = _mentee_and_requests(session, consent.subject_type, consent.subject_id,
                                             consent.organisation_id, lock=False)
    effects.paused_requests = [r.id for r in requests if r.status == "waiting"]
    ids = [r.id for r in requests]
    if ids:
        effects.open_matches = list(session.exec(select(Match.id).where(
            Match.request_id.in_(ids), Match.status.in_(OPEN_MATCH_STATUSES)).order_by(Match.id)).all())
    return effects


@shared_write
def withdraw_consent(session: Session, consent_id: int, by, today: date, *, withdrawn_on: date | None,  # noqa: ANN001
                     withdrawn_by: str, note: str = "") -> Withdrawal:
    """Consent is withdrawn: recorded with the day and who, the youth's or family's waiting
    requests are taken out of matching (status "consent_withdrawn"), and the open matches are
    named for the coordinator to close; one transaction, audit logged."""

    if not withdrawn_by.strip():
        raise DomainError(N_("Write who withdrew the consent."), field="withdrawn_by")
    if withdrawn_on is None:
        raise DomainError(N_("Write the date consent was withdrawn (dd-mm-yyyy)."), field="withdrawn_on")
    if withdrawn_on > today:
        raise DomainError(N_("The date cannot be in the future."), field="withdrawn_on")
    begin_write(session)
    peek = session.get(ConsentRecord, consent_id)
    if peek is None or peek.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    if peek.subject_type in ("youth", "household"):
        # Requests first, as every operation that changes them locks them before anything else.
        _mentee_and_requests(session, peek.subject_type, peek.subject_id, peek.organisation_id, lock=True)
    consent = lock(session, ConsentRecord, consent_id)
    if consent.withdrawn_on is not None or consent.withdrawn_at is not None:
        raise Conflict(N_("This consent has already been withdrawn."))
    if withdrawn_on < consent.given_on:
        raise DomainError(N_("Consent cannot be withdrawn before the day it was given (%(date)s)."),
                          field="withdrawn_on", date=consent.given_on.strftime("%d-%m-%Y"))
    effects = withdrawal_effects(session, consent)
    consent.withdrawn_on, consent.withdrawn_by = withdrawn_on, withdrawn_by.strip()[:200]
    consent.withdrawal_note = note.strip()[:2000]
    consent.withdrawn_at, consent.withdrawal_recorded_by_id = utcnow(), by.id
    session.add(consent)
    if effects.paused_requests:
        for request in session.exec(select(Request).where(Request.id.in_(effects.paused_requests))):
            request.status, request.pool_since = "consent_withdrawn", None
            request.version += 1
            session.add(request)
    record_type = {"youth": "Youth", "household": "Household", "volunteer": "Volunteer"}[consent.subject_type]
    record_audit(session, organisation_id=consent.organisation_id, user_id=by.id, action="update",
                 record_type=record_type, record_id=consent.subject_id,
                 detail={"consent_withdrawn": consent.id, "withdrawn_on": withdrawn_on.isoformat(),
                         "requests_paused": effects.paused_requests, "open_matches": effects.open_matches})
    session.commit()
    return effects


def consent_withdrawn(records: list[ConsentRecord]) -> bool:
    """Consent was recorded and has been withdrawn without being given again."""
    return bool(records) and not consent_in_force(records)
