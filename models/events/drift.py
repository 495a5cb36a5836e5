""""Waiting with no event" kept as derived state: the day each waiting volunteer drifts.

Roskilde lost mentors who waited unmatched and were never invited to anything (issue 15): a
volunteer waiting in a programme longer than its target, who has attended no event, belongs on
the coordinator's at-risk list. The inputs are the person (approved, in the pool since a day,
not anonymised), their active places, their open matches, their attendance and each programme's
target. None of them changes with time alone, so the day the wait passes the target is stored
once per volunteer x programme (``drifts_on``) and the pages read "``drifts_on`` <= today" from
an index instead of scanning every volunteer's signups on each view (decision 0015).

The rows follow every change through the ORM: the session hooks below note the volunteers whose
person, places, matches or signups were written in a transaction (and every member of a
programme whose target changed) and bring their rows up to date just before the commit, inside
the same transaction. Bulk statements that bypass the ORM (imports, the demo) and anything missed
are caught by ``refresh_drift`` for a whole organisation, the daily job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from itertools import chain

from sqlalchemy import Index, delete, event, exists, inspect, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, func, select

from models.events.tables import EventSignup
from models.matches import Match
from models.members.tables import Membership
from models.organisations import Program
from models.volunteers import Volunteer

CHUNK = 500  # volunteers per statement: bounded IN lists on SQLite
_CHANGED = "makker_drift_volunteers"
_TARGETS = "makker_drift_programmes"


class VolunteerDrift(SQLModel, table=True):
    """A waiting volunteer's place in one programme, and the first day past its target."""

    __tablename__ = "volunteer_drift"
    __table_args__ = (Index("ix_volunteer_drift_organisation_day", "organisation_id", "drifts_on"),)

    volunteer_id: int = Field(primary_key=True, foreign_key="volunteer.id", ondelete="CASCADE")
    program_id: int = Field(primary_key=True, foreign_key="program.id", ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    pool_since: date
    target_days: int
    drifts_on: date


def _waiting_places():  # noqa: ANN202 - a select of (volunteer, programme, organisation, since, target)
    """The one definition: approved, alive, in the pool, no open match, an active place in the
    programme, and never at an event."""
    from models.events.queries import audience_condition

    attended = exists().where(EventSignup.volunteer_id == Volunteer.id, EventSignup.attended.is_(True))
    return (select(Volunteer.id, Membership.program_id, Volunteer.organisation_id, Volunteer.pool_since,
                   Program.waiting_target_days)
            .join(Membership, (Membership.volunteer_id == Volunteer.id) & (Membership.status == "active"))
            .join(Program, Program.id == Membership.program_id)
            .where(audience_condition("waiting"), Volunteer.pool_since.is_not(None), ~attended))


def _rows(session: Session, condition) -> list[dict]:  # noqa: ANN001
    return [{"volunteer_id": vid, "program_id": pid, "organisation_id": oid, "pool_since": since,
             "target_days": target, "drifts_on": since + timedelta(days=target + 1)}
            for vid, pid, oid, since, target in session.execute(_waiting_places().where(condition))]


def _upsert(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(VolunteerDrift.__table__).values(rows)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["volunteer_id", "program_id"],
        set_={name: stmt.excluded[name] for name in ("organisation_id", "pool_since", "target_days", "drifts_on")}))


def _replace(session: Session, scope, rows: list[dict]) -> None:  # noqa: ANN001
    """Rows in ``scope`` that are not in ``rows`` go; ``rows`` are written (an upsert, so two
    transactions bringing the same volunteer up to date never collide on the key)."""
    keep = [(r["volunteer_id"], r["program_id"]) for r in rows]
    gone = delete(VolunteerDrift).where(scope)
    if keep:
        gone = gone.where(tuple_(VolunteerDrift.volunteer_id, VolunteerDrift.program_id).not_in(keep))
    session.execute(gone)
    _upsert(session, rows)


def refresh_volunteers_drift(session: Session, volunteer_ids: Iterable[int]) -> None:
    """Bring these volunteers' rows up to date (no commit)."""
    ids = sorted({i for i in volunteer_ids if i is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        _replace(session, VolunteerDrift.volunteer_id.in_(chunk), _rows(session, Volunteer.id.in_(chunk)))


def refresh_drift(session: Session, organisation_id: int | None = None) -> int:
    """Recompute every row of one organisation (or of all): the daily safety net, and the fill
    after an import or the migration. Commits; returns the number of rows."""
    ids = select(Volunteer.id)
    if organisation_id is not None:
        ids = ids.where(Volunteer.organisation_id == organisation_id)
    volunteer_ids = list(session.exec(ids))
    if organisation_id is None:
        session.execute(delete(VolunteerDrift).where(VolunteerDrift.volunteer_id.not_in(select(Volunteer.id))))
    refresh_volunteers_drift(session, volunteer_ids)
    total = session.exec(select(func.count()).select_from(VolunteerDrift)).one()
    session.commit()
    return int(total)


def fill_missing_drift(session: Session) -> int:
    """After the migration that made the table: fill it once if it is empty while volunteers
    wait (afterwards the hooks and the daily job keep it)."""
    if session.exec(select(VolunteerDrift.volunteer_id).limit(1)).first() is not None:
        return 0
    if session.exec(select(Volunteer.id).where(Volunteer.pool_since.is_not(None)).limit(1)).first() is None:
        return 0
    return refresh_drift(session)


# --- following the writes ---------------------------------------------------------------------

def _has_table(session: Session) -> bool:
    """A database not yet upgraded to the migration that made the table has nothing to follow."""
    connection = session.connection()
    if "makker_drift_table" not in connection.info:
        connection.info["makker_drift_table"] = inspect(connection).has_table("volunteer_drift")
    return connection.info["makker_drift_table"]


@event.listens_for(OrmSession, "after_flush")
def _note_changes(session: OrmSession, _context) -> None:  # noqa: ANN001
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Volunteer):
            changed.add(obj.id)
        elif isinstance(obj, (Membership, EventSignup, Match)):
            changed.add(obj.volunteer_id)
        elif isinstance(obj, Program) and inspect(obj).attrs.waiting_target_days.history.has_changes():
            session.info.setdefault(_TARGETS, set()).add(obj.id)


@event.listens_for(OrmSession, "before_commit")
def _bring_up_to_date(session: OrmSession) -> None:
    # before_commit comes before the commit's own flush: flush here so its changes are noted too.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.get(_CHANGED) and not session.info.get(_TARGETS):
        return
    changed = session.info.pop(_CHANGED, set())
    programmes = session.info.pop(_TARGETS, set())
    if not _has_table(session):  # type: ignore[arg-type]
        return
    if programmes:
        changed |= set(session.execute(select(Membership.volunteer_id)
                                       .where(Membership.program_id.in_(sorted(programmes)))).scalars())
    refresh_volunteers_drift(session, changed)  # type: ignore[arg-type]


@event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_TARGETS, None)
