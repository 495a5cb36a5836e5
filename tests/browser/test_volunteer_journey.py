"""A volunteer signs up on a phone, confirms the e-mail, follows the screening a coordinator
records, lands in the pool; a matched volunteer logs a meeting in three screens."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from models import clock
from models.matches import MeetingLog
from models.outbox import OutboxMessage
from models.volunteers import Volunteer
from tests.browser.test_sign_in import sign_in
from tests.conftest import fresh


def test_sign_up_on_a_phone_confirm_screening_and_enter_the_pool(page, phone_page, session, world):
    phone = phone_page
    phone.goto("/bliv-frivillig/")
    phone.get_by_role("link", name=re.compile("Tilmeld dig")).first.click()
    phone.get_by_label("Fornavn").fill("Maja")
    phone.get_by_label("Efternavn").fill("Kristensen")
    phone.get_by_label("Telefon").fill("+45 22 33 44 55")
    phone.get_by_label("Fødselsår").fill(str(clock.today().year - 27))
    phone.get_by_label("Postnummer").fill("4000")
    phone.get_by_label("Sprog 1").select_option("da")
    phone.get_by_label("Hvor godt").first.select_option("3")
    phone.get_by_label("Fodbold").check()
    phone.get_by_label("Tirsdag Aften").check()
    phone.get_by_label("E-mail").fill("maja@example.org")
    phone.get_by_label("Vælg en adgangskode").fill("maja-har-et-kodeord")
    phone.get_by_label("Gentag adgangskoden").fill("maja-har-et-kodeord")
    phone.get_by_role("button", name="Tilmeld").click()
    # Forgot the consent: explained next to the field, the rest is kept.
    expect(phone.get_by_text("Vi skal have dit samtykke")).to_be_visible()
    expect(phone.get_by_label("Fornavn")).to_have_value("Maja")
    expect(phone.get_by_label("Tirsdag Aften")).to_be_checked()
    phone.get_by_label("Vælg en adgangskode").fill("maja-har-et-kodeord")
    phone.get_by_label("Gentag adgangskoden").fill("maja-har-et-kodeord")
    phone.get_by_label(re.compile("Jeg giver samtykke")).check()
    phone.get_by_role("button", name="Tilmeld").click()
    expect(phone.get_by_role("heading", name="Tak for din tilmelding")).to_be_visible()

    fresh(session)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "maja@example.org")).one()
    link = re.search(r"https?://\S+", mail.body).group(0)
    phone.goto(link)
    expect(phone.get_by_role("status")).to_contain_text("din e-mail er bekræftet")
    sign_in(phone, "maja@example.org", "maja-har-et-kodeord")
    expect(phone.get_by_role("heading", name="Din godkendelse")).to_be_visible()
    expect(phone.get_by_text("Børneattest", exact=True)).to_be_visible()
    # The papers only the volunteer can sign (issue 15): approval waits for them.
    phone.get_by_role("link", name="Læs og underskriv").click()
    for title in ("Tavshedserklæring", "Frivilligaftale"):
        card = phone.get_by_role("region", name=re.compile(f"^{title}"))
        card.get_by_label("Jeg har læst teksten og vil overholde den").check()
        card.get_by_label("Dit fulde navn").fill("Maja Kristensen")
        card.get_by_role("button", name=f"Underskriv: {title}").click()
        expect(phone.get_by_role("status").first).to_contain_text(f"{title} er underskrevet")
    phone.get_by_role("link", name="Tilbage til min side").click()

    volunteer = session.exec(select(Volunteer).where(Volunteer.email == "maja@example.org")).one()
    sign_in(page, world.coordinator.email)
    page.goto(f"/koordinator/frivillige/{volunteer.id}/godkendelse")
    for step in world.program.required_steps:
        page.get_by_role("combobox", name="Trin", exact=True).select_option(step)
        page.get_by_role("combobox", name="Status", exact=True).select_option("approved")
        page.get_by_role("button", name="Gem trinnet").click()
        expect(page.get_by_role("status")).to_contain_text("Trinnet er registreret")
    page.get_by_role("button", name="Godkend den frivillige").click()
    expect(page.get_by_role("status")).to_contain_text("er godkendt og er med i puljen")

    page.goto("/koordinator/venteliste/frivillige?q=maja")
    expect(page.get_by_role("link", name="Maja Kristensen")).to_be_visible()
    phone.reload()
    expect(phone.get_by_role("heading", name="Du er i puljen")).to_be_visible()


def test_a_matched_volunteer_logs_a_meeting_in_three_screens_and_the_coordinator_sees_it(page, phone_page, session, world):
    phone = phone_page
    sign_in(phone, world.volunteer_user.email)  # screen 1: home, with the match
    phone.get_by_role("link", name="Registrér et møde").click()  # screen 2: the form
    expect(phone.get_by_label("Dato")).to_have_value(clock.today().isoformat())
    phone.get_by_label("1½ t").check()
    phone.get_by_label("Sport").check()
    phone.get_by_label("4", exact=True).check()
    phone.get_by_label("Jeg har brug for at tale med koordinatoren").check()
    phone.get_by_role("button", name="Gem mødet").click()  # screen 3: home again, saved
    expect(phone.get_by_role("status")).to_contain_text("Mødet er gemt")

    fresh(session)
    log = session.exec(select(MeetingLog).where(MeetingLog.match_id == world.match.id)).one()
    assert log.minutes == 90 and log.rating == 4 and log.needs_contact
    sign_in(page, world.coordinator.email)
    page.goto(f"/koordinator/frivillige/{world.volunteer.id}")
    expect(page.get_by_text("vil gerne tale med en koordinator")).to_be_visible()
