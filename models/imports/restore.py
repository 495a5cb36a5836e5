"""Bringing an exported organisation into a Makker where it does not exist yet (the way out
of one installation is the way into another). Rows keep their values; every id is new, and
every reference follows its row. Accounts come without passwords: each person asks for one.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Table, insert, select
from sqlmodel import Session

from models.errors import N_, DomainError
from models.imports.export import EXCLUDED_COLUMNS, _tables


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
    """Insert every row of an export into this database, all or nothing; {table: rows}."""
    from models.organisations import Organisation
    from models.users import User
    from models.writes import begin_write

    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise DomainError(N_("This is not a Makker export.")) from error
    if not isinstance(data, dict) or data.get("format") != "makker-export" or not isinstance(data.get("tables"), dict):
        raise DomainError(N_("This is not a Makker export."))
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
    return counts
