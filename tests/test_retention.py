"""A mentee's data on request (export, erasure) and the anonymisation of old closed records.

Every rule that depends on time gets a fixed ``today``; record creation dates are set, not read
from the clock, so the tests mean the same on any day.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from models.audit import AuditEvent
from models.consent import ConsentRecord
from models.errors import DomainError, NotFound
from models.matches import CheckIn, Match, MatchEvent, MeetingLog
from models.mentees import Household, HouseholdMember, Request, Youth
from models.notes import Note
from models.retention import ERASED_REASON, add_months, apply_retention, erase_mentee, export_mentee
from models.users import User
from models.volunteer_profile import ANONYMISED
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh

TODAY = date(2028, 6, 15)
LONG_AGO = datetime(2025, 1, 10, tzinfo=UTC)
OUTCOME = {"education_or_work": "yes", "leisure_activity": "no", "social_case": "unknown", "own_words": "Går i skole"}


def _audits(session, action, record_type, record_id):
    fresh(session)
    return session.exec(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.record_type == record_type,
                                                 AuditEvent.record_id == record_id)).all()


@pytest.fixture
def history(session, world):
    """The world's youth Mads with an earlier closed match and notes, beside the open one."""
    earlier = b.make_volunteer(session, world.program, first_name="Carl")
    old = b.make_match(session, world.request, earlier, status="closed", started_on=date(2026, 1, 5),
                       closed_on=date(2026, 3, 1), closure_reason="moved", closure_note="Carl flyttede til Aarhus",
                       exit_conversation="Mads var ked af det", outcome=OUTCOME)
    session.add(MeetingLog(match_id=old.id, volunteer_id=earlier.id, met_on=date(2026, 2, 1), minutes=90,
                           activities=["sport"], note="Mads fortalte om problemer derhjemme", rating=4))
    session.add(MeetingLog(match_id=world.match.id, volunteer_id=world.volunteer.id, met_on=date(2026, 10, 1),
                           minutes=60, note="Vi spillede fodbold med Mads", rating=5))
    session.add(CheckIn(match_id=world.match.id, due_on=date(2026, 10, 10), done_on=date(2026, 10, 10), rating=3,
                        contacted=["youth"], concerns="Mads pjækker", agreements="Mødes hver uge"))
    session.add(CheckIn(match_id=world.match.id, due_on=date(2027, 1, 10)))  # planned, not done
    session.add(Note(organisation_id=world.organisation.id, subject_type="Youth", subject_id=world.youth.id,
                     author_id=world.coordinator.id, body="Mor ringede om skolen"))
    world.match.intro_note = "Mads kan lide fodbold"
    world.volunteer.pool_since = None  # Anna is busy with Mads (capacity 1)
    session.add_all([world.match, world.volunteer])
    session.commit()
    return old


# --- export -------------------------------------------------------------------------------

def test_the_export_holds_the_youths_name_and_the_meeting_notes_of_their_matches(session, world, history):
    data = export_mentee(session, "Youth", world.youth.id, world.coordinator)
    json.dumps(data)  # JSON-ready: dates as text
    assert data["record"]["first_name"] == "Mads"
    assert {m["note"] for m in data["meetings"]} == {"Mads fortalte om problemer derhjemme", "Vi spillede fodbold med Mads"}
    assert {m["id"] for m in data["matches"]} == {world.match.id, history.id}
    assert data["notes"][0]["body"] == "Mor ringede om skolen"
    assert data["consents"][0]["given_by"] == "Forælder Hansen"
    assert data["checkins"][0]["concerns"] == "Mads pjækker" and data["checkins"][0]["due_on"] == "2026-10-10"
    assert len(_audits(session, "export", "Youth", world.youth.id)) == 1


def test_a_family_export_lists_its_members(session, world):
    data = export_mentee(session, "Household", world.household.id, world.coordinator)
    assert [m["first_name"] for m in data["members"]] == ["Forælder", "Barn"]
    assert data["requests"][0]["need"] == "Lektiehjælp"


# --- erasure ------------------------------------------------------------------------------

def test_erasing_a_youth_closes_the_open_match_and_blanks_the_person_but_keeps_the_figures(session, world, history):
    erase_mentee(session, "Youth", world.youth.id, world.coordinator, TODAY)
    fresh(session)
    youth = session.get(Youth, world.youth.id)
    assert (youth.first_name, youth.last_name, youth.guardian_name) == (ANONYMISED, "", "")
    assert youth.anonymised_at is not None
    assert (youth.birth_year, youth.gender, youth.postcode) == (world.youth.birth_year, "male", "4000")

    match = session.get(Match, world.match.id)
    assert match.status == "closed" and match.closed_on == TODAY and match.intro_note == ""
    assert session.exec(select(MatchEvent).where(MatchEvent.match_id == match.id, MatchEvent.to_status == "closed")
                        ).one().reason == ERASED_REASON
    volunteer = session.get(Volunteer, world.volunteer.id)
    assert volunteer.pool_since == TODAY and volunteer.first_name == "Anna"  # back in the pool, untouched
    assert session.get(Request, world.request.id).status == "closed"

    old = session.get(Match, history.id)
    assert (old.status, old.closure_reason, old.started_on, old.closed_on) == ("closed", "moved", date(2026, 1, 5),
                                                                              date(2026, 3, 1))
    assert old.closure_note == old.exit_conversation == ""
    assert old.outcome == {k: v for k, v in OUTCOME.items() if k != "own_words"}
    logs = session.exec(select(MeetingLog).where(MeetingLog.match_id.in_([old.id, match.id]))).all()
    assert sorted((m.met_on, m.rating, m.note) for m in logs) == [(date(2026, 2, 1), 4, ""), (date(2026, 10, 1), 5, "")]
    checkins = session.exec(select(CheckIn).where(CheckIn.match_id == match.id)).all()
    assert [(c.done_on, c.rating, c.concerns, c.agreements) for c in checkins] == [(date(2026, 10, 10), 3, "", "")]
    assert session.exec(select(Note).where(Note.subject_id == world.youth.id, Note.subject_type == "Youth")).all() == []
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                       ConsentRecord.subject_id == world.youth.id)).one()
    assert consent.given_by == ANONYMISED and consent.withdrawn_at is not None and consent.purpose == "mentoring"

    (event,) = _audits(session, "erase", "Youth", world.youth.id)
    assert event.user_id == world.coordinator.id
    assert event.detail["closed_matches"] == 1 and event.detail["notes_deleted"] == 1


def test_erasing_a_family_blanks_its_members_and_closes_its_waiting_request(session, world):
    erase_mentee(session, "Household", world.household.id, world.coordinator, TODAY)
    fresh(session)
    household = session.get(Household, world.household.id)
    assert household.family_name == ANONYMISED and household.anonymised_at is not None
    members = session.exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id)).all()
    assert [(m.first_name, m.role, m.birth_year) for m in members] == [(ANONYMISED, "parent", 1985),
                                                                       (ANONYMISED, "child", 2015)]
    request = session.get(Request, world.family_request.id)
    assert (request.status, request.pool_since, request.need) == ("closed", None, ANONYMISED)


def test_another_organisations_youth_cannot_be_erased(session, world, other_world):
    with pytest.raises(NotFound):
        erase_mentee(session, "Youth", other_world.youth.id, world.coordinator, TODAY)
    fresh(session)
    assert session.get(Youth, other_world.youth.id).first_name == "Mads"
    assert session.get(Match, other_world.match.id).status == "active"


def test_an_unknown_kind_of_record_is_refused(session, world):
    with pytest.raises(DomainError):
        erase_mentee(session, "Volunteer", world.volunteer.id, world.coordinator, TODAY)
    with pytest.raises(DomainError):
        export_mentee(session, "Match", world.match.id, world.coordinator)


# --- retention ----------------------------------------------------------------------------

def _closed_case(session, world, closed_on: date) -> Youth:
    """A youth whose only request closed with its match on ``closed_on``."""
    youth = b.make_youth(session, world.organisation, today=date(2025, 1, 10), first_name="Sara", created_at=LONG_AGO)
    request = b.make_request(session, world.program, youth=youth, today=date(2025, 1, 10), status="closed",
                             created_at=LONG_AGO)
    volunteer = b.make_volunteer(session, world.program, today=date(2025, 1, 10))
    match = b.make_match(session, request, volunteer, status="closed", started_on=date(2025, 2, 1),
                         closed_on=closed_on, closure_reason="goal_reached", closure_note="Sara klarer sig",
                         outcome=OUTCOME)
    session.add(MeetingLog(match_id=match.id, volunteer_id=volunteer.id, met_on=date(2025, 3, 1), minutes=60,
                           note="Sara fortalte om sin far", rating=5))
    request.pool_since = None
    session.add(request)
    return youth


def test_months_are_calendar_months(world):
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 5, 15), 24) == date(2028, 5, 15)


def test_retention_anonymises_a_youth_closed_longer_ago_than_the_program_keeps_records(session, world):
    assert world.program.retention_months == 24
    old = _closed_case(session, world, closed_on=add_months(TODAY, -25))
    recent = _closed_case(session, world, closed_on=add_months(TODAY, -23))
    session.commit()

    report = apply_retention(session, TODAY)
    assert (report.youths, report.households, report.volunteers, report.matches) == (1, 0, 0, 1)
    fresh(session)
    gone = session.get(Youth, old.id)
    assert gone.first_name == ANONYMISED and gone.anonymised_at is not None
    match = session.exec(select(Match).join(Request).where(Request.youth_id == old.id)).one()
    assert (match.closure_reason, match.closure_note, match.outcome["education_or_work"]) == ("goal_reached", "", "yes")
    assert session.exec(select(MeetingLog).where(MeetingLog.match_id == match.id)).one().note == ""
    (event,) = _audits(session, "anonymise", "Youth", old.id)
    assert event.user_id is None

    kept = session.get(Youth, recent.id)
    assert kept.first_name == "Sara" and kept.anonymised_at is None
    # The world's open cases are never touched.
    assert session.get(Youth, world.youth.id).first_name == "Mads"
    assert session.get(Household, world.household.id).anonymised_at is None

    again = apply_retention(session, TODAY)
    assert again.total == 0 and again.matches == 0


def test_retention_anonymises_a_declined_volunteer_once_the_deletion_date_has_passed(session, world):
    user = b.make_user(session, world.organisation, "volunteer", email="afvist@example.org")
    declined = b.make_volunteer(session, world.program, user=user, status="declined", first_name="Eva",
                                motivation="Jeg vil gerne hjælpe", deletion_due_at=TODAY - timedelta(days=1))
    waiting = b.make_volunteer(session, world.program, status="declined", first_name="Finn",
                               deletion_due_at=TODAY + timedelta(days=1))
    session.commit()

    report = apply_retention(session, TODAY)
    assert report.volunteers == 1
    fresh(session)
    erased = session.get(Volunteer, declined.id)
    assert (erased.first_name, erased.motivation, erased.status) == (ANONYMISED, "", "declined")
    assert erased.anonymised_at is not None and erased.email.endswith("@invalid")
    account = session.get(User, user.id)
    assert not account.active and account.email.endswith("@invalid")
    assert session.get(Volunteer, waiting.id).first_name == "Finn"
    assert session.get(Volunteer, world.volunteer.id).first_name == "Anna"
    assert apply_retention(session, TODAY).volunteers == 0


def test_retention_for_one_organisation_leaves_the_others_alone(session, world, other_world):
    mine = _closed_case(session, world, closed_on=add_months(TODAY, -30))
    theirs = _closed_case(session, other_world, closed_on=add_months(TODAY, -30))
    session.commit()
    assert apply_retention(session, TODAY, organisation_id=other_world.organisation.id).youths == 1
    fresh(session)
    assert session.get(Youth, mine.id).anonymised_at is None
    assert session.get(Youth, theirs.id).anonymised_at is not None


def test_a_change_recorded_after_the_closure_restarts_the_retention_period(session, world):
    youth = _closed_case(session, world, closed_on=add_months(TODAY, -30))
    session.add(AuditEvent(organisation_id=world.organisation.id, user_id=world.coordinator.id, action="update",
                           record_type="Youth", record_id=youth.id, at=datetime(2027, 1, 5, tzinfo=UTC)))
    session.add(AuditEvent(organisation_id=world.organisation.id, user_id=world.coordinator.id, action="view",
                           record_type="Youth", record_id=youth.id, at=datetime(2028, 6, 1, tzinfo=UTC)))
    session.commit()
    assert apply_retention(session, TODAY).youths == 0  # a view does not count; the update does
    assert apply_retention(session, add_months(date(2027, 1, 5), 24) + timedelta(days=1)).youths == 1


def test_retention_deletes_sent_e_mails_after_90_days_and_keeps_unsent_and_recent_ones(session, world):
    from models.outbox import OutboxMessage

    today = date(2026, 6, 1)
    for days, sent in ((100, True), (10, True), (100, False)):
        session.add(OutboxMessage(organisation_id=world.organisation.id, to_email=f"x{days}{sent}@example.org",
                                  subject="Hej", body="Mads", kind="test",
                                  created_at=datetime(2026, 1, 1, tzinfo=UTC),
                                  sent_at=datetime.combine(today - timedelta(days=days), datetime.min.time(),
                                                           tzinfo=UTC) if sent else None))
    session.commit()
    report = apply_retention(session, today, world.organisation.id)
    fresh(session)
    left = {m.to_email for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "test"))}
    assert report.emails == 1 and left == {"x10True@example.org", "x100False@example.org"}


def test_erasing_a_volunteer_also_removes_the_e_mails_to_them(session, world):
    from models.emails import send
    from models.outbox import OutboxMessage
    from models.volunteer_profile import erase_volunteer

    send(session, "meeting_reminder", to=world.volunteer.email, name="Anna", mentee="Mads", link="", coordinator="")
    session.commit()
    erase_volunteer(session, world.volunteer, world.admin, date(2026, 6, 1))
    fresh(session)
    assert session.exec(select(OutboxMessage).where(OutboxMessage.body.contains("Anna"))).all() == []
