"""A coordinator brings a messy spreadsheet of 200 volunteers: mixed date formats, a bad
postcode, someone already in Makker, an unknown interest and a header Makker does not know.
They fix the mapping, read the errors, skip the bad rows by choice, import the rest and find
the volunteers on the waiting list."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import func, select

from models.imports.tables import ImportBatch
from models.volunteers import Volunteer
from tests.browser.test_sign_in import sign_in
from tests.imports.helpers import VOLUNTEER_HEADERS, volunteer_rows, xlsx_bytes


def test_a_messy_sheet_of_200_volunteers_comes_in_after_the_bad_rows_are_skipped(app, page, session, world, tmp_path):
    app.config["QUEUE_IMMEDIATE"] = True
    rows = volunteer_rows(200, seed=31)  # waiting since dd-mm-yyyy, dd.mm.yyyy and Excel serial days
    rows[9][5] = "9999"  # row 11: not a Danish postcode
    rows[49][1] = world.volunteer.email  # row 51: already in Makker
    rows[99][6] = "Fodbold, Kitesurfing"  # row 101: an interest Makker does not know
    headers = list(VOLUNTEER_HEADERS)
    headers[1] = "Mail-adr."  # a header no mapping knows
    path = tmp_path / "frivillige.xlsx"
    path.write_bytes(xlsx_bytes(headers, rows))

    sign_in(page, world.coordinator.email)
    page.goto("/import/")
    page.get_by_label("Program").select_option(str(world.program.id))
    page.get_by_label("Filen indeholder").select_option("volunteers")
    page.get_by_label("Fil (.xlsx eller .csv)").set_input_files(str(path))
    page.get_by_role("button", name="Upload og se kolonnerne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvad hver kolonne betyder")
    expect(page.get_by_label("Postnr")).to_have_value("postcode")
    expect(page.get_by_label("Mail-adr.")).to_have_value("")
    page.get_by_role("button", name="Kontrollér alle rækker").click()
    # Without an e-mail column nothing can be imported: the preview says so and sends us back.
    expect(page.get_by_role("alert")).to_contain_text("E-mail")
    page.get_by_role("link", name="Vælg kolonnerne").click()
    page.get_by_label("Mail-adr.").select_option("email")
    page.get_by_label("Kitesurfing").select_option("")  # leave the unknown interest out
    page.get_by_role("button", name="Kontrollér alle rækker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gennemse rækkerne")
    summary = page.get_by_role("status").first
    expect(summary).to_contain_text("198 rækker er klar til import")
    expect(summary).to_contain_text("1 række har fejl")
    row = page.get_by_role("row").filter(has_text="9999")
    expect(row).to_contain_text("9999 er ikke et dansk postnummer")
    expect(page.get_by_role("row").filter(has_text="Samme e-mail")).to_contain_text("51")

    # Importing before choosing is refused, and nothing is stored.
    page.get_by_role("button", name="Importér rækkerne").click()
    expect(page.get_by_role("alert")).to_contain_text("mangler stadig et valg")
    assert session.exec(select(func.count()).select_from(Volunteer).where(Volunteer.email.like("%@regneark.dk"))).one() == 0
    page.locator("#row_11_skip").check()
    page.locator("#row_51_skip").check()
    page.get_by_role("button", name="Importér rækkerne").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import af frivillige.xlsx")
    expect(page.get_by_role("status")).to_have_text("Importeret")
    expect(page.get_by_text("198 oprettet")).to_be_visible()
    expect(page.get_by_text("2 rækker sprunget over")).to_be_visible()

    page.get_by_role("link", name="Se de frivillige på ventelisten").click()
    page.get_by_label("Søg").fill("Frivillig100 Hansen100")
    page.get_by_role("button", name="Vis").click()
    listed = page.get_by_role("row").filter(has_text="Frivillig100 Hansen100")
    expect(listed).to_contain_text("Importeret: foreslås ikke, før personen har bekræftet")
    session.rollback()
    batch = session.exec(select(ImportBatch)).one()
    assert batch.status == "done" and batch.result["created"] == {"Volunteer": 198}
