"""A coordinator builds a new family's plan, gets a team proposed and approved, holds a plan
meeting that adds an agreement, records progress and prints the plan; the volunteer on the team
sees their part and marks the agreement done."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from models import clock
from models.families.operations import ensure_catalogue
from models.families.tables import (
    Competence,
    FamilyAgreement,
    Professional,
    ProgressRecord,
    VolunteerCompetence,
)
from tests.browser.test_sign_in import sign_in


def test_a_family_gets_a_plan_a_team_a_meeting_progress_and_a_printed_plan(page, app, world, session):
    app.config["QUEUE_IMMEDIATE"] = True  # the team proposal's run finishes within the request, as a worker would
    org = world.organisation.id
    ensure_catalogue(session, org)
    codes = {c.code: c.id for c in session.exec(select(Competence).where(Competence.organisation_id == org))}
    session.add(Professional(organisation_id=org, name="Karim Jobkonsulent", unit="Jobcenter", phone="70 20 30 40",
                             competence_ids=[codes["job_education"]], capacity=4))
    world.volunteer.languages = {"da": 3, "ar": 2}
    session.add(world.volunteer)
    session.add(VolunteerCompetence(volunteer_id=world.volunteer.id, competence_ids=[codes["school"]],
                                    family_capacity=1))
    session.commit()
    family = world.household.family_name

    sign_in(page, world.coordinator.email)
    page.get_by_role("navigation").first.get_by_role("link", name="Familier").click()
    page.get_by_role("link", name=family).click()
    expect(page.get_by_role("heading", name=f"Familiens plan: {family}")).to_be_visible()

    page.get_by_label("Familiens drømme, med deres egne ord").fill("At børnene får danske venner")
    page.get_by_label("Vis drømmene for de frivillige i teamet").check()
    page.get_by_role("button", name="Gem drømmene").click()
    expect(page.get_by_role("status")).to_contain_text("Drømmene er gemt")

    for member, area, goal in (("Forælder", "Job og uddannelse", "Finde en praktikplads"),
                               ("Barn", "Skole og dagtilbud", "Lave lektier hver uge")):
        goals = page.get_by_role("region", name="Mål")
        goals.get_by_label("Hvis mål").select_option(label=member)
        goals.get_by_label("Livsområde").select_option(label=area)
        goals.get_by_label("Målet", exact=True).fill(goal)
        goals.get_by_label("Hvad er vi bekymrede for?").fill("Det er svært at komme i gang")
        goals.get_by_label("Hvad skal der til?").fill("Teamet hjælper med de første skridt")
        goals.get_by_label("Del med de frivillige i teamet").check()
        goals.get_by_role("button", name="Gem målet").click()
        expect(page.get_by_role("status")).to_contain_text("Målet er gemt")
        expect(page.get_by_role("heading", name=goal)).to_be_visible()

    # The team: proposed by the optimizer, explained, then approved with a primary contact.
    page.get_by_role("link", name="Teamet").first.click()
    page.get_by_role("button", name="Foreslå et team").click()
    expect(page.get_by_role("status").first).to_contain_text("Teamforslaget er sat i gang")
    proposal = page.locator("#proposal")
    expect(proposal).to_contain_text("Karim Jobkonsulent")
    expect(proposal).to_contain_text(world.volunteer.name)
    expect(proposal).to_contain_text(re.compile(r"Dækker: .*(Skole|Job og uddannelse)"))
    expect(proposal).to_contain_text("Primær kontaktperson, fordi vedkommende")
    expect(page.get_by_label(re.compile("Karim Jobkonsulent"))).to_be_checked()
    page.get_by_label("Primær kontaktperson").select_option(label=f"{world.volunteer.name} (Frivillig)")
    page.get_by_role("button", name="Godkend teamet").click()
    expect(page.get_by_role("status")).to_contain_text("Teamet er godkendt")
    who = page.get_by_role("table", name="Teamets medlemmer")
    expect(who.get_by_role("row").filter(has_text=world.volunteer.name)).to_contain_text("Primær kontaktperson")
    expect(who).to_contain_text("70 20 30 40")

    # A plan meeting that adds an agreement for the volunteer.
    page.get_by_role("link", name="Hold et planmøde").click()
    page.get_by_label("Dato for mødet").fill(clock.today().isoformat())
    page.get_by_label("Slags møde").select_option(label="Netværksmøde")
    page.get_by_label("Hvem deltog").fill("Familien, Karim og Anna")
    page.get_by_label("Hvad blev aftalt").fill("Vi starter med lektierne")
    page.get_by_label("Ny aftale").fill("Lektiehjælp hver tirsdag")
    page.get_by_label("Hvem er ansvarlig").select_option(label=f"{world.volunteer.name} (Frivillig)")
    page.get_by_role("button", name="Gem mødet").click()
    expect(page.get_by_role("status")).to_contain_text("Mødet er gemt i planen")
    expect(page.locator("#meetings")).to_contain_text("Aftale tilføjet: Lektiehjælp hver tirsdag")

    # Progress at entry for both members.
    page.get_by_role("link", name="Registrér udvikling").click()
    page.get_by_label("Hvornår").select_option(label="Ved start")
    parent = page.get_by_role("group", name=re.compile("^Forælder"))
    parent.get_by_role("group", name="Har job eller er i uddannelse").get_by_label("Nej").check()
    child = page.get_by_role("group", name=re.compile("^Barn"))
    child.get_by_role("group", name="Har problemer i skolen").get_by_label("Ja").check()
    child.get_by_label("Børnefagligt niveau").select_option(label="2. Bekymring, ingen sag")
    page.get_by_role("button", name="Gem udviklingen").click()
    expect(page.get_by_role("status")).to_contain_text("3 svar er gemt")
    expect(page.locator("#progress")).to_contain_text("2. Bekymring, ingen sag")
    session.rollback()
    records = list(session.exec(select(ProgressRecord)))
    assert len(records) == 3 and [r.level for r in records if r.level is not None] == [2]

    # The printed plan.
    link = page.get_by_role("link", name="Udskriv planen til familien (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf" and response.body()[:4] == b"%PDF"

    # The volunteer sees their part and marks the agreement done from their home page.
    page.get_by_role("button", name="Log ud").click()
    sign_in(page, world.volunteer_user.email)
    expect(page.get_by_role("heading", name="Familier, hvis team du er med i")).to_be_visible()
    page.get_by_role("link", name=family).click()
    expect(page.get_by_text("At børnene får danske venner")).to_be_visible()
    expect(page.get_by_text("Lave lektier hver uge")).to_be_visible()
    page.go_back()
    page.get_by_role("button", name="Markér Lektiehjælp hver tirsdag som udført").click()
    expect(page.get_by_role("status")).to_contain_text("Aftalen er markeret som udført")
    session.rollback()
    agreement = session.exec(select(FamilyAgreement).where(FamilyAgreement.text == "Lektiehjælp hver tirsdag")).one()
    assert agreement.status == "done" and agreement.done_by_id == world.volunteer_user.id
