"""The referral journey of issue 13: an admin invites a caseworker, who signs in and refers a
household with two children with both custody holders' consent; a coordinator accepts it, runs
the matching, approves and records the introduction; the caseworker sees "matched" with the date;
two months later the coordinator is reminded, writes the status, and the caseworker reads it."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from models import clock
from models.clock import add_months
from models.matches import Match
from models.outbox import OutboxMessage
from models.referrals.statuses import send_status_reminders
from models.referrals.tables import Referral
from models.volunteers import Volunteer
from seed import builders as b
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD, fresh

CASEWORKER = "rikke@roskilde.example.dk"


def test_referral_journey_from_invitation_to_the_first_status(app, page, session, world, monkeypatch):
    app.config["QUEUE_IMMEDIATE"] = True  # the matching run finishes within the request
    user = b.make_user(session, world.organisation, "volunteer", email="vera@roskilde.example.org", password=PASSWORD,
                       name="Vera Frivillig")
    b.make_volunteer(session, world.family_program, user=user, first_name="Vera", last_name="Hemmeligsen",
                     supports="family", languages={"da": 3, "ar": 3}, interests=["lektiehjaelp"])
    session.commit()
    today = clock.today()

    # The admin invites a caseworker of the municipality's unit.
    sign_in(page, world.admin.email)
    page.goto("/admin/henvisere/ny")
    page.get_by_label("Navn").fill("Rikke Rådgiver")
    page.get_by_label("E-mail").fill(CASEWORKER)
    page.get_by_label("Henvisende enhed").select_option(str(world.unit.id))
    page.get_by_role("button", name="Send invitationen").click()
    expect(page.get_by_role("status").first).to_contain_text("Rikke Rådgiver")
    page.get_by_role("button", name="Log ud").click()

    # She follows the e-mail's link, chooses a password and refers a household with two children.
    mail = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.to_email == CASEWORKER)).one()
    path = re.search(r"https?://\S+", mail.body).group(0).split("/", 3)[3]
    page.goto("/" + path)
    page.get_by_label("Ny adgangskode").fill("rikke-vaelger-kode")
    page.get_by_label("Gentag adgangskoden").fill("rikke-vaelger-kode")
    page.get_by_role("button").filter(has_text=re.compile("adgangskode", re.I)).first.click()
    if page.get_by_role("button", name="Log ind").count():
        sign_in(page, CASEWORKER, "rikke-vaelger-kode")
    page.get_by_role("link", name="Ny henvisning").click()
    page.get_by_role("link", name=f"Henvis en familie til {world.family_program.name}").click()
    page.get_by_label("Familiens navn").fill("Familien Said")
    page.get_by_label("Kontaktperson").fill("Leila Said")
    page.get_by_label("Postnummer").fill("4000")
    page.get_by_label("Sprog 1").select_option("ar")
    page.get_by_label("Hvor godt").first.select_option("3")
    for row, (first, role, year) in enumerate((("Leila", "parent", today.year - 36), ("Samir", "parent", today.year - 40),
                                               ("Nour", "child", today.year - 8), ("Adam", "child", today.year - 11))):
        page.locator(f"#members-{row}-first_name").fill(first)
        page.locator(f"#members-{row}-role").select_option(role)
        page.locator(f"#members-{row}-birth_year").fill(str(year))
    page.get_by_label("Hvorfor henviser du? Med familiens egne ord").fill("Vi kender ingen her og vil gerne have "
                                                                         "en familie at ses med.")
    page.get_by_label("Begge forældre sammen (fælles forældremyndighed): begge giver samtykke").check()
    page.get_by_label("Samtykke givet af").fill("Leila Said")
    page.get_by_label("Dato, samtykket blev givet").fill(today.isoformat())
    page.get_by_role("button", name="Send henvisningen").click()
    # One custody holder is not enough: the form says so next to the field and keeps what was typed.
    expect(page.get_by_text(re.compile("begge indehavere give samtykke")).first).to_be_visible()
    expect(page.get_by_label("Familiens navn")).to_have_value("Familien Said")
    page.get_by_label("Anden person, der gav samtykke").fill("Samir Said")
    page.get_by_label("Den andens rolle").select_option("guardian")
    page.get_by_label("Dato for det andet samtykke").fill(today.isoformat())
    page.get_by_label("De giver samtykke til henvisningen til programmet").check()
    page.get_by_label(re.compile("sender mig en kort status")).check()
    page.get_by_label("Samtykkeerklæringen er underskrevet og ligger i vores sag").check()
    page.get_by_role("button", name="Send henvisningen").click()
    expect(page.get_by_role("status").first).to_contain_text("Henvisningen af Familien Said er sendt")
    page.get_by_role("button", name="Log ud").click()

    # The coordinator accepts it from "Nye henvisninger", runs the matching, approves, introduces.
    sign_in(page, world.coordinator.email)
    page.goto("/koordinator/henvisninger")
    page.get_by_role("link", name=re.compile("Familien Said")).first.click()
    page.get_by_label("Hvilken hjælp er der brug for").fill("En venskabsfamilie")
    page.get_by_role("button", name="Optag henvisningen").click()
    expect(page.get_by_role("status").first).to_contain_text("er optaget og venter på et makkerpar")
    page.get_by_role("link", name="Matchning").first.click()
    page.get_by_role("form").filter(has_text=world.family_program.name).get_by_role(
        "button", name="Kør matchningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forslag")
    said = page.get_by_role("region", name=re.compile("En venskabsfamilie"))
    said.get_by_role("button", name="Godkend").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Matchet er lavet")
    referral = fresh(session).exec(select(Referral).where(Referral.family_name == "Familien Said")).one()
    match = session.exec(select(Match).where(Match.request_id == referral.request_id)).one()
    page.goto(f"/koordinator/makkerpar/{match.id}/introduktion")
    page.get_by_label("Hvem deltog").fill("Vera, Leila og børnene")
    page.get_by_role("group", name="Sagde den frivillige ja?").get_by_label("Ja").check()
    page.get_by_role("group", name="Sagde den unge eller familien ja?").get_by_label("Ja").check()
    page.get_by_role("button", name="Gem introduktionen").click()
    expect(page.get_by_role("status").first).to_contain_text("Begge sagde ja")
    page.get_by_role("button", name="Log ud").click()

    # The caseworker sees "matched" with the date, the volunteer's first name only.
    sign_in(page, CASEWORKER, "rikke-vaelger-kode")
    page.get_by_role("link", name=re.compile("Familien Said")).first.click()
    match = fresh(session).get(Match, match.id)
    started, volunteer = match.started_on, session.get(Volunteer, match.volunteer_id)
    expect(page.get_by_text(re.compile(f"Matchet .*{started:%d-%m-%Y}")).first).to_be_visible()
    expect(page.get_by_text(re.compile(volunteer.first_name)).first).to_be_visible()
    expect(page.get_by_text(volunteer.last_name)).to_have_count(0)
    page.get_by_role("button", name="Log ud").click()

    # Two months later (a fixed clock): the daily job reminds the coordinator, who writes the status.
    later = add_months(started, 2) - timedelta(days=5)
    monkeypatch.setattr(clock, "today", lambda: later)
    send_status_reminders(fresh(session), later, "http://makker.test")
    reminder = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_status_due")).one()
    assert reminder.to_email == world.coordinator.email and "Said" not in reminder.body
    sign_in(page, world.coordinator.email)
    page.goto("/koordinator/henvisninger/statusser")
    page.get_by_role("link", name=re.compile("Familien Said")).first.click()
    if not page.get_by_label("Hvordan det går").count():
        page.get_by_role("link", name="Skriv status").click()
    page.get_by_label("Hvordan det går").fill("Familierne ses hver anden uge og har været i skoven sammen.")
    page.get_by_label(re.compile("Jeg har læst status igennem")).check()
    page.get_by_role("button", name="Send status til henviseren").click()
    expect(page.get_by_role("status").first).to_contain_text("Status er sendt")
    page.get_by_role("button", name="Log ud").click()

    # The caseworker is told by e-mail without personal data and reads the status after signing in.
    told = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_status_ready")).one()
    assert told.to_email == CASEWORKER and "Said" not in told.body and "skoven" not in told.body
    sign_in(page, CASEWORKER, "rikke-vaelger-kode")
    page.get_by_role("link", name=re.compile("Familien Said")).first.click()
    page.get_by_role("link", name=re.compile("Status fra")).first.click()
    expect(page.get_by_text("Familierne ses hver anden uge og har været i skoven sammen.")).to_be_visible()
