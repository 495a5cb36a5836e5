"""The records of the referral domain.

A **referring unit** is a municipal department or another professional body the organisation
has agreed to work with; it may refer to the programmes listed for it (``ReferralChannel``). A
**referrer** is a ``User`` with the role "referrer" attached to one unit. A **referral** carries
the youth's or family's data as the referrer typed it, the consent, and after the coordinator's
acceptance the youth/household and request made from it. **Status reports** go back to the
referrer at the programme's rhythm; **messages** are the thread between referrer and staff.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow

UNIT_KINDS: tuple[str, ...] = ("children_families", "ssp", "school", "health", "jobcenter", "integration", "other")
REFERRAL_KINDS: tuple[str, ...] = ("youth", "family")
# The intake's own statuses; what happens after acceptance is read from the request and match.
REFERRAL_STATUSES: tuple[str, ...] = ("received", "needs_info", "accepted", "declined", "withdrawn")
OPEN_REFERRAL_STATUSES: tuple[str, ...] = ("received", "needs_info")
DECLINE_REASONS: tuple[str, ...] = ("outside_target", "too_heavy", "no_volunteers", "other_offer", "consent", "other")
# What a referrer is told about the volunteer (a programme setting).
VOLUNTEER_INFO: tuple[str, ...] = ("none", "first_name", "first_name_and_age")
CUSTODY: tuple[str, ...] = ("joint", "sole")
MESSAGE_KINDS: tuple[str, ...] = ("message", "question", "closure")
DEFAULT_FIRST_STATUS_MONTHS = 2  # Roskilde: a status two months after the match...
DEFAULT_STATUS_EVERY_MONTHS = 3  # ...then every three months


class ReferringUnit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)  # e.g. "Roskilde Kommune, Børn og Unge"
    kind: str = Field(default="children_families", max_length=30)  # one of UNIT_KINDS
    contact_email: str = Field(default="", max_length=254)
    active: bool = True  # an ended cooperation: its referrers follow old referrals, make no new ones
    created_at: datetime = Field(default_factory=utcnow)


class ReferralChannel(SQLModel, table=True):
    """A unit may refer to a programme."""

    unit_id: int = Field(foreign_key="referringunit.id", primary_key=True)
    program_id: int = Field(foreign_key="program.id", primary_key=True, index=True)


class ReferralSettings(SQLModel, table=True):
    """A programme's rules for referrals; a programme without a row has the defaults."""

    program_id: int = Field(foreign_key="program.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    volunteer_info: str = Field(default="first_name", max_length=30)  # one of VOLUNTEER_INFO
    first_status_months: int = Field(default=DEFAULT_FIRST_STATUS_MONTHS, ge=1, le=24)
    status_every_months: int = Field(default=DEFAULT_STATUS_EVERY_MONTHS, ge=1, le=24)
    updated_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    unit_id: int = Field(foreign_key="referringunit.id", index=True)
    referrer_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=10)  # one of REFERRAL_KINDS
    status: str = Field(default="received", max_length=20, index=True)  # one of REFERRAL_STATUSES
    submitted_on: date  # the day it was first sent: the start of the waiting time
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Who: a youth...
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    gender: str = Field(default="", max_length=10)
    guardian_name: str = Field(default="", max_length=200)
    guardian_phone: str = Field(default="", max_length=30)
    guardian_email: str = Field(default="", max_length=254)
    school: str = Field(default="", max_length=200)
    no_trusted_adult: bool = False
    # ...or a family with its members ([{first_name, role, birth_year, gender}]).
    family_name: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=30)
    contact_email: str = Field(default="", max_length=254)
    members: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Where, languages, interests, time.
    postcode: str = Field(default="", max_length=4)
    languages: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    interests: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    interests_text: str = Field(default="", max_length=1000)
    availability: int = Field(default=0, ge=0)
    # Why, in the family's words; what they want; wishes for the volunteer; the case's heaviness.
    reason: str = Field(default="", max_length=4000)
    wishes: str = Field(default="", max_length=2000)
    volunteer_wishes: str = Field(default="", max_length=2000)
    mentor_gender_preferred: str | None = Field(default=None, max_length=10)
    mentor_gender_required: str | None = Field(default=None, max_length=10)
    complexity: int = Field(default=0, ge=0, le=3)
    complexity_reason: str = Field(default="", max_length=2000)  # staff only
    # Consent: the people are ConsentRecord rows (subject "referral" until accepted, then the
    # youth's or household's); whether it covers status reports to the referrer is kept here.
    custody: str = Field(default="", max_length=10)  # one of CUSTODY; "" for adults
    status_consent: bool = False
    status_sharing_stopped_on: date | None = None
    # The intake decision.
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decline_reason: str | None = Field(default=None, max_length=30)  # one of DECLINE_REASONS
    decline_note: str = Field(default="", max_length=2000)  # the referrer reads it
    withdrawn_note: str = Field(default="", max_length=2000)
    # What it became.
    youth_id: int | None = Field(default=None, foreign_key="youth.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    # The latest status due date the coordinators were reminded of (a reminder goes once).
    status_reminded_for: date | None = None
    anonymised_at: datetime | None = None
    version: int = Field(default=1)

    @property
    def name(self) -> str:
        """How pages name the referral: the youth's first name or the family's name."""
        return self.first_name if self.kind == "youth" else self.family_name

    @property
    def shares_status(self) -> bool:
        """The family agreed that the organisation reports back to the referrer, and still does."""
        return self.status_consent and self.status_sharing_stopped_on is None and self.anonymised_at is None


class ReferralStatus(SQLModel, table=True):
    """A written status for the referrer (a draft until sent)."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    match_id: int | None = Field(default=None, foreign_key="match.id", index=True)
    due_on: date | None = None  # the planned date it answers; None: an extra status
    how_it_goes: str = Field(default="", max_length=4000)
    agreements: str = Field(default="", max_length=4000)
    concerns: str = Field(default="", max_length=4000)
    written_by_id: int | None = Field(default=None, foreign_key="user.id")
    written_at: datetime = Field(default_factory=utcnow)
    sent_on: date | None = None
    sent_at: datetime | None = None
    sent_by_id: int | None = Field(default=None, foreign_key="user.id")
    read_at: datetime | None = None  # first read by the referrer


class ReferralMessage(SQLModel, table=True):
    """The thread of a referral: questions, answers and the notice that the case closed."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    from_referrer: bool = False
    kind: str = Field(default="message", max_length=20)  # one of MESSAGE_KINDS
    body: str = Field(default="", max_length=4000)
    match_id: int | None = Field(default=None, foreign_key="match.id")  # a closure notice's match
    created_at: datetime = Field(default_factory=utcnow, index=True)
    read_at: datetime | None = None  # read by the other side
