"""Volunteers and their screening steps."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# applicant: signed up, e-mail not confirmed; screening: in screening; approved: in the pool
# (or matched); declined: screening failed; withdrawn: left; paused: not available for now.
VOLUNTEER_STATUSES: tuple[str, ...] = ("applicant", "screening", "approved", "declined", "withdrawn")
SUPPORTS: tuple[str, ...] = ("youth", "family", "either")
# "remarks": received with remarks (a børneattest with remarks never counts as done).
STEP_STATUSES: tuple[str, ...] = ("pending", "booked", "requested", "done", "approved", "remarks", "failed")


class VolunteerBase(SQLModel):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254, index=True)
    phone: str = Field(default="", max_length=30)
    birth_year: int = Field(ge=1900, le=2100)
    gender: str = Field(max_length=10)
    postcode: str = Field(max_length=4)
    interests_text: str = Field(default="", max_length=1000)
    availability: int = Field(default=0, ge=0)  # bitmask, see matching.profiles
    supports: str = Field(default="either", max_length=10)
    age_min: int = Field(default=13, ge=0, le=120)
    age_max: int = Field(default=18, ge=0, le=120)
    mentee_gender_wish: str | None = Field(default=None, max_length=10)
    capacity: int = Field(default=1, ge=1, le=5)
    experience: int = Field(default=0, ge=0, le=3)
    experience_text: str = Field(default="", max_length=2000)
    motivation: str = Field(default="", max_length=2000)


class Volunteer(VolunteerBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", unique=True)
    languages: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="applicant", max_length=20, index=True)
    approved_at: datetime | None = None
    pool_since: date | None = None  # waiting for a match since
    paused_until: date | None = None  # not available until this date
    deletion_due_at: date | None = None  # declined or withdrawn: erase after
    anonymised_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)  # bumped on every change; optimistic checks

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ScreeningStep(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("volunteer_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    step: str = Field(max_length=30)  # one of organisations.SCREENING_STEPS
    status: str = Field(default="pending", max_length=20)
    step_date: date | None = None
    note: str = Field(default="", max_length=2000)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime | None = None


# --- the first programme's membership (issue 15) -------------------------------------------
# Every volunteer row is created in a programme: its membership there is written in the same
# flush, whichever path created the person (signup, import, seed), so no path can forget it.
# The person's own status ends every membership when they are declined or withdraw, and their
# capacity is the first programme's capacity.
from sqlalchemy import event, inspect, update  # noqa: E402

from models.members.tables import Membership  # noqa: E402

_ENDED = ("declined", "withdrawn")


def _has_memberships(connection) -> bool:  # noqa: ANN001
    """A database not yet upgraded to 0017 gets its memberships from that migration instead."""
    if not connection.info.get("makker_membership_table"):
        connection.info["makker_membership_table"] = inspect(connection).has_table("membership")
    return connection.info["makker_membership_table"]


@event.listens_for(Volunteer, "after_insert")
def _first_membership(_mapper, connection, target: Volunteer) -> None:  # noqa: ANN001
    from models.clock import today

    if not _has_memberships(connection):
        return
    connection.execute(Membership.__table__.insert().values(
        organisation_id=target.organisation_id, volunteer_id=target.id, program_id=target.program_id,
        status="left" if target.status in _ENDED else "active", capacity=target.capacity,
        joined_on=(target.created_at.date() if target.created_at else today()),
        approved_on=target.approved_at.date() if target.approved_at else None,
        left_on=today() if target.status in _ENDED else None, leave_reason="", own_steps={}, created_at=utcnow()))


@event.listens_for(Volunteer, "after_update")
def _follow_person(_mapper, connection, target: Volunteer) -> None:  # noqa: ANN001
    from models.clock import today

    if not _has_memberships(connection):
        return
    state = inspect(target)
    table = Membership.__table__
    if state.attrs.capacity.history.has_changes():
        connection.execute(update(table).where(table.c.volunteer_id == target.id,
                                               table.c.program_id == target.program_id)
                           .values(capacity=target.capacity))
    status = state.attrs.status.history
    if status.has_changes() and target.status in _ENDED:
        connection.execute(update(table).where(table.c.volunteer_id == target.id, table.c.status != "left")
                           .values(status="left", left_on=today(), leave_reason=target.status))
    if status.has_changes() and target.status == "approved":
        connection.execute(update(table).where(table.c.volunteer_id == target.id,
                                               table.c.program_id == target.program_id,
                                               table.c.approved_on.is_(None))
                           .values(approved_on=today()))
