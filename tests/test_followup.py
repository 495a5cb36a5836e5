"""Following a relationship: check-ins, pause and resume, closure, alerts and reminders.

Every rule that depends on time is tested with fixed dates passed in as ``today``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models import clock
from models.errors import Conflict, DomainError
from models.followup import (
    CheckInAnswers,
    Closure,
    close_match,
    mark_contact_handled,
    pause_match,
    reactivate_volunteer,
    record_checkin,
    resume_match,
)
from models.lifecycle import schedule_checkins
from models.matches import CheckIn, Exclusion, Match, MatchEvent, MeetingLog
from models.mentees import Request
from models.outbox import OutboxMessage
from models.reminders import send_reminders
from models.risk import at_risk, overdue_checkins, ratings_falling
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh

START = date(2026, 1, 5)
OUTCOME = {"education_or_work": "yes", "leisure_activity": "no", "social_case": "unknown", "own_words": "Går i skole"}


@pytest.fixture
def pair(session, world):
    """A fresh active match that started on START, with its check-in plan."""
    volunteer = b.make_volunteer(session, world.program, first_name="Karin", email="karin@example.org")
    youth = b.make_youth(session, world.organisation, first_name="Ali")
    request = b.make_request(session, world.program, youth=youth)
    match = b.make_match(session, request, volunteer, started_on=START, coordinator_id=world.coordinator.id)
    volunteer.pool_since = None
    session.add(volunteer)
    schedule_checkins(session, match, world.program, START)
    session.commit()
    return match


def _answers(on: date, **overrides) -> CheckInAnswers:
    values = {"done_on": on, "contacted": ["volunteer", "parent"], "rating": 4, "concerns": "",
              "agreements": "Mødes hver tirsdag", "next_step": "Ring igen om en måned"}
    values.update(overrides)
    return CheckInAnswers(**values)


# --- check-ins ----------------------------------------------------------------------------

def test_the_check_in_plan_starts_when_the_match_starts(session, world, pair):
    due = [c.due_on for c in session.exec(select(CheckIn).where(CheckIn.match_id == pair.id).order_by(CheckIn.due_on))]
    assert due[:3] == [START + timedelta(days=14), START + timedelta(days=30), START + timedelta(days=60)]
    assert due[-1] == START + timedelta(days=365)


def test_recording_a_check_in_completes_the_earliest_one_due(session, world, pair):
    today = START + timedelta(days=40)
    checkin = record_checkin(session, pair.id, world.coordinator, today, _answers(today))
    assert checkin.due_on == START + timedelta(days=14) and checkin.done_on == today
    assert checkin.contacted == ["volunteer", "parent"] and checkin.rating == 4
    second = record_checkin(session, pair.id, world.coordinator, today, _answers(today))
    assert second.due_on == START + timedelta(days=30)
    # Nothing more is due: the next one is an extra check-in on the day.
    third = record_checkin(session, pair.id, world.coordinator, today, _answers(today))
    assert third.kind == "extra" and third.due_on == today


@pytest.mark.parametrize(("overrides", "field"), [
    ({"contacted": []}, "contacted"),
    ({"contacted": ["neighbour"]}, "contacted"),
    ({"rating": None}, "rating"),
    ({"done_on": START + timedelta(days=41)}, "done_on"),  # tomorrow
    ({"done_on": START - timedelta(days=1)}, "done_on"),  # before the match began
])
def test_a_check_in_with_bad_answers_is_refused_and_nothing_is_written(session, world, pair, overrides, field):
    today = START + timedelta(days=40)
    with pytest.raises(DomainError) as error:
        record_checkin(session, pair.id, world.coordinator, today, _answers(today, **overrides))
    assert error.value.field == field
    fresh(session)
    assert session.exec(select(CheckIn).where(CheckIn.match_id == pair.id, CheckIn.done_on.is_not(None))).all() == []


def test_a_coordinator_working_on_an_old_copy_of_the_match_gets_a_conflict(session, world, pair):
    seen = pair.version
    today = START + timedelta(days=40)
    record_checkin(session, pair.id, world.coordinator, today, _answers(today), seen_version=seen)
    with pytest.raises(Conflict):
        pause_match(session, pair.id, world.coordinator, today, on=today, until=None, reason="Eksamen", seen_version=seen)
    fresh(session)
    assert session.get(Match, pair.id).status == "active"


# --- pause and resume ---------------------------------------------------------------------

def test_pause_and_resume_are_recorded_with_date_who_and_why(session, world, pair):
    today = START + timedelta(days=50)
    pause_match(session, pair.id, world.coordinator, today, on=today, until=today + timedelta(days=30), reason="Eksamen")
    resume_match(session, pair.id, world.coordinator, today + timedelta(days=20), on=today + timedelta(days=20))
    fresh(session)
    events = session.exec(select(MatchEvent).where(MatchEvent.match_id == pair.id).order_by(MatchEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in events[-2:]] == [("active", "paused"), ("paused", "active")]
    assert events[-2].by_id == world.coordinator.id and events[-2].reason == "Eksamen" and events[-2].on == today
    match = session.get(Match, pair.id)
    assert match.status == "active" and match.paused_until is None


def test_a_pause_needs_a_reason_and_must_end_after_it_begins(session, world, pair):
    today = START + timedelta(days=50)
    with pytest.raises(DomainError) as error:
        pause_match(session, pair.id, world.coordinator, today, on=today, until=None, reason=" ")
    assert error.value.field == "reason"
    with pytest.raises(DomainError) as error:
        pause_match(session, pair.id, world.coordinator, today, on=today, until=today, reason="Ferie")
    assert error.value.field == "until"


# --- closure ------------------------------------------------------------------------------

def test_a_planned_closure_records_outcome_plans_the_follow_up_and_returns_both_to_the_pools(session, world, pair):
    today = START + timedelta(days=400)
    close_match(session, pair.id, world.coordinator, today,
                Closure(closed_on=today, reason="goal_reached", exit_conversation="Godt forløb", outcome=OUTCOME,
                        pair_may_rematch=True, request_back_to_pool=True, volunteer_back_to_pool=True))
    fresh(session)
    match = session.get(Match, pair.id)
    assert (match.status, match.closed_on, match.closure_reason) == ("closed", today, "goal_reached")
    assert match.outcome == OUTCOME and match.exit_conversation == "Godt forløb"
    request = session.get(Request, match.request_id)
    volunteer = session.get(Volunteer, match.volunteer_id)
    assert request.status == "waiting" and request.pool_since == today
    assert volunteer.status == "approved" and volunteer.pool_since == today
    assert session.exec(select(Exclusion).where(Exclusion.request_id == match.request_id)).all() == []
    open_checkins = session.exec(select(CheckIn).where(CheckIn.match_id == pair.id, CheckIn.done_on.is_(None))).all()
    # The one-year measure (due a year after the start, not yet recorded) stays due after the closure.
    assert sorted((c.kind, c.due_on) for c in open_checkins) == [
        ("followup", today + timedelta(days=365)), ("one_year", START + timedelta(days=365))]


def test_an_early_closure_can_keep_both_out_of_the_pools_and_exclude_the_pair(session, world, pair):
    today = START + timedelta(days=100)
    close_match(session, pair.id, world.coordinator, today,
                Closure(closed_on=today - timedelta(days=3), reason="too_heavy", note="Kriminalitet", outcome=OUTCOME,
                        pair_may_rematch=False, request_back_to_pool=False, volunteer_back_to_pool=False))
    fresh(session)
    match = session.get(Match, pair.id)
    assert session.get(Request, match.request_id).status == "closed"
    volunteer = session.get(Volunteer, match.volunteer_id)
    assert volunteer.status == "inactive" and volunteer.pool_since is None
    assert session.exec(select(Exclusion).where(Exclusion.request_id == match.request_id,
                                                Exclusion.volunteer_id == match.volunteer_id)).one()
    # Later the volunteer wants a new match.
    reactivate_volunteer(session, volunteer.id, world.coordinator, today + timedelta(days=30))
    fresh(session)
    volunteer = session.get(Volunteer, match.volunteer_id)
    assert volunteer.status == "approved" and volunteer.pool_since == today + timedelta(days=30)


@pytest.mark.parametrize(("closure", "field"), [
    (Closure(closed_on=START - timedelta(days=1), reason="moved", outcome=OUTCOME), "closed_on"),
    (Closure(closed_on=START + timedelta(days=101), reason="moved", outcome=OUTCOME), "closed_on"),
    (Closure(closed_on=START + timedelta(days=90), reason="moved", outcome={}), "outcome"),
    (Closure(closed_on=START + timedelta(days=90), reason="moved", outcome={"education_or_work": "yes"}), "outcome"),
    (Closure(closed_on=START + timedelta(days=90), reason="", outcome=OUTCOME), "reason"),
    (Closure(closed_on=START + timedelta(days=90), reason="other", outcome=OUTCOME), "note"),
])
def test_a_closure_with_bad_input_is_refused_and_the_match_stays_open(session, world, pair, closure, field):
    with pytest.raises(DomainError) as error:
        close_match(session, pair.id, world.coordinator, START + timedelta(days=100), closure)
    assert error.value.field == field
    fresh(session)
    assert session.get(Match, pair.id).status == "active"
    assert session.exec(select(Exclusion).where(Exclusion.request_id == pair.request_id)).all() == []


def test_a_program_that_does_not_require_the_outcome_lets_it_be_left_out(session, world, pair):
    world.program.outcome_required = False
    world.program.measures_followup = False
    session.add(world.program)
    session.commit()
    today = START + timedelta(days=100)
    close_match(session, pair.id, world.coordinator, today, Closure(closed_on=today, reason="moved"))
    fresh(session)
    assert session.get(Match, pair.id).status == "closed"
    assert session.exec(select(CheckIn).where(CheckIn.match_id == pair.id, CheckIn.kind == "followup")).all() == []


def test_closing_twice_is_a_conflict(session, world, pair):
    today = START + timedelta(days=100)
    close_match(session, pair.id, world.coordinator, today, Closure(closed_on=today, reason="moved", outcome=OUTCOME))
    with pytest.raises(Conflict):
        close_match(session, pair.id, world.coordinator, today, Closure(closed_on=today, reason="moved", outcome=OUTCOME))


def test_the_twelve_month_follow_up_records_the_outcome_then(session, world, pair):
    today = START + timedelta(days=100)
    close_match(session, pair.id, world.coordinator, today, Closure(closed_on=today, reason="moved", outcome=OUTCOME))
    later = today + timedelta(days=370)
    # Both measures are due by then: one year after the start, and 12 months after the closure.
    assert [c.kind for c, _m in overdue_checkins(session, world.organisation.id, later)] == ["one_year", "followup"]
    with pytest.raises(DomainError) as error:
        record_checkin(session, pair.id, world.coordinator, later, _answers(later, rating=None, contacted=["youth"]))
    assert error.value.field == "outcome"
    kinds = [record_checkin(session, pair.id, world.coordinator, later,
                            _answers(later, rating=None, contacted=["youth"], outcome=OUTCOME)).kind
             for _ in range(2)]
    assert kinds == ["one_year", "followup"]
    fresh(session)
    done = session.exec(select(CheckIn).where(CheckIn.match_id == pair.id, CheckIn.kind.in_(kinds))).all()
    assert all(c.outcome == OUTCOME and c.done_on == later for c in done)


# --- at risk ------------------------------------------------------------------------------

@pytest.mark.parametrize(("ratings", "falling"), [
    ([], False), ([5], False), ([2], True), ([3, 3, 4, 5], True), ([4, 4, 4, 5], False), ([3, 4, 4], False),
])
def test_ratings_count_as_falling_when_the_last_was_bad_or_the_trend_is_down(ratings, falling):
    assert ratings_falling(ratings) is falling


def _flags(session, world, today, match_id):
    risks = {r.match.id: r for r in at_risk(session, world.organisation.id, today)}
    return [f.kind for f in risks[match_id].flags] if match_id in risks else []


def test_no_meeting_for_longer_than_the_program_allows_puts_a_match_at_risk(session, world, pair):
    world.program.inactivity_days = 30
    session.add(world.program)
    session.add(MeetingLog(match_id=pair.id, volunteer_id=pair.volunteer_id, met_on=START + timedelta(days=10),
                           minutes=60, rating=4))
    for c in session.exec(select(CheckIn).where(CheckIn.match_id == pair.id)):
        session.delete(c)
    session.commit()
    assert _flags(session, world, START + timedelta(days=40), pair.id) == []
    assert _flags(session, world, START + timedelta(days=41), pair.id) == ["no_meeting"]
    # Paused: a break is not a silence.
    pause_match(session, pair.id, world.coordinator, START + timedelta(days=41), on=START + timedelta(days=41),
                until=START + timedelta(days=60), reason="Ferie")
    assert _flags(session, world, START + timedelta(days=55), pair.id) == []
    assert _flags(session, world, START + timedelta(days=62), pair.id) == ["pause_over"]


def test_talk_to_me_falling_ratings_and_overdue_check_ins_are_flagged_most_urgent_first(session, world, pair):
    today = START + timedelta(days=20)
    session.add(MeetingLog(match_id=pair.id, volunteer_id=pair.volunteer_id, met_on=START + timedelta(days=19),
                           minutes=60, rating=2, needs_contact=True))
    session.commit()
    risks = at_risk(session, world.organisation.id, today)
    assert risks[0].match.id == pair.id
    assert [f.kind for f in risks[0].flags] == ["talk_to_me", "falling_ratings", "overdue_checkin"]
    assert risks[0].flags[-1].days == 6
    mark_contact_handled(session, pair.id, world.coordinator)
    assert "talk_to_me" not in _flags(session, world, today, pair.id)


def test_a_high_complexity_request_with_an_inexperienced_volunteer_is_flagged(session, world):
    volunteer = b.make_volunteer(session, world.program, experience=0)
    request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation), complexity=3)
    match = b.make_match(session, request, volunteer, started_on=START)
    session.commit()
    assert _flags(session, world, START + timedelta(days=1), match.id) == ["heavy_for_experience"]


def test_an_introduction_that_does_not_happen_is_flagged(session, world):
    volunteer = b.make_volunteer(session, world.program)
    request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
    match = b.make_match(session, request, volunteer, status="introduced", intro_on=START)
    session.commit()
    assert _flags(session, world, START, match.id) == []
    assert _flags(session, world, START + timedelta(days=2), match.id) == ["introduction_overdue"]


def test_another_organisations_matches_are_never_in_the_list(session, world, other_world):
    other = {r.match.id for r in at_risk(session, other_world.organisation.id, clock.today() + timedelta(days=400))}
    assert world.match.id not in other and other_world.match.id in other


# --- reminders ----------------------------------------------------------------------------

def _mails(session, kind):
    fresh(session)
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


def test_a_quiet_volunteer_gets_a_gentle_reminder_at_most_once_a_fortnight(session, world, pair):
    session.add(MeetingLog(match_id=pair.id, volunteer_id=pair.volunteer_id, met_on=START + timedelta(days=3),
                           minutes=60, rating=4))
    session.commit()
    base = "https://makker.test"
    send_reminders(session, START + timedelta(days=16), base, world.organisation.id)
    assert [m.to_email for m in _mails(session, "meeting_reminder")] == []  # 13 days: not yet
    quiet_day = clock.today()  # the outbox stamps real time, so the fortnight counts from here
    report = send_reminders(session, quiet_day, base, world.organisation.id)
    reminders = [m for m in _mails(session, "meeting_reminder") if m.to_email == "karin@example.org"]
    assert len(reminders) == 1 and report.volunteers >= 1
    assert f"{base}/frivillig/moede/{pair.id}" in reminders[0].body and "Ali" in reminders[0].body
    send_reminders(session, quiet_day, base, world.organisation.id)  # run twice the same day
    send_reminders(session, quiet_day + timedelta(days=13), base, world.organisation.id)  # within a fortnight
    assert len([m for m in _mails(session, "meeting_reminder") if m.to_email == "karin@example.org"]) == 1
    send_reminders(session, quiet_day + timedelta(days=14), base, world.organisation.id)
    assert len([m for m in _mails(session, "meeting_reminder") if m.to_email == "karin@example.org"]) == 2


def test_coordinators_get_one_digest_of_check_ins_that_fell_due_and_never_the_same_twice(session, world, pair):
    base = "https://makker.test"
    first = START + timedelta(days=31)  # the 14- and 30-day check-ins are due
    report = send_reminders(session, first, base, world.organisation.id)
    mails = [m for m in _mails(session, "checkin_due") if m.to_email == world.coordinator.email]
    assert report.checkins >= 2 and len(mails) == 1
    assert mails[0].body.count(f"/koordinator/makkerpar/{pair.id}") == 2
    send_reminders(session, first, base, world.organisation.id)
    send_reminders(session, first + timedelta(days=1), base, world.organisation.id)  # nothing new fell due
    assert len([m for m in _mails(session, "checkin_due") if m.to_email == world.coordinator.email]) == 1
    send_reminders(session, START + timedelta(days=60), base, world.organisation.id)
    mails = [m for m in _mails(session, "checkin_due") if m.to_email == world.coordinator.email]
    assert len(mails) == 2 and mails[1].body.count(f"/koordinator/makkerpar/{pair.id}") == 1
