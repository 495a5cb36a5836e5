"""A coordinator brings the association's family list (two families, a line per person, one
line with a birth year written as a word) and then the sheet of the pairs that already run:
the bad line is skipped by choice, the families come in, the pair comes in as a running match
and is found among the running matches."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from models.matches import Match
from models.mentees import Household
from tests.browser.test_sign_in import sign_in
from tests.imports.helpers import csv_bytes, xlsx_bytes
from tests.imports.test_household_and_pair_import import (
    FAMILY_HEADERS,
    PAIR_HEADERS,
    family_rows,
    pair_rows,
)


def _upload(page, program_id: int, kind: str, path) -> None:  # noqa: ANN001
    page.goto("/import/")
    page.get_by_label("Program").select_option(str(program_id))
    page.get_by_label("Filen indeholder").select_option(kind)
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Upload og se kolonnerne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvad hver kolonne betyder")
    page.get_by_role("button", name="Kontrollér alle rækker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gennemse rækkerne")


def test_a_family_list_then_the_running_pairs_come_in_and_the_pair_is_among_the_running_matches(
        app, page, session, world, tmp_path):
    from seed import builders as b

    app.config["QUEUE_IMMEDIATE"] = True
    mentor = b.make_volunteer(session, world.family_program, first_name="Grethe", last_name="Mentor",
                              gender="female", supports="family")
    session.commit()
    families = tmp_path / "familieliste.xlsx"
    families.write_bytes(xlsx_bytes(FAMILY_HEADERS, family_rows()))
    pairs = tmp_path / "makkerpar.csv"
    pairs.write_bytes(csv_bytes(PAIR_HEADERS, pair_rows(mentor.email, ("Mona", family_rows()[0][3]))))

    sign_in(page, world.coordinator.email)
    _upload(page, world.family_program.id, "households", families)
    row = page.get_by_role("row").filter(has_text="toårig")
    expect(row).to_contain_text("Fødselsår")
    page.locator("#row_6_skip").check()
    page.get_by_role("button", name="Importér rækkerne").click()
    expect(page.get_by_role("status")).to_have_text("Importeret")
    expect(page.get_by_text("1 række sprunget over")).to_be_visible()
    session.rollback()
    assert {h.family_name for h in session.exec(select(Household).where(
        Household.family_name.like("Familien %")))} >= {"Familien Hassan", "Familien Nielsen"}

    _upload(page, world.family_program.id, "pairs", pairs)
    expect(page.get_by_role("status").first).to_contain_text("1 række er klar til import")
    page.get_by_role("button", name="Importér rækkerne").click()
    expect(page.get_by_role("status")).to_have_text("Importeret")
    page.get_by_role("link", name="Se de igangværende makkerpar").click()
    listed = page.get_by_role("row").filter(has_text="Grethe")
    expect(listed).to_contain_text("Familien Hassan")
    session.rollback()
    match = session.exec(select(Match).where(Match.volunteer_id == mentor.id)).one()
    assert match.status == "active" and match.started_on is not None
