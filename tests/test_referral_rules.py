"""Referral rules in the domain: the status rhythm, reminders and the at-risk list, two
coordinators accepting at once, and erasure and retention of referrals."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from models import clock
from models.clock import add_months
from models.errors import Conflict
from models.mentees import Request
from models.outbox import OutboxMessage
from models.referrals.operations import Acceptance, accept_referral, decline_referral, post_message
from models.referrals.privacy import erase_referral
from models.referrals.queries import status_plans
from models.referrals.schedule import answered_date, next_due, on_time, overdue_days, planned_on
from models.referrals.statuses import StatusText, save_status, send_status_reminders
from models.referrals.tables import Referral, ReferralMessage, ReferralStatus
from models.retention import apply_retention
from models.risk import at_risk
from seed import builders as b
from tests.conftest import fresh

TODAY = clock.today()
LINK = "http://test/henviser/1"


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2020, 1, 1), date(2035, 12, 31)), first=st.integers(1, 24), every=st.integers(1, 24),
       sent=st.integers(0, 8))
def test_statuses_follow_the_rhythm_whatever_the_start_and_settings(start, first, every, sent):
    answered: list[date] = []
    for number in range(sent):  # each status sent on its planned day answers exactly that day
        due = next_due(start, first, every, answered)
        assert due == planned_on(start, first, every, number) == add_months(start, first + number * every)
        assert answered_date(start, first, every, answered, due) == due and on_time(due, due)
        answered.append(due)
    due = next_due(start, first, every, answered)
    assert due > (answered[-1] if answered else start)
    # Sent long before its date a status is an extra one; a day late it still answers, late.
    assert answered_date(start, first, every, answered, due - timedelta(days=40)) is None
    assert answered_date(start, first, every, answered, due + timedelta(days=1)) == due
    assert on_time(due, due + timedelta(days=1)) is False
    assert overdue_days(due, due) == 0 and overdue_days(due, due + timedelta(days=5)) == 5


def _matched(session: Session, world, started_on: date):  # noqa: ANN001, ANN202
    referral = b.make_referral(session, world.referrer, world.program, first_name="Rytme")
    session.commit()
    accepted = accept_referral(session, world.coordinator, referral.id, Acceptance("En voksen", 1), TODAY,
                               lambda r: LINK)
    request = fresh(session).get(Request, accepted.request.id)
    match = b.make_match(session, request, world.other_volunteer, started_on=started_on,
                         coordinator_id=world.coordinator.id)
    session.commit()
    return fresh(session).get(Referral, referral.id), match


def test_the_first_status_is_due_two_months_after_the_match_then_every_three(session, world):
    started = TODAY - timedelta(days=10)
    referral, match = _matched(session, world, started)
    plan = status_plans(fresh(session), referral_ids=[referral.id])[match.id]
    assert plan.next_due == add_months(started, 2)
    save_status(session, world.coordinator, referral.id, StatusText("Det går fint."), add_months(started, 2),
                send_now=True, link_for_referrer=lambda r: LINK)
    plan = status_plans(fresh(session), referral_ids=[referral.id])[match.id]
    assert plan.next_due == add_months(started, 5)


def _reminders(session: Session, world) -> list[OutboxMessage]:  # noqa: ANN001
    return list(fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_status_due",
                                                                OutboxMessage.to_email == world.coordinator.email)))


def test_the_coordinator_is_reminded_once_a_week_ahead_and_an_overdue_status_is_at_risk(session, world):
    started = TODAY - timedelta(days=3)
    referral, match = _matched(session, world, started)
    due = add_months(started, 2)
    send_status_reminders(session, due - timedelta(days=8), "http://test")
    assert _reminders(session, world) == []  # not yet: more than a week ahead
    send_status_reminders(session, due - timedelta(days=7), "http://test")
    send_status_reminders(session, due - timedelta(days=6), "http://test")  # the job runs daily: reminded once
    mails = _reminders(session, world)
    assert len(mails) == 1 and "Rytme" not in mails[0].body and f"{due:%d-%m-%Y}" in mails[0].body

    def flags(today: date) -> set[str]:
        risks = {r.match.id: r for r in at_risk(fresh(session), world.organisation.id, today)}
        return {f.kind for f in risks[match.id].flags} if match.id in risks else set()

    assert "status_overdue" not in flags(due)
    assert "status_overdue" in flags(due + timedelta(days=1))
    save_status(session, world.coordinator, referral.id, StatusText("Det går fint."), due + timedelta(days=1),
                send_now=True, link_for_referrer=lambda r: LINK)
    assert "status_overdue" not in flags(due + timedelta(days=1))
    sent = fresh(session).exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id)).one()
    assert sent.due_on == due and on_time(sent.due_on, sent.sent_on) is False  # counted as sent late


def test_two_coordinators_accepting_at_once_make_one_request(engine, session, world):
    second = b.make_user(session, world.organisation, "coordinator", email="anden@example.org")
    session.commit()
    coordinators = [world.coordinator.id, second.id]
    referral_id = world.referral.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user_id: int) -> None:
        with Session(engine) as own:
            from models.users import User

            user = own.get(User, user_id)
            own.rollback()
            barrier.wait()
            try:
                accept_referral(own, user, referral_id, Acceptance("En voksen", 1), TODAY, lambda r: LINK)
                outcomes.append("won")
            except Conflict:
                own.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=accept, args=(c,)) for c in coordinators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    referral = fresh(session).get(Referral, referral_id)
    requests = session.exec(select(Request).where(Request.youth_id == referral.youth_id)).all()
    assert referral.status == "accepted" and len(requests) == 1


def test_accepting_a_declined_referral_is_refused(session, world):
    decline_referral(session, world.coordinator, world.referral.id, "other_offer", "Klubben passer bedre.", lambda r: LINK)
    try:
        accept_referral(fresh(session), world.coordinator, world.referral.id, Acceptance("x", 1), TODAY, lambda r: LINK)
    except Conflict:
        session.rollback()
    else:
        raise AssertionError("a declined referral was accepted")
    assert fresh(session).get(Referral, world.referral.id).status == "declined"


def test_erasing_a_declined_referral_blanks_its_person_messages_and_statuses(session, world):
    post_message(session, world.referrer, world.referral.id, "Mor hedder Mona.", LINK)
    decline_referral(fresh(session), world.coordinator, world.referral.id, "other_offer", "Klubben passer bedre.", lambda r: LINK)
    erase_referral(fresh(session), world.admin, world.referral.id)
    referral = fresh(session).get(Referral, world.referral.id)
    assert referral.anonymised_at is not None and referral.last_name == "" and referral.reason == ""
    assert referral.decline_note == "" and referral.submitted_on is not None  # the dates stay for the figures
    assert all(m.body == "" for m in session.exec(select(ReferralMessage).where(
        ReferralMessage.referral_id == referral.id)))


def test_retention_anonymises_declined_referrals_after_the_programmes_period(session, world):
    decline_referral(session, world.coordinator, world.referral.id, "other_offer", "Klubben passer bedre.", lambda r: LINK)
    months = world.program.retention_months
    report = apply_retention(fresh(session), add_months(TODAY, months) - timedelta(days=1))
    assert report.referrals == 0 and fresh(session).get(Referral, world.referral.id).anonymised_at is None
    report = apply_retention(fresh(session), add_months(TODAY, months) + timedelta(days=1))
    assert report.referrals >= 1 and fresh(session).get(Referral, world.referral.id).anonymised_at is not None


def test_the_referrer_is_told_once_when_the_relationship_ends_with_the_handover(session, world):
    from models.referrals.statuses import send_closure_notices

    referral, match = _matched(session, world, TODAY - timedelta(days=90))
    match = fresh(session).get(type(match), match.id)
    match.status, match.closed_on, match.next_step = "closed", TODAY, "Ungdomsklubben i Himmelev tager over."
    session.add(match)
    session.commit()
    assert send_closure_notices(session, "http://test").closure_notices == 1
    assert send_closure_notices(fresh(session), "http://test").closure_notices == 0  # runs every few minutes: once
    notices = fresh(session).exec(select(ReferralMessage).where(ReferralMessage.referral_id == referral.id,
                                                                ReferralMessage.kind == "closure")).all()
    assert [n.body for n in notices] == ["Ungdomsklubben i Himmelev tager over."]
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_update",
                                                     OutboxMessage.to_email == world.referrer.email)).all()
    assert mails and all("Himmelev" not in m.body and "Rytme" not in m.body for m in mails)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outcomes=st.lists(st.sampled_from(["open", "accepted", "declined"]), min_size=1, max_size=6))
def test_the_dashboard_counts_every_referral_of_the_period_once_by_unit_and_month(session, world, outcomes):
    # The world is shared by the examples: each compares the figures before and after its own referrals.
    from models.referrals.dashboard import build_referral_dashboard

    start, end = TODAY - timedelta(days=400), TODAY + timedelta(days=1)
    before = build_referral_dashboard(fresh(session), world.organisation.id, start, end, TODAY)
    for outcome in outcomes:
        referral = b.make_referral(session, world.referrer, world.program)
        session.commit()
        if outcome == "accepted":
            accept_referral(session, world.coordinator, referral.id, Acceptance("x", 1), TODAY, lambda r: LINK)
        elif outcome == "declined":
            decline_referral(session, world.coordinator, referral.id, "other_offer", "Nej tak.", lambda r: LINK)
    board = build_referral_dashboard(fresh(session), world.organisation.id, start, end, TODAY)
    assert board.total_referred - before.total_referred == len(outcomes)
    accepted = sum(r.accepted for r in board.by_month) - sum(r.accepted for r in before.by_month)
    declined = sum(r.declined for r in board.by_month) - sum(r.declined for r in before.by_month)
    assert (accepted, declined) == (outcomes.count("accepted"), outcomes.count("declined"))
    mine = next(d for d in board.durations if d.unit == world.unit.name)
    assert all(days >= 0 for days in mine.to_acceptance)  # from the referral's date, never before it
