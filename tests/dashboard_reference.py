"""The dashboard's figures as first written: every match loaded into Python and counted there.

Kept as the reference that ``models.dashboard.build_dashboard`` (which counts in the database)
is checked against on random organisations; slow on purpose, and never used by the app.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, select

from matching.profiles import COMPLEXITY_LEVELS
from models.dashboard import (
    DAYS_PER_MONTH,
    ON_TIME_DAYS,
    OUTCOME_QUESTIONS,
    RETENTION_MILESTONES,
    Dashboard,
    Goal,
    Waiting,
    _day,
    _utc_bounds,
)
from models.matches import MATCH_STATUSES, PLANNED_CLOSURE_REASONS, CheckIn, Match, MeetingLog
from models.mentees import Request
from models.organisations import Program
from models.stats import kaplan_meier, survival_at
from models.volunteers import Volunteer


def reference_dashboard(session: Session, organisation_id: int, start: date, end: date, today: date,
                    program_id: int | None = None) -> Dashboard:
    """Every figure of the dashboard in a handful of column queries (no ORM objects per row)."""
    end = min(end, today)

    def scoped(stmt, model):  # noqa: ANN001, ANN202
        stmt = stmt.where(model.organisation_id == organisation_id)
        return stmt.where(model.program_id == program_id) if program_id is not None else stmt

    # Only what each figure needs: all matches (small columns), the rest filtered in the database.
    matches = list(session.exec(scoped(select(
        Match.id, Match.request_id, Match.volunteer_id, Match.status, Match.created_at, Match.started_on,
        Match.closed_on, Match.program_id), Match)))
    since, until = _utc_bounds(start, end)
    signed_up = list(session.exec(scoped(select(Volunteer.id, Volunteer.status, Volunteer.approved_at), Volunteer)
                                  .where(Volunteer.created_at >= since, Volunteer.created_at < until)))
    referred = list(session.exec(scoped(select(Request.id), Request)
                                 .where(Request.referred_on >= start, Request.referred_on <= end)))

    matched_volunteers = {m.volunteer_id for m in matches}
    matched_requests = {m.request_id for m in matches}
    first_match_of_volunteer: dict[int, date] = {}
    for m in matches:
        made = _day(m.created_at)
        if m.volunteer_id not in first_match_of_volunteer or made < first_match_of_volunteer[m.volunteer_id]:
            first_match_of_volunteer[m.volunteer_id] = made

    volunteer_funnel = {
        "signed_up": len(signed_up),
        "screening": sum(1 for v in signed_up if v.status != "applicant"),
        "approved": sum(1 for v in signed_up if v.approved_at is not None),
        "matched": sum(1 for v in signed_up if v.id in matched_volunteers),
    }
    # A single-column select yields plain ids.
    request_funnel = {"referred": len(referred), "matched": sum(1 for rid in referred if rid in matched_requests)}

    waiting_requests, waiting_volunteers = Waiting(), Waiting()
    made_in_period = session.exec(scoped(select(Match.volunteer_id, Match.created_at, Request.referred_on,
                                                Volunteer.approved_at), Match)
                                  .join(Request, Request.id == Match.request_id)
                                  .join(Volunteer, Volunteer.id == Match.volunteer_id)
                                  .where(Match.created_at >= since, Match.created_at < until))
    for volunteer_id, created_at, referred_on, approved_at in made_in_period:
        made = _day(created_at)
        if referred_on:
            waiting_requests.days.append(max(0, (made - referred_on).days))
        if approved_at and first_match_of_volunteer.get(volunteer_id) == made:
            waiting_volunteers.days.append(max(0, (made - _day(approved_at)).days))
    waiting_now_requests = Waiting([(today - (pool_since or referred_on)).days for pool_since, referred_on in
                                    session.exec(scoped(select(Request.pool_since, Request.referred_on), Request)
                                                 .where(Request.status == "waiting"))
                                    if pool_since or referred_on])
    waiting_now_volunteers = Waiting([(today - pool_since).days for pool_since in session.exec(
        scoped(select(Volunteer.pool_since), Volunteer).where(Volunteer.status == "approved",
                                                              Volunteer.pool_since.is_not(None)))])

    by_status = Counter(m.status for m in matches if _day(m.created_at) <= end)
    matches_by_status = {s: by_status.get(s, 0) for s in MATCH_STATUSES}

    started = [m for m in matches if m.started_on is not None and m.started_on <= end]
    durations, closed = [], []
    for m in started:
        ended = m.closed_on if m.closed_on is not None and m.closed_on <= end else None
        durations.append(((ended or end) - m.started_on).days)
        closed.append(ended is not None)
    survival = kaplan_meier(durations, closed)
    # Beyond the longest observed match the curve says nothing: no figure rather than a made-up one.
    longest = max(durations, default=-1)
    retention = {months: survival_at(survival, days) if longest >= days else None
                 for months, days in RETENTION_MILESTONES.items()}

    closed_in_period = list(session.exec(scoped(select(Match.closure_reason, Match.outcome, Request.baseline), Match)
                                         .join(Request, Request.id == Match.request_id)
                                         .where(Match.closed_on >= start, Match.closed_on <= end)))
    closure_reasons = dict(Counter(reason or "other" for reason, _o, _b in closed_in_period).most_common())
    outcomes = {q: {"yes": 0, "no": 0, "unknown": 0} for q in OUTCOME_QUESTIONS}
    baseline_outcomes = {q: {"yes": 0, "no": 0, "unknown": 0} for q in OUTCOME_QUESTIONS}
    for _reason, outcome, baseline in closed_in_period:
        for q in OUTCOME_QUESTIONS:
            answer = (outcome or {}).get(q)
            if answer in outcomes[q]:
                outcomes[q][answer] += 1
            before = (baseline or {}).get(q)
            if before in baseline_outcomes[q]:
                baseline_outcomes[q][before] += 1

    meetings = 0
    if matches:
        meeting_stmt = (select(func.count()).select_from(MeetingLog).join(Match, Match.id == MeetingLog.match_id)
                        .where(MeetingLog.met_on >= start, MeetingLog.met_on <= end))
        meetings = int(session.exec(scoped(meeting_stmt, Match)).one())
    active_days = 0
    for m in started:
        first = max(m.started_on, start)
        last = min(m.closed_on or end, end)
        if last >= first:
            active_days += (last - first).days + 1
    match_months = active_days / DAYS_PER_MONTH

    due_stmt = (select(CheckIn.due_on, CheckIn.done_on).join(Match, Match.id == CheckIn.match_id)
                .where(CheckIn.kind == "scheduled", CheckIn.due_on >= start, CheckIn.due_on <= end))
    due = list(session.exec(scoped(due_stmt, Match)))
    # A check-in whose grace period has not run out yet is neither late nor counted.
    counted = [(d, done) for d, done in due if done is not None or d + timedelta(days=ON_TIME_DAYS) < today]
    on_time = sum(1 for d, done in counted if done is not None and done <= d + timedelta(days=ON_TIME_DAYS))

    goals = []
    program_stmt = select(Program).where(Program.organisation_id == organisation_id, Program.goal_matches.is_not(None))
    if program_id is not None:
        program_stmt = program_stmt.where(Program.id == program_id)
    for program in session.exec(program_stmt.order_by(Program.name)):
        months = program.goal_period_months or 24
        since = end - timedelta(days=round(months * DAYS_PER_MONTH))
        achieved = sum(1 for m in matches if m.program_id == program.id and m.started_on is not None
                       and since < m.started_on <= end)
        goals.append(Goal(program=program.name, target=program.goal_matches, months=months, achieved=achieved,
                          since=since))

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
        retention=retention, started_matches=len(started),
        closure_reasons=closure_reasons, meetings=meetings, match_months=match_months, checkins_due=len(counted),
        checkins_on_time=on_time, outcomes=outcomes, baseline_outcomes=baseline_outcomes, goals=goals,
        censored_days=sorted(d for d, c in zip(durations, closed, strict=True) if not c),
        breakoffs_by_complexity=breakoffs, one_year_outcomes=one_year_outcomes,
    )
