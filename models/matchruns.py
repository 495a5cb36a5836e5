"""Match runs and the proposals they store.

A run is background work on the task queue. Its state lives here, in the database, so every
web instance shows it and every worker agrees on it:

- ``queued`` → ``running`` → ``done`` | ``failed``. At most one run per program is queued or
  running at any time: a partial unique index guarantees it across machines.
- A worker *claims* a queued run with one conditional UPDATE and holds a lease on it that it
  renews while it works (``renew_lease``). A run whose lease ran out belongs to a worker that
  died: ``recover_stale_runs`` starts it again (up to ``MAX_RUN_ATTEMPTS`` attempts) or marks it
  failed, so a run is never shown as running for an hour. Delivering the same task twice is
  harmless: the second claim finds nothing to claim.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import JSON, Column, Index, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, or_, select

from models.clock import utcnow
from models.db import begin_write
from models.errors import N_, Conflict
from models.organisations import Program

PROPOSAL_STATUSES: tuple[str, ...] = ("proposed", "approved", "rejected", "superseded")
RUN_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")
# What a run is doing, shown on its page: queued/restarted → loading → scoring → storing → done/failed.
RUN_PROGRESS: tuple[str, ...] = ("queued", "restarted", "loading", "scoring", "storing", "done", "failed")
ACTIVE_RUN_STATUSES: tuple[str, ...] = ("queued", "running")
RUN_LEASE_SECONDS = 60  # a worker renews its lease every third of this while it works
MAX_RUN_ATTEMPTS = 3  # the first try and two restarts after a worker stopped
REQUEUE_AFTER_SECONDS = 600  # a run queued this long without a worker taking it is queued again

# Stored in MatchRun.error; msgids, so the page shows them in the user's language.
WORKER_STOPPED = N_("The background worker stopped in the middle of the run several times. "
                    "Try again; if it keeps stopping, tell whoever runs Makker.")
RUN_ERROR_MSGIDS: frozenset[str] = frozenset({WORKER_STOPPED})
_ACTIVE = "status IN ('queued', 'running')"


class MatchRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(default="queued", max_length=20)  # queued | running | done | failed
    progress: str = Field(default="", max_length=200)  # shown while it runs
    parameters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    stats: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    # The worker's claim: who holds the run, until when, and how many times it was started.
    attempts: int = Field(default=0)
    claimed_by: str = Field(default="", max_length=200)
    lease_until: datetime | None = None
    enqueued_at: datetime | None = None

    __table_args__ = (
        Index("uq_matchrun_active_program", "program_id", unique=True,
              sqlite_where=text(_ACTIVE), postgresql_where=text(_ACTIVE)),
    )


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


class RunAlreadyActive(Conflict):
    """The program has a queued or running run already; ``run_id`` names it."""

    def __init__(self, run_id: int | None) -> None:
        super().__init__(N_("A matching is already running for this program."))
        self.run_id = run_id


def active_run(session: Session, program_id: int) -> MatchRun | None:
    return session.exec(select(MatchRun).where(MatchRun.program_id == program_id,
                                               MatchRun.status.in_(ACTIVE_RUN_STATUSES))).first()


def queue_run(session: Session, program: Program, by_user_id: int | None, parameters: dict | None = None,
              now: datetime | None = None) -> MatchRun:
    """Record a new queued run of ``program`` (committed), or raise RunAlreadyActive.

    The caller puts the run on the task queue afterwards; the unique index decides between two
    coordinators (or machines) who start the same program at the same moment.
    """
    now = now or utcnow()
    begin_write(session)
    existing = active_run(session, program.id)
    if existing is not None:
        session.rollback()
        raise RunAlreadyActive(existing.id)
    run = MatchRun(organisation_id=program.organisation_id, program_id=program.id,
                   started_by_id=by_user_id, started_at=now, status="queued", progress="queued",
                   parameters=parameters or {}, enqueued_at=now)
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise RunAlreadyActive(getattr(active_run(session, program.id), "id", None)) from None
    return run


def new_claim_token(worker: str) -> str:
    """A name for one attempt of one worker: renewing or storing checks it is still the holder."""
    return f"{worker}:{secrets.token_hex(4)}"[:200]


def claim_run(session: Session, run_id: int, token: str, now: datetime,
              lease_seconds: int = RUN_LEASE_SECONDS) -> bool:
    """Take a queued run (or one whose lease ran out) for this worker; False when someone has it."""
    begin_write(session)
    result = session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, or_(MatchRun.status == "queued",
                                          (MatchRun.status == "running") & (MatchRun.lease_until < now)))
        .values(status="running", progress="loading", claimed_by=token, attempts=MatchRun.attempts + 1,
                lease_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def renew_lease(session: Session, run_id: int, token: str, now: datetime, progress: str | None = None,
                lease_seconds: int = RUN_LEASE_SECONDS, stats: dict | None = None) -> bool:
    """Extend the holder's lease (and show its progress); False when the run is no longer ours."""
    values: dict = {"lease_until": now + timedelta(seconds=lease_seconds)}
    if progress is not None:
        values["progress"] = progress
    if stats is not None:
        values["stats"] = stats
    begin_write(session)
    result = session.execute(
        update(MatchRun).where(MatchRun.id == run_id, MatchRun.claimed_by == token, MatchRun.status == "running")
        .values(**values).execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def lock_claimed_run(session: Session, run_id: int, token: str) -> MatchRun | None:
    """In the storing transaction: the run, locked, if this worker still holds it."""
    begin_write(session)
    run = session.exec(select(MatchRun).where(MatchRun.id == run_id).with_for_update()).first()
    if run is None or run.status != "running" or run.claimed_by != token:
        return None
    return run


@dataclass
class RecoveryReport:
    restarted: list[int] = field(default_factory=list)  # a worker stopped: queued again
    failed: list[int] = field(default_factory=list)  # stopped too often: failed, "try again"
    requeued: list[int] = field(default_factory=list)  # queued long ago and never taken

    @property
    def to_enqueue(self) -> list[int]:
        return self.restarted + self.requeued


def recover_stale_runs(session: Session, now: datetime, max_attempts: int = MAX_RUN_ATTEMPTS,
                       requeue_after_seconds: int = REQUEUE_AFTER_SECONDS) -> RecoveryReport:
    """Runs left behind by a stopped worker are started again or failed; lost queued ones re-sent.

    Safe to run on several machines at once: every change is conditional on the state read,
    so a run is restarted once. The caller enqueues ``report.to_enqueue`` afterwards.
    """
    report = RecoveryReport()
    begin_write(session)
    stale = session.exec(select(MatchRun.id, MatchRun.attempts).where(
        MatchRun.status == "running", MatchRun.lease_until < now)).all()
    for run_id, attempts in stale:
        expired = (MatchRun.id == run_id) & (MatchRun.status == "running") & (MatchRun.lease_until < now)
        if attempts < max_attempts:
            values = {"status": "queued", "progress": "restarted", "claimed_by": "", "lease_until": None,
                      "enqueued_at": now}
            target = report.restarted
        else:
            values = {"status": "failed", "progress": "failed", "claimed_by": "", "lease_until": None,
                      "finished_at": now, "error": WORKER_STOPPED}
            target = report.failed
        result = session.execute(update(MatchRun).where(expired).values(**values)
                                 .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            target.append(run_id)
    lost = (MatchRun.status == "queued") & or_(MatchRun.enqueued_at.is_(None),
                                                MatchRun.enqueued_at < now - timedelta(seconds=requeue_after_seconds))
    for run_id in session.exec(select(MatchRun.id).where(lost)).all():
        result = session.execute(update(MatchRun).where(lost & (MatchRun.id == run_id)).values(enqueued_at=now)
                                 .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            report.requeued.append(run_id)
    session.commit()
    return report


@dataclass
class OrganisationRuns:
    queued: list[MatchRun] = field(default_factory=list)
    already_active: list[MatchRun] = field(default_factory=list)  # left as they are


def queue_organisation_runs(session: Session, organisation_id: int, by_user_id: int | None,
                            parameters: dict | None = None, now: datetime | None = None) -> OrganisationRuns:
    """A run for every active program of the organisation; programs with a run going keep it."""
    outcome = OrganisationRuns()
    programs = list(session.exec(select(Program).where(Program.organisation_id == organisation_id, Program.active)
                                 .order_by(Program.name)))
    for program in programs:
        try:
            outcome.queued.append(queue_run(session, program, by_user_id, parameters, now))
        except RunAlreadyActive as busy:
            run = session.get(MatchRun, busy.run_id) if busy.run_id is not None else None
            if run is not None:
                outcome.already_active.append(run)
    return outcome


def release_interrupted_run(session: Session, run_id: int, worker: str, now: datetime) -> bool:
    """A worker being stopped hands its run back at once (queued again) instead of letting the
    lease run out; False when the run is no longer this worker's."""
    begin_write(session)
    result = session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.status == "running", MatchRun.claimed_by.startswith(f"{worker}:"))
        .values(status="queued", progress="restarted", claimed_by="", lease_until=None, enqueued_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


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
