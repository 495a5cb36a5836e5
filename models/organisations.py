"""Organisations (associations, municipalities) and their programs with their rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.profiles import DEFAULT_MIN_EXPERIENCE, DEFAULT_WEIGHTS, ProgramRules
from models.clock import utcnow

SCREENING_STEPS: tuple[str, ...] = ("interview", "boerneattest", "references", "training")
DEFAULT_CHECKIN_PLAN_DAYS: tuple[int, ...] = (14, 30, 60, 90, 180, 270, 365)


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    kind: str = Field(default="association", max_length=20)  # association | municipality
    contact_email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)


class ProgramBase(SQLModel):
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, index=True)
    description: str = Field(default="", max_length=4000)
    serves: str = Field(default="youth", max_length=10)  # youth | family | both
    min_age: int = Field(default=13, ge=0, le=120)
    max_age: int = Field(default=18, ge=0, le=120)
    max_distance_km: float = Field(default=25.0, gt=0, le=500)
    waiting_target_days: int = Field(default=90, ge=1)
    # strict: past the target is served first (the fair objective); weighed: only the waiting
    # part of the score; off: waiting does not count (matching.fairness.WAITING_PRIORITIES).
    waiting_priority: str = Field(default="strict", max_length=10)
    inactivity_days: int = Field(default=30, ge=1)  # no meeting logged for this long: at risk
    top_k: int = Field(default=50, ge=1, le=1000)
    max_high_complexity_per_volunteer: int | None = Field(default=1, ge=0)
    measures_followup: bool = True  # 12-month outcome follow-up after closure
    measures_one_year: bool = True  # the outcome measured one year after the relationship started
    outcome_required: bool = True  # closing a started match asks for the outcome
    retention_months: int = Field(default=24, ge=1)  # closed records anonymised after
    proposal_reply_days: int = Field(default=7, ge=1)
    # A børneattest runs out this many months after it was received (a renewal reminder goes
    # out before; after it, the volunteer is taken out of new proposals).
    certificate_renewal_months: int = Field(default=24, ge=1, le=120)
    goal_matches: int | None = Field(default=None, ge=0)
    goal_period_months: int | None = Field(default=None, ge=1)
    active: bool = True


class Program(ProgramBase, table=True):
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    required_steps: list[str] = Field(default_factory=lambda: list(SCREENING_STEPS), sa_column=Column(JSON, nullable=False))
    checkin_plan_days: list[int] = Field(default_factory=lambda: list(DEFAULT_CHECKIN_PLAN_DAYS), sa_column=Column(JSON, nullable=False))
    interests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS), sa_column=Column(JSON, nullable=False))
    # The least volunteer experience per complexity (index = complexity), a hard rule.
    min_experience_by_complexity: list[int] = Field(default_factory=lambda: list(DEFAULT_MIN_EXPERIENCE),
                                                    sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)

    def rules(self) -> ProgramRules:  # read by models.pool and matching.run
        """The program's settings as the matching core reads them."""
        weights = dict(DEFAULT_WEIGHTS)
        weights.update({k: float(v) for k, v in (self.weights or {}).items() if k in DEFAULT_WEIGHTS})
        stored = list(self.min_experience_by_complexity or DEFAULT_MIN_EXPERIENCE)
        mins = stored + list(DEFAULT_MIN_EXPERIENCE[len(stored):])
        return ProgramRules(
            serves=self.serves,
            min_age=self.min_age,
            max_age=self.max_age,
            max_distance_km=self.max_distance_km,
            weights=weights,
            min_experience_by_complexity=(mins[0], mins[1], mins[2], mins[3]),
            max_high_complexity_per_volunteer=self.max_high_complexity_per_volunteer,
            waiting_target_days=self.waiting_target_days,
            waiting_priority=self.waiting_priority,
            top_k=self.top_k,
        )
