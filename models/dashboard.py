"""The figures of the admin dashboard, for one organisation (or one program) and a period.

Definitions, so that everyone reads the numbers the same way:

* funnel: volunteers who signed up in the period, how many of them got into screening, were
  approved, and got a match (ever, up to today); requests referred in the period and how many
  of them got a match.
* matches by status: today's status of every match made up to the end of the period.
* waiting: for matches made in the period, days from referral (request) and from approval
  (volunteer) to the match; plus who waits now and for how long.
* retention: Kaplan–Meier over every match that started on or before the end of the period;
  a closure (any reason) is the event, matches still running are censored at the end.
* meetings per match per month: meetings logged in the period divided by the months that
  matches were active within it.
* check-ins on time: planned check-ins due in the period (up to today) done no later than
  ``ON_TIME_DAYS`` after their date.
* goals: matches made in the goal period (the program's months, ending at the period's end).
* break-offs by complexity: of the matches that started on or before the end of the period, per
  complexity of the request, how many closed early by then (a reason other than goal reached or
  agreed period over).
* one year after the start: the outcome measures ("one_year" check-ins) recorded in the period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, and_, case, func, literal, or_
from sqlmodel import Session, select

from matching.profiles import COMPLEXITY_LEVELS
from models.db import days_between, utc_date
from models.matches import MATCH_STATUSES, PLANNED_CLOSURE_REASONS, CheckIn, Match, MeetingLog
from models.mentees import Request
from models.organisations import Program
from models.stats import SurvivalStep, histogram, kaplan_meier, median, survival_at
from models.volunteers import Volunteer

ON_TIME_DAYS = 14
WAITING_BINS = (0, 31, 91, 181, 366)  # days: 0-30, 31-90, 91-180, 181-365, over a year
RETENTION_MILESTONES = {3: 91, 6: 182, 12: 365}  # months -> days
DAYS_PER_MONTH = 30.44
OUTCOME_QUESTIONS = ("education_or_work", "leisure_activity", "social_case")


@dataclass
class Waiting:
    days: list[int] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return median(self.days)

    @property
    def longest(self) -> int | None:
        return max(self.days) if self.days else None

    @property
    def bins(self) -> list[int]:
        return histogram(self.days, WAITING_BINS)


@dataclass
class Goal:
    program: str
    target: int
    months: int
    achieved: int
    since: date

    @property
    def share(self) -> float:
        return self.achieved / self.target if self.target else 1.0


@dataclass
class Dashboard:
    start: date
    end: date
    volunteer_funnel: dict[str, int]
    request_funnel: dict[str, int]
    waiting_requests: Waiting
    waiting_volunteers: Waiting
    waiting_now_requests: Waiting
    waiting_now_volunteers: Waiting
    matches_by_status: dict[str, int]
    survival: list[SurvivalStep]
    longest_observed_days: int  # the survival curve says nothing beyond this
    retention: dict[int, float | None]  # months -> share still running (None: nobody observed that long)
    started_matches: int
    closure_reasons: dict[str, int]
    meetings: int
    match_months: float
    checkins_due: int
    checkins_on_time: int
    outcomes: dict[str, dict[str, int]]  # at closure, matches closed in the period
    baseline_outcomes: dict[str, dict[str, int]]  # the same matches' requests at entry
    goals: list[Goal]
    # Days at which still-running matches were last seen (censored): marks on the survival curve.
    censored_days: list[int] = field(default_factory=list)
    # complexity -> (matches started, of them broken off early), with the number behind each share
    breakoffs_by_complexity: dict[int, tuple[int, int]] = field(default_factory=dict)
    one_year_outcomes: dict[str, dict[str, int]] = field(default_factory=dict)  # measures recorded in the period

    @property
    def meetings_per_match_month(self) -> float | None:
        return self.meetings / self.match_months if self.match_months else None

    @property
    def checkins_on_time_share(self) -> float | None:
        return self.checkins_on_time / self.checkins_due if self.checkins_due else None


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _in(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Stored times are UTC: the period runs from the start's midnight to the midnight after the end."""
    return (datetime.combine(start, time.min, tzinfo=UTC),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))


def _expand(counted: Iterable[tuple[int, int]]) -> list[int]:
    """(value, how many) from a GROUP BY back to the values, for medians and histograms."""
    return [value for value, n in counted for _ in range(n)]


def build_dashboard(session: Session, organisation_id: int, start: date, end: date, today: date,
                    program_id: int | None = None) -> Dashboard:
    """Every figure of the dashboard, counted and grouped in the database: a dozen small
    queries whose answers have one row per distinct value, never one per match."""
    end = min(end, today)
    since, until = _utc_bounds(start, end)

    def scope_of(model) -> tuple:  # noqa: ANN001
        programs = (model.program_id == program_id,) if program_id is not None else ()
        return (model.organisation_id == organisation_id, *programs)

    def scoped(stmt, model):  # noqa: ANN001, ANN202
        return stmt.where(*scope_of(model))

    def count_if(condition) -> object:  # noqa: ANN001
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def grouped(*columns, where=()) -> list[tuple]:  # noqa: ANN001, ANN002
        # Labelled in a subquery first: PostgreSQL groups by the label, not by two copies of a parameter.
        sub = select(*(c.label(f"c{i}") for i, c in enumerate(columns))).where(*where).subquery()
        return list(session.exec(select(*sub.c, func.count()).group_by(*sub.c)))

    def has_match(column) -> object:  # noqa: ANN001
        return scoped(select(Match.id).where(column), Match).exists()

    signed_up, screening, approved, matched = session.exec(scoped(select(
        func.count(), count_if(Volunteer.status != "applicant"), count_if(Volunteer.approved_at.is_not(None)),
        count_if(has_match(Match.volunteer_id == Volunteer.id))), Volunteer)
        .where(Volunteer.created_at >= since, Volunteer.created_at < until)).one()
    volunteer_funnel = {"signed_up": signed_up, "screening": screening, "approved": approved, "matched": matched}
    referred, referred_matched = session.exec(scoped(select(
        func.count(), count_if(has_match(Match.request_id == Request.id))), Request)
        .where(Request.referred_on >= start, Request.referred_on <= end)).one()
    request_funnel = {"referred": referred, "matched": referred_matched}

    made = utc_date(Match.created_at)
    made_in_period = (*scope_of(Match), Match.created_at >= since, Match.created_at < until)
    waiting_requests = Waiting(_expand((max(0, d), n) for d, n in grouped(
        days_between(made, Request.referred_on),
        where=(*made_in_period, Request.id == Match.request_id, Request.referred_on.is_not(None)))))
    # A volunteer's wait ends at their first match; later matches are not waits.
    first = (scoped(select(Match.volunteer_id, func.min(Match.created_at).label("first_at")), Match)
             .group_by(Match.volunteer_id).subquery())
    waiting_volunteers = Waiting(_expand((max(0, d), n) for d, n in grouped(
        days_between(made, utc_date(Volunteer.approved_at)),
        where=(*made_in_period, Volunteer.id == Match.volunteer_id, Volunteer.approved_at.is_not(None),
               first.c.volunteer_id == Match.volunteer_id, utc_date(first.c.first_at) == made))))
    waiting_now_requests = Waiting(_expand(((today - day).days, n) for day, n in grouped(
        func.coalesce(Request.pool_since, Request.referred_on),
        where=(*scope_of(Request), Request.status == "waiting",
               func.coalesce(Request.pool_since, Request.referred_on).is_not(None)))))
    waiting_now_volunteers = Waiting(_expand(((today - day).days, n) for day, n in grouped(
        Volunteer.pool_since,
        where=(*scope_of(Volunteer), Volunteer.status == "approved", Volunteer.pool_since.is_not(None)))))

    by_status = dict(session.exec(scoped(select(Match.status, func.count()), Match)
                                  .where(Match.created_at < until).group_by(Match.status)).all())
    matches_by_status = {s: by_status.get(s, 0) for s in MATCH_STATUSES}

    # Kaplan-Meier: days from the start to the closure (or to the period's end), grouped.
    end_day = literal(end, Date)
    ended = case((Match.closed_on <= end, Match.closed_on), else_=None)
    spans = grouped(days_between(func.coalesce(ended, end_day), Match.started_on),
                    case((Match.closed_on <= end, 1), else_=0), where=(*scope_of(Match), Match.started_on <= end))
    durations = _expand((d, n) for d, _c, n in spans)
    closed = _expand((bool(c), n) for _d, c, n in spans)
    survival = kaplan_meier(durations, closed)
    # Beyond the longest observed match the curve says nothing: no figure rather than a made-up one.
    longest = max(durations, default=-1)
    retention = {months: survival_at(survival, days) if longest >= days else None
                 for months, days in RETENTION_MILESTONES.items()}

    closed_in_period = (*scope_of(Match), Match.closed_on >= start, Match.closed_on <= end)
    reasons: Counter[str] = Counter()
    for reason, n in session.exec(select(Match.closure_reason, func.count()).where(*closed_in_period)
                                  .group_by(Match.closure_reason)):
        reasons[reason or "other"] += n
    closure_reasons = dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0])))
    outcomes = {q: {"yes": 0, "no": 0, "unknown": 0} for q in OUTCOME_QUESTIONS}
    baseline_outcomes = {q: {"yes": 0, "no": 0, "unknown": 0} for q in OUTCOME_QUESTIONS}
    answers = [Match.outcome[q].as_string() for q in OUTCOME_QUESTIONS] + \
              [Request.baseline[q].as_string() for q in OUTCOME_QUESTIONS]
    for *given, n in grouped(*answers, where=(*closed_in_period, Request.id == Match.request_id)):
        for q, at_end, at_entry in zip(OUTCOME_QUESTIONS, given[:3], given[3:], strict=True):
            if at_end in outcomes[q]:
                outcomes[q][at_end] += n
            if at_entry in baseline_outcomes[q]:
                baseline_outcomes[q][at_entry] += n

    meeting_stmt = (select(func.count()).select_from(MeetingLog).join(Match, Match.id == MeetingLog.match_id)
                    .where(MeetingLog.met_on >= start, MeetingLog.met_on <= end))
    meetings = int(session.exec(scoped(meeting_stmt, Match)).one())
    # Days each match was active within the period, both ends counted.
    first_day = case((Match.started_on > start, Match.started_on), else_=literal(start, Date))
    last_day = case((Match.closed_on < end, Match.closed_on), else_=end_day)
    started_matches, active_days = session.exec(scoped(select(
        func.count(), func.coalesce(func.sum(case((last_day >= first_day, days_between(last_day, first_day) + 1),
                                                   else_=0)), 0)), Match).where(Match.started_on <= end)).one()
    match_months = active_days / DAYS_PER_MONTH

    # A check-in whose grace period has not run out yet is neither late nor counted.
    counted = or_(CheckIn.done_on.is_not(None), CheckIn.due_on < today - timedelta(days=ON_TIME_DAYS))
    on_time = and_(CheckIn.done_on.is_not(None), days_between(CheckIn.done_on, CheckIn.due_on) <= ON_TIME_DAYS)
    checkins_due, checkins_on_time = session.exec(scoped(
        select(count_if(counted), count_if(on_time)).select_from(CheckIn).join(Match, Match.id == CheckIn.match_id),
        Match).where(CheckIn.kind == "scheduled", CheckIn.due_on >= start, CheckIn.due_on <= end)).one()

    goals = []
    program_stmt = select(Program).where(Program.organisation_id == organisation_id, Program.goal_matches.is_not(None))
    if program_id is not None:
        program_stmt = program_stmt.where(Program.id == program_id)
    for program in session.exec(program_stmt.order_by(Program.name)):
        months = program.goal_period_months or 24
        goal_since = end - timedelta(days=round(months * DAYS_PER_MONTH))
        achieved = session.exec(scoped(select(func.count()).select_from(Match), Match).where(
            Match.program_id == program.id, Match.started_on > goal_since, Match.started_on <= end)).one()
        goals.append(Goal(program=program.name, target=program.goal_matches, months=months, achieved=achieved,
                          since=goal_since))

    broke_off = (Match.closed_on.is_not(None) & (Match.closed_on <= end)
                 & Match.closure_reason.not_in(PLANNED_CLOSURE_REASONS))
    by_complexity = {int(c): (int(n), int(b or 0)) for c, n, b in session.exec(scoped(
        select(Request.complexity, func.count(), func.sum(case((broke_off, 1), else_=0))), Match)
        .join(Request, Request.id == Match.request_id)
        .where(Match.started_on.is_not(None), Match.started_on <= end)
        .group_by(Request.complexity))}
    breakoffs = {level: by_complexity.get(level, (0, 0)) for level in COMPLEXITY_LEVELS}

    one_year_outcomes = {q: {"yes": 0, "no": 0, "unknown": 0} for q in OUTCOME_QUESTIONS}
    one_year_stmt = (select(CheckIn.id, CheckIn.outcome).join(Match, Match.id == CheckIn.match_id)
                     .where(CheckIn.kind == "one_year", CheckIn.done_on >= start, CheckIn.done_on <= end))
    for _id, outcome in session.exec(scoped(one_year_stmt, Match)):
        for q in OUTCOME_QUESTIONS:
            answer = (outcome or {}).get(q)
            if answer in one_year_outcomes[q]:
                one_year_outcomes[q][answer] += 1
    return Dashboard(
        start=start, end=end, volunteer_funnel=volunteer_funnel, request_funnel=request_funnel,
        waiting_requests=waiting_requests, waiting_volunteers=waiting_volunteers,
        waiting_now_requests=waiting_now_requests, waiting_now_volunteers=waiting_now_volunteers,
        matches_by_status=matches_by_status, survival=survival, longest_observed_days=max(longest, 0),
        retention=retention, started_matches=started_matches,
        closure_reasons=closure_reasons, meetings=meetings, match_months=match_months,
        checkins_due=int(checkins_due), checkins_on_time=int(checkins_on_time), outcomes=outcomes,
        baseline_outcomes=baseline_outcomes, goals=goals,
        censored_days=sorted(d for d, c in zip(durations, closed, strict=True) if not c),
        breakoffs_by_complexity=breakoffs, one_year_outcomes=one_year_outcomes,
    )
