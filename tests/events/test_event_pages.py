"""Events through the test client: creating, inviting, signing up and the waiting list, the
calendar file and feed, attendance at the door, and what erasure and export do with them."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from models import clock
from models.audit import AuditEvent
from models.events.calendar import local
from models.events.tables import CalendarFeed, Event, EventSignup
from models.outbox import OutboxMessage
from models.volunteers import ScreeningStep, Volunteer
from seed import builders as b
from tests.conftest import fresh, login


def _event_form(world, **overrides) -> dict:  # noqa: ANN001
    day = clock.today() + timedelta(days=10)
    data = {"kind": "intro_course", "title": "Introkursus for nye mentorer", "day": day.strftime("%d-%m-%Y"),
            "starts": "17:00", "ends": "21:00", "place": "Roskilde Bibliotek, Dronning Margrethes Vej 14",
            "online_url": "", "capacity": "12", "program_ids": [str(world.program.id)], "audience": ["waiting"],
            "description": "Vi gennemgår rollen som mentor & tavshedspligt."}
    data.update(overrides)
    return data


def test_a_coordinator_creates_an_event_and_the_waiting_volunteers_are_invited_with_a_calendar_file(
        app, as_role, session, world):
    app.config["QUEUE_IMMEDIATE"] = True  # the invitation job runs within the request
    waiting = b.make_volunteer(session, world.program, first_name="Vente")  # approved, no match: waiting
    session.commit()
    client = as_role("coordinator")
    response = client.post("/koordinator/arrangementer/nyt", data=_event_form(world))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    event = fresh(session).exec(select(Event)).one()
    assert local(event.starts_at).strftime("%H:%M") == "17:00" and event.capacity == 12
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "event_invitation")).all()
    # Anna has a match and Bo waits: the audience is the waiting volunteers only.
    assert {m.to_email for m in mails} == {waiting.email, world.other_volunteer.email}
    invitation = next(m for m in mails if m.to_email == waiting.email)
    assert "Introkursus for nye mentorer" in invitation.subject and "17:00" in invitation.body
    assert invitation.attachment_type == "text/calendar"
    cal = Calendar.from_ical(invitation.attachment)
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Introkursus for nye mentorer"
    assert vevent.decoded("DTSTART") == event.starts_at.astimezone(vevent.decoded("DTSTART").tzinfo)
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Copenhagen"
    # Running the job again (a second delivery, the daily job) invites nobody twice.
    client.post(f"/koordinator/arrangementer/{event.id}/inviter")
    assert len(fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "event_invitation")).all()) == 2
    page = client.get(f"/koordinator/arrangementer/{event.id}").get_data(as_text=True)
    assert "Introkursus for nye mentorer" in page and "Vi gennemgår rollen som mentor &amp; tavshedspligt." in page


def test_an_event_form_with_mistakes_keeps_what_was_typed_and_stores_nothing(as_role, session, world):
    client = as_role("coordinator")
    response = client.post("/koordinator/arrangementer/nyt", data=_event_form(
        world, title="Netværk <b>aften</b>", place="", online_url="zoom.us/j/1", program_ids=[]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Netværk &lt;b&gt;aften&lt;/b&gt;" in page  # kept, and escaped
    assert "Vælg mindst ét program." in page
    response = client.post("/koordinator/arrangementer/nyt", data=_event_form(world, online_url="zoom.us/j/1",
                                                                              place=""))
    assert response.status_code == 400 and "https://" in response.get_data(as_text=True)
    response = client.post("/koordinator/arrangementer/nyt", data=_event_form(world, day="31-02-2026"))
    assert response.status_code == 400
    assert fresh(session).exec(select(Event)).first() is None


def _volunteer_client(app, session, world, first_name: str, status: str = "approved"):  # noqa: ANN001, ANN202
    user = b.make_user(session, world.organisation, "volunteer")
    volunteer = b.make_volunteer(session, world.program, user=user, first_name=first_name, status=status)
    session.commit()
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client, volunteer


def test_a_full_event_puts_the_next_volunteer_on_the_waiting_list_and_a_cancellation_moves_them_up(
        app, session, world):
    event = b.make_event(session, [world.program], capacity=1, title="Sommerfest")
    session.commit()
    first, v1 = _volunteer_client(app, session, world, "Første")
    second, v2 = _volunteer_client(app, session, world, "Anden")
    home = first.get("/frivillig/").get_data(as_text=True)
    assert "Tilmeld dig Sommerfest" in home and "1 plads tilbage" in home
    assert first.post(f"/frivillig/arrangementer/{event.id}/tilmeld", data={"next": "/frivillig/"}).status_code == 302
    second.post(f"/frivillig/arrangementer/{event.id}/tilmeld")
    page = second.get("/frivillig/").get_data(as_text=True)
    assert "På ventelisten, nummer 1" in page
    first.post(f"/frivillig/arrangementer/{event.id}/afmeld")
    statuses = {s.volunteer_id: s.status for s in fresh(session).exec(select(EventSignup))}
    assert statuses == {v1.id: "cancelled", v2.id: "signed_up"}
    moved = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "event_place_given")).one()
    assert moved.to_email == v2.email
    # Signing up again after cancelling joins the end of the line: the place is taken now.
    first.post(f"/frivillig/arrangementer/{event.id}/tilmeld")
    assert fresh(session).exec(select(EventSignup).where(EventSignup.volunteer_id == v1.id)).one().status == "waiting"


def test_more_places_move_the_waiting_list_up_and_fewer_than_taken_are_refused(app, as_role, session, world):
    event = b.make_event(session, [world.program], capacity=1)
    volunteers = [b.make_volunteer(session, world.program) for _ in range(3)]
    b.make_signup(session, event, volunteers[0])
    b.make_signup(session, event, volunteers[1], status="waiting")
    b.make_signup(session, event, volunteers[2], status="waiting")
    session.commit()
    client = as_role("coordinator")
    client.post(f"/koordinator/arrangementer/{event.id}/pladser", data={"capacity": "2"})
    statuses = [s.status for s in fresh(session).exec(select(EventSignup).order_by(EventSignup.id))]
    assert statuses == ["signed_up", "signed_up", "waiting"]
    response = client.post(f"/koordinator/arrangementer/{event.id}/pladser", data={"capacity": "1"},
                           follow_redirects=True)
    assert "2 har allerede en plads" in response.get_data(as_text=True)
    assert fresh(session).get(Event, event.id).capacity == 2


def test_a_volunteer_only_sees_and_joins_events_of_their_own_programme_and_audience(app, session, world):
    other_programme = b.make_event(session, [world.family_program], title="Familiecafé")
    for_mentors = b.make_event(session, [world.program], audience="active", title="Supervision")
    session.commit()
    client, _volunteer = _volunteer_client(app, session, world, "Vente")
    home = client.get("/frivillig/").get_data(as_text=True)
    assert "Familiecafé" not in home and "Supervision" not in home
    assert client.get(f"/frivillig/arrangementer/{other_programme.id}").status_code == 404
    response = client.post(f"/frivillig/arrangementer/{for_mentors.id}/tilmeld", follow_redirects=True)
    assert "ikke for dig" in response.get_data(as_text=True)
    assert fresh(session).exec(select(EventSignup)).first() is None


def test_the_calendar_file_and_the_personal_feed_are_valid_icalendar_with_only_the_volunteers_own_events(
        app, session, world):
    mine = b.make_event(session, [world.program], title="Netværksmøde i Roskilde")
    not_mine = b.make_event(session, [world.program], title="Temaaften om grænser")
    client, volunteer = _volunteer_client(app, session, world, "Kalender")
    other = b.make_volunteer(session, world.program, first_name="Hemmelig", last_name="Person")
    b.make_signup(session, not_mine, other)
    session.commit()
    client.post(f"/frivillig/arrangementer/{mine.id}/tilmeld")
    download = client.get(f"/frivillig/arrangementer/{mine.id}/kalender.ics")
    assert download.headers["Content-Type"].startswith("text/calendar")
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(download.data).walk("VEVENT")] == ["Netværksmøde i Roskilde"]

    page = client.post("/frivillig/kalender").get_data(as_text=True)
    address = re.search(r'value="(http://makker\.test/kalender/[^"]+\.ics)"', page).group(1)
    path = address.removeprefix("http://makker.test")
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.data)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Netværksmøde i Roskilde"]
    assert b"Hemmelig" not in feed.data and other.email.encode() not in feed.data
    assert feed.data.count(b"BEGIN:VTIMEZONE") == 1
    # Only the hash of the secret is stored.
    stored = fresh(session).exec(select(CalendarFeed)).one()
    assert path.split("/")[-1].removesuffix(".ics") not in stored.token_hash

    # A new address stops the old one; stopping needs a ticked box and then nothing opens it.
    client.post("/frivillig/kalender")
    assert anonymous.get(path).status_code == 404
    assert client.post("/frivillig/kalender/stop", data={}).status_code == 400
    client.post("/frivillig/kalender/stop", data={"confirm": "y"})
    assert all(f.revoked_at is not None for f in fresh(session).exec(select(CalendarFeed)))
    assert anonymous.get("/kalender/gaet-en-adresse.ics").status_code == 404


def test_attendance_at_the_door_records_hours_and_the_introductory_course_completes_the_training_step(
        app, as_role, session, world):
    course = b.make_event(session, [world.program], kind="intro_course", days_ahead=0, hour=0, hours=3,
                          title="Introkursus", audience="new")
    new = b.make_volunteer(session, world.program, first_name="Ny", status="screening")
    absent = b.make_volunteer(session, world.program, first_name="Fraværende", status="screening")
    came = b.make_signup(session, course, new)
    stayed_home = b.make_signup(session, course, absent)
    session.commit()
    client = as_role("coordinator")
    form = client.get(f"/koordinator/arrangementer/{course.id}/fremmoede").get_data(as_text=True)
    assert 'type="checkbox"' in form and "<script" not in form
    key = re.search(r'name="submit_key" value="([^"]+)"', form).group(1)
    bad = client.post(f"/koordinator/arrangementer/{course.id}/fremmoede",
                      data={"came": [str(came.id)], f"hours_{came.id}": "mange", "submit_key": key})
    assert bad.status_code == 400 and 'value="mange"' in bad.get_data(as_text=True)
    ok = client.post(f"/koordinator/arrangementer/{course.id}/fremmoede",
                     data={"came": [str(came.id)], f"hours_{came.id}": "2,5", "submit_key": key})
    assert ok.status_code == 302
    session = fresh(session)
    assert (session.get(EventSignup, came.id).attended, session.get(EventSignup, came.id).minutes) == (True, 150)
    assert session.get(EventSignup, stayed_home.id).attended is False
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == new.id,
                                                    ScreeningStep.step == "training")).one()
    assert (step.status, step.step_date) == ("done", clock.today())
    assert session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == absent.id,
                                                    ScreeningStep.step == "training")).one().status == "pending"
    # The same form sent again (a double tap) saves nothing twice.
    again = client.post(f"/koordinator/arrangementer/{course.id}/fremmoede",
                        data={"came": [str(came.id)], "submit_key": key}, follow_redirects=True)
    assert "allerede" in again.get_data(as_text=True)
    # Unticked by mistake and saved: the step the course completed is put back.
    client.post(f"/koordinator/arrangementer/{course.id}/fremmoede", data={})
    step = fresh(session).exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == new.id,
                                                           ScreeningStep.step == "training")).one()
    assert step.status == "pending" and step.step_date is None
    audits = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Volunteer",
                                                   AuditEvent.record_id == new.id)).all()
    assert any(a.detail.get("event") == course.id for a in audits)


def test_attendance_waits_for_the_day_of_the_event(as_role, session, world):
    coming = b.make_event(session, [world.program], days_ahead=3)
    signup = b.make_signup(session, coming, world.other_volunteer)
    session.commit()
    client = as_role("coordinator")
    response = client.post(f"/koordinator/arrangementer/{coming.id}/fremmoede", data={"came": [str(signup.id)]})
    assert response.status_code == 400
    assert fresh(session).get(EventSignup, signup.id).attended is False


def test_an_approved_volunteer_whose_training_was_never_recorded_gets_it_from_the_course(as_role, session, world):
    course = b.make_event(session, [world.program], kind="intro_course", days_ahead=0, hour=0, hours=2)
    volunteer = b.make_volunteer(session, world.program, first_name="Gammel")
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                    ScreeningStep.step == "training")).one()
    step.status, step.step_date = "pending", None
    signup = b.make_signup(session, course, volunteer)
    session.commit()
    as_role("coordinator").post(f"/koordinator/arrangementer/{course.id}/fremmoede", data={"came": [str(signup.id)]})
    step = fresh(session).get(ScreeningStep, step.id)
    assert (step.status, step.step_date) == ("done", clock.today())


def test_a_further_programmes_course_completes_that_places_own_step_and_not_the_first_ones(
        as_role, session, world):
    from models.members.queries import membership

    family = world.family_program
    family.required_steps = ["interview", "training"]
    session.add(family)
    course = b.make_event(session, [family], kind="intro_course", days_ahead=0, hour=0, hours=2)
    volunteer = b.make_volunteer(session, world.program, first_name="Begge")
    first_step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                          ScreeningStep.step == "training")).one()
    first_step.status, first_step.step_date = "pending", None
    session.add(first_step)
    b.join_programme(session, volunteer, family, status="applied")
    signup = b.make_signup(session, course, volunteer)
    session.commit()
    client = as_role("coordinator")
    client.post(f"/koordinator/arrangementer/{course.id}/fremmoede", data={"came": [str(signup.id)]})
    session = fresh(session)
    assert membership(session, volunteer.id, family.id).own_steps == {"training": clock.today().isoformat()}
    # The youth programme's course is its own: this course was not it.
    assert session.get(ScreeningStep, first_step.id).status == "pending"
    page = client.get(f"/koordinator/frivillige/{volunteer.id}/programmer").get_data(as_text=True)
    assert "Godkend til " + family.name in page
    # Unticked by mistake before the place was approved: the course's step is put back.
    client.post(f"/koordinator/arrangementer/{course.id}/fremmoede", data={})
    assert membership(fresh(session), volunteer.id, family.id).own_steps == {}


def test_cancelling_an_event_asks_for_confirmation_and_tells_everyone_signed_up(as_role, session, world):
    event = b.make_event(session, [world.program], title="Julefrokost")
    b.make_signup(session, event, world.other_volunteer)
    session.commit()
    client = as_role("coordinator")
    assert client.post(f"/koordinator/arrangementer/{event.id}/aflys", data={}).status_code == 400
    assert fresh(session).get(Event, event.id).cancelled_at is None
    client.post(f"/koordinator/arrangementer/{event.id}/aflys", data={"confirm": "y", "reason": "Sygdom"})
    assert fresh(session).get(Event, event.id).cancelled_at is not None
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "event_cancelled")).one()
    assert mail.to_email == world.other_volunteer.email and "Sygdom" in mail.body


def test_waiting_past_the_target_with_no_event_puts_a_volunteer_on_the_at_risk_list_until_they_come(
        as_role, session, world):
    today = clock.today()
    long_wait = b.make_volunteer(session, world.program, first_name="Langventer",
                                 pool_since=today - timedelta(days=world.program.waiting_target_days + 5))
    b.make_volunteer(session, world.program, first_name="Nyventer", pool_since=today - timedelta(days=3))
    session.commit()
    client = as_role("coordinator")
    page = client.get("/koordinator/forloeb").get_data(as_text=True)
    section = page[page.index('id="drifting-h"'):]
    assert "Langventer" in section and "Nyventer" not in section and "5 dage over målet" in section
    assert "ventet længe uden arrangement" in client.get("/koordinator/").get_data(as_text=True)
    past = b.make_event(session, [world.program], days_ahead=-2)
    b.make_signup(session, past, long_wait, attended=True, minutes=120)
    session.commit()
    page = client.get("/koordinator/forloeb").get_data(as_text=True)
    assert "Langventer" not in page[page.index('id="drifting-h"'):]


def test_erasing_a_volunteer_gives_their_place_to_the_next_in_line_and_export_lists_their_events(
        app, session, world):
    event = b.make_event(session, [world.program], capacity=1, title="Supervision")
    past = b.make_event(session, [world.program], days_ahead=-5, title="Netværksmøde")
    client, volunteer = _volunteer_client(app, session, world, "Slettes")
    b.make_signup(session, event, volunteer)
    b.make_signup(session, past, volunteer, attended=True, minutes=90)
    b.make_signup(session, event, world.other_volunteer, status="waiting")
    b.make_calendar_feed(session, volunteer)
    session.commit()
    export = client.get("/frivillig/mine-data")
    assert export.status_code == 200
    data = json.loads(export.data)
    assert {(e["event"], e["attended"], e["minutes"]) for e in data["events"]} == {
        ("Supervision", False, 0), ("Netværksmøde", True, 90)}
    assert client.post("/frivillig/slet", data={"confirm": "y"}).status_code == 302
    session = fresh(session)
    erased = session.get(Volunteer, volunteer.id)
    from models.events.tables import VolunteerLeaving

    assert erased.anonymised_at is not None
    assert session.get(VolunteerLeaving, volunteer.id).reason == "account_deleted"
    statuses = {s.volunteer_id: s.status for s in session.exec(select(EventSignup).where(
        EventSignup.event_id == event.id))}
    assert statuses == {volunteer.id: "cancelled", world.other_volunteer.id: "signed_up"}
    # The attendance stays as a figure (of an anonymised person); the secret address is gone.
    assert session.exec(select(EventSignup).where(EventSignup.event_id == past.id)).one().attended
    assert session.exec(select(CalendarFeed).where(CalendarFeed.volunteer_id == volunteer.id)).first() is None


def test_an_event_for_waiting_and_new_volunteers_invites_both_and_nobody_else(app, as_role, session, world):
    app.config["QUEUE_IMMEDIATE"] = True
    new = b.make_volunteer(session, world.program, first_name="Ny", status="screening")
    b.make_volunteer(session, world.program, first_name="Stoppet", status="withdrawn")
    session.commit()
    as_role("coordinator").post("/koordinator/arrangementer/nyt",
                                data=_event_form(world, audience=["waiting", "new"]))
    event = fresh(session).exec(select(Event)).one()
    assert event.audience == "waiting,new"
    invited = {m.to_email for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "event_invitation"))}
    # Bo waits, the new one is in screening; Anna has a match and the withdrawn one has stopped.
    assert invited == {world.other_volunteer.email, new.email}


def test_the_daily_invitation_job_reaches_volunteers_who_joined_the_audience_since_and_nobody_twice(
        app, session, world):
    from models.clock import utcnow
    from models.events.operations import invite_to_coming_events

    event = b.make_event(session, [world.program], title="Netværksmøde")
    b.make_event(session, [world.program], days_ahead=-3, title="Sidste uge")  # over: nobody is invited to it
    session.commit()
    first = invite_to_coming_events(session, utcnow(), "makker.test")
    assert (first.events, first.queued) == (1, 1)  # Bo, who waits
    newly_approved = b.make_volunteer(session, world.program, first_name="Nygodkendt")
    session.commit()
    again = invite_to_coming_events(session, utcnow(), "makker.test")
    assert again.queued == 1
    invited = [m.to_email for m in fresh(session).exec(select(OutboxMessage).where(
        OutboxMessage.kind == "event_invitation").order_by(OutboxMessage.id))]
    assert invited == [world.other_volunteer.email, newly_approved.email]
    assert fresh(session).get(Event, event.id).invitations_queued_at is not None


def test_the_coordinators_list_of_events_is_searched_filtered_and_paged(app, as_role, session, world):
    app.config["PAGE_SIZE"] = 2
    for i in range(3):
        b.make_event(session, [world.program], days_ahead=i + 1, title=f"Netværksmøde {i}")
    b.make_event(session, [world.program], kind="social", title="Sommerfest 100% sjov")
    b.make_event(session, [world.program], days_ahead=-4, title="Netværksmøde i fortiden")
    session.commit()
    client = as_role("coordinator")
    page = client.get("/koordinator/arrangementer").get_data(as_text=True)
    assert "4 arrangementer" in page and "Side 1 af 2" in page and "fortiden" not in page
    assert "Netværksmøde i fortiden" in client.get("/koordinator/arrangementer?vis=past").get_data(as_text=True)
    found = client.get("/koordinator/arrangementer?q=100%25").get_data(as_text=True)
    assert "Sommerfest" in found and "1 arrangement" in found
    assert "Netværksmøde 2" not in client.get("/koordinator/arrangementer?kind=social").get_data(as_text=True)


def test_an_invitation_is_sent_with_its_calendar_file_attached(session, world, tmp_path):
    from dataclasses import replace

    from config import load_settings
    from models.events.calendar import calendar_bytes
    from models.events.operations import queue_invitations
    from tests.test_outbox import FakeSMTP
    from web.mailer import send_pending

    event = b.make_event(session, [world.program], title="Temaaften")
    session.commit()
    assert queue_invitations(session, event.id, "makker.test", "http://makker.test/frivillig/").queued == 1
    settings = replace(load_settings(tmp_path, {"MAKKER_ENV": "testing"}), mail_server="smtp.example.org")
    FakeSMTP.sent = []
    assert send_pending(session, settings, smtp_factory=FakeSMTP) == (1, 0)
    message = FakeSMTP.sent[0]
    parts = {part.get_content_type(): part for part in message.iter_parts()}
    assert "Temaaften" in parts["text/plain"].get_content()
    attached = parts["text/calendar"]
    assert attached.get_filename() == f"arrangement-{event.id}.ics"
    ics = Calendar.from_ical(attached.get_content())
    assert [str(e["SUMMARY"]) for e in ics.walk("VEVENT")] == ["Temaaften"]
    assert calendar_bytes([event], "makker.test").count(b"BEGIN:VEVENT") == 1
