"""Coordinators' notes about a person: never shown to volunteers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.clock import utcnow


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    subject_type: str = Field(max_length=20)  # volunteer | youth | household | match
    subject_id: int = Field(index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)
