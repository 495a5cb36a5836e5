"""The tables of events: the event, the programmes it is for, sign-ups and calendar feeds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# introkursus, netværksmøde, supervision/sparring, temaaften, social (labels in web/labels.py).
EVENT_KINDS: tuple[str, ...] = ("intro_course", "network_meeting", "supervision", "theme_evening", "social")
# Who is invited: volunteers waiting for a match, mentors with an open match, new volunteers
# still in screening, or every volunteer of the event's programmes.
AUDIENCES: tuple[str, ...] = ("waiting", "active", "new", "all")
# signed_up: has a place; waiting: on the waiting list (first come first served); cancelled.
SIGNUP_STATUSES: tuple[str, ...] = ("signed_up", "waiting", "cancelled")
# The kind whose attendance completes the programme's training step ("Uddannelse").
TRAINING_KIND = "intro_course"


class Event(SQLModel, table=True):
    """One gathering. Times are stored in UTC like every time in the house; the pages, e-mails and
    calendars show them in Danish time (models.events.calendar.local)."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    place: str = Field(default="", max_length=300)
    online_url: str = Field(default="", max_length=500)
    capacity: int | None = Field(default=None, ge=1)  # None: no limit
    audience: str = Field(default="waiting", max_length=40)  # AUDIENCES, comma-separated: "waiting,new"
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    invitations_queued_at: datetime | None = None
    cancelled_at: datetime | None = None
    attendance_recorded_at: datetime | None = None
    version: int = 1


class EventProgram(SQLModel, table=True):
    """An event is for one or more programmes of its organisation."""

    __tablename__ = "event_program"

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    program_id: int = Field(foreign_key="program.id", primary_key=True, index=True)


class EventSignup(SQLModel, table=True):
    """A volunteer's place (or place on the waiting list) at an event, and whether they came."""

    __tablename__ = "event_signup"
    __table_args__ = (UniqueConstraint("event_id", "volunteer_id", name="uq_event_signup_volunteer"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    status: str = Field(default="signed_up", max_length=10)
    queued_at: datetime = Field(default_factory=utcnow)  # the waiting list's order
    changed_at: datetime = Field(default_factory=utcnow)
    attended: bool = False
    minutes: int = Field(default=0, ge=0)  # hours given, as minutes (set with attendance)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class VolunteerLeaving(SQLModel, table=True):
    """When and why a volunteer stopped (the retention figures); kept, without the person, after erasure."""

    __tablename__ = "volunteer_leaving"

    volunteer_id: int = Field(foreign_key="volunteer.id", primary_key=True)
    left_on: date = Field(index=True)
    reason: str = Field(max_length=30)  # models.events.keeping.LEAVE_REASONS
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class CalendarFeed(SQLModel, table=True):
    """A volunteer's personal read-only calendar address; only the token's hash is stored."""

    __tablename__ = "calendar_feed"
    __table_args__ = (Index("uq_calendar_feed_active", "volunteer_id", unique=True,
                            sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),)

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
