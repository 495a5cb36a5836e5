"""Who is in which programme. The ONE place that answers "the volunteers of programme P":
everything else filters volunteers with ``in_program`` (a test fails on any other filter by
``Volunteer.program_id``, which only says where the person first signed up)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.tables import OPEN_MEMBERSHIP, Membership
from models.organisations import Program
from models.volunteers import ScreeningStep, Volunteer
from models.writes import lock

# The one step a programme runs itself (its own introduction course); every other step is done
# once for the person and counts for every programme that requires it (decision 0020).
PROGRAMME_STEPS: tuple[str, ...] = ("training",)


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


def missing_steps(session: Session, volunteer: Volunteer, program: Program) -> list[str]:
    """The programme's required steps the person has not done. Shared steps (interview,
    references, børneattest, ...) count wherever they were done; a programme's own steps count
    only when done for it (in the first programme: the person's screening)."""
    from models.screening import DONE

    done = {s.step for s in session.exec(select(ScreeningStep).where(
        ScreeningStep.volunteer_id == volunteer.id)) if s.status in DONE}
    member = membership(session, volunteer.id, program.id)
    own = member.own_steps if member is not None else {}
    missing = []
    for step in program.required_steps or []:
        if step in PROGRAMME_STEPS and program.id != volunteer.program_id:
            if step not in own:
                missing.append(step)
        elif step not in done:
            missing.append(step)
    return missing


@dataclass
class ProgrammeLine:
    """One programme on the volunteer's home page (and the coordinator's view of their places)."""

    program: Program
    membership: Membership
    missing: list[str]  # required steps not done yet (for an application)
    open_matches: int
    coming_events: int
    first: bool  # where they signed up: the person's own screening decides it


def programme_lines(session: Session, volunteer: Volunteer, now: datetime,
                    program_ids: Iterable[int] | None = None) -> list[ProgrammeLine]:
    """The volunteer's programmes with status, screening, matches and coming events per
    programme; ``program_ids`` limits it to what the viewer may see."""
    from models.events.tables import Event, EventProgram

    lines = []
    wanted = set(program_ids) if program_ids is not None else None
    for member in memberships_of(session, volunteer.id):
        if wanted is not None and member.program_id not in wanted:
            continue
        program = session.get(Program, member.program_id)
        events = int(session.exec(select(func.count()).select_from(Event).join(
            EventProgram, EventProgram.event_id == Event.id).where(
            EventProgram.program_id == program.id, Event.cancelled_at.is_(None), Event.ends_at >= now)).one())
        lines.append(ProgrammeLine(program, member, missing_steps(session, volunteer, program),
                                   open_in_program(session, volunteer.id, program.id), events,
                                   program.id == volunteer.program_id))
    return lines


def programmes_to_join(session: Session, volunteer: Volunteer) -> list[Program]:
    """The organisation's other programmes the volunteer is not (or no longer) in."""
    current = set(program_ids_of(session, volunteer.id))
    return [p for p in session.exec(select(Program).where(Program.organisation_id == volunteer.organisation_id)
                                    .order_by(Program.name)) if p.id not in current]
