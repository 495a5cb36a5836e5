"""Tables of the background work: the periodic slots taken."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow


class PeriodicSlot(SQLModel, table=True):
    """One run of a periodic job for one slot (e.g. the reminders of 22-11-2026).

    Every worker's scheduler enqueues periodic jobs; the unique (job, slot) row lets exactly one
    of them do the work, on any number of machines, and keeps when it ran and what it did.
    """

    __table_args__ = (UniqueConstraint("job", "slot", name="uq_periodicslot_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=100)
    slot: str = Field(max_length=40)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    report: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
