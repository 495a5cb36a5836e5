"""With the demo data, a coordinator opens the at-risk list, records a check-in, pauses and resumes
a match, and closes one with reason and outcome; both sides go back to their pools as chosen."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from models.matches import CheckIn, Match
from models.mentees import Request
from models.volunteers import Volunteer
from seed.demo import build_demo
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD, fresh


def _match_id(page) -> int:  # noqa: ANN001
    return int(re.search(r"/makkerpar/(\d+)", page.url).group(1))


def test_coordinator_follows_up_pauses_resumes_and_closes_with_the_demo_data(engine, page, session):
    build_demo(engine, seed=1, password=PASSWORD)
    sign_in(page, "koordinator@roskilde.example.org")
    expect(page.get_by_text("makkerpar i risiko")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Forløb").click()
    expect(page.get_by_role("heading", name="Makkerpar i risiko")).to_be_visible()
    rows = page.get_by_role("table", name=re.compile("Makkerpar i risiko")).get_by_role("row").filter(has_text="Aktiv")
    expect(rows.first).to_be_visible()
    rows.first.get_by_role("link").click()
    match_id = _match_id(page)

    # A check-in, by keyboard-reachable controls only.
    page.get_by_role("link", name="Registrér en opfølgning").click()
    page.get_by_label("Den frivillige").check()
    page.get_by_label("En forælder").check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Aftaler").fill("Mødes hver anden torsdag")
    page.get_by_role("button", name="Gem opfølgningen").click()
    expect(page.get_by_role("status")).to_contain_text("Opfølgningen er registreret")
    expect(page.get_by_text("Mødes hver anden torsdag")).to_be_visible()

    # Pause, then resume.
    page.get_by_role("link", name="Sæt makkerparret på pause").click()
    page.get_by_label("Hvorfor holder makkerparret pause?").fill("Eksamensperiode")
    page.get_by_role("button", name="Sæt makkerparret på pause").click()
    expect(page.get_by_role("status")).to_contain_text("holder pause")
    page.get_by_role("button", name="Genoptag makkerparret").click()
    expect(page.get_by_role("status")).to_contain_text("aktivt igen")

    # Close: first without the outcome (refused, nothing lost), then complete.
    page.get_by_role("link", name="Afslut makkerparret").click()
    page.get_by_label("Hvorfor slutter makkerparret?").select_option("moved")
    page.get_by_label(re.compile("Afslutningssamtalen")).fill("Familien flytter til Odense; begge var glade for forløbet.")
    page.get_by_label("Tilbage på ventelisten til en ny frivillig").check()
    page.get_by_label("Ja, tilbage i puljen").check()
    page.get_by_label("Jeg forstår, at afslutningen ikke kan fortrydes").check()
    page.get_by_role("button", name="Afslut makkerparret").click()
    expect(page.get_by_role("alert")).to_contain_text("Programmet registrerer resultatet")
    expect(page.get_by_label(re.compile("Afslutningssamtalen"))).to_have_value(re.compile("flytter til Odense"))
    page.get_by_label("I uddannelse eller job").select_option("yes")
    page.get_by_label("I en fritidsaktivitet").select_option("unknown")
    page.get_by_label("Stadig en sag i det sociale system").select_option("no")
    page.get_by_label("Jeg forstår, at afslutningen ikke kan fortrydes").check()
    page.get_by_role("button", name="Afslut makkerparret").click()
    expect(page.get_by_role("status")).to_contain_text("Makkerparret er afsluttet")

    fresh(session)
    match = session.get(Match, match_id)
    assert match.status == "closed" and match.closure_reason == "moved"
    assert match.outcome["education_or_work"] == "yes"
    assert session.get(Request, match.request_id).status == "waiting"
    assert session.get(Volunteer, match.volunteer_id).pool_since is not None
    assert session.exec(select(CheckIn).where(CheckIn.match_id == match_id, CheckIn.kind == "followup")).one()
