"""The dashboard's figures against values worked out by hand on a small fixed data set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.dashboard import build_dashboard
from models.matches import CheckIn, MeetingLog
from models.stats import histogram, kaplan_meier, median, survival_at
from seed import builders as b

START, END, TODAY = date(2025, 1, 1), date(2025, 12, 31), date(2026, 1, 1)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


# --- the pure statistics ------------------------------------------------------------------

def test_median_of_odd_even_and_empty_lists():
    assert median([3, 1, 2]) == 2 and median([4, 1, 3, 2]) == 2.5 and median([]) is None


def test_kaplan_meier_by_hand():
    # Six matches: closed after 10, 10, 30 days; still running after 20, 40, 40 days.
    steps = kaplan_meier([10, 10, 20, 30, 40, 40], [True, True, False, True, False, False])
    assert [(s.day, s.at_risk, s.closed) for s in steps] == [(10, 6, 2), (30, 3, 1)]
    assert steps[0].survival == pytest.approx(4 / 6)
    assert steps[1].survival == pytest.approx(4 / 6 * 2 / 3)
    assert survival_at(steps, 9) == 1.0 and survival_at(steps, 29) == pytest.approx(4 / 6)
    assert survival_at(steps, 365) == pytest.approx(4 / 9)


def test_kaplan_meier_without_closures_stays_at_one():
    assert kaplan_meier([5, 6], [False, False]) == [] and survival_at([], 100) == 1.0


def test_histogram_puts_each_value_in_its_bin_and_the_rest_in_the_last():
    assert histogram([0, 30, 31, 90, 91, 400], (0, 31, 91, 181, 366)) == [2, 2, 1, 0, 1]


# --- the dashboard on a small organisation --------------------------------------------------

@pytest.fixture
def town(session):
    org = b.make_organisation(session, name="Testby Mentor", slug="testby")
    program = b.make_program(session, org, name="Unge", slug="unge", goal_matches=10, goal_period_months=12)
    other_program = b.make_program(session, org, name="Familier", slug="familier", serves="family")

    def volunteer(created: date, status: str = "approved", approved: date | None = None, pool: date | None = None):
        v = b.make_volunteer(session, program, status=status, created_at=at(created),
                             approved_at=at(approved) if approved else None)
        v.pool_since = pool
        session.add(v)
        return v

    v1 = volunteer(date(2025, 1, 10), approved=date(2025, 2, 1), pool=date(2025, 5, 16))
    v2 = volunteer(date(2025, 3, 1), approved=date(2025, 3, 20))
    volunteer(date(2025, 4, 1), status="screening")
    volunteer(date(2025, 5, 1), status="applicant")
    v5 = volunteer(date(2024, 12, 1), approved=date(2024, 12, 15), pool=date(2025, 9, 11))

    def request(referred: date, **fields):
        return b.make_request(session, program, youth=b.make_youth(session, org), referred_on=referred, **fields)

    r1 = request(date(2025, 1, 5), baseline={"education_or_work": "no", "social_case": "yes"})
    r2, r3 = request(date(2025, 2, 1)), request(date(2025, 3, 1), baseline={"education_or_work": "yes"})
    request(date(2025, 6, 1), pool_since=date(2025, 6, 1))
    m1 = b.make_match(session, r1, v1, status="closed", started_on=date(2025, 2, 15), created_at=at(date(2025, 2, 11)),
                      closed_on=date(2025, 5, 16), closure_reason="moved",
                      outcome={"education_or_work": "yes", "leisure_activity": "no", "social_case": "unknown"})
    m2 = b.make_match(session, r2, v2, status="active", started_on=date(2025, 4, 10), created_at=at(date(2025, 4, 1)))
    m3 = b.make_match(session, r3, v5, status="closed", started_on=date(2025, 3, 15), created_at=at(date(2025, 3, 11)),
                      closed_on=date(2025, 9, 11), closure_reason="goal_reached",
                      outcome={"education_or_work": "yes", "leisure_activity": "yes", "social_case": "no"})
    r1.status = r3.status = "closed"
    for match, day in ((m1, date(2025, 3, 1)), (m1, date(2025, 3, 20)), (m1, date(2025, 4, 5)),
                       (m2, date(2025, 5, 1)), (m2, date(2025, 6, 1)), (m3, date(2026, 1, 1))):
        session.add(MeetingLog(match_id=match.id, volunteer_id=match.volunteer_id, met_on=day, minutes=60, rating=4))
    for due, done in ((date(2025, 5, 1), date(2025, 5, 10)), (date(2025, 6, 1), date(2025, 6, 20)),
                      (date(2025, 11, 1), None), (date(2025, 12, 25), None)):
        session.add(CheckIn(match_id=m2.id, due_on=due, done_on=done))
    session.add(CheckIn(match_id=m1.id, kind="followup", due_on=date(2025, 6, 1)))
    # Another program's match counts for the organisation, not for the program.
    fv = b.make_volunteer(session, other_program, supports="family", created_at=at(date(2025, 7, 1)),
                          approved_at=at(date(2025, 7, 2)))
    fr = b.make_request(session, other_program, household=b.make_household(session, org), referred_on=date(2025, 7, 1))
    b.make_match(session, fr, fv, status="active", started_on=date(2025, 8, 1), created_at=at(date(2025, 7, 20)))
    session.commit()
    return org, program


def test_the_dashboard_of_one_program_matches_the_hand_computed_figures(session, town):
    org, program = town
    d = build_dashboard(session, org.id, START, END, TODAY, program_id=program.id)
    assert d.volunteer_funnel == {"signed_up": 4, "screening": 3, "approved": 2, "matched": 2}
    assert d.request_funnel == {"referred": 4, "matched": 3}
    assert sorted(d.waiting_requests.days) == [10, 37, 59] and d.waiting_requests.median == 37
    assert d.waiting_requests.longest == 59 and d.waiting_requests.bins == [1, 2, 0, 0, 0]
    assert sorted(d.waiting_volunteers.days) == [10, 12, 86] and d.waiting_volunteers.median == 12
    assert d.waiting_now_requests.days == [214]
    assert sorted(d.waiting_now_volunteers.days) == [112, 230]
    assert d.matches_by_status == {"introduced": 0, "active": 1, "paused": 0, "closed": 2}
    # Durations 90 (closed), 180 (closed), 265 (running): S = 2/3 after day 90, 1/3 after day 180.
    assert [(s.day, s.at_risk, s.closed) for s in d.survival] == [(90, 3, 1), (180, 2, 1)]
    assert d.retention[3] == pytest.approx(2 / 3) and d.retention[6] == pytest.approx(1 / 3)
    assert d.retention[12] is None and d.longest_observed_days == 265  # no 12-month figure from 265 days
    assert d.closure_reasons == {"moved": 1, "goal_reached": 1}
    assert d.outcomes == {"education_or_work": {"yes": 2, "no": 0, "unknown": 0},
                          "leisure_activity": {"yes": 1, "no": 1, "unknown": 0},
                          "social_case": {"yes": 0, "no": 1, "unknown": 1}}
    # At entry: R1 not in education and a social case; R3 in education; nobody answered leisure.
    assert d.baseline_outcomes == {"education_or_work": {"yes": 1, "no": 1, "unknown": 0},
                                   "leisure_activity": {"yes": 0, "no": 0, "unknown": 0},
                                   "social_case": {"yes": 1, "no": 0, "unknown": 0}}
    # 5 meetings in the period over 91 + 181 + 266 active days.
    assert d.meetings == 5 and d.match_months == pytest.approx(538 / 30.44)
    assert d.meetings_per_match_month == pytest.approx(0.2829, abs=1e-4)
    # Due in the period: on time, 19 days late, never done; the one due 25-12 is still in its grace period.
    assert (d.checkins_due, d.checkins_on_time) == (3, 1)
    assert [(g.program, g.target, g.achieved) for g in d.goals] == [("Unge", 10, 3)]


def test_the_whole_organisation_includes_every_program_and_nothing_of_others(session, town, world):
    org, _program = town
    d = build_dashboard(session, org.id, START, END, TODAY)
    assert d.request_funnel == {"referred": 5, "matched": 4}
    assert d.matches_by_status["active"] == 2 and d.started_matches == 4
    other = build_dashboard(session, world.organisation.id, START, END, TODAY)
    assert other.request_funnel["referred"] == 0 and other.started_matches == 0
