"""Team proposals as runs on the queue: for one family or every family waiting for a team.

Like a match run (decision 0009): the page only records a queued ``FamilyTeamRun`` and puts
its id on the queue; a worker claims it with one conditional UPDATE, holds a lease that a
heartbeat renews, writes its phase and the families stored so far, and ends it ``done`` (with
the gap and what was proposed) or ``failed`` (with the reason). One family, or one
organisation's waiting list, has at most one run queued or running: the household's (or the
organisation's) row is locked first and a partial unique index backs it up across machines, so
two coordinators asking at once start one run and the second is shown the running one.
"""

from __future__ import annotations

import logging
import secrets
import socket
import time
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.clock import utcnow
from models.errors import N_, Conflict, DomainError, NotFound
from models.families.tables import FamilyTeamRun
from models.jobs.leases import heartbeat
from models.mentees import Household
from models.organisations import Organisation
from models.writes import begin_write, lock

log = logging.getLogger("makker.families")

LEASE_SECONDS = 60
MAX_ATTEMPTS = 3
REQUEUE_AFTER = timedelta(minutes=10)
TIME_LIMIT_S = {"household": 5.0, "waiting": 8.0}  # the solver's limit; the list is the benchmark's case
WAITING = "waiting"
# Stored in FamilyTeamRun.error; msgids, so the page shows them in the reader's language.
RUN_FAILED = N_("The team proposal could not be made. Try again; if it keeps failing, tell whoever runs Makker.")
WORKER_STOPPED = N_("The background worker stopped in the middle of the proposal several times. Try again.")
NO_FAMILY = N_("The family no longer exists.")
NOTHING_WAITING = N_("No family is waiting for a team.")
TEAM_RUN_ERRORS: frozenset[str] = frozenset({RUN_FAILED, WORKER_STOPPED, NO_FAMILY, NOTHING_WAITING})


class TeamRunActive(Conflict):
    """A proposal for the same family (or list) is queued or running; ``run_id`` names it."""

    def __init__(self, run_id: int | None) -> None:
        super().__init__(N_("A team proposal is already being made for this family."))
        self.run_id = run_id


def scope_key(household_id: int | None) -> str:
    return f"household:{household_id}" if household_id is not None else WAITING


def active_team_run(session: Session, organisation_id: int, household_id: int | None) -> FamilyTeamRun | None:
    return session.exec(select(FamilyTeamRun).where(FamilyTeamRun.organisation_id == organisation_id,
                                                    FamilyTeamRun.scope_key == scope_key(household_id),
                                                    FamilyTeamRun.status.in_(("queued", "running")))
                        .execution_options(populate_existing=True)).first()


def latest_team_run(session: Session, organisation_id: int, household_id: int | None) -> FamilyTeamRun | None:
    return session.exec(select(FamilyTeamRun).where(FamilyTeamRun.organisation_id == organisation_id,
                                                    FamilyTeamRun.scope_key == scope_key(household_id))
                        .order_by(FamilyTeamRun.id.desc())).first()


def queue_team_run(session: Session, by, household_id: int | None, now: datetime | None = None) -> FamilyTeamRun:  # noqa: ANN001
    """Record a queued run (committed) for one family, or for every family waiting for a team
    (``household_id`` None); raises ``TeamRunActive`` when one is going. The caller enqueues it."""
    from models.families.teams import households_without_team

    now = now or utcnow()
    begin_write(session)
    # The row that stands for what is proposed, locked first: two coordinators are decided here.
    if household_id is not None:
        household = lock(session, Household, household_id, missing=NO_FAMILY)
        if household.organisation_id != by.organisation_id or household.anonymised_at is not None:
            session.rollback()
            raise NotFound(NO_FAMILY)
        total = 1
    else:
        lock(session, Organisation, by.organisation_id)
        total = len(households_without_team(session, by.organisation_id))
        if not total:
            session.rollback()
            raise DomainError(NOTHING_WAITING)
    existing = active_team_run(session, by.organisation_id, household_id)
    if existing is not None:
        session.rollback()
        raise TeamRunActive(existing.id)
    run = FamilyTeamRun(organisation_id=by.organisation_id, household_id=household_id,
                        scope_key=scope_key(household_id), started_by_id=by.id, started_at=now,
                        families_total=total)
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise TeamRunActive(getattr(active_team_run(session, by.organisation_id, household_id), "id", None)) from None
    return run


def _claim(session: Session, run_id: int, token: str, now: datetime) -> bool:
    begin_write(session)
    result = session.execute(
        update(FamilyTeamRun)
        .where(FamilyTeamRun.id == run_id, or_(FamilyTeamRun.status == "queued",
                                               (FamilyTeamRun.status == "running") & (FamilyTeamRun.lease_until < now)))
        .values(status="running", phase="loading", claimed_by=token, attempts=FamilyTeamRun.attempts + 1,
                running_since=now, lease_until=now + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def _update(engine: Engine, run_id: int, token: str, **values: object) -> bool:
    """Change the run if this worker still holds it (renews the lease); False when it does not."""
    values.setdefault("lease_until", utcnow() + timedelta(seconds=LEASE_SECONDS))
    with Session(engine) as session:
        begin_write(session)
        result = session.execute(update(FamilyTeamRun).where(FamilyTeamRun.id == run_id,
                                                             FamilyTeamRun.claimed_by == token,
                                                             FamilyTeamRun.status == "running")
                                 .values(**values).execution_options(synchronize_session=False))
        session.commit()
        return result.rowcount == 1


def execute_team_run(engine: Engine, run_id: int, today: date, worker: str | None = None) -> dict | None:
    """Claim and do one run; None when there is nothing to claim (done, or another worker has it)."""
    from models.families.teams import households_without_team, propose_teams
    from models.users import User

    token = f"{worker or socket.gethostname()}:{secrets.token_hex(4)}"[:200]
    with Session(engine) as session:
        if not _claim(session, run_id, token, utcnow()):
            return None
    try:
        with heartbeat(lambda: _update(engine, run_id, token), every=LEASE_SECONDS / 3) as beat:
            with Session(engine, expire_on_commit=False) as session:
                run = session.get(FamilyTeamRun, run_id)
                user = session.get(User, run.started_by_id) if run.started_by_id else None
                if user is None or user.organisation_id != run.organisation_id:
                    return _fail(engine, run_id, token, NO_FAMILY)
                ids = [run.household_id] if run.household_id is not None else \
                    households_without_team(session, run.organisation_id)
                if not ids:
                    return _fail(engine, run_id, token, NOTHING_WAITING)
                _update(engine, run_id, token, families_total=len(ids))
                kind = "household" if run.household_id is not None else WAITING
                started = time.perf_counter()
                try:
                    result = propose_teams(session, user, ids, today, time_limit_s=TIME_LIMIT_S[kind],
                                           on_progress=lambda phase, done: _update(engine, run_id, token, phase=phase,
                                                                                   families_done=done))
                except NotFound:
                    return _fail(engine, run_id, token, NO_FAMILY)
            if beat.lost:
                return None
            report = {"families": result.families, "actors": result.actors, "proposed": result.proposed,
                      "optimal": result.optimal, "gap": round(result.gap, 4), "status": result.status,
                      "seconds": round(time.perf_counter() - started, 2)}
            _update(engine, run_id, token, status="done", phase="done", families_done=result.families,
                    proposed=result.proposed, gap=round(result.gap, 4), optimal=result.optimal,
                    seconds=report["seconds"], result=report, finished_at=utcnow(), lease_until=None)
            return report
    except Exception:
        log.exception("team run %s failed", run_id)
        _fail(engine, run_id, token, RUN_FAILED)
        raise


def _fail(engine: Engine, run_id: int, token: str, error: str) -> None:
    _update(engine, run_id, token, status="failed", phase="failed", error=error, finished_at=utcnow(),
            lease_until=None)


def recover_stale_team_runs(session: Session, now: datetime) -> dict:
    """Runs left by a stopped worker are queued again (or failed after the last attempt); runs
    queued long ago and never taken are sent again. The caller enqueues ``to_enqueue``."""
    report: dict = {"restarted": [], "failed": [], "to_enqueue": []}
    begin_write(session)
    stale = session.exec(select(FamilyTeamRun.id, FamilyTeamRun.attempts).where(
        FamilyTeamRun.status == "running", FamilyTeamRun.lease_until < now)).all()
    for run_id, attempts in stale:
        expired = (FamilyTeamRun.id == run_id) & (FamilyTeamRun.status == "running") & (FamilyTeamRun.lease_until < now)
        values = {"status": "queued", "phase": "queued", "claimed_by": "", "lease_until": None} \
            if attempts < MAX_ATTEMPTS else {"status": "failed", "phase": "failed", "claimed_by": "",
                                             "lease_until": None, "finished_at": now, "error": WORKER_STOPPED}
        result = session.execute(update(FamilyTeamRun).where(expired).values(**values)
                                 .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            report["restarted" if values["status"] == "queued" else "failed"].append(run_id)
    lost = list(session.exec(select(FamilyTeamRun.id).where(FamilyTeamRun.status == "queued",
                                                            FamilyTeamRun.started_at < now - REQUEUE_AFTER)))
    session.commit()
    report["to_enqueue"] = report["restarted"] + [i for i in lost if i not in report["restarted"]]
    return report
