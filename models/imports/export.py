"""Everything an organisation has in Makker, to take with it: one sheet (or JSON list) per table.

Tables are found in the metadata, not listed by hand: a table with ``organisation_id`` is
filtered on it; a table without one is reached through its foreign key to a table that has
one (a check-in through its match, a screening step through its volunteer). A new table of any
domain is therefore exported as soon as it exists; only secrets and machinery are left out
(``EXCLUDED_TABLES``, ``EXCLUDED_COLUMNS``), and a Danish sheet name is one entry in
``SHEET_NAMES``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel

# Sessions, sign-in throttling, form tokens, drawn charts and queue slots are machinery, not data.
# Export files are the export itself (kept for a day for the admin who asked).
EXCLUDED_TABLES = frozenset({"usersession", "loginattempt", "formsubmission", "chartimage", "chart_image", "periodicslot",
                             "exportfile",
                             # derived from the rows that are exported, recomputed on restore; a team
                             # proposal's run is a job record like an export's
                             "volunteer_drift", "familyfigure", "familyfiguresstate", "familyteamrun",
                             "alembic_version"})
# Never leave Makker, not even to its owner's spreadsheet: password hashes; the cells of files
# that were imported (they are the file itself, kept only for the preview).
EXCLUDED_COLUMNS = {"user": {"password_hash"}, "importbatch": {"rows"}}
SHEET_NAMES: dict[str, str] = {
    "organisation": "Organisation", "program": "Programmer", "user": "Brugere", "volunteer": "Frivillige",
    "screeningstep": "Godkendelsestrin", "youth": "Unge", "household": "Husstande", "householdmember": "Husstandsmedlemmer",
    "request": "Anmodninger", "consentrecord": "Samtykker", "matchrun": "Matchkørsler", "proposal": "Forslag",
    "waitingreason": "Ventegrunde", "match": "Forløb", "matchevent": "Forløbshændelser", "meetinglog": "Møder",
    "checkin": "Opfølgninger", "exclusion": "Udelukkede par", "note": "Noter", "auditevent": "Log",
    "outboxmessage": "E-mails", "matchriskstate": "Risikovurderinger", "importbatch": "Importer",
    "importedrecord": "Importerede poster", "importmapping": "Importopsætninger", "match_risk": "Risikovurderinger",
    # referrals (issue 13)
    "referringunit": "Henvisende enheder", "referralchannel": "Enheders programmer",
    "referralsettings": "Henvisningsindstillinger", "referral": "Henvisninger", "referralmessage": "Henvisningsbeskeder",
    "referralstatus": "Statusser til henvisere",
    # whole-family work (issue 14)
    "competence": "Kompetencer", "measure": "Måleemner", "programmeasure": "Programmers måleemner",
    "professional": "Fagpersoner", "volunteercompetence": "Frivilliges kompetencer", "familyplan": "Familieplaner",
    "familygoal": "Mål", "familyagreement": "Aftaler", "familyteam": "Familieteams", "teammember": "Teammedlemmer",
    "planmeeting": "Planmøder", "planchange": "Planens historik", "progressrecord": "Fremskridt",
    # events and safeguarding (issue 15)
    "event": "Arrangementer", "event_program": "Arrangementers programmer", "event_signup": "Tilmeldinger",
    "calendar_feed": "Kalenderadresser", "volunteer_leaving": "Frivillige der stoppede",
    "safeguard_text": "Erklæringstekster", "signature": "Underskrifter", "certificate_reminder": "Børneattest-påmindelser",
    "concern": "Bekymringer",
    "membership": "Pladser i programmer",  # one person, several programmes (issue 15)
}
COLUMN_NAMES: dict[str, str] = {
    "id": "id", "organisation_id": "organisation (id)", "program_id": "program (id)", "user_id": "bruger (id)",
    "volunteer_id": "frivillig (id)", "youth_id": "ung (id)", "household_id": "husstand (id)",
    "request_id": "anmodning (id)", "match_id": "forløb (id)", "name": "navn", "first_name": "fornavn",
    "last_name": "efternavn", "family_name": "familienavn", "email": "e-mail", "phone": "telefon",
    "birth_year": "fødselsår", "gender": "køn", "postcode": "postnummer", "status": "status",
    "created_at": "oprettet", "languages": "sprog", "interests": "interesser", "availability": "ledig (ugemaske)",
    "notes": "noter", "note": "note", "slug": "kortnavn", "role": "rolle", "kind": "slags", "need": "behov",
    "referred_on": "henvist", "started_on": "startet", "ended_on": "afsluttet", "pool_since": "venter siden",
    "given_by": "givet af", "given_on": "givet den", "relation": "rolle", "purpose": "formål",
    "action": "handling", "record_type": "posttype", "record_id": "post (id)", "at": "tidspunkt", "detail": "detaljer",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text that starts like a formula (or with the apostrophe itself) is written after one "'",
# which reading the workbook back takes off again.
ESCAPE = "'"
# The first sheet says which sheet holds which table: the way back from the workbook.
CONTENTS_SHEET = "Indhold"
CONTENTS_HEADERS = ["ark", "tabel", "rækker", "format"]
FORMAT = "makker-export 1"


def _tables() -> list[Table]:
    import models.tables  # noqa: F401 - every table registered

    return [t for t in SQLModel.metadata.sorted_tables if t.name not in EXCLUDED_TABLES]


def _scoped(table: Table, organisation_id: int, reach: dict[str, object]) -> object | None:
    """A select of ``table``'s rows of the organisation, or None when it cannot be scoped."""
    if table.name == "organisation":
        return select(table).where(table.c.id == organisation_id)
    if "organisation_id" in table.c:
        return select(table).where(table.c.organisation_id == organisation_id)
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name in reach and parent.name != "user":
            ids = reach[parent.name]
            return select(table).where(fk.parent.in_(ids))
    return None


def _walk(organisation_id: int) -> Iterator[tuple[Table, object]]:
    """(table, select of its rows of the organisation) for every exported table; tables reached
    through a parent come after it (a few passes over the sorted list)."""
    reach: dict[str, object] = {}
    pending = _tables()
    for _ in range(3):
        left = []
        for table in pending:
            stmt = _scoped(table, organisation_id, reach)
            if stmt is None:
                left.append(table)
                continue
            if "id" in table.c:
                reach[table.name] = select(stmt.subquery().c.id)
            yield table, stmt
        pending = left


def organisation_tables(session: Session, organisation_id: int,
                        progress: Callable[[int, int], None] | None = None) -> dict[str, list[dict]]:
    """{table name: rows as dicts} of everything of the organisation (secrets left out);
    ``progress(tables read, tables)`` after each table."""
    out: dict[str, list[dict]] = {}
    total = len(_tables())
    for table, stmt in _walk(organisation_id):
        skip = EXCLUDED_COLUMNS.get(table.name, set())
        rows = session.execute(stmt.order_by(*table.primary_key.columns)).mappings()
        out[table.name] = [{k: v for k, v in row.items() if k not in skip} for row in rows]
        if progress is not None:
            progress(len(out), total)
    return out


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_json(tables: dict[str, list[dict]]) -> bytes:
    payload = {"format": "makker-export", "version": 1,
               "tables": {name: [{k: _plain(v) for k, v in row.items()} for row in rows]
                          for name, rows in tables.items()}}
    return json.dumps(payload, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def _cell(value: object) -> object:
    """A value as a spreadsheet shows it, never runs it (text that starts like a formula gets
    a leading apostrophe; lists and dicts are written as JSON text)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    return ESCAPE + text if text[:1] in (*FORMULA_START, ESCAPE) else text


def sheet_titles(names: list[str]) -> dict[str, str]:
    """{table: sheet title}: Danish where we have a name, unique and at most 31 characters."""
    used: set[str] = {CONTENTS_SHEET}
    out = {}
    for name in names:
        title = SHEET_NAMES.get(name, name)[:31]
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        out[name] = title
    return out


def to_xlsx(tables: dict[str, list[dict]]) -> bytes:
    """One sheet per table with Danish headers where we have them; openpyxl's write-only mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    titles = sheet_titles(list(tables))
    contents = workbook.create_sheet(CONTENTS_SHEET)
    contents.append(CONTENTS_HEADERS)
    for name, rows in tables.items():
        contents.append([titles[name], name, len(rows), FORMAT])
    for name, rows in tables.items():
        sheet = workbook.create_sheet(titles[name])
        columns = list(rows[0].keys()) if rows else []
        if not columns:
            table = next(t for t in _tables() if t.name == name)
            columns = [c.name for c in table.c if c.name not in EXCLUDED_COLUMNS.get(name, set())]
        sheet.append([COLUMN_NAMES.get(c, c) for c in columns])
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_counts(session: Session, organisation_id: int) -> dict[str, int]:
    """{table: rows of the organisation}, counted by the database (the export page shows what
    the file will hold without reading it)."""
    from sqlalchemy import func

    return {table.name: session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            for table, stmt in _walk(organisation_id)}


def export_name(session: Session, organisation_id: int, fmt: str, when: date) -> str:
    from models.organisations import Organisation

    organisation = session.get(Organisation, organisation_id)
    day = when.date() if isinstance(when, datetime) else when
    return f"makker-{organisation.slug}-{day.isoformat()}.{fmt}"
