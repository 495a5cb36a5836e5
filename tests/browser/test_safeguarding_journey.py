"""Safeguarding papers in the browser (issue 15): on a phone the volunteer reads and signs the
tavshedserklæring and the frivilligaftale and is then approved by the coordinator; a børneattest
past its renewal date keeps a volunteer out of the matching run, and the run says why."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import select

from models.clock import today as clock_today
from models.volunteers import ScreeningStep
from seed import builders as b
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD


def _screened_volunteer(session, world):  # noqa: ANN001, ANN202
    user = b.make_user(session, world.organisation, "volunteer", email="sofie@example.org", password=PASSWORD)
    volunteer = b.make_volunteer(session, world.program, user=user, status="screening", first_name="Sofie",
                                 last_name="Holm")
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)):
        step.status, step.step_date = "approved", clock_today() - timedelta(days=5)
        session.add(step)
    session.commit()
    return volunteer


def _fits(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"


def test_the_volunteer_signs_on_a_phone_and_is_approved(app, browser, live_server, phone_page, session, world):
    volunteer = _screened_volunteer(session, world)
    phone_page.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone_page, "sofie@example.org")
    expect(phone_page.get_by_role("heading", name="Papirer, du skal underskrive")).to_be_visible()
    phone_page.get_by_role("link", name="Læs og underskriv").click()
    for title in ("Tavshedserklæring", "Frivilligaftale"):
        card = phone_page.get_by_role("region", name=re.compile(f"^{title}"))
        expect(card).to_contain_text("Ikke underskrevet endnu")
        card.get_by_role("button", name=f"Underskriv: {title}").click()  # forgot the box and the name
        card = phone_page.get_by_role("region", name=re.compile(f"^{title}"))
        expect(card).to_contain_text("Sæt flueben")
        card.get_by_label("Jeg har læst teksten og vil overholde den").check()
        card.get_by_label("Dit fulde navn").fill("Sofie Holm")
        _fits(phone_page)
        card.get_by_role("button", name=f"Underskriv: {title}").click()
        expect(phone_page.get_by_role("status").first).to_contain_text(f"{title} er underskrevet")
    expect(phone_page.get_by_role("region", name=re.compile("^Frivilligaftale"))).to_contain_text("Underskrevet")

    coordinator = browser.new_page(base_url=live_server)
    sign_in(coordinator, world.coordinator.email)
    coordinator.goto(f"/koordinator/frivillige/{volunteer.id}/godkendelse")
    steps = coordinator.get_by_role("region", name="Trin")
    expect(steps.get_by_role("listitem").filter(has_text="Tavshedserklæring underskrevet")).to_contain_text("Underskrevet")
    coordinator.get_by_role("button", name="Godkend den frivillige").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Sofie er godkendt")
    coordinator.close()


def test_a_boerneattest_past_its_renewal_date_keeps_the_volunteer_out_of_the_run(app, page, session, world):
    app.config["QUEUE_IMMEDIATE"] = True  # the run finishes within the request
    today = clock_today()
    program = b.make_program(session, world.organisation, name="Lektiehjælp", slug="lektier")
    expired = b.make_volunteer(session, program, first_name="Udløbet", last_name="Attest", today=today)
    fresh = b.make_volunteer(session, program, first_name="Gyldig", last_name="Attest", today=today)
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == expired.id,
                                                    ScreeningStep.step == "boerneattest")).one()
    step.step_date = today - timedelta(days=760)  # more than 24 months ago
    session.add(step)
    b.make_request(session, program, youth=b.make_youth(session, world.organisation, first_name="Ida"))
    session.commit()
    assert fresh.id != expired.id

    sign_in(page, world.coordinator.email)
    page.get_by_role("navigation").get_by_role("link", name="Matchning", exact=True).click()
    page.get_by_role("form").filter(has_text=program.name).get_by_role("button", name="Kør matchningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forslag")
    why = page.get_by_role("status").filter(has_text="børneattesten er udløbet")
    expect(why).to_contain_text("1 frivillig fik intet forslag, fordi børneattesten er udløbet")
    expect(why.get_by_role("link", name="Udløbet Attest")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Ida"))).to_contain_text("Gyldig Attest")
    why.get_by_role("link", name="Udløbet Attest").click()
    expect(page.get_by_role("alert")).to_contain_text("kommer ikke med i nye forslag")
