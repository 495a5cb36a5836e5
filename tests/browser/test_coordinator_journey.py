"""A coordinator takes in a family with two needs, runs the matching, reads why, approves one,
rejects one with a reason, matches the other by hand and records the introduction; the
volunteer then sees the match on their own page."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from models.matches import Match
from models.mentees import Household, Request
from models.volunteers import Volunteer
from seed import builders as b
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD


def test_coordinator_journey_from_intake_to_introduction(app, page, session, world):
    app.config["QUEUE_IMMEDIATE"] = True  # the run finishes within the request
    family_volunteers = []
    for first, langs in (("Vera", {"da": 3, "ar": 3}), ("Bent", {"da": 3}), ("Sanne", {"da": 3, "en": 2})):
        user = b.make_user(session, world.organisation, "volunteer", email=f"{first.lower()}@roskilde.example.org",
                           password=PASSWORD, name=f"{first} Frivillig")
        family_volunteers.append(b.make_volunteer(session, world.family_program, user=user, first_name=first,
                                                  supports="family", languages=langs, interests=["lektiehjaelp"]))
    session.commit()

    sign_in(page, world.coordinator.email)
    page.get_by_role("link", name="Opret en familie").first.click()
    page.get_by_label("Familiens navn").fill("Familien Khalil")
    page.get_by_label("Kontaktperson").fill("Huda Khalil")
    page.get_by_label("Postnummer").fill("4000")
    page.get_by_label("Sprog 1").select_option("ar")
    page.get_by_label("Hvor godt").first.select_option("3")
    page.locator("#members-0-first_name").fill("Huda")
    page.locator("#members-0-role").select_option("parent")
    page.locator("#members-0-birth_year").fill("1984")
    page.locator("#members-1-first_name").fill("Adam")
    page.locator("#members-1-birth_year").fill("2016")
    page.get_by_label("Lektiehjælp").check()
    page.get_by_label("Samtykke givet af").fill("Huda Khalil")
    page.get_by_label("Samtykkegivers rolle").select_option("self")
    page.get_by_label("Dato, samtykket blev givet").fill("2026-07-30")
    page.get_by_label("Samtykke til behandling af oplysningerne er givet og forklaret").check()
    page.locator("#requests-0-need").fill("Lektiehjælp til Adam")
    page.locator("#requests-1-need").fill("En venskabsfamilie")
    page.get_by_role("button", name="Opret familien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Familien Khalil")
    expect(page.get_by_role("status")).to_contain_text("oprettet med 2 anmodninger")

    page.get_by_role("link", name="Matchning").click()
    page.get_by_role("form").filter(has_text=world.family_program.name).get_by_role("button", name="Kør matchningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forslag")

    homework = page.get_by_role("region", name=re.compile("Lektiehjælp til Adam"))
    homework.get_by_text("Hvorfor denne score?").first.click()
    expect(homework.get_by_role("rowheader", name="Fælles sprog").first).to_be_visible()
    expect(page.get_by_text("Alle forslag overholder de hårde regler")).to_be_visible()
    homework.get_by_role("button", name="Godkend").click()
    expect(page.get_by_role("status")).to_contain_text("Matchet er lavet")

    page.go_back()
    page.reload()
    friendship = page.get_by_role("region", name=re.compile("En venskabsfamilie"))
    friendship.get_by_role("link", name="Afvis").first.click()
    page.get_by_role("button", name="Afvis").click()
    expect(page.get_by_text("Dette felt skal udfyldes.")).to_be_visible()  # a reason is required
    page.get_by_label("Hvorfor afvises forslaget?").fill("De kender hinanden privat")
    page.get_by_role("button", name="Afvis").click()
    expect(page.get_by_role("status")).to_contain_text("Forslaget er afvist")

    friendship = page.get_by_role("region", name=re.compile("En venskabsfamilie"))
    friendship.get_by_role("link", name=re.compile("Find selv en makker til .* i stedet")).click()
    page.get_by_role("button", name="Lav matchet").click()
    if page.get_by_label("Jeg har læst betænkelighederne og vil lave matchet alligevel").count():
        expect(page.get_by_role("alert").first).to_be_visible()
        page.get_by_label("Jeg har læst betænkelighederne og vil lave matchet alligevel").check()
        page.get_by_role("button", name="Lav matchet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Introduktion")

    page.get_by_label("Hvem deltog").fill("Frivillig, Huda og Adam")
    page.get_by_role("group", name="Sagde den frivillige ja?").get_by_label("Ja").check()
    page.get_by_role("group", name="Sagde den unge eller familien ja?").get_by_label("Ja").check()
    page.get_by_role("button", name="Gem introduktionen").click()
    expect(page.get_by_role("status")).to_contain_text("Begge sagde ja")

    session.rollback()
    household = session.exec(select(Household).where(Household.family_name == "Familien Khalil")).one()
    requests = session.exec(select(Request).where(Request.household_id == household.id)).all()
    matches = session.exec(select(Match).where(Match.request_id.in_([r.id for r in requests]))).all()
    assert len(matches) == 2 and {m.status for m in matches} == {"introduced", "active"}
    active = next(m for m in matches if m.status == "active")
    volunteer = session.get(Volunteer, active.volunteer_id)

    page.get_by_role("button", name="Log ud").click()
    sign_in(page, volunteer.email)
    expect(page.get_by_role("heading", name="Din makker")).to_be_visible()
    expect(page.get_by_text("Aktiv")).to_be_visible()
