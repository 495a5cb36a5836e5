"""Tables of whole-family work (issue 14): plan, goals, agreements, meetings, team, progress."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from models.clock import utcnow

# The life areas of the family's plan (seed 002, Assens' udviklingsplan).
LIFE_AREAS: tuple[str, ...] = ("job_education", "danish_language", "school_daycare", "leisure_associations",
                               "network_friends", "health", "housing_economy", "parenting")
GOAL_STATUSES: tuple[str, ...] = ("open", "reached", "dropped")
AGREEMENT_STATUSES: tuple[str, ...] = ("open", "done", "dropped")
OWNER_KINDS: tuple[str, ...] = ("member", "volunteer", "professional")
MEETING_KINDS: tuple[str, ...] = ("family", "network")
MOMENTS: tuple[str, ...] = ("entry", "meeting", "at_end")
# The competences an organisation starts with; the admin keeps the list from there.
DEFAULT_COMPETENCES: tuple[tuple[str, str | None], ...] = (
    ("language_culture", None), ("school", "school_daycare"), ("job_education", "job_education"),
    ("health", "health"), ("parenting", "parenting"), ("leisure", "leisure_associations"),
    ("housing_economy", "housing_economy"), ("danish_practice", "danish_language"),
    ("network", "network_friends"),
)
# Assens' measures (seed 002, tables 4-7): four yes/no questions and the child-protection level.
ASSENS_MEASURES: tuple[tuple[str, str], ...] = (
    ("job_education", "adult"), ("association", "all"), ("danish_network", "all"),
    ("school_problems", "child"), ("child_protection", "child"),
)
SCALES: tuple[str, ...] = ("yes_no", "graded")
# The child-protection level, ordered from no concern to placement, in the steps seed 002 names
# (bekymring, a § 50-undersøgelse, foranstaltninger such as familierådgivning or a støtte- og
# kontaktperson, "fjernelse af børn fra hjemmet"). Level n is the n-th code (1-based).
CHILD_PROTECTION_LEVELS: tuple[str, ...] = ("no_concern", "concern", "investigation", "measure_at_home",
                                            "placed_out_of_home")
# The old yes/no question was "has a child-protection measure": true from level 4 on.
CHILD_PROTECTION_YES_FROM = 4
GRADED_MEASURES: dict[str, tuple[tuple[str, ...], int]] = {
    "child_protection": (CHILD_PROTECTION_LEVELS, CHILD_PROTECTION_YES_FROM)}
COMPARISONS: tuple[str, ...] = ("latest", "end")
TEAM_RUN_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")
ACTIVE_TEAM_RUN = "status IN ('queued', 'running')"


class FamilyPlan(SQLModel, table=True):
    """One plan per household ("Familiens Plan"): the family's dreams tie every effort to them."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id", unique=True)
    dreams: str = Field(default="", max_length=4000)  # in the family's own words
    dreams_shared: bool = False  # shown to the volunteers on the team
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FamilyGoal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="familyplan.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="householdmember.id", index=True)  # None: whole family
    life_area: str = Field(max_length=30)
    competence_id: int | None = Field(default=None, foreign_key="competence.id")  # what the team needs for it
    title: str = Field(max_length=300)
    worries: str = Field(default="", max_length=2000)  # what we are worried about
    works: str = Field(default="", max_length=2000)  # what works well
    next_steps: str = Field(default="", max_length=2000)  # what needs to happen
    status: str = Field(default="open", max_length=10)
    shared_with_team: bool = False
    family_may_read: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class FamilyAgreement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="familyplan.id", index=True)
    goal_id: int | None = Field(default=None, foreign_key="familygoal.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="planmeeting.id", index=True)
    text: str = Field(max_length=1000)
    owner_kind: str = Field(max_length=15)
    owner_member_id: int | None = Field(default=None, foreign_key="householdmember.id")
    owner_volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id", index=True)
    owner_professional_id: int | None = Field(default=None, foreign_key="professional.id", index=True)
    due_on: date | None = None
    status: str = Field(default="open", max_length=10)
    done_on: date | None = None
    done_by_id: int | None = Field(default=None, foreign_key="user.id")
    shared_with_team: bool = True
    family_may_read: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class PlanMeeting(SQLModel, table=True):
    """A family or network meeting: who took part, what was agreed."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="familyplan.id", index=True)
    held_on: date
    kind: str = Field(default="family", max_length=10)
    participants: str = Field(default="", max_length=2000)
    agreed: str = Field(default="", max_length=4000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)


class PlanChange(SQLModel, table=True):
    """The plan's history: one row per change, tied to the meeting where it was decided (if any)."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    plan_id: int = Field(foreign_key="familyplan.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="planmeeting.id", index=True)
    what: str = Field(max_length=30)  # dreams | goal_added | goal_status | agreement_added | agreement_status
    summary: str = Field(default="", max_length=1000)  # the goal's or agreement's words, for the history
    value: str = Field(default="", max_length=30)  # a status code where the change set one
    by_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow, index=True)


class Competence(SQLModel, table=True):
    """A competence the admin keeps in the organisation's list (a code for the built-in ones)."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str | None = Field(default=None, max_length=30)  # built-in ones: shown by their label
    name: str = Field(max_length=100)
    life_area: str | None = Field(default=None, max_length=30)  # goals in this area need it
    active: bool = True


class Professional(SQLModel, table=True):
    """A professional of one of the organisation's units who can be on families' teams."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    competence_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    capacity: int = Field(default=5, ge=0, le=200)  # how many families at once
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1)


class VolunteerCompetence(SQLModel, table=True):
    """What a volunteer brings to a family's team, and how many families they can be on."""

    id: int | None = Field(default=None, primary_key=True)
    volunteer_id: int = Field(foreign_key="volunteer.id", unique=True)
    competence_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    family_capacity: int = Field(default=1, ge=0, le=10)


class FamilyTeam(SQLModel, table=True):
    """The team around one family; the last proposal is kept to be approved or changed."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id", unique=True)
    proposal: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    approved_at: datetime | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    version: int = Field(default=1)


class TeamMember(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team_id", "volunteer_id"), UniqueConstraint("team_id", "professional_id"))

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    team_id: int = Field(foreign_key="familyteam.id", index=True)
    volunteer_id: int | None = Field(default=None, foreign_key="volunteer.id", index=True)
    professional_id: int | None = Field(default=None, foreign_key="professional.id", index=True)
    primary: bool = False
    role: str = Field(default="", max_length=200)  # e.g. "lektiehjælp", "sagsbehandler"
    added_on: date


class Measure(SQLModel, table=True):
    """A progress question about one person (Assens' or the programme's own): yes/no, or graded
    with ordered levels (``levels``: codes of the built-in ones, the admin's words otherwise)."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str | None = Field(default=None, max_length=30)  # Assens' built-in ones
    name: str = Field(max_length=200)
    applies_to: str = Field(default="all", max_length=10)  # adult | child | all
    scale: str = Field(default="yes_no", max_length=10)  # yes_no | graded
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # A graded answer also answers the yes/no question from this level on (older yes/no answers
    # stay comparable); None: a graded measure without a yes/no reading.
    yes_from: int | None = None

    @property
    def graded(self) -> bool:
        return self.scale == "graded"


class ProgramMeasure(SQLModel, table=True):
    """Which measures a programme uses (the admin chooses)."""

    __table_args__ = (UniqueConstraint("program_id", "measure_id"),)

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)


class ProgressRecord(SQLModel, table=True):
    """One person's answer to one measure at entry, at a plan meeting or at the end."""

    __table_args__ = (UniqueConstraint("member_id", "measure_id", "moment", "recorded_on"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    member_id: int = Field(foreign_key="householdmember.id", index=True)
    measure_id: int = Field(foreign_key="measure.id", index=True)
    moment: str = Field(max_length=10)
    meeting_id: int | None = Field(default=None, foreign_key="planmeeting.id")
    recorded_on: date
    value: bool  # graded: level >= the measure's yes_from
    level: int | None = None  # graded measures: 1..len(levels); None for a yes/no answer
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")


class FamilyFigure(SQLModel, table=True):
    """The dashboard's family section, stored (decision 0021): per organisation, programme (None:
    all) and measure, entry vs latest or vs end for the same persons. Counts are kept only for
    5 persons or more, so the table never holds a figure the page may not show."""

    __table_args__ = (Index("ix_familyfigure_org_program", "organisation_id", "program_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    program_id: int | None = Field(default=None, foreign_key="program.id")
    measure_id: int = Field(foreign_key="measure.id", index=True)
    comparison: str = Field(max_length=10)  # latest | end
    persons: int = 0  # answered at both moments (yes/no reading)
    at_entry: int | None = None  # yes at entry; None: fewer than 5 persons
    later: int | None = None
    graded_persons: int = 0  # graded answers at both moments
    entry_levels: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # per level
    later_levels: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow)


class FamilyFiguresState(SQLModel, table=True):
    """When an organisation's family figures were computed and whether a change waits for them."""

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    computed_at: datetime | None = None
    stale_since: datetime | None = None  # a write changed what they count; a refresh is queued
    version: int = 0  # raised by every write that changes them; a refresh clears only what it saw


class FamilyTeamRun(SQLModel, table=True):
    """A team proposal on the queue: for one family or every family waiting for a team.

    At most one run per family (``scope_key`` "household:<id>") or per organisation's list
    ("waiting") is queued or running: a partial unique index decides between two coordinators.
    """

    __table_args__ = (Index("uq_familyteamrun_active", "organisation_id", "scope_key", unique=True,
                            sqlite_where=text(ACTIVE_TEAM_RUN), postgresql_where=text(ACTIVE_TEAM_RUN)),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)  # None: the list
    scope_key: str = Field(max_length=40)
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="queued", max_length=10)
    phase: str = Field(default="queued", max_length=20)  # queued | loading | solving | storing | done | failed
    families_total: int = 0
    families_done: int = 0
    proposed: int = 0
    gap: float | None = None
    optimal: bool | None = None
    seconds: float | None = None
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    attempts: int = 0
    claimed_by: str = Field(default="", max_length=200)
    lease_until: datetime | None = None
    started_at: datetime = Field(default_factory=utcnow)
    running_since: datetime | None = None
    finished_at: datetime | None = None
