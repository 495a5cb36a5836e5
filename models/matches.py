"""Matches (the relationships) with their history, meeting logs, check-ins and exclusions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import utcnow

MATCH_STATUSES: tuple[str, ...] = ("introduced", "active", "paused", "closed")
OPEN_MATCH_STATUSES: tuple[str, ...] = ("introduced", "active", "paused")
CLOSURE_REASONS: tuple[str, ...] = (
    "goal_reached",
    "period_over",
    "moved",
    "lost_interest",
    "bad_chemistry",
    "too_heavy",
    "volunteer_time",
    "safety_concern",
    "intro_declined",
    "other",
)
PLANNED_CLOSURE_REASONS: tuple[str, ...] = ("goal_reached", "period_over")
MEETING_ACTIVITIES: tuple[str, ...] = ("talk", "sport", "homework", "food", "outing", "culture", "errand", "other")
# How often the pair agreed to meet: the pair decides (Roskilde 003 p. 12); reminders follow it.
MEETING_RHYTHMS: tuple[str, ...] = ("weekly", "biweekly", "monthly", "as_agreed")


class Match(SQLModel, table=True):
    # One open relationship per request: the database refuses a second one even if two
    # coordinators approve at the same instant.
    __table_args__ = (
        Index(
            "uq_match_open_request",
            "request_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
        # One match per proposal: a proposal is decided once (see models.writes).
        Index("uq_match_proposal", "proposal_id", unique=True, sqlite_where=text("proposal_id IS NOT NULL"),
              postgresql_where=text("proposal_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    coordinator_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="introduced", max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    intro_note: str = Field(default="", max_length=2000)  # what the volunteer may know
    intro_on: date | None = None
    volunteer_accepted_at: datetime | None = None
    started_on: date | None = None  # became active
    paused_until: date | None = None
    closed_on: date | None = None
    closure_reason: str | None = Field(default=None, max_length=30)
    closure_note: str = Field(default="", max_length=4000)
    exit_conversation: str = Field(default="", max_length=4000)
    next_step: str = Field(default="", max_length=2000)  # the planned handover: what or who comes next
    meeting_rhythm: str | None = Field(default=None, max_length=20)  # one of MEETING_RHYTHMS; None: not agreed
    outcome: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    end_requested_at: datetime | None = None  # the volunteer asked to end it
    version: int = Field(default=1)


class MatchEvent(SQLModel, table=True):
    # The last line behind the locks of models.writes: a match is closed once, and two status
    # changes decided on the same version of the match cannot both be recorded.
    __table_args__ = (
        Index("uq_matchevent_closed", "match_id", unique=True, sqlite_where=text("to_status = 'closed'"),
              postgresql_where=text("to_status = 'closed'")),
        UniqueConstraint("match_id", "from_version", name="uq_matchevent_from_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow)
    on: date | None = None
    by_id: int | None = Field(default=None, foreign_key="user.id")
    reason: str = Field(default="", max_length=2000)
    from_version: int | None = None  # the match's version the change was decided on (0: created)


class MeetingLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    met_on: date
    minutes: int = Field(ge=0, le=24 * 60)
    activities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=2000)
    rating: int = Field(ge=1, le=5)
    needs_contact: bool = False  # "I need to talk to the coordinator"
    contact_handled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CheckIn(SQLModel, table=True):
    # One planned check-in per day, one 12-month follow-up and one one-year measure per match,
    # whatever races.
    __table_args__ = (
        Index("uq_checkin_followup", "match_id", unique=True, sqlite_where=text("kind = 'followup'"),
              postgresql_where=text("kind = 'followup'")),
        Index("uq_checkin_one_year", "match_id", unique=True, sqlite_where=text("kind = 'one_year'"),
              postgresql_where=text("kind = 'one_year'")),
        Index("uq_checkin_scheduled_day", "match_id", "due_on", unique=True, sqlite_where=text("kind = 'scheduled'"),
              postgresql_where=text("kind = 'scheduled'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    kind: str = Field(default="scheduled", max_length=20)  # scheduled | followup | extra
    due_on: date = Field(index=True)
    done_on: date | None = None
    done_by_id: int | None = Field(default=None, foreign_key="user.id")
    contacted: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rating: int | None = Field(default=None, ge=1, le=5)
    concerns: str = Field(default="", max_length=4000)
    agreements: str = Field(default="", max_length=4000)
    next_step: str = Field(default="", max_length=2000)
    # At the 12-month follow-up: the same outcome questions as at closure.
    outcome: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reminded_at: datetime | None = None  # the coordinator was e-mailed that it is due


class Exclusion(SQLModel, table=True):
    """A pair never to propose again (broke off, rejected, said no at the introduction)."""

    __table_args__ = (UniqueConstraint("request_id", "volunteer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    reason: str = Field(default="", max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
