"""The write pattern's own promises (models/writes.py), and the web layer's answers to refusals."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.errors import AlreadyDone, Conflict, DomainError
from models.matches import Exclusion, Match
from models.users import User
from models.volunteers import Volunteer
from models.writes import (
    CONFLICT_MESSAGE,
    LockOrderError,
    WriteOutsideTransaction,
    begin_write,
    claim_submission,
    lock,
    lock_all,
    note_result,
    shared_write,
)
from tests.conftest import login
from web.policy import public


def test_locking_against_the_house_order_is_refused_at_once(session, world):
    begin_write(session)
    lock(session, Match, world.match.id)
    with pytest.raises(LockOrderError):
        lock(session, Volunteer, world.volunteer.id)
    session.rollback()


def test_rows_of_one_table_are_locked_by_ascending_id(session, world):
    begin_write(session)
    rows = lock_all(session, Volunteer, [world.other_volunteer.id, world.volunteer.id])
    assert [v.id for v in rows] == sorted([world.volunteer.id, world.other_volunteer.id])
    with pytest.raises(LockOrderError):
        lock(session, Volunteer, min(world.volunteer.id, world.other_volunteer.id))
    session.rollback()


def test_a_lock_outside_a_write_transaction_is_refused(session, world):
    with pytest.raises(WriteOutsideTransaction):
        lock(session, Volunteer, world.volunteer.id)


def test_a_locked_row_is_read_again_not_taken_from_what_the_session_had(engine, session, world):
    stale = session.get(Volunteer, world.volunteer.id)
    with Session(engine) as other:
        other.get(Volunteer, world.volunteer.id).first_name = "Anne"
        other.commit()
    begin_write(session)
    assert lock(session, Volunteer, world.volunteer.id) is stale and stale.first_name == "Anne"
    session.rollback()


def test_a_form_token_is_spent_once_and_the_second_answer_points_at_the_first_result(session, world):
    begin_write(session)
    claim = claim_submission(session, "token-of-one-form-123", "test", user_id=world.coordinator.id)
    note_result(claim, 42)
    session.commit()
    begin_write(session)
    with pytest.raises(AlreadyDone) as done:
        claim_submission(session, "token-of-one-form-123", "test", user_id=world.coordinator.id)
    assert done.value.result_id == 42
    session.rollback()
    begin_write(session)  # another operation may use the same token without clashing
    assert claim_submission(session, "token-of-one-form-123", "other", user_id=world.coordinator.id) is not None
    assert claim_submission(session, "not a token!", "test", user_id=None) is None
    session.rollback()


def test_a_refusal_the_database_keeps_repeating_becomes_a_conflict_after_three_attempts(session, world):
    attempts = []

    @shared_write
    def exclude_twice(s: Session) -> None:
        attempts.append(1)
        begin_write(s)
        for _ in range(2):
            s.add(Exclusion(organisation_id=world.organisation.id, request_id=world.request.id,
                            volunteer_id=world.other_volunteer.id))
        s.commit()

    with pytest.raises(Conflict) as refused:
        exclude_twice(session)
    assert refused.value.msgid == CONFLICT_MESSAGE and len(attempts) == 3
    assert session.exec(select(Exclusion)).all() == []


def test_a_lost_race_runs_again_and_answers_with_the_operations_own_message(engine, session, world):
    @shared_write
    def exclude(s: Session) -> None:
        begin_write(s)
        if s.exec(select(Exclusion).where(Exclusion.request_id == world.request.id)).first():
            raise DomainError("This pair is already excluded.")
        if not exclude.raced:
            exclude.raced = True
            with Session(engine) as rival:  # commits the same pair first (SQLite: after our lock ends)
                s.rollback()
                rival.add(Exclusion(organisation_id=world.organisation.id, request_id=world.request.id,
                                    volunteer_id=world.other_volunteer.id))
                rival.commit()
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: exclusion"))
        s.commit()

    exclude.raced = False
    with pytest.raises(DomainError) as answer:
        exclude(session)
    assert answer.value.msgid == "This pair is already excluded."


def test_a_web_request_that_writes_outside_the_pattern_fails_in_tests(app, world):
    from web.database import get_db

    with app.test_request_context("/"):
        db = get_db()
        user = db.get(User, world.coordinator.id)
        user.name = "Ændret"
        with pytest.raises(WriteOutsideTransaction):
            db.flush()
        db.rollback()


def test_an_error_after_a_failed_write_still_shows_the_error_page(app, client, world):
    from web.database import get_db

    @public
    def broken() -> str:
        db = get_db()
        begin_write(db)
        db.add(User(organisation_id=world.organisation.id, email=world.coordinator.email, name="Dublet",
                    role="coordinator"))
        with contextlib.suppress(IntegrityError):
            db.flush()  # and forgets to roll back: the session is unusable until someone does
        raise RuntimeError("something else went wrong")

    @public
    def refused() -> str:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    app.add_url_rule("/_test/broken", "test_broken", broken)
    app.add_url_rule("/_test/refused", "test_refused", refused)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, world.coordinator.email)  # the error page's menu reads the signed-in user
    page = client.get("/_test/broken")
    assert page.status_code == 500 and "Der gik noget galt hos os" in page.get_data(as_text=True)
    page = client.get("/_test/refused")
    assert page.status_code == 409 and "En anden ændrede det samme i samme øjeblik" in page.get_data(as_text=True)


def test_a_domain_error_no_view_caught_is_answered_with_its_message(app, client, world):
    @public
    def conflict() -> str:
        raise Conflict("This match is already closed.")

    app.add_url_rule("/_test/conflict", "test_conflict", conflict)
    page = client.get("/_test/conflict")
    assert page.status_code == 409 and "Makkerparret er allerede afsluttet" in page.get_data(as_text=True)
