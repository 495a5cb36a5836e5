"""The admin compares the waiting priorities on today's pool and keeps "strict"; the coordinator
runs the matching and reads, on the proposal and on the waiting list, how long people waited and
why someone past the target got nothing; on a phone too."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from models.clock import today as clock_today
from seed import builders as b
from tests.browser.test_sign_in import sign_in


def _pool(session, world):  # noqa: ANN001, ANN202
    today = clock_today()  # the pages' today (Copenhagen), not the machine's UTC date
    prog = b.make_program(session, world.organisation, name="Ventende unge", slug="ventende")
    b.make_volunteer(session, prog, first_name="Vera", interests=["fodbold"], pool_since=today - timedelta(days=30))
    b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Lang",
                                                    last_name="Ventetid", interests=["gaming"]),
                   referred_on=today - timedelta(days=300))
    b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Ny",
                                                    last_name="Ankommen", interests=["fodbold"]),
                   referred_on=today - timedelta(days=20))
    session.commit()
    return prog


def test_admin_compares_waiting_priorities_and_the_coordinator_reads_the_waits(app, page, session, world):
    app.config["QUEUE_IMMEDIATE"] = True  # the run finishes within the request
    prog = _pool(session, world)
    sign_in(page, world.admin.email)
    page.get_by_role("link", name=f"Indstillinger for {prog.name}").click()
    priority = page.get_by_role("group", name="Prioritering af ventetid")
    expect(priority.get_by_role("radio", name=re.compile("^Streng"))).to_be_checked()
    page.get_by_role("button", name="Se hvert valg på dagens venteliste").click()
    table = page.get_by_role("table", name="Dagens venteliste med hver prioritering af ventetid")
    expect(table).to_be_visible()
    passed = table.get_by_role("row", name=re.compile("Anmodninger, som en nyankommen springer over"))
    expect(passed.get_by_role("cell")).to_have_text(["0", "1", "1"])
    page.get_by_role("group", name="Prioritering af ventetid").get_by_role("radio", name=re.compile("^Vægtet")).check()
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_role("status")).to_contain_text("gemt")
    expect(page.get_by_role("radio", name=re.compile("^Vægtet"))).to_be_checked()

    page.get_by_role("button", name="Log ud").click()
    sign_in(page, world.coordinator.email)
    page.get_by_role("navigation").get_by_role("link", name="Matchning", exact=True).click()
    page.get_by_role("form").filter(has_text=prog.name).get_by_role("button", name="Kør matchningen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forslag")
    expect(page.get_by_text("Prioritering af ventetid: Vægtet.")).to_be_visible()
    card = page.get_by_role("region", name=re.compile("Ny Ankommen"))
    expect(card).to_contain_text("Ventetid ved forslaget: den unge eller familien 20 dage, den frivillige 30 dage.")
    expect(card.get_by_role("listitem")).to_contain_text("Springer Lang Ventetid over (210 dage over målet)")

    page.goto(f"/koordinator/venteliste/anmodninger?program={prog.id}")
    row = page.get_by_role("row", name=re.compile("Lang Ventetid"))
    expect(row).to_contain_text("210 dage over målet")
    expect(row).to_contain_text("gik til en, der havde ventet kortere")


def test_the_waiting_priority_and_its_preview_fit_a_phone(app, phone_page, session, world):
    prog = _pool(session, world)
    phone_page.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone_page, world.admin.email)
    phone_page.goto(f"/admin/programmer/{prog.id}")
    phone_page.get_by_role("button", name="Se hvert valg på dagens venteliste").click()
    expect(phone_page.get_by_role("table", name="Dagens venteliste med hver prioritering af ventetid")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"
