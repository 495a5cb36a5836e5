"""Pages in Chromium: the running matching updates itself, the phone menu, the proposals page."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import Session

from models.matchruns import MatchRun
from seed import builders as b
from tests.browser.test_sign_in import sign_in


def _set_run(engine, run_id: int, **fields) -> None:  # noqa: ANN001, ANN003
    with Session(engine) as s:
        run = s.get(MatchRun, run_id)
        for key, value in fields.items():
            setattr(run, key, value)
        s.add(run)
        s.commit()


def test_the_running_matching_tells_its_step_and_opens_the_proposals_when_done(engine, page, session, world):
    run = MatchRun(organisation_id=world.organisation.id, program_id=world.program.id, status="running",
                   progress="loading", started_by_id=world.coordinator.id)
    session.add(run)
    session.commit()
    sign_in(page, world.coordinator.email)
    page.goto(f"/koordinator/matchning/{run.id}")
    live = page.get_by_role("status")
    expect(live).to_have_text("læser ventelisterne")
    _set_run(engine, run.id, progress="scoring 3 x 7")
    expect(live).to_have_text("beregner 3 anmodninger mod 7 frivillige", timeout=15_000)
    url = page.url
    _set_run(engine, run.id, status="done", progress="done", stats={"requests": 0, "volunteers": 0})
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forslag", timeout=15_000)
    assert page.url == url  # the same address, now with the proposals


def test_without_script_the_running_matching_offers_a_link_to_refresh(browser, live_server, session, world):
    context = browser.new_context(base_url=live_server, locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    run = MatchRun(organisation_id=world.organisation.id, program_id=world.program.id, status="running",
                   progress="storing")
    session.add(run)
    session.commit()
    sign_in(page, world.coordinator.email)
    page.goto(f"/koordinator/matchning/{run.id}")
    expect(page.get_by_role("status")).to_have_text("gemmer forslagene")
    page.get_by_role("link", name="Opdater").click()
    expect(page.get_by_role("heading", name="Matchningen kører")).to_be_visible()
    context.close()


def test_on_a_phone_the_menu_folds_into_one_button_that_works_without_script(browser, live_server, world):
    context = browser.new_context(base_url=live_server, locale="da-DK", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, world.admin.email)
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] < 70  # one line, not four
    menu_links = page.get_by_role("navigation", name="Hovedmenu").get_by_role("link")
    expect(menu_links.first).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Makkerpar")).to_be_visible()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Makkerpar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Makkerpar")
    page.get_by_text("Menu", exact=True).click()
    current = page.get_by_role("navigation", name="Hovedmenu").locator("[aria-current=page]")
    expect(current).to_have_text("Makkerpar")
    context.close()


def test_on_a_wide_screen_the_whole_menu_fits_on_one_line(page, world):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, world.admin.email)
    links = page.get_by_role("navigation", name="Hovedmenu").get_by_role("link")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert links.count() >= 8 and len(tops) == 1


def test_a_proposal_is_approved_from_its_card_and_an_alternative_can_be_chosen_instead(app, page, session, world):
    youth = b.make_youth(session, world.organisation, first_name="Omar")
    b.make_request(session, world.program, youth=youth, need="En at spille fodbold med")
    for name in ("Karen", "Lone", "Mette"):
        b.make_volunteer(session, world.program, first_name=name)
    session.commit()
    app.config["QUEUE_IMMEDIATE"] = True  # the run finishes within the request
    sign_in(page, world.coordinator.email)
    page.goto("/koordinator/matchning")
    page.get_by_role("form").filter(has_text=world.program.name).get_by_role("button", name="Kør matchningen").click()
    card = page.get_by_role("region", name=re.compile("Omar"))
    buttons = card.get_by_role("button")
    # Approve comes before reject, and says whom it approves.
    approve = card.get_by_role("button", name=re.compile("^Godkend: "))
    reject = card.get_by_role("link", name="Afvis forslaget")
    assert approve.bounding_box()["y"] <= reject.bounding_box()["y"]
    assert approve.bounding_box()["x"] < reject.bounding_box()["x"] or approve.bounding_box()["y"] < reject.bounding_box()["y"]
    alternative = card.get_by_role("button", name=re.compile("^Vælg .* i stedet"))
    expect(alternative.first).to_be_hidden()  # folded away until asked for
    card.get_by_text(re.compile(r"andre? muligheder?")).click()
    chosen = alternative.first.inner_text()
    name = re.match(r"Vælg (.*) i stedet", chosen).group(1)
    assert buttons.count() >= 2
    alternative.first.click()
    expect(page.get_by_role("status")).to_contain_text("Matchet er lavet")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
