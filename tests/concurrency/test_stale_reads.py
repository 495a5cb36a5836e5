"""Decisions are taken on the locked, freshly read state: deterministic proofs.

Two kinds of tests, each of which failed before models.writes:

* inside an operation (PostgreSQL): a rival runs exactly between the moment the operation first
  reads and the moment it takes its locks (``interleave``). Before, the operation decided on what
  it had read before the lock (the identity map's copy) and broke the house.
* across the page and the operation (both databases): the page loaded a record, someone else
  changed it, then the operation runs with the page's object. Before, PostgreSQL trusted the
  stale object and SQLite failed with "database is locked".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from models.errors import AlreadyDone, Conflict, DomainError
from models.matches import CheckIn, Exclusion, Match, MatchEvent, MeetingLog
from models.matchruns import Proposal
from models.organisations import Program
from models.outbox import OutboxMessage
from models.users import User
from models.volunteers import Volunteer
from tests.concurrency.cases import TODAY, _answers, _closure, _screened, make_kit
from tests.concurrency.harness import Answer
from tests.concurrency.interleave import interleave
from tests.concurrency.invariants import broken_states


@pytest.fixture
def kit(engine, session):  # noqa: ANN001, ANN201
    built = make_kit(engine, session, 0)
    session.commit()
    return built


@pytest.fixture
def pg(engine):  # noqa: ANN001, ANN201
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the write lock before an operation reads: no point to slip in between")
    return engine


def _count(session: Session, model, *where) -> int:  # noqa: ANN001
    session.rollback()
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def _clean(*answers: Answer) -> None:
    for answer in answers:
        assert answer.unexpected is None, answer.describe()


# --- inside an operation (PostgreSQL) -------------------------------------------------------

def test_a_rejection_that_waited_for_an_approval_sees_it_and_refuses(pg, kit, session):
    from models.proposals import approve_proposal, reject_proposal

    proposal = kit.proposal(kit.request(), kit.volunteer())
    session.commit()
    reject, approve = interleave(pg, lambda s: reject_proposal(s, proposal.id, kit.coordinator2, "Passer ikke"),
                                 lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY))
    _clean(reject, approve)
    assert approve.ok and isinstance(reject.error, Conflict)
    assert _count(session, Exclusion, Exclusion.request_id == proposal.request_id) == 0
    assert session.get(Proposal, proposal.id).status == "approved"
    assert broken_states(session) == []


def test_a_closure_that_waited_for_another_closure_says_it_is_already_closed(pg, kit, session):
    from models.followup import close_match

    match = kit.match(kit.request(), kit.volunteer())
    session.commit()
    first, second = interleave(pg, lambda s: close_match(s, match.id, kit.coordinator, TODAY, _closure()),
                               lambda s: close_match(s, match.id, kit.coordinator2, TODAY, _closure()))
    _clean(first, second)
    assert second.ok and isinstance(first.error, Conflict)
    assert _count(session, MatchEvent, MatchEvent.match_id == match.id, MatchEvent.to_status == "closed") == 1
    assert broken_states(session) == []


def test_a_pause_that_waited_for_a_closure_does_not_reopen_the_match(pg, kit, session):
    from models.followup import close_match, pause_match

    match = kit.match(kit.request(), kit.volunteer())
    session.commit()
    pause, close = interleave(
        pg, lambda s: pause_match(s, match.id, kit.coordinator, TODAY, on=TODAY, until=None, reason="Eksamen"),
        lambda s: close_match(s, match.id, kit.coordinator2, TODAY, _closure()))
    _clean(pause, close)
    assert close.ok and isinstance(pause.error, DomainError)
    session.expire_all()
    assert session.get(Match, match.id).status == "closed"
    assert broken_states(session) == []


def test_a_closure_that_waited_for_a_pause_closes_from_the_pause_with_the_history_whole(pg, kit, session):
    from models.followup import close_match, pause_match

    match = kit.match(kit.request(), kit.volunteer())
    session.commit()
    close, pause = interleave(
        pg, lambda s: close_match(s, match.id, kit.coordinator, TODAY, _closure()),
        lambda s: pause_match(s, match.id, kit.coordinator2, TODAY, on=TODAY, until=None, reason="Eksamen"))
    _clean(close, pause)
    assert close.ok and pause.ok
    session.expire_all()
    chain = [(e.from_status, e.to_status) for e in session.exec(
        select(MatchEvent).where(MatchEvent.match_id == match.id).order_by(MatchEvent.id))]
    assert chain == [(None, "active"), ("active", "paused"), ("paused", "closed")]
    assert broken_states(session) == []


def test_a_check_in_sent_twice_from_one_form_is_recorded_once(pg, kit, session):
    from models.followup import record_checkin

    match = kit.match(kit.request(), kit.volunteer(), started_on=TODAY - timedelta(days=5))
    session.commit()

    def attempt(s: Session):  # noqa: ANN202
        return record_checkin(s, match.id, kit.coordinator, TODAY, _answers(), seen_version=match.version,
                              submit_key="the-same-form-token")

    first, second = interleave(pg, attempt, attempt)
    _clean(first, second)
    assert _count(session, CheckIn, CheckIn.match_id == match.id, CheckIn.done_on.is_not(None)) == 1
    assert isinstance(first.error, AlreadyDone) or isinstance(second.error, AlreadyDone)


def test_erasing_a_youth_while_their_match_is_closed_closes_it_once(pg, kit, session):
    from models.followup import close_match
    from models.retention import erase_mentee

    request = kit.request()
    match = kit.match(request, kit.volunteer())
    session.commit()
    # The closure slips in after the erasure has read the matches, just before it locks them.
    erase, close = interleave(pg, lambda s: erase_mentee(s, "Youth", request.youth_id, kit.admin, TODAY),
                              lambda s: close_match(s, match.id, kit.coordinator, TODAY, _closure()),
                              at="lock of volunteer")
    _clean(erase, close)
    assert erase.ok and close.ok
    assert _count(session, MatchEvent, MatchEvent.match_id == match.id, MatchEvent.to_status == "closed") == 1
    assert broken_states(session) == []


def test_two_admins_removing_each_other_leave_one_active_admin(pg, kit, session):
    from models.staff import set_active

    first, second = interleave(pg, lambda s: set_active(s, kit.admin, kit.admin2.id, False),
                               lambda s: set_active(s, kit.admin2, kit.admin.id, False))
    _clean(first, second)
    assert second.ok and isinstance(first.error, DomainError)
    assert _count(session, User, User.organisation_id == kit.organisation.id, User.role == "admin", User.active) == 1


def test_program_settings_saved_twice_from_one_form_keep_the_first_save(pg, kit, session):
    from models.program_settings import ProgramChanges, program_version, update_program

    program = session.get(Program, kit.program.id)
    seen = program_version(program)
    fields = {k: getattr(program, k) for k in ProgramChanges.__dataclass_fields__}
    first, second = interleave(
        pg, lambda s: update_program(s, s.get(Program, program.id), ProgramChanges(**{**fields, "inactivity_days": 43}),
                                     kit.admin, seen_version=seen),
        lambda s: update_program(s, s.get(Program, program.id),
                                 ProgramChanges(**{**fields, "waiting_target_days": 41}), kit.admin2,
                                 seen_version=seen))
    _clean(first, second)
    assert second.ok and isinstance(first.error, Conflict)
    session.expire_all()
    assert session.get(Program, program.id).waiting_target_days == 41


def test_a_volunteer_approved_twice_at_once_gets_one_e_mail(pg, kit, session):
    from models.screening import approve_volunteer

    volunteer = _screened(kit)
    session.commit()
    first, second = interleave(pg, lambda s: approve_volunteer(s, s.get(Volunteer, volunteer.id), kit.coordinator,
                                                               TODAY),
                               lambda s: approve_volunteer(s, s.get(Volunteer, volunteer.id), kit.coordinator2,
                                                           TODAY))
    _clean(first, second)
    assert _count(session, OutboxMessage, OutboxMessage.kind == "volunteer_approved",
                  OutboxMessage.to_email == volunteer.email) == 1


def test_the_same_person_invited_twice_at_once_gets_one_account_and_one_e_mail(pg, kit, session):
    from models.staff import invite_staff

    def invite(s: Session):  # noqa: ANN202
        return invite_staff(s, kit.admin, name="Ny", email="ny.koordinator@example.org", role="coordinator",
                            link_for=lambda user: "http://makker.test/invitation")

    first, second = interleave(pg, invite, invite)
    _clean(first, second)
    assert _count(session, User, User.email == "ny.koordinator@example.org") == 1
    assert _count(session, OutboxMessage, OutboxMessage.kind == "invite") == 1


def test_an_introduction_that_ends_in_a_no_and_a_closure_at_once_do_not_deadlock(pg, kit, session, caplog):
    from models.followup import close_match
    from models.introductions import record_introduction

    match = kit.match(kit.request(), kit.volunteer(), status="introduced")
    session.commit()
    # The closure starts when the introduction writes its first change: with two lock orders
    # (match first there, volunteer first here) each waited for the other.
    intro, close = interleave(pg, lambda s: record_introduction(s, match.id, kit.coordinator, TODAY, TODAY,
                                                                volunteer_yes=True, mentee_yes=False),
                              lambda s: close_match(s, match.id, kit.coordinator2, TODAY, _closure()), at="write")
    _clean(intro, close)
    assert len([a for a in (intro, close) if a.ok]) == 1
    loser = intro if intro.error else close
    # The loser is told what happened to the match, not that the database gave up on a deadlock.
    assert "at the same moment" not in loser.error.msgid, loser.describe()
    assert not [r for r in caplog.records if r.name == "models.writes"], "the database refused (a deadlock?)"
    assert broken_states(session) == []


# --- across the page and the operation (both databases) -------------------------------------

def _rival(engine, attempt) -> None:  # noqa: ANN001
    with Session(engine, expire_on_commit=False) as rival:
        attempt(rival)


def test_settings_saved_from_a_page_loaded_before_another_save_are_refused(engine, kit, session):
    from models.program_settings import ProgramChanges, program_version, update_program

    page = Session(engine, expire_on_commit=False)
    program = page.get(Program, kit.program.id)  # the page shows the form
    seen = program_version(program)
    fields = {k: getattr(program, k) for k in ProgramChanges.__dataclass_fields__}
    _rival(engine, lambda s: update_program(s, s.get(Program, program.id),
                                            ProgramChanges(**{**fields, "waiting_target_days": 41}), kit.admin2,
                                            seen_version=seen))
    with pytest.raises(Conflict):
        update_program(page, program, ProgramChanges(**{**fields, "inactivity_days": 43}), kit.admin,
                       seen_version=seen)
    page.close()
    session.expire_all()
    assert session.get(Program, kit.program.id).waiting_target_days == 41


def test_approving_a_volunteer_from_a_page_loaded_before_another_approval_sends_one_e_mail(engine, kit, session):
    from models.screening import approve_volunteer

    volunteer = _screened(kit)
    session.commit()
    page = Session(engine, expire_on_commit=False)
    shown = page.get(Volunteer, volunteer.id)
    assert shown.status == "screening"
    _rival(engine, lambda s: approve_volunteer(s, s.get(Volunteer, volunteer.id), kit.coordinator2, TODAY))
    with pytest.raises(DomainError):
        approve_volunteer(page, shown, kit.coordinator, TODAY)
    page.close()
    assert _count(session, OutboxMessage, OutboxMessage.kind == "volunteer_approved") == 1


def test_a_meeting_logged_from_a_page_loaded_before_the_match_closed_is_refused(engine, kit, session):
    from models.followup import close_match
    from models.meetings import log_meeting

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    session.commit()
    page = Session(engine, expire_on_commit=False)
    shown_match, shown_volunteer = page.get(Match, match.id), page.get(Volunteer, volunteer.id)
    _rival(engine, lambda s: close_match(s, match.id, kit.coordinator, TODAY, _closure()))
    with pytest.raises(DomainError):
        log_meeting(page, shown_match, shown_volunteer, TODAY, met_on=TODAY, minutes=60, activities=["talk"],
                    note="", rating=4, needs_contact=False)
    page.close()
    assert _count(session, MeetingLog, MeetingLog.match_id == match.id) == 0


def test_an_admin_removed_meanwhile_cannot_remove_the_last_other_admin(engine, kit, session):
    from models.staff import set_active

    page = Session(engine, expire_on_commit=False)
    me = page.get(User, kit.admin.id)
    _rival(engine, lambda s: set_active(s, kit.admin2, kit.admin.id, False))
    with pytest.raises(DomainError):
        set_active(page, me, kit.admin2.id, False)
    page.close()
    assert _count(session, User, User.organisation_id == kit.organisation.id, User.role == "admin", User.active) == 1


# --- not races: a closed match keeps no planned check-ins -----------------------------------

def test_a_volunteers_no_removes_the_check_ins_planned_at_approval(kit, session):
    from models.meetings import decline_match

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer, status="introduced")
    session.commit()
    assert _count(session, CheckIn, CheckIn.match_id == match.id) > 0
    decline_match(session, match.id, session.get(Volunteer, volunteer.id), TODAY, "Har ikke tid")
    assert _count(session, CheckIn, CheckIn.match_id == match.id, CheckIn.done_on.is_(None)) == 0
    assert broken_states(session) == []


def test_a_deleted_volunteer_leaves_no_planned_check_ins_on_their_closed_match(kit, session):
    from models.volunteer_profile import erase_volunteer

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    session.commit()
    user = session.get(User, volunteer.user_id)
    erase_volunteer(session, session.get(Volunteer, volunteer.id), user, TODAY)
    # Only the one-year measure of a match that started stays (programme rules, issue 12).
    assert _count(session, CheckIn, CheckIn.match_id == match.id, CheckIn.done_on.is_(None),
                  CheckIn.kind != "one_year") == 0
    assert broken_states(session) == []
