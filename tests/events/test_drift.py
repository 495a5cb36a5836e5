"""The stored "waiting with no event" days (models/events/drift.py) always equal a count from
scratch, whatever changed — a person, a place, a match, an attendance, a programme's target, an
erasure — and the coordinator's pages read them instead of scanning the signups."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, insert, select
from sqlmodel import Session

from models import clock
from models.events.drift import VolunteerDrift, _rows, refresh_drift
from models.members.operations import pause_membership, resume_membership
from models.organisations import Program
from models.volunteer_profile import erase_volunteer
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh

TODAY = clock.today()


def _stored(session: Session) -> set[tuple]:
    fresh(session)
    return {(r.volunteer_id, r.program_id, r.drifts_on) for r in session.exec(select(VolunteerDrift)).scalars()}


def _from_scratch(session: Session) -> set[tuple]:
    fresh(session)
    return {(r["volunteer_id"], r["program_id"], r["drifts_on"]) for r in _rows(session, Volunteer.id.is_not(None))}


def _agrees(session: Session) -> set[tuple]:
    stored = _stored(session)
    assert stored == _from_scratch(session)
    return stored


def _drifting_ids(session: Session) -> set[int]:
    return {vid for vid, _pid, day in _agrees(session) if day <= TODAY}


def test_the_stored_days_equal_a_count_from_scratch_after_every_kind_of_change(session, world):
    target = world.program.waiting_target_days
    long_wait = b.make_volunteer(session, world.program, first_name="Langventer",
                                 pool_since=TODAY - timedelta(days=target + 5))
    short_wait = b.make_volunteer(session, world.program, first_name="Nyventer", pool_since=TODAY - timedelta(days=3))
    matched = b.make_volunteer(session, world.program, first_name="Snart", pool_since=TODAY - timedelta(days=target + 9))
    session.commit()
    assert {long_wait.id, matched.id} <= _drifting_ids(session) and short_wait.id not in _drifting_ids(session)

    # A match for one of them: not waiting any more.
    request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
    b.make_match(session, request, session.get(Volunteer, matched.id))
    session.commit()
    assert matched.id not in _drifting_ids(session)

    # Paused in their only programme: not waiting there; back: waiting again (with a new day).
    pause_membership(session, long_wait.id, world.program.id, world.coordinator, TODAY)
    assert long_wait.id not in _drifting_ids(session)
    resume_membership(session, long_wait.id, world.program.id, world.coordinator, TODAY)
    _agrees(session)

    # The programme's target shortened: the short wait passes it too.
    program = session.get(Program, world.program.id)
    program.waiting_target_days = 2
    session.add(program)
    session.commit()
    assert short_wait.id in _drifting_ids(session)

    # One event attended: off the list for good.
    past = b.make_event(session, [world.program], days_ahead=-2)
    b.make_signup(session, past, session.get(Volunteer, short_wait.id), attended=True, minutes=90)
    session.commit()
    assert short_wait.id not in _drifting_ids(session)

    # Erased: nothing of them is left in the table.
    erase_volunteer(session, session.get(Volunteer, long_wait.id), world.coordinator, TODAY)
    session.commit()
    assert long_wait.id not in {vid for vid, _p, _d in _agrees(session)}


def test_a_change_rolled_back_leaves_the_days_as_they_were(session, world):
    before = _agrees(session)
    volunteer = session.get(Volunteer, world.other_volunteer.id)
    volunteer.pool_since = TODAY - timedelta(days=400)
    session.add(volunteer)
    session.flush()
    session.rollback()
    assert _agrees(session) == before


def test_rows_written_past_the_orm_are_caught_by_the_daily_refresh(session, world):
    values = {c.name: getattr(world.other_volunteer, c.name) for c in Volunteer.__table__.columns
              if c.name not in ("id", "email", "user_id")}
    values.update(email="bulk@example.org", first_name="Bulk", pool_since=TODAY - timedelta(days=500))
    session.execute(insert(Volunteer).values(**values))
    session.commit()
    bulk_id = session.exec(select(Volunteer.id).where(Volunteer.email == "bulk@example.org")).scalar_one()
    from models.members.operations import add_first_memberships

    add_first_memberships(session, [bulk_id])
    session.commit()
    assert bulk_id in {r["volunteer_id"] for r in _rows(session, Volunteer.id == bulk_id)}
    refresh_drift(session, world.organisation.id)
    assert bulk_id in _drifting_ids(session)


def test_the_coordinators_pages_read_the_stored_days_and_never_scan_the_signups(app, engine, session, world,
                                                                                as_role):
    b.make_volunteer(session, world.program, first_name="Langventer",
                     pool_since=TODAY - timedelta(days=world.program.waiting_target_days + 5))
    session.commit()
    client = as_role("coordinator")
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        home = client.get("/koordinator/").get_data(as_text=True)
        followup = client.get("/koordinator/forloeb").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert "ventet længe uden arrangement" in home
    assert "Langventer" in followup[followup.index('id="drifting-h"'):]
    assert not [s for s in statements if "event_signup" in s], "a page scanned the signups"
    assert any("volunteer_drift" in s for s in statements)
