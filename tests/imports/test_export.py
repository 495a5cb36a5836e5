"""Everything, to leave: the whole organisation as a workbook and as JSON, nothing of others."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook
from sqlmodel import select

from models.audit import AuditEvent
from models.imports.export import organisation_tables


def test_the_export_holds_every_table_of_the_organisation_and_nothing_of_another(session, world, other_world):
    tables = organisation_tables(session, world.organisation.id)
    for name in ("organisation", "program", "volunteer", "youth", "household", "householdmember", "request",
                 "match", "checkin", "consentrecord", "screeningstep", "auditevent"):
        assert name in tables, name
    assert tables["organisation"] == [r for r in tables["organisation"] if r["id"] == world.organisation.id]
    foreign = {other_world.volunteer.email, other_world.organisation.name}
    assert not foreign & {str(v) for rows in tables.values() for row in rows for v in row.values()}
    assert all("password_hash" not in row for row in tables["user"])


def _export(app, client, fmt: str):  # noqa: ANN001, ANN202
    """Ask for an export on the page; the queue (immediate in tests) makes it; the file."""
    response = client.post("/import/eksport", data={"fmt": fmt})
    assert response.status_code == 302, response.data[:500]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filen er klar" in page, page[page.find("<main"):][:2000]
    link = re.search(r'href="(/import/eksport/\d+/fil)"', page).group(1)
    return client.get(link), link


def test_an_admin_downloads_a_workbook_with_danish_sheets_and_no_live_formulas(app, as_role, session, world):
    app.config["QUEUE_IMMEDIATE"] = True
    world.volunteer.first_name = "=HYPERLINK(\"http://x\",\"klik\")"
    session.add(world.volunteer)
    session.commit()
    client = as_role("admin")
    assert client.get("/import/eksport").status_code == 200
    response, _link = _export(app, client, "xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"Frivillige", "Unge", "Forløb", "Log"} <= set(workbook.sheetnames)
    sheet = workbook["Frivillige"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "fornavn" in headers
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    response, _link = _export(app, client, "json")
    data = json.loads(response.data)
    assert data["format"] == "makker-export" and data["tables"]["volunteer"]
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "export",
                                                 AuditEvent.record_type == "Organisation")).all()
    downloads = session.exec(select(AuditEvent).where(AuditEvent.action == "export",
                                                      AuditEvent.record_type == "ExportFile")).all()
    assert len(downloads) == 2 and {d.user_id for d in downloads} == {world.admin.id}


def test_the_file_is_only_for_the_admin_who_asked_and_only_for_a_day(app, as_role, session, world):
    from datetime import timedelta

    from models.clock import utcnow
    from models.imports.exports import KEEP_HOURS, prune_exports
    from models.imports.tables import ExportFile
    from seed import builders as b
    from tests.conftest import login

    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("admin")
    response, link = _export(app, client, "json")
    assert response.status_code == 200
    other = b.make_user(session, world.organisation, "admin", email="anden.admin@example.org")
    session.commit()
    colleague = app.test_client()
    assert login(colleague, other.email).status_code == 302
    assert colleague.get(link).status_code in (403, 404)  # another admin of the same organisation
    assert colleague.get(link.removesuffix("/fil")).status_code in (403, 404)
    # A day later the file is gone; the row (who exported what, when) stays.
    report = prune_exports(session, utcnow() + timedelta(hours=KEEP_HOURS, minutes=1))
    assert len(report["expired"]) == 1
    session.rollback()
    export = session.exec(select(ExportFile)).one()
    assert (export.status, export.content) == ("expired", None)
    response = client.get(link)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "gemmes i 24 timer" in page


def test_asking_twice_while_the_first_is_made_gives_the_same_export(app, as_role, session, world):
    from models.imports.tables import ExportFile

    client = as_role("admin")  # no worker: the export waits in the queue
    first = client.post("/import/eksport", data={"fmt": "xlsx"})
    second = client.post("/import/eksport", data={"fmt": "xlsx"})
    assert first.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert 'role="status" aria-live="polite"' in page and "Venter på at eksporten går i gang" in page
    session.rollback()
    assert len(session.exec(select(ExportFile)).all()) == 1


def test_a_coordinator_cannot_take_everything(as_role):
    assert as_role("coordinator").get("/import/eksport").status_code == 403
    assert as_role("coordinator").post("/import/eksport", data={"fmt": "json"}).status_code == 403


def test_every_table_that_leaves_makker_has_a_danish_sheet_name_of_its_own():
    """A new table is exported by itself; this makes sure it also gets a Danish name (no raw table
    names on the export page or in the workbook) and that no two sheets share one."""
    from sqlmodel import SQLModel

    import models.tables  # noqa: F401 - every table registered
    from models.imports.export import EXCLUDED_TABLES, SHEET_NAMES

    exported = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in EXCLUDED_TABLES]
    assert [name for name in exported if name not in SHEET_NAMES] == []
    titles = [SHEET_NAMES[name][:31] for name in exported]
    assert len(set(titles)) == len(titles)
