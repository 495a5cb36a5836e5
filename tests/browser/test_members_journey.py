"""One person, several programmes in the browser (issue 15): a volunteer in one programme applies
to a second from a phone, the coordinator of the second approves them, and their home page shows
both programmes."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_sign_in import sign_in


def _fits(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width} px)"


def test_a_volunteer_applies_to_a_second_programme_on_a_phone_and_is_approved(browser, live_server, phone_page,
                                                                               session, world):
    family = world.family_program
    family.required_steps = ["interview", "boerneattest", "references"]  # all shared with the first
    session.add(family)
    session.commit()
    phone_page.set_viewport_size({"width": 360, "height": 780})
    sign_in(phone_page, world.volunteer_user.email)
    mine = phone_page.get_by_role("region", name="Dine programmer")
    expect(mine).to_contain_text(world.program.name)
    _fits(phone_page)
    mine.get_by_role("link", name="Bliv med i et andet program").click()
    expect(phone_page.get_by_role("heading", name="Bliv med i et andet program")).to_be_visible()
    expect(phone_page.get_by_text("intet mere: koordinatoren kan godkende dig med det samme")).to_be_visible()
    phone_page.get_by_role("button", name="Send min ansøgning").click()  # forgot to choose
    expect(phone_page.get_by_text("Vælg et program.").first).to_be_visible()
    phone_page.get_by_label("Program", exact=True).select_option(label=family.name)
    phone_page.get_by_label("Hvor mange unge eller familier ad gangen i dette program?").select_option("2")
    _fits(phone_page)
    phone_page.get_by_role("button", name="Send min ansøgning").click()
    expect(phone_page.get_by_role("status").first).to_contain_text("Din ansøgning er sendt")
    expect(phone_page.get_by_role("region", name="Dine programmer")).to_contain_text("Har søgt, venter på godkendelse")

    coordinator = browser.new_page(base_url=live_server)
    sign_in(coordinator, world.coordinator.email)
    coordinator.goto(f"/koordinator/frivillige/{world.volunteer.id}")
    coordinator.get_by_role("link", name="Programmer").click()
    coordinator.get_by_role("button", name=f"Godkend til {family.name}").click()
    expect(coordinator.get_by_role("status").first).to_contain_text(f"er nu med i {family.name}")
    coordinator.close()

    phone_page.goto("/frivillig/")
    mine = phone_page.get_by_role("region", name="Dine programmer")
    for name in (world.program.name, family.name):
        expect(mine.get_by_role("listitem").filter(has_text=name)).to_contain_text("Medlem")
    expect(mine.get_by_role("listitem").filter(has_text=family.name)).to_contain_text("0 af 2 pladser optaget")
    _fits(phone_page)
