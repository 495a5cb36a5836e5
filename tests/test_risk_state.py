"""The stored at-risk assessment always equals one made from scratch, whatever happens to the matches.

The pages read ``models.risk_state``; ``models.risk.assess`` is the definition. After every kind
of change — through the same domain operations the pages call, in random order, with a clock
the test controls — the stored rows, the count and the ordered list must be what a from-scratch
assessment says. Time alone (no meeting for N days, an overdue check-in) is the daily refresh's job.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models import clock
from models.errors import DomainError
from models.followup import (
    CheckInAnswers,
    Closure,
    close_match,
    mark_contact_handled,
    pause_match,
    record_checkin,
    resume_match,
)
from models.introductions import record_introduction
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Match, MeetingLog
from models.meetings import decline_match, log_meeting, request_end
from models.mentees import Request
from models.organisations import Program
from models.program_settings import ProgramChanges, update_program
from models.proposals import manual_match
from models.retention import erase_mentee
from models.risk import assess, at_risk, count_overdue_checkins
from models.risk_state import (
    MatchRiskState,
    at_risk_from_state,
    count_at_risk,
    fill_missing_risk,
    refresh_match_risk,
    refresh_risk,
    risk_counts,
    stored_risks,
)
from models.signup import VolunteerDetails
from models.volunteer_profile import update_profile
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh

START = clock.today()


def _scratch(session, organisation_id: int, today: date) -> dict[int, tuple]:  # noqa: ANN001
    matches = list(session.exec(select(Match).where(Match.organisation_id == organisation_id)))
    return {m.id: (sorted((f.kind, f.days) for f in r.flags), r.last_meeting, r.last_checkin, r.urgency)
            for m, r in ((m, assess(session, [m], today)[m.id]) for m in matches)}


def _stored(session, organisation_id: int, today: date) -> dict[int, tuple]:  # noqa: ANN001
    matches = list(session.exec(select(Match).where(Match.organisation_id == organisation_id)))
    return {match_id: (sorted((f.kind, f.days) for f in r.flags), r.last_meeting, r.last_checkin, r.urgency)
            for match_id, r in stored_risks(session, matches, today).items()}


def assert_state_matches_scratch(session, organisation_id: int, today: date) -> None:  # noqa: ANN001
    fresh(session)
    assert _stored(session, organisation_id, today) == _scratch(session, organisation_id, today)
    expected = at_risk(session, organisation_id, today)
    assert [r.match.id for r in at_risk_from_state(session, organisation_id, today)] == [r.match.id for r in expected]
    assert count_at_risk(session, organisation_id) == len(expected)
    assert risk_counts(session, organisation_id) == (len(expected),
                                                     count_overdue_checkins(session, organisation_id, today))


@pytest.fixture
def pool(session, world):  # noqa: ANN001, ANN201
    """The world plus matches in every state that raises a flag, waiting volunteers of every
    experience and waiting requests of every heaviness."""
    volunteers = [b.make_volunteer(session, world.program, capacity=3, experience=e) for e in (0, 1, 3, 0)]

    def request(complexity: int) -> Request:
        return b.make_request(session, world.program, youth=b.make_youth(session, world.organisation),
                              complexity=complexity, complexity_reason="Svær sag" if complexity >= 2 else "")

    silent = b.make_match(session, request(3), volunteers[0], started_on=START - timedelta(days=80))
    talking = b.make_match(session, request(1), volunteers[1], started_on=START - timedelta(days=50))
    b.make_match(session, request(2), volunteers[2], status="paused", started_on=START - timedelta(days=90),
                 paused_until=START - timedelta(days=4))
    b.make_match(session, request(0), volunteers[3], status="introduced", intro_on=START - timedelta(days=2))
    overdue = b.make_match(session, request(0), volunteers[1], started_on=START - timedelta(days=40))
    for match, rating, needs_contact in ((talking, 5, False), (talking, 4, False), (talking, 2, True),
                                         (overdue, 3, False)):
        session.add(MeetingLog(match_id=match.id, volunteer_id=match.volunteer_id, met_on=START - timedelta(days=3),
                               minutes=60, rating=rating, needs_contact=needs_contact))
    session.add(CheckIn(match_id=overdue.id, due_on=START - timedelta(days=10)))
    session.add(CheckIn(match_id=silent.id, due_on=START + timedelta(days=5)))
    for complexity in (0, 1, 2, 3, 2, 0):
        request(complexity)
    session.commit()
    refresh_risk(session, START)  # built by hand, past the operations: as after an import
    return world


class Clock:
    def __init__(self) -> None:
        self.today = START


def _open(session, world, statuses=OPEN_MATCH_STATUSES) -> list[Match]:  # noqa: ANN001
    return list(session.exec(select(Match).where(Match.organisation_id == world.organisation.id,
                                                 Match.status.in_(statuses)).order_by(Match.id)))


def _start(match: Match) -> date:
    return match.started_on or match.intro_on or match.created_at.date()


def _operate(session, world, clock: Clock, kind: str, rng: random.Random) -> None:  # noqa: ANN001, C901
    today, by = clock.today, world.coordinator
    if kind == "time passes":
        clock.today = today + timedelta(days=rng.choice((1, 3, 12, 40)))
        refresh_risk(session, clock.today)  # the daily job, run for the new day
        return
    if kind == "match made":
        waiting = list(session.exec(select(Request).where(Request.program_id == world.program.id,
                                                          Request.status == "waiting")))
        volunteers = list(session.exec(select(Volunteer).where(Volunteer.program_id == world.program.id,
                                                               Volunteer.status == "approved")))
        if waiting and volunteers:
            manual_match(session, rng.choice(waiting).id, rng.choice(volunteers).id, by, today, confirm_soft=True)
        return
    if kind == "program settings":
        program = session.get(Program, world.program.id)
        changes = ProgramChanges(**{f.name: getattr(program, f.name) for f in dataclasses.fields(ProgramChanges)})
        changes.inactivity_days = rng.choice((7, 30, 45))
        update_program(session, program, changes, world.admin, today=today)
        return
    if kind == "volunteer experience":
        volunteer = rng.choice(list(session.exec(select(Volunteer).where(Volunteer.program_id == world.program.id))))
        details = VolunteerDetails(**{f.name: getattr(volunteer, f.name) for f in dataclasses.fields(VolunteerDetails)})
        details.experience = rng.randint(0, 3)
        update_profile(session, volunteer, details, today, by)
        return
    introduced = _open(session, world, ("introduced",))
    started = _open(session, world, ("active", "paused"))
    if kind in ("introduction", "volunteer declines") and introduced:
        match = rng.choice(introduced)
        if kind == "introduction":
            record_introduction(session, match.id, by, today, today, volunteer_yes=rng.random() < 0.8, mentee_yes=True)
        else:
            decline_match(session, match.id, session.get(Volunteer, match.volunteer_id), today, "Ingen tid")
        return
    if not started:
        return
    match = rng.choice(started)
    volunteer = session.get(Volunteer, match.volunteer_id)
    if kind == "meeting":
        met_on = max(_start(match), today - timedelta(days=rng.randint(0, 20)))
        log_meeting(session, match, volunteer, today, met_on=met_on, minutes=60, activities=["talk"], note="",
                    rating=rng.randint(1, 5), needs_contact=rng.random() < 0.3)
    elif kind == "check-in":
        record_checkin(session, match.id, by, today, CheckInAnswers(done_on=today, contacted=["volunteer"],
                                                                    rating=rng.randint(1, 5)))
    elif kind == "talk answered":
        mark_contact_handled(session, match.id, by, today=today)
    elif kind == "pause or resume":
        if match.status == "active":
            until = today + timedelta(days=rng.choice((2, 20))) if rng.random() < 0.8 else None
            pause_match(session, match.id, by, today, on=today, until=until, reason="Eksamen")
        else:
            resume_match(session, match.id, by, today, on=today)
    elif kind == "volunteer asks to end":
        request_end(session, match, volunteer, "Flytter", today=today)
    elif kind == "closure":
        close_match(session, match.id, by, today, Closure(closed_on=today, reason="moved",
                                                          outcome={"education_or_work": "yes", "leisure_activity": "no",
                                                                   "social_case": "unknown"}))
    elif kind == "mentee erased":
        request = session.get(Request, match.request_id)
        erase_mentee(session, "Youth", request.youth_id, by, today)


OPERATIONS = ("time passes", "match made", "program settings", "volunteer experience", "introduction",
              "volunteer declines", "meeting", "meeting", "check-in", "talk answered", "pause or resume",
              "volunteer asks to end", "closure", "mentee erased")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 2**32)), min_size=8, max_size=25))
def test_the_stored_assessment_equals_one_from_scratch_after_every_kind_of_change(session, pool, steps):
    clock = Clock()
    # Examples share the database; each starts from the last one's day (the clock never goes back).
    latest = session.exec(select(MatchRiskState.assessed_on).order_by(MatchRiskState.assessed_on.desc())).first()
    clock.today = max(START, latest or START)
    for kind, seed in steps:
        try:
            _operate(session, pool, clock, kind, random.Random(seed))
        except DomainError:
            session.rollback()  # refused: nothing was written, and the state must still agree
        assert_state_matches_scratch(session, pool.organisation.id, clock.today)


def test_a_meeting_with_talk_to_me_is_counted_at_once_and_answering_it_clears_it(session, world):
    today = START
    assert count_at_risk(session, world.organisation.id) == 1  # Anna's match: no meeting for 60 days
    log_meeting(session, world.match, world.volunteer, today, met_on=today, minutes=60, activities=[], note="",
                rating=4, needs_contact=True)
    fresh(session)
    risk = stored_risks(session, [world.match], today)[world.match.id]
    assert [f.kind for f in risk.flags] == ["talk_to_me"] and risk.last_meeting == today
    mark_contact_handled(session, world.match.id, world.coordinator, today=today)
    fresh(session)
    assert stored_risks(session, [world.match], today)[world.match.id].flags == []
    assert count_at_risk(session, world.organisation.id) == 0


def test_the_daily_refresh_brings_the_flags_that_come_with_time_and_a_second_run_changes_nothing(session, world):
    log_meeting(session, world.match, world.volunteer, START, met_on=START, minutes=60, activities=[], note="",
                rating=4, needs_contact=False)
    assert count_at_risk(session, world.organisation.id) == 0
    later = START + timedelta(days=45)  # past the program's 30 days without a meeting
    first = refresh_risk(session, later)
    assert first.changed >= 1 and first.at_risk == 1
    assert refresh_risk(session, later).changed == 0
    assert_state_matches_scratch(session, world.organisation.id, later)


def test_days_shown_between_two_refreshes_count_on_from_the_last_one(session, world):
    refresh_risk(session, START)
    later = START + timedelta(days=3)
    shown = {f.kind: f.days for f in stored_risks(session, [world.match], later)[world.match.id].flags}
    truth = {f.kind: f.days for f in assess(session, [world.match], later)[world.match.id].flags}
    assert shown["no_meeting"] == truth["no_meeting"] == 63


def test_an_organisation_is_refreshed_alone(session, world, other_world):
    for match in (world.match, other_world.match):
        session.add(MeetingLog(match_id=match.id, volunteer_id=match.volunteer_id, met_on=START, minutes=60,
                               rating=1))
    session.commit()
    report = refresh_risk(session, START, world.organisation.id)
    assert report.assessed == 1
    assert_state_matches_scratch(session, world.organisation.id, START)
    other = stored_risks(session, [other_world.match], START)[other_world.match.id]
    assert other.last_meeting is None  # untouched until its own refresh


def _program_of_the_old_schema(session, org):  # noqa: ANN001, ANN202
    """A program row written with only the columns the older schema has (later migrations add more,
    e.g. 0015's børneattest interval), and a stand-in with what the builders read of it."""
    import json
    from types import SimpleNamespace

    from sqlalchemy import column, insert, inspect, select, table

    from models.organisations import Program

    record = Program(organisation_id=org.id, name="Mentorprogram", slug="mentor")
    existing = {c["name"] for c in inspect(session.connection()).get_columns("program")}
    values = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in record.model_dump().items()
              if k in existing and k != "id"}
    old = table("program", *(column(k) for k in [*values, "id"]))  # only these columns, no model defaults
    session.execute(insert(old).values(**values))
    program_id = session.execute(select(old.c.id).where(old.c.slug == "mentor")).scalar_one()
    return SimpleNamespace(id=program_id, organisation_id=org.id, required_steps=record.required_steps,
                           serves=record.serves)


def test_matches_from_before_the_stored_assessment_are_assessed_on_upgrade(tmp_path):
    from sqlmodel import Session

    from models.db import make_engine
    from models.migrate import upgrade
    from web import create_app

    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    from alembic.script import ScriptDirectory

    from models.migrate import alembic_config

    before = ScriptDirectory.from_config(alembic_config(url)).get_revision("0008").down_revision
    upgrade(url, before)  # the schema just before migration 0008
    engine = make_engine(url)
    with Session(engine) as session:
        org = b.make_organisation(session)
        program = _program_of_the_old_schema(session, org)
        request = b.make_request(session, program, youth=b.make_youth(session, org))
        volunteer = b.make_volunteer(session, program)
        session.add(Match(organisation_id=org.id, program_id=program.id, request_id=request.id,
                          volunteer_id=volunteer.id, status="active", started_on=START - timedelta(days=90)))
        session.commit()
        org_id = org.id
    app = create_app({"DATABASE_URL": url, "TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "ENVIRON": {"MAKKER_ENV": "testing"}, "MAKKER_BASE_URL": "http://makker.test"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "assessed 1 matches" in result.output
    with Session(engine) as session:
        assert count_at_risk(session, org_id) == 1
        assert fill_missing_risk(session, START) == 0
    app.extensions["makker_engine"].dispose()
    engine.dispose()


def test_the_refresh_command_says_what_it_did(app, world):
    result = app.test_cli_runner().invoke(args=["refresh-risk"])
    assert result.exit_code == 0, result.output
    assert "assessed 1 matches, 0 changed, 1 at risk" in result.output
    unknown = app.test_cli_runner().invoke(args=["refresh-risk", "--organisation", "no-such-place"])
    assert unknown.exit_code != 0 and "no-such-place" in unknown.output


def test_refreshing_a_match_inside_an_operation_leaves_the_commit_to_it(session, world):
    session.add(MeetingLog(match_id=world.match.id, volunteer_id=world.volunteer.id, met_on=START, minutes=60,
                           rating=5))
    refresh_match_risk(session, START, [world.match.id])
    session.rollback()  # the operation failed after all: neither the meeting nor the new assessment stays
    fresh(session)
    risk = stored_risks(session, [world.match], START)[world.match.id]
    assert risk.last_meeting is None and [f.kind for f in risk.flags] == ["no_meeting"]


def test_the_assessment_is_read_from_the_locked_rows_not_from_a_copy_loaded_before(engine, session, world):
    """A page loaded the match, then a coordinator closed it, then the volunteer's meeting arrives:
    it is refused on the locked, closed match, and the stored assessment follows the closed match
    (no flags), not the copy the page loaded."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as page:
        stale = page.get(Match, world.match.id)
        volunteer = page.get(Volunteer, world.volunteer.id)
        page.commit()
        close_match(session, world.match.id, world.coordinator, START, Closure(
            closed_on=START, reason="moved", outcome={"education_or_work": "yes", "leisure_activity": "no",
                                                       "social_case": "unknown"}))
        assert stale.status == "active"
        # The operation decides on the locked row (issue 19): the match is closed, so no meeting.
        with pytest.raises(DomainError):
            log_meeting(page, stale, volunteer, START, met_on=START, minutes=60, activities=[], note="", rating=1,
                        needs_contact=True)
        page.rollback()
    assert_state_matches_scratch(session, world.organisation.id, START)
    assert count_at_risk(session, world.organisation.id) == 0
