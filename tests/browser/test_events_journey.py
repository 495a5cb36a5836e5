"""A coordinator creates an introductory course for waiting and new volunteers; a volunteer
signs up on a phone and adds it to the calendar; on the day the coordinator ticks attendance at
the door, on a phone; the volunteer's screening shows the course done with that date."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from models import clock
from models.events.tables import Event
from models.volunteers import ScreeningStep
from seed import builders as b
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD, fresh


def test_an_introductory_course_from_invitation_to_the_training_step_done(app, page, phone_page, session, world,
                                                                          monkeypatch):
    app.config["QUEUE_IMMEDIATE"] = True  # the invitations go out within the request
    user = b.make_user(session, world.organisation, "volunteer", email="sofie@example.org", password=PASSWORD)
    b.make_volunteer(session, world.program, user=user, first_name="Sofie", status="screening")
    session.commit()
    course_day = clock.today() + timedelta(days=1)

    sign_in(page, world.coordinator.email)
    page.goto("/koordinator/arrangementer")
    page.get_by_role("link", name="Opret et arrangement").first.click()
    page.get_by_label("Slags arrangement").select_option(label="Introkursus")
    page.get_by_label("Titel").fill("Introkursus for nye mentorer")
    page.get_by_label("Dato").fill(course_day.isoformat())
    page.get_by_label("Starter kl.").fill("17:00")
    page.get_by_label("Slutter kl.").fill("20:30")
    page.get_by_label("Sted").fill("Roskilde Bibliotek")
    page.get_by_label("Antal pladser").fill("10")
    page.get_by_label(world.program.name).check()
    page.get_by_label("Nye frivillige (under godkendelse)").check()  # waiting volunteers are ticked already
    expect(page.get_by_label("Frivillige der venter på et makkerpar")).to_be_checked()
    page.get_by_role("button", name="Opret arrangementet og send invitationerne").click()
    expect(page.get_by_role("status")).to_contain_text("Invitationerne bliver sendt")
    expect(page.get_by_role("heading", name="Introkursus for nye mentorer")).to_be_visible()

    phone = phone_page
    sign_in(phone, "sofie@example.org")
    phone.get_by_role("button", name="Tilmeld dig Introkursus for nye mentorer").click()
    expect(phone.get_by_role("status")).to_contain_text("Du er tilmeldt Introkursus for nye mentorer")
    expect(phone.get_by_text("Du er tilmeldt", exact=True)).to_be_visible()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Føj Introkursus for nye mentorer til min kalender").click()
    calendar = Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Introkursus for nye mentorer"
    assert vevent.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == f"{course_day.isoformat()} 17:00"

    # The day of the course: the coordinator ticks who came, on a phone at the door.
    monkeypatch.setattr("web.events.views.today", lambda: course_day)
    event = fresh(session).exec(select(Event)).one()
    coordinator_phone = phone.context.browser.new_context(base_url=app.config["LIVE_URL"], locale="da-DK",
                                                          viewport={"width": 360, "height": 740}, is_mobile=True,
                                                          has_touch=True).new_page()
    sign_in(coordinator_phone, world.coordinator.email)
    coordinator_phone.goto(f"/koordinator/arrangementer/{event.id}")
    coordinator_phone.get_by_role("link", name="Registrér fremmøde").click()
    coordinator_phone.get_by_label("Sofie Jensen").check()
    coordinator_phone.get_by_role("button", name="Gem fremmødet").click()
    expect(coordinator_phone.get_by_role("status")).to_contain_text("Fremmødet er gemt: 1 kom.")
    expect(coordinator_phone.get_by_role("status")).to_contain_text("Introkurset er markeret som gennemført for 1.")
    coordinator_phone.context.close()

    phone.goto("/frivillig/")
    screening = phone.get_by_role("region", name="Din godkendelse")
    expect(screening.get_by_text(re.compile(rf"Gennemført · {course_day.strftime('%d-%m-%Y')}"))).to_be_visible()
    step = fresh(session).exec(select(ScreeningStep).where(ScreeningStep.step == "training",
                                                           ScreeningStep.volunteer_id == _volunteer_id(session, user.id))).one()
    assert (step.status, step.step_date) == ("done", course_day)


def _volunteer_id(session, user_id: int) -> int:  # noqa: ANN001
    from models.volunteers import Volunteer

    return session.exec(select(Volunteer.id).where(Volunteer.user_id == user_id)).one()
