"""The dashboard counted in the database says exactly what counting every match in Python says.

Random organisations (sign-ups, referrals, matches opened and closed at random dates, meetings,
check-ins, outcomes), random periods and programs: every figure must equal the reference.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.dashboard import build_dashboard
from models.matches import CLOSURE_REASONS, CheckIn, MeetingLog
from seed import builders as b
from tests.dashboard_reference import reference_dashboard

TODAY = date(2026, 6, 15)
ANSWERS = ("yes", "no", "unknown", None)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _answers(rng: random.Random) -> dict:
    return {q: a for q in ("education_or_work", "leisure_activity", "social_case")
            if (a := rng.choice(ANSWERS)) is not None}


def _organisation(session, rng: random.Random):  # noqa: ANN001, ANN202
    org = b.make_organisation(session)
    programs = [b.make_program(session, org, slug=f"p{i}", goal_matches=rng.choice((None, 5, 20)),
                               goal_period_months=rng.choice((6, 12, 24))) for i in range(2)]
    for program in programs:
        if program.goal_matches is None:
            program.goal_period_months = None
    volunteers, requests = [], []
    for _ in range(rng.randint(3, 12)):
        program = rng.choice(programs)
        created = TODAY - timedelta(days=rng.randint(0, 700))
        status = rng.choice(("applicant", "screening", "approved", "approved", "inactive"))
        approved = _at(created + timedelta(days=rng.randint(0, 60)), rng.choice((0, 12, 23))) \
            if status in ("approved", "inactive") else None
        volunteer = b.make_volunteer(session, program, status=status, capacity=3, today=TODAY, created_at=_at(created, 9),
                                     approved_at=approved,
                                     pool_since=TODAY - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.7
                                     else None)
        volunteers.append(volunteer)
    for _ in range(rng.randint(3, 12)):
        program = rng.choice(programs)
        referred = TODAY - timedelta(days=rng.randint(0, 700))
        requests.append(b.make_request(session, program, youth=b.make_youth(session, org, today=TODAY), today=TODAY,
                                       referred_on=referred,
                                       status=rng.choice(("waiting", "waiting", "closed")),
                                       pool_since=referred + timedelta(days=rng.randint(0, 30))
                                       if rng.random() < 0.6 else None, baseline=_answers(rng)))
    for request in requests:
        if rng.random() < 0.3:
            continue
        volunteer = rng.choice([v for v in volunteers if v.program_id == request.program_id] or volunteers)
        made = request.referred_on + timedelta(days=rng.randint(0, 200))
        started = made + timedelta(days=rng.randint(0, 20)) if rng.random() < 0.85 else None
        status = "introduced" if started is None else rng.choice(("active", "paused", "closed", "closed"))
        closed_on = started + timedelta(days=rng.randint(0, 400)) if status == "closed" else None
        match = b.make_match(session, request, volunteer, status=status, started_on=started,
                             created_at=_at(made, rng.choice((0, 11, 23))), closed_on=closed_on,
                             closure_reason=rng.choice((*CLOSURE_REASONS, None)) if closed_on else None,
                             outcome=_answers(rng) if closed_on else {})
        match.program_id = request.program_id
        first = started or made
        for _ in range(rng.randint(0, 4)):
            session.add(MeetingLog(match_id=match.id, volunteer_id=volunteer.id, minutes=60, rating=3,
                                   met_on=first + timedelta(days=rng.randint(0, 300))))
        for days in (14, 30, 90):
            due = first + timedelta(days=days)
            done = due + timedelta(days=rng.choice((0, 14, 15, rng.randint(-3, 30)))) if rng.random() < 0.7 else None
            session.add(CheckIn(match_id=match.id, due_on=due, done_on=done, kind=rng.choice(("scheduled", "extra"))))
    session.commit()
    return org, programs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), period=st.sampled_from(((365, 0), (90, 30), (900, 0), (30, 200))),
       whole_organisation=st.booleans())
def test_every_figure_counted_in_the_database_equals_the_reference(session, seed, period, whole_organisation):
    rng = random.Random(seed)
    org, programs = _organisation(session, rng)
    start, end = TODAY - timedelta(days=period[0]), TODAY - timedelta(days=period[1])
    program_id = None if whole_organisation else programs[0].id
    fast = build_dashboard(session, org.id, start, end, TODAY, program_id=program_id)
    slow = reference_dashboard(session, org.id, start, end, TODAY, program_id=program_id)
    assert _in_order(fast) == _in_order(slow)


def _in_order(d):  # noqa: ANN001, ANN202
    """Who waited how long is a bag of numbers: the order in which the database lists them is no figure."""
    for waiting in (d.waiting_requests, d.waiting_volunteers, d.waiting_now_requests, d.waiting_now_volunteers):
        waiting.days.sort()
    return d


def test_a_match_closed_in_the_period_counts_once_by_reason_and_outcome(session):
    org = b.make_organisation(session)
    program = b.make_program(session, org)
    volunteer = b.make_volunteer(session, program, capacity=2)
    for reason in ("moved", "moved", None):
        request = b.make_request(session, program, youth=b.make_youth(session, org), referred_on=date(2026, 1, 1),
                                 baseline={"education_or_work": "no"})
        b.make_match(session, request, volunteer, status="closed", started_on=date(2026, 2, 1),
                     closed_on=date(2026, 5, 1), closure_reason=reason, outcome={"education_or_work": "yes"},
                     created_at=_at(date(2026, 1, 20), 10))
    session.commit()
    d = build_dashboard(session, org.id, date(2026, 1, 1), TODAY, TODAY)
    assert d.closure_reasons == {"moved": 2, "other": 1}
    assert d.outcomes["education_or_work"] == {"yes": 3, "no": 0, "unknown": 0}
    assert d.baseline_outcomes["education_or_work"] == {"yes": 0, "no": 3, "unknown": 0}
    assert d.matches_by_status["closed"] == 3 and d.started_matches == 3
