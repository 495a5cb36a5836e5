"""The life of a match: introduced -> active <-> paused -> closed, each change recorded.

The volunteer's and the request's pool status follow the match here, in one place, so that
every path (approval, introduction, closure, erasure) keeps them consistent.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from models.clock import utcnow
from models.consent import consent_withdrawn, consents_of
from models.errors import N_, DomainError
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Exclusion, Match, MatchEvent
from models.mentees import Request
from models.organisations import Program
from models.volunteers import Volunteer

# Which status may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "introduced": ("active", "closed"),
    "active": ("paused", "closed"),
    "paused": ("active", "closed"),
    "closed": (),
}


def open_match_count(session: Session, volunteer_id: int) -> int:
    stmt = select(func.count()).select_from(Match).where(
        Match.volunteer_id == volunteer_id, Match.status.in_(OPEN_MATCH_STATUSES)
    )
    return int(session.exec(stmt).one())


def capacity_left(session: Session, volunteer: Volunteer, program_id: int | None = None) -> int:
    """Free places in one programme (its membership's capacity minus open matches there), or,
    without a programme, the free places over every programme the volunteer is active in."""
    from models.members.queries import capacity_in, program_ids_of

    if program_id is not None:
        return capacity_in(session, volunteer.id, program_id)
    return sum(capacity_in(session, volunteer.id, p) for p in program_ids_of(session, volunteer.id, ("active",)))


def change_status(
    session: Session,
    match: Match,
    to_status: str,
    *,
    by_id: int | None,
    on: date,
    reason: str = "",
) -> MatchEvent:
    """Move a match to ``to_status`` and record who, when and why (no commit)."""
    if to_status not in TRANSITIONS.get(match.status, ()):
        raise DomainError(
            N_("A match that is %(from_status)s cannot become %(to_status)s."),
            from_status=match.status,
            to_status=to_status,
        )
    # from_version is unique per match: two changes decided on the same state cannot both land.
    event = MatchEvent(match_id=match.id, from_status=match.status, to_status=to_status, on=on, by_id=by_id,
                       reason=reason, at=utcnow(), from_version=match.version)
    match.status = to_status
    match.version += 1
    if to_status == "active" and match.started_on is None:
        match.started_on = on
    if to_status == "closed":
        match.closed_on = on
    session.add(match)
    session.add(event)
    return event


ONE_YEAR_DAYS = 365


def schedule_checkins(session: Session, match: Match, program: Program, start: date) -> list[CheckIn]:
    """Create the program's check-in plan from ``start`` (no commit); skips dates already planned.

    Where the program measures the outcome one year after the start, that day's check-in is the
    one-year measure (it asks the outcome questions too), so the coordinator talks to them once.
    """
    existing = list(session.exec(select(CheckIn).where(CheckIn.match_id == match.id)))
    planned = {c.due_on for c in existing}
    created = []
    one_year = start + timedelta(days=ONE_YEAR_DAYS)
    if program.measures_one_year and not any(c.kind == "one_year" for c in existing) and one_year not in planned:
        checkin = CheckIn(match_id=match.id, due_on=one_year, kind="one_year")
        session.add(checkin)
        created.append(checkin)
        planned.add(one_year)
    for days in sorted(set(program.checkin_plan_days or [])):
        due = start + timedelta(days=int(days))
        if due in planned:
            continue
        checkin = CheckIn(match_id=match.id, due_on=due, kind="scheduled")
        session.add(checkin)
        created.append(checkin)
    return created


def mentee_consent_withdrawn(session: Session, request: Request) -> bool:
    """Whether the youth's or family's consent has been withdrawn (and not given again)."""
    subject_type, subject_id = ("youth", request.youth_id) if request.youth_id else ("household", request.household_id)
    return consent_withdrawn(consents_of(session, request.organisation_id, subject_type, subject_id))


def return_request_to_pool(session: Session, request: Request, on: date) -> None:
    """Back on the waiting list, waiting from ``on``; not if consent was withdrawn meanwhile."""
    if mentee_consent_withdrawn(session, request):
        request.status, request.pool_since = "consent_withdrawn", None
        request.version += 1
        session.add(request)
        return
    request.status = "waiting"
    request.pool_since = on
    request.version += 1
    session.add(request)


def take_request_from_pool(session: Session, request: Request) -> None:
    request.status = "matched"
    request.pool_since = None
    request.version += 1
    session.add(request)


def return_volunteer_to_pool(session: Session, volunteer: Volunteer, on: date) -> None:
    """The volunteer waits again (their waiting time starts over from ``on``)."""
    if volunteer.status == "approved":
        volunteer.pool_since = on
        volunteer.version += 1
        session.add(volunteer)


def update_volunteer_pool_state(session: Session, volunteer: Volunteer, on: date) -> None:
    """In the pool while capacity is left; out of it when full."""
    if volunteer.status != "approved":
        return
    if capacity_left(session, volunteer) > 0:
        if volunteer.pool_since is None:
            volunteer.pool_since = on
    else:
        volunteer.pool_since = None
    volunteer.version += 1
    session.add(volunteer)


def exclude_pair(session: Session, organisation_id: int, request_id: int, volunteer_id: int, reason: str,
                 by_id: int | None) -> Exclusion | None:
    """Never propose this pair again (no commit); an existing exclusion stays as it is.

    Callers hold the locks of the volunteer and the request, so the check cannot race.
    """
    exists = session.exec(select(Exclusion).where(Exclusion.request_id == request_id,
                                                  Exclusion.volunteer_id == volunteer_id)).first()
    if exists is not None:
        return None
    exclusion = Exclusion(organisation_id=organisation_id, request_id=request_id, volunteer_id=volunteer_id,
                          reason=reason[:2000], created_by_id=by_id)
    session.add(exclusion)
    return exclusion


def cancel_planned_checkins(session: Session, match: Match, keep: tuple[str, ...] = ()) -> int:
    """A match that closes is not followed up by the plan any more: its undone check-ins go
    (no commit), except those of the kinds in ``keep`` (e.g. the one-year measure of a match
    that started)."""
    stmt = select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.done_on.is_(None))
    if keep:
        stmt = stmt.where(CheckIn.kind.not_in(keep))
    planned = list(session.exec(stmt))
    for checkin in planned:
        session.delete(checkin)
    return len(planned)
