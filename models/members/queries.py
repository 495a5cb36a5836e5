"""Who is in which programme. The ONE place that answers "the volunteers of programme P":
everything else filters volunteers with ``in_program`` (a test fails on any other filter by
``Volunteer.program_id``, which only says where the person first signed up)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.tables import OPEN_MEMBERSHIP, Membership
from models.volunteers import Volunteer
from models.writes import lock


def in_program(program: int | Iterable[int], statuses: Iterable[str] = OPEN_MEMBERSHIP) -> ColumnElement[bool]:
    """A condition on ``Volunteer``: a member of the programme (or of any of the programmes)
    with a membership in one of ``statuses`` (by default: not left). A subquery, not an id
    list, so a large organisation stays under SQLite's limit of bound parameters."""
    ids = [program] if isinstance(program, int) else list(program)
    return Volunteer.id.in_(select(Membership.volunteer_id).where(
        Membership.program_id.in_(ids), Membership.status.in_(tuple(statuses))))


def active_in(program_id: int) -> ColumnElement[bool]:
    """Available for matching in the programme: approved as a person and an active member."""
    return in_program(program_id, ("active",)) & (Volunteer.status == "approved")


def memberships_of(session: Session, volunteer_id: int) -> list[Membership]:
    """Every programme the volunteer is or was in, the first joined first."""
    return list(session.exec(select(Membership).where(Membership.volunteer_id == volunteer_id)
                             .order_by(Membership.id)))


def membership(session: Session, volunteer_id: int, program_id: int) -> Membership | None:
    return session.exec(select(Membership).where(Membership.volunteer_id == volunteer_id,
                                                 Membership.program_id == program_id)).first()


def program_ids_of(session: Session, volunteer_id: int, statuses: Iterable[str] = OPEN_MEMBERSHIP) -> list[int]:
    return list(session.exec(select(Membership.program_id).where(
        Membership.volunteer_id == volunteer_id, Membership.status.in_(tuple(statuses))).order_by(Membership.id)))


def open_in_program(session: Session, volunteer_id: int, program_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Match).where(
        Match.volunteer_id == volunteer_id, Match.program_id == program_id,
        Match.status.in_(OPEN_MATCH_STATUSES))).one())


def capacity_in(session: Session, volunteer_id: int, program_id: int) -> int:
    """Free places in one programme: the membership's capacity minus open matches there
    (0 when not an active member)."""
    member = membership(session, volunteer_id, program_id)
    if member is None or member.status != "active":
        return 0
    return max(0, member.capacity - open_in_program(session, volunteer_id, program_id))


def capacities(session: Session, program_id: int) -> dict[int, int]:
    """Membership capacity per active member of one programme, in one query (for the pool)."""
    return dict(session.exec(select(Membership.volunteer_id, Membership.capacity).where(
        Membership.program_id == program_id, Membership.status == "active")).all())


def lock_membership(session: Session, volunteer_id: int, program_id: int) -> Membership | None:
    """The volunteer's membership of the programme, locked (in LOCK_ORDER, after the volunteer)
    and read after the lock; None when they were never in it."""
    member_id = session.exec(select(Membership.id).where(Membership.volunteer_id == volunteer_id,
                                                         Membership.program_id == program_id)).first()
    return lock(session, Membership, member_id) if member_id is not None else None
