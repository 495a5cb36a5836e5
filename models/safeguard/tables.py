"""The safeguarding tables: texts to sign (versioned per organisation), signatures, børneattest
renewal reminders sent, and concerns about a child raised by a volunteer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# tavshedserklæring (duty of confidentiality) and frivilligaftale (what a volunteer may do).
TEXT_KINDS: tuple[str, ...] = ("confidentiality", "agreement")


class SafeguardText(SQLModel, table=True):
    """One version of a text volunteers sign; a new version is a new row (old ones stay, the
    signatures point at them)."""

    __tablename__ = "safeguard_text"
    __table_args__ = (UniqueConstraint("organisation_id", "kind", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)  # one of TEXT_KINDS
    version: int = Field(ge=1)
    title: str = Field(max_length=200)
    body: str = Field(max_length=20000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class Signature(SQLModel, table=True):
    """A volunteer signed one version of a text: the name they typed, the day and the version."""

    __table_args__ = (UniqueConstraint("volunteer_id", "text_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    text_id: int = Field(foreign_key="safeguard_text.id", index=True)
    kind: str = Field(max_length=20)
    version: int
    signed_name: str = Field(max_length=200)
    signed_on: date
    signed_at: datetime = Field(default_factory=utcnow)


class CertificateReminder(SQLModel, table=True):
    """A renewal reminder sent to the coordinators about one børneattest (one per expiry date)."""

    __tablename__ = "certificate_reminder"
    __table_args__ = (UniqueConstraint("volunteer_id", "renew_by"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    renew_by: date
    sent_on: date


class Concern(SQLModel, table=True):
    """"Jeg er bekymret": a volunteer is worried about the child or family of one match."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    message: str = Field(default="", max_length=2000)  # optional, the volunteer's own words
    created_at: datetime = Field(default_factory=utcnow)
    handled_at: datetime | None = None
    handled_by_id: int | None = Field(default=None, foreign_key="user.id")
