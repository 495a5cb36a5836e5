"""Consent records: who consented, for whom, to what, when, and to which text version."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.clock import utcnow

SUBJECT_TYPES: tuple[str, ...] = ("volunteer", "youth", "household")


class ConsentRecord(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    subject_type: str = Field(max_length=20)
    subject_id: int = Field(index=True)
    given_by: str = Field(max_length=200)  # the person who consented
    relation: str = Field(default="self", max_length=20)  # self | guardian | parent
    purpose: str = Field(max_length=200)
    text_version: str = Field(max_length=20)
    text: str = Field(max_length=8000)
    given_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    withdrawn_at: datetime | None = None
