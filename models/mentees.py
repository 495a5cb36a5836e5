"""Youths, households with members, and requests: one need of a mentee in one program."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# consent_withdrawn: out of matching because consent was withdrawn; back to waiting when given again.
REQUEST_STATUSES: tuple[str, ...] = ("waiting", "matched", "closed", "withdrawn", "consent_withdrawn")
MEMBER_ROLES: tuple[str, ...] = ("parent", "child", "other")


class MenteeProfile(SQLModel):
    """What youths and households share: where they live, languages, interests, time."""

    postcode: str = Field(max_length=4)
    interests_text: str = Field(default="", max_length=1000)
    availability: int = Field(default=0, ge=0)
    notes: str = Field(default="", max_length=4000)  # coordinators only


class Youth(MenteeProfile, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    birth_year: int = Field(ge=1900, le=2100)
    gender: str = Field(max_length=10)
    guardian_name: str = Field(default="", max_length=200)
    guardian_phone: str = Field(default="", max_length=30)
    guardian_email: str = Field(default="", max_length=254)
    school: str = Field(default="", max_length=200)
    no_trusted_adult: bool = False
    languages: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    anonymised_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Household(MenteeProfile, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    family_name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=30)
    contact_email: str = Field(default="", max_length=254)
    languages: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    wishes: str = Field(default="", max_length=2000)  # what the family wants, own words
    created_at: datetime = Field(default_factory=utcnow)
    anonymised_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.family_name


class HouseholdMember(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    first_name: str = Field(max_length=100)
    role: str = Field(max_length=10)  # one of MEMBER_ROLES
    birth_year: int = Field(ge=1900, le=2100)
    gender: str = Field(default="", max_length=10)


class RequestBase(SQLModel):
    need: str = Field(max_length=200)  # what help, e.g. "Lektiehjælp til børnene"
    description: str = Field(default="", max_length=4000)
    mentor_gender_required: str | None = Field(default=None, max_length=10)  # hard
    mentor_gender_preferred: str | None = Field(default=None, max_length=10)  # soft
    complexity: int = Field(default=0, ge=0, le=3)
    complexity_reason: str = Field(default="", max_length=2000)  # coordinators only
    # Goals in the Signs of Safety form the municipalities use.
    goal_worries: str = Field(default="", max_length=2000)
    goal_works: str = Field(default="", max_length=2000)
    goal_next: str = Field(default="", max_length=2000)
    referred_on: date
    referred_by: str = Field(default="", max_length=200)
    sibling_group: str | None = Field(default=None, max_length=50)


class Request(RequestBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    youth_id: int | None = Field(default=None, foreign_key="youth.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    status: str = Field(default="waiting", max_length=20, index=True)
    pool_since: date | None = None  # waiting for a match since
    # The situation at entry (education/work, leisure activity, social case: yes/no/unknown), so
    # the outcome at closure can be compared with where the youth or family started.
    baseline: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)

    @property
    def kind(self) -> str:
        return "youth" if self.youth_id is not None else "family"
