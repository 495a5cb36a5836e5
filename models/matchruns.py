"""Match runs and the proposals they store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.clock import utcnow

PROPOSAL_STATUSES: tuple[str, ...] = ("proposed", "approved", "rejected", "superseded")


class MatchRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=20)  # running | done | failed
    progress: str = Field(default="", max_length=200)  # shown while it runs
    parameters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    stats: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    run_id: int = Field(foreign_key="matchrun.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", index=True)
    score: float
    rank: int = 1  # 1 = the solver's choice; 2.. = alternatives
    breakdown: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="proposed", max_length=20, index=True)
    reason: str = Field(default="", max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class WaitingReason(SQLModel, table=True):
    """Why someone past the waiting target got no proposal in a run (see matching.fairness).

    Stored with the run so that the waiting lists read it; only the program's latest run keeps
    its rows. Codes and numbers only, no free text about the person.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    run_id: int = Field(foreign_key="matchrun.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id", index=True)
    reason: str = Field(max_length=30)  # one of matching.fairness.REASONS
    days_past_target: int = 0  # on the day of the run
