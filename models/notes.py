"""Coordinators' notes about a person: never shown to volunteers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.clock import utcnow
from models.errors import N_
from models.writes import begin_write, claim_submission, note_result, shared_write


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    subject_type: str = Field(max_length=20)  # volunteer | youth | household | match
    subject_id: int = Field(index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)


@shared_write
def add_note(session, by, subject_type: str, subject_id: int, body: str,  # noqa: ANN001
             submit_key: str | None = None) -> Note:
    """A coordinator's note about a person; written to the audit trail like any change."""
    from models.audit import record_audit

    begin_write(session)
    claim = claim_submission(session, submit_key, f"add_note:{subject_type}:{subject_id}", user_id=by.id,
                             already=N_("This note has already been saved."))
    note = Note(organisation_id=by.organisation_id, subject_type=subject_type, subject_id=subject_id,
                author_id=by.id, body=body.strip()[:4000])
    session.add(note)
    session.flush()
    note_result(claim, note.id)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                 record_type=subject_type, record_id=subject_id, detail={"note_id": note.id})
    session.commit()
    return note
