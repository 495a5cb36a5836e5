"""The membership table: volunteer x programme of the same organisation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# applied: asked to join a further programme, waiting for that programme's approval;
# active: a member (in the first programme the person's own screening decides when they are
# approved); paused: not available in this programme for now; left: no longer in it.
MEMBERSHIP_STATUSES: tuple[str, ...] = ("applied", "active", "paused", "left")
OPEN_MEMBERSHIP: tuple[str, ...] = ("applied", "active", "paused")


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("volunteer_id", "program_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    status: str = Field(default="applied", max_length=20, index=True)
    capacity: int = Field(default=1, ge=1, le=5)  # open matches the volunteer takes in this programme
    joined_on: date | None = None  # applied or added
    approved_on: date | None = None
    left_on: date | None = None
    leave_reason: str = Field(default="", max_length=500)
    # Steps this programme runs itself (its own intro course), done for it: {step: "yyyy-mm-dd"}.
    # Shared steps live in ScreeningStep, once for the person.
    own_steps: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
