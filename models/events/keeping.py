"""Keeping volunteers: recording that a volunteer stopped (and why), and the retention figures
for the admin's dashboard — counted in the database, one row per distinct value, like
models.dashboard (whose Kaplan–Meier code this reuses)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, exists, func, literal, or_
from sqlmodel import Session, select

from models.audit import record_audit
from models.dashboard import _expand, _utc_bounds
from models.db import days_between, utc_date
from models.errors import N_, DomainError
from models.events.tables import Event, EventProgram, EventSignup, VolunteerLeaving
from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.queries import in_program
from models.members.tables import MEMBERSHIP_STATUSES, Membership
from models.organisations import Program
from models.stats import SurvivalStep, kaplan_meier, survival_at
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from models.writes import begin_write, lock, shared_write

LEAVE_REASONS: tuple[str, ...] = ("moved", "no_time", "lost_interest", "waited_too_long", "personal", "other",
                                  "account_deleted")
CHOOSABLE_LEAVE_REASONS = LEAVE_REASONS[:-1]  # "account_deleted" is recorded by the erasure itself
STILL_ACTIVE_AFTER = {6: 182, 12: 365}  # months -> days after approval
DONE = ("done", "approved")


@shared_write
def record_volunteer_left(session: Session, volunteer_id: int, by: User, today: date, reason: str,
                          note: str = "") -> Volunteer:
    """The volunteer stops: out of the pool, with the date and the reason for the figures."""
    if reason not in CHOOSABLE_LEAVE_REASONS:
        raise DomainError(N_("Choose why the volunteer stops."), field="reason")
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    if volunteer.status in ("withdrawn", "declined") or volunteer.anonymised_at is not None:
        raise DomainError(N_("The volunteer has already stopped."))
    open_matches = session.exec(select(func.count()).select_from(Match).where(
        Match.volunteer_id == volunteer.id, Match.status.in_(OPEN_MATCH_STATUSES))).one()
    if open_matches:
        raise DomainError(N_("Close the volunteer's open matches first."))
    volunteer.status = "withdrawn"
    note_left(session, volunteer.id, today, reason, by)
    volunteer.pool_since = None
    volunteer.version += 1
    session.add(volunteer)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"status": "withdrawn", "leave_reason": reason, "note": note.strip()[:500]})
    session.commit()
    return volunteer


def note_left(session: Session, volunteer_id: int, today: date, reason: str, by: User | None = None) -> None:
    """Record the day a volunteer stopped, once (no commit; the caller holds the volunteer's lock)."""
    if session.get(VolunteerLeaving, volunteer_id) is None:
        session.add(VolunteerLeaving(volunteer_id=volunteer_id, left_on=today, reason=reason,
                                     recorded_by_id=by.id if by else None))


@dataclass
class ProgrammeLine:
    program: str
    counts: list[int]  # active volunteers at each of ``RetentionFigures.months``


@dataclass
class RetentionFigures:
    start: date
    end: date
    months: list[date] = field(default_factory=list)  # the last day of each month in the period
    lines: list[ProgrammeLine] = field(default_factory=list)
    funnel: dict[str, int] = field(default_factory=dict)  # recruited, approved, trained, matched
    still_active: dict[int, tuple[int, int]] = field(default_factory=dict)  # months -> (still active, followed)
    survival: list[SurvivalStep] = field(default_factory=list)
    longest_observed_days: int = 0
    stay: dict[int, float | None] = field(default_factory=dict)  # months -> KM share still active
    leave_reasons: dict[str, int] = field(default_factory=dict)
    left_before_match: int = 0
    left: int = 0
    events_by_kind: dict[str, int] = field(default_factory=dict)
    events_held: int = 0
    attendances: int = 0
    minutes_given: int = 0

    @property
    def hours_given(self) -> float:
        return self.minutes_given / 60


def _month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from ``start``'s to ``end``'s (``end`` itself for the last)."""
    days, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        days.append(min(nxt - timedelta(days=1), end))
        year, month = nxt.year, nxt.month
    return days


def build_retention(session: Session, organisation_id: int, start: date, end: date, today: date,
                    program_id: int | None = None) -> RetentionFigures:
    """Every figure of "Keeping volunteers" for the period [start, end] (end at most today)."""
    end = min(end, today)
    since, until = _utc_bounds(start, end)
    figures = RetentionFigures(start=start, end=end)
    scope = [Volunteer.organisation_id == organisation_id, Volunteer.status != "declined"]
    if program_id is not None:
        scope.append(in_program(program_id, MEMBERSHIP_STATUSES))
    approved_on = utc_date(Volunteer.approved_at)
    left_on = (select(VolunteerLeaving.left_on).where(VolunteerLeaving.volunteer_id == Volunteer.id)
               .correlate(Volunteer).scalar_subquery())

    # Active volunteers at each month's end, a line per programme: approved by then, not left.
    programs = {p.id: p.name for p in session.exec(select(Program).where(Program.organisation_id == organisation_id)
                                                    .order_by(Program.name))}
    if program_id is not None:
        programs = {k: v for k, v in programs.items() if k == program_id}
    figures.months = _month_ends(start, end)
    per_program: dict[int, list[int]] = {pid: [0] * len(figures.months) for pid in programs}
    for i, day in enumerate(figures.months):
        # A line per membership (issue 15): a person active in two programmes counts in both,
        # from the day that programme approved them until they left it.
        stmt = (select(Membership.program_id, func.count()).select_from(Volunteer)
                .join(Membership, Membership.volunteer_id == Volunteer.id).where(
            *scope, Volunteer.approved_at.is_not(None), approved_on <= day,
            or_(left_on.is_(None), left_on > day), Membership.status != "applied",
            or_(Membership.approved_on.is_(None), Membership.approved_on <= day),
            or_(Membership.left_on.is_(None), Membership.left_on > day)).group_by(Membership.program_id))
        for pid, n in session.exec(stmt):
            if pid in per_program:
                per_program[pid][i] = int(n)
    figures.lines = [ProgrammeLine(programs[pid], counts) for pid, counts in per_program.items()]

    # The funnel of volunteers recruited in the period.
    trained = exists().where(ScreeningStep.volunteer_id == Volunteer.id, ScreeningStep.step == "training",
                             ScreeningStep.status.in_(DONE))
    matched = exists().where(Match.volunteer_id == Volunteer.id)

    def count_if(condition) -> object:  # noqa: ANN001
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    recruited = [Volunteer.organisation_id == organisation_id, Volunteer.created_at >= since,
                 Volunteer.created_at < until] + ([in_program(program_id, MEMBERSHIP_STATUSES)] if program_id else [])
    row = session.exec(select(func.count(), count_if(Volunteer.approved_at.is_not(None)), count_if(trained),
                              count_if(matched)).where(*recruited)).one()
    figures.funnel = {"recruited": int(row[0]), "approved": int(row[1]), "trained": int(row[2]),
                      "matched": int(row[3])}
    # Still active 6 and 12 months after approval: of those approved in the period whose
    # 6 (12) months have passed by the end; leaving on the day itself counts as gone.
    for months, days in STILL_ACTIVE_AFTER.items():
        mark = literal(end - timedelta(days=days), Date)
        followed = [*scope, Volunteer.approved_at >= since, Volunteer.approved_at < until, approved_on <= mark]
        still = or_(left_on.is_(None), days_between(left_on, approved_on) > days)
        n, active = session.exec(select(func.count(), count_if(still)).where(*followed)).one()
        figures.still_active[months] = (int(active), int(n))

    # How long volunteers stay: Kaplan–Meier from approval to leaving (or to the period's end).
    end_day = literal(end, Date)
    gone = and_(left_on.is_not(None), left_on <= end)
    sub = select(days_between(case((gone, left_on), else_=end_day), approved_on).label("d"),
                 case((gone, 1), else_=0).label("c")).where(
        *scope, Volunteer.approved_at.is_not(None), approved_on <= end).subquery()
    spans = list(session.exec(select(sub.c.d, sub.c.c, func.count()).group_by(sub.c.d, sub.c.c)))
    durations = _expand((max(int(d), 0), n) for d, _c, n in spans)
    closed = _expand((bool(c), n) for _d, c, n in spans)
    figures.survival = kaplan_meier(durations, closed)
    longest = max(durations, default=-1)
    figures.longest_observed_days = max(longest, 0)
    figures.stay = {months: survival_at(figures.survival, days) if longest >= days else None
                    for months, days in STILL_ACTIVE_AFTER.items()}

    # Why they left (in the period), and those who left before their first match.
    left_in_period = [*scope, VolunteerLeaving.volunteer_id == Volunteer.id, VolunteerLeaving.left_on >= start,
                      VolunteerLeaving.left_on <= end]
    reasons: Counter[str] = Counter()
    for reason, n in session.exec(select(VolunteerLeaving.reason, func.count()).where(*left_in_period)
                                  .group_by(VolunteerLeaving.reason)):
        reasons[reason or "other"] += int(n)
    figures.leave_reasons = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    figures.left = sum(reasons.values())
    figures.left_before_match = int(session.exec(select(func.count()).select_from(Volunteer).where(
        *left_in_period, Volunteer.approved_at.is_not(None), ~matched)).one())

    # Events held in the period (not cancelled, started), attendances and hours given.
    held = [Event.organisation_id == organisation_id, Event.cancelled_at.is_(None), Event.starts_at >= since,
            Event.starts_at < until]
    if program_id is not None:
        held.append(Event.id.in_(select(EventProgram.event_id).where(EventProgram.program_id == program_id)))
    figures.events_by_kind = {k: int(n) for k, n in session.exec(select(Event.kind, func.count()).where(*held)
                                                                  .group_by(Event.kind).order_by(Event.kind))}
    figures.events_held = sum(figures.events_by_kind.values())
    attendances, minutes = session.exec(
        select(func.count(), func.coalesce(func.sum(EventSignup.minutes), 0)).select_from(EventSignup)
        .join(Event, Event.id == EventSignup.event_id).where(*held, EventSignup.attended.is_(True))).one()
    figures.attendances, figures.minutes_given = int(attendances), int(minutes)
    return figures
