"""Bringing an exported organisation into a Makker where it does not exist yet (the way out
of one installation is the way into another). Rows keep their values; every id is new, and
every reference follows its row. Accounts come without passwords: each person asks for one.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Table, insert, select
from sqlmodel import Session

from models.errors import N_, DomainError
from models.imports.export import (
    COLUMN_NAMES,
    CONTENTS_HEADERS,
    CONTENTS_SHEET,
    ESCAPE,
    EXCLUDED_COLUMNS,
    FORMAT,
    _tables,
)

NOT_AN_EXPORT = N_("This is not a Makker export.")


def _from_cell(table: Table, column: str, value: object) -> object:
    """A workbook cell back to the value the JSON export has for it (the inverse of
    ``export._cell``): JSON text parsed, the formula guard taken off, dates as dates."""
    kind = table.c[column].type
    kind = getattr(kind, "impl", kind)
    if value is None or value == "":
        # A spreadsheet has no empty text distinct from an empty cell.
        return "" if isinstance(kind, String) and not table.c[column].nullable else None
    if isinstance(kind, JSON):
        try:
            return json.loads(str(value).removeprefix(ESCAPE) if str(value).startswith(ESCAPE) else str(value))
        except ValueError as error:
            raise DomainError(N_("The sheet %(sheet)s has a value that is not valid in the column %(column)s."),
                              sheet=table.name, column=column) from error
    if isinstance(kind, DateTime):
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return value.date() if isinstance(value, datetime) else value if isinstance(value, date) \
            else date.fromisoformat(str(value))
    if isinstance(kind, Boolean):
        return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "ja")
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    text = str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return text[len(ESCAPE):] if text.startswith(ESCAPE) else text


def read_workbook(data: bytes) -> dict[str, list[dict]]:
    """{table: rows} of a workbook the export wrote: its contents sheet names the table of each
    sheet, and each table's own Danish headers name its columns."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise DomainError(NOT_AN_EXPORT) from error
    try:
        if CONTENTS_SHEET not in workbook.sheetnames:
            raise DomainError(NOT_AN_EXPORT)
        contents = list(workbook[CONTENTS_SHEET].iter_rows(values_only=True))
        if not contents or list(contents[0][:4]) != CONTENTS_HEADERS or any(r[3] != FORMAT for r in contents[1:]):
            raise DomainError(NOT_AN_EXPORT)
        known = {t.name: t for t in _tables()}
        tables: dict[str, list[dict]] = {}
        for title, name, _count, _format in (r[:4] for r in contents[1:]):
            table = known.get(name)
            if table is None or title not in workbook.sheetnames:
                continue  # a table this Makker does not have (an older or newer version)
            back = {COLUMN_NAMES.get(c.name, c.name): c.name for c in table.c}
            rows = workbook[title].iter_rows(values_only=True)
            headers = next(rows, None) or ()
            columns = [back.get(h) if isinstance(h, str) else None for h in headers]
            tables[name] = [{c: _from_cell(table, c, v) for c, v in zip(columns, row, strict=False) if c}
                            for row in rows if any(v not in (None, "") for v in row)]
        return tables
    finally:
        workbook.close()


def _value(table: Table, column: str, value: object) -> object:
    if value is None or column not in table.c:
        return value
    kind = table.c[column].type
    kind = getattr(kind, "impl", kind)  # UTCDateTime and the like wrap a DateTime
    if isinstance(kind, DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def restore_organisation(session: Session, payload: bytes) -> dict[str, int]:
    """Insert every row of an export (the JSON or the workbook) into this database, all or
    nothing; {table: rows}."""
    from models.organisations import Organisation
    from models.users import User
    from models.writes import begin_write

    if payload[:4] == b"PK\x03\x04":
        tables = read_workbook(payload)
    else:
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as error:
            raise DomainError(NOT_AN_EXPORT) from error
        if not isinstance(data, dict) or data.get("format") != "makker-export" \
                or not isinstance(data.get("tables"), dict):
            raise DomainError(NOT_AN_EXPORT)
        tables = data["tables"]
    organisations = tables.get("organisation") or []
    if len(organisations) != 1:
        raise DomainError(N_("This is not a Makker export."))
    if session.exec(select(Organisation.id).where(Organisation.slug == organisations[0].get("slug"))).first():
        raise DomainError(N_("An organisation with the short name %(slug)s is in Makker already."),
                          slug=organisations[0].get("slug"))
    emails = [row.get("email") for row in tables.get("user", [])]
    if emails and session.exec(select(User.id).where(User.email.in_(emails))).first():
        raise DomainError(N_("Some of the export's accounts already have an account here."))
    begin_write(session)
    new_ids: dict[str, dict[int, int]] = {}
    counts: dict[str, int] = {}
    for table in _tables():
        rows = tables.get(table.name)
        if not rows:
            continue
        fks = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
        has_id = "id" in table.c and table.c.id.primary_key
        mapping = new_ids.setdefault(table.name, {})
        for row in rows:
            values = {}
            for column, value in row.items():
                if column not in table.c or (has_id and column == "id"):
                    continue
                target = fks.get(column)
                if target is not None and value is not None:
                    value = new_ids.get(target, {}).get(value)
                values[column] = _value(table, column, value)
            if table.name == "user":
                values["password_hash"] = ""
            for column in EXCLUDED_COLUMNS.get(table.name, ()):
                if column in table.c and not table.c[column].nullable and column not in values:
                    values[column] = [] if column == "rows" else ""
            if has_id:
                new_id = session.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
                mapping[row["id"]] = new_id
            else:
                session.execute(insert(table).values(**values))
        counts[table.name] = len(rows)
    # References that point at a row of their own table, or were written before their target.
    session.commit()
    from models.events.drift import refresh_drift

    refresh_drift(session)  # written past the ORM: the derived drift days are recomputed,
    from models.families.figures import refresh_all_family_figures

    refresh_all_family_figures(session)  # and the family figures the dashboard reads
    return counts
