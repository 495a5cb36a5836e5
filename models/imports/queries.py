"""Reads other domains need from the import (kept free of the import's operations)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from models.imports.tables import ImportedRecord


def unconfirmed_imported_volunteers(among: list[int] | None = None) -> SelectOfScalar[int]:
    """Ids of volunteers an import created who have not yet confirmed their data and consent
    themselves: a hard rule keeps them out of every proposal until they do."""
    stmt = select(ImportedRecord.record_id).where(ImportedRecord.record_type == "Volunteer",
                                                  ImportedRecord.created.is_(True),
                                                  ImportedRecord.confirmed_at.is_(None))
    return stmt.where(ImportedRecord.record_id.in_(among)) if among is not None else stmt
