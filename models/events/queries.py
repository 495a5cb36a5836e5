"""Reading events: who is invited, what a volunteer sees, the coordinator's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, false, func, or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from models.events.tables import Event, EventProgram, EventSignup
from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.queries import in_program
from models.members.tables import OPEN_MEMBERSHIP, Membership
from models.organisations import Program
from models.volunteers import Volunteer

ACTIVE_SIGNUPS = ("signed_up", "waiting")


def _open_match():  # noqa: ANN202 - a SQL condition
    return exists().where(Match.volunteer_id == Volunteer.id, Match.status.in_(OPEN_MATCH_STATUSES))


def audience_codes(audience: str) -> list[str]:
    """An event's audiences: "waiting,new" -> ["waiting", "new"]."""
    return [code for code in (audience or "").split(",") if code]


def audience_condition(audience: str):  # noqa: ANN201 - a SQL condition on Volunteer
    """Which volunteers an audience (or several, comma-separated) means, as a condition on
    ``Volunteer`` (never anonymised ones)."""
    codes = audience_codes(audience)
    if len(codes) > 1:
        return or_(*(_one_audience(code) for code in codes))
    return _one_audience(codes[0] if codes else "")


def _one_audience(audience: str):  # noqa: ANN202
    alive = Volunteer.anonymised_at.is_(None)
    if audience == "waiting":
        return and_(alive, Volunteer.status == "approved", ~_open_match())
    if audience == "active":
        return and_(alive, Volunteer.status == "approved", _open_match())
    if audience == "new":
        return and_(alive, Volunteer.status.in_(("applicant", "screening")))
    if audience == "all":
        return and_(alive, Volunteer.status.in_(("applicant", "screening", "approved")))
    return false()


def event_program_ids(session: Session, event_id: int) -> list[int]:
    return list(session.exec(select(EventProgram.program_id).where(EventProgram.event_id == event_id)
                             .order_by(EventProgram.program_id)))


def invited_volunteers(event: Event, program_ids: list[int]) -> SelectOfScalar[Volunteer]:
    """The volunteers the event is for: its audience within its programmes."""
    return (select(Volunteer).where(Volunteer.organisation_id == event.organisation_id,
                                    in_program(program_ids), audience_condition(event.audience))
            .order_by(Volunteer.id))


def is_invited(session: Session, event: Event, volunteer: Volunteer) -> bool:
    stmt = invited_volunteers(event, event_program_ids(session, event.id)).where(Volunteer.id == volunteer.id)
    return session.exec(stmt).first() is not None


def signup_of(session: Session, event_id: int, volunteer_id: int) -> EventSignup | None:
    return session.exec(select(EventSignup).where(EventSignup.event_id == event_id,
                                                  EventSignup.volunteer_id == volunteer_id)).first()


def taken_places(session: Session, event_id: int) -> int:
    return session.exec(select(func.count()).select_from(EventSignup)
                        .where(EventSignup.event_id == event_id, EventSignup.status == "signed_up")).one()


def waiting_list(session: Session, event_id: int) -> list[EventSignup]:
    return list(session.exec(select(EventSignup).where(EventSignup.event_id == event_id,
                                                       EventSignup.status == "waiting")
                             .order_by(EventSignup.queued_at, EventSignup.id)))


@dataclass
class VolunteerEvent:
    """An event as one volunteer sees it: their own state, places left, their place in line."""

    event: Event
    status: str | None  # signed_up, waiting, cancelled or None (not signed up)
    places_left: int | None
    position: int | None  # on the waiting list, 1 = next


def upcoming_for_volunteer(session: Session, volunteer: Volunteer, now: datetime, limit: int = 20) -> list[VolunteerEvent]:
    """Coming events the volunteer is invited to or signed up for, soonest first."""
    mine = select(EventSignup.event_id).where(EventSignup.volunteer_id == volunteer.id,
                                              EventSignup.status.in_(ACTIVE_SIGNUPS))
    invited = select(EventProgram.event_id).where(EventProgram.program_id.in_(
        select(Membership.program_id).where(Membership.volunteer_id == volunteer.id,
                                            Membership.status.in_(OPEN_MEMBERSHIP))))
    events = list(session.exec(
        select(Event).where(Event.organisation_id == volunteer.organisation_id, Event.cancelled_at.is_(None),
                            Event.ends_at >= now, or_(Event.id.in_(mine), Event.id.in_(invited)))
        .order_by(Event.starts_at, Event.id).limit(limit * 2)))
    result = []
    for event in events:
        signup = signup_of(session, event.id, volunteer.id)
        status = signup.status if signup else None
        if status not in ACTIVE_SIGNUPS and not is_invited(session, event, volunteer):
            continue
        left = None if event.capacity is None else max(event.capacity - taken_places(session, event.id), 0)
        position = None
        if status == "waiting":
            position = [s.id for s in waiting_list(session, event.id)].index(signup.id) + 1
        result.append(VolunteerEvent(event, status, left, position))
    return result[:limit]


def volunteer_calendar_events(session: Session, volunteer_id: int, since: datetime) -> list[Event]:
    """The volunteer's own events (signed up or on the waiting list) for their calendar feed."""
    return list(session.exec(
        select(Event).join(EventSignup, EventSignup.event_id == Event.id)
        .where(EventSignup.volunteer_id == volunteer_id, EventSignup.status.in_(ACTIVE_SIGNUPS),
               Event.ends_at >= since)
        .order_by(Event.starts_at, Event.id)))


def filter_events(organisation_id: int, when: str, now: datetime, kind: str = "",
                  program_id: int | None = None, search: str = "") -> SelectOfScalar[Event]:
    """The organisation's events: coming (soonest first) or past (newest first)."""
    stmt = select(Event).where(Event.organisation_id == organisation_id)
    if search.strip():
        pattern = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(or_(func.lower(Event.title).like(f"%{pattern}%", escape="\\"),
                              func.lower(Event.place).like(f"%{pattern}%", escape="\\")))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    if program_id:
        stmt = stmt.where(Event.id.in_(select(EventProgram.event_id).where(EventProgram.program_id == program_id)))
    if when == "past":
        return stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    return stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)


@dataclass
class Attendee:
    signup: EventSignup
    volunteer: Volunteer


def attendees(session: Session, event_id: int) -> list[Attendee]:
    """Signed up first, then the waiting list in order; cancelled last (names in each group)."""
    rows = session.exec(select(EventSignup, Volunteer).join(Volunteer, Volunteer.id == EventSignup.volunteer_id)
                        .where(EventSignup.event_id == event_id)).all()
    order = {"signed_up": 0, "waiting": 1, "cancelled": 2}
    rows = sorted(rows, key=lambda r: (order.get(r[0].status, 3),
                                       r[0].queued_at.timestamp() if r[0].status == "waiting" else 0,
                                       r[1].first_name.lower(), r[1].last_name.lower(), r[0].id))
    return [Attendee(s, v) for s, v in rows]


def counts_by_event(session: Session, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per event: signed up, waiting, attended."""
    result: dict[int, dict[str, int]] = {i: {"signed_up": 0, "waiting": 0, "attended": 0} for i in event_ids}
    if not event_ids:
        return result
    for event_id, status, attended, n in session.exec(
            select(EventSignup.event_id, EventSignup.status, EventSignup.attended, func.count())
            .where(EventSignup.event_id.in_(event_ids))
            .group_by(EventSignup.event_id, EventSignup.status, EventSignup.attended)):
        if status in ("signed_up", "waiting"):
            result[event_id][status] += n
        if attended:
            result[event_id]["attended"] += n
    return result


def program_names(session: Session, event_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {i: [] for i in event_ids}
    if event_ids:
        for event_id, name in session.exec(select(EventProgram.event_id, Program.name)
                                           .join(Program, Program.id == EventProgram.program_id)
                                           .where(EventProgram.event_id.in_(event_ids)).order_by(Program.name)):
            names[event_id].append(name)
    return names


def waiting_without_events(organisation_id: int, today: date, program_id: int | None = None) -> SelectOfScalar:
    """Volunteers waiting for a match longer than their programme's target who have attended no
    event: they drift away (Roskilde), so the coordinator sees them on the at-risk list.

    Rows are (Volunteer, waiting target in days), longest waiting first; one row per person, the
    strictest target of their places counting. Read from the stored drift days
    (models/events/drift.py), so a page asks an index instead of every volunteer's signups.
    """
    from models.events.drift import VolunteerDrift

    stmt = (select(Volunteer, func.min(VolunteerDrift.target_days))
            .join(VolunteerDrift, VolunteerDrift.volunteer_id == Volunteer.id)
            .where(VolunteerDrift.organisation_id == organisation_id, VolunteerDrift.drifts_on <= today))
    if program_id:
        stmt = stmt.where(VolunteerDrift.program_id == program_id)
    return stmt.group_by(Volunteer.id).order_by(Volunteer.pool_since, Volunteer.id)


def count_waiting_without_events(session: Session, organisation_id: int, today: date,
                                 program_id: int | None = None) -> int:
    """How many people ``waiting_without_events`` lists: one indexed count of the stored days."""
    from models.events.drift import VolunteerDrift

    stmt = select(func.count(func.distinct(VolunteerDrift.volunteer_id))).where(
        VolunteerDrift.organisation_id == organisation_id, VolunteerDrift.drifts_on <= today)
    if program_id:
        stmt = stmt.where(VolunteerDrift.program_id == program_id)
    return int(session.exec(stmt).one())


def hours_by_volunteer(session: Session, volunteer_id: int) -> tuple[int, int]:
    """(events attended, minutes given) by one volunteer."""
    row = session.exec(select(func.count(), func.coalesce(func.sum(EventSignup.minutes), 0))
                       .where(EventSignup.volunteer_id == volunteer_id, EventSignup.attended.is_(True))).one()
    return int(row[0]), int(row[1])
