"""Everything, to leave: the whole organisation as a workbook and as JSON, nothing of others."""

from __future__ import annotations

import io
import json

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


def test_an_admin_downloads_a_workbook_with_danish_sheets_and_no_live_formulas(app, as_role, session, world):
    world.volunteer.first_name = "=HYPERLINK(\"http://x\",\"klik\")"
    session.add(world.volunteer)
    session.commit()
    client = as_role("admin")
    assert client.get("/import/eksport").status_code == 200
    response = client.get("/import/eksport/xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"Frivillige", "Unge", "Forløb", "Log"} <= set(workbook.sheetnames)
    sheet = workbook["Frivillige"]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "fornavn" in headers
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    data = json.loads(client.get("/import/eksport/json").data)
    assert data["format"] == "makker-export" and data["tables"]["volunteer"]
    session.rollback()
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "export",
                                                 AuditEvent.record_type == "Organisation")).all()


def test_a_coordinator_cannot_take_everything(as_role):
    assert as_role("coordinator").get("/import/eksport/json").status_code == 403


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
