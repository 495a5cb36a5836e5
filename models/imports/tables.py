"""Tables of the spreadsheet import: the uploaded batch, what it created, saved mappings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.clock import utcnow

KINDS = ("volunteers", "youths", "households", "pairs")
# uploaded -> (mapping, preview) -> queued -> running -> done | failed; done -> undone
BATCH_STATUSES = ("uploaded", "queued", "running", "done", "failed", "undone")


class ImportBatch(SQLModel, table=True):
    """One uploaded file for one programme and one kind, from upload to result (or undo).

    The cells are kept on the row (strings, as read), so the preview, the job and the CLI all
    read the same thing and the file itself is never stored on disk.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    kind: str = Field(max_length=20)  # one of KINDS
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    headers: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rows: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # column index (as text) -> field key ("" = not imported)
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # field key -> {value as written -> code}
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # row number (as text) -> "import" | "skip" | "merge"
    decisions: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="uploaded", max_length=20, index=True)
    progress: int = Field(default=0)  # rows done by the job
    result: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    queued_at: datetime | None = None
    finished_at: datetime | None = None
    undone_at: datetime | None = None
    undone_by_id: int | None = Field(default=None, foreign_key="user.id")


class ImportedRecord(SQLModel, table=True):
    """A record an import created (or merged into), with its version then: undo checks that
    nothing has happened to it since, and the to-confirm lists read it."""

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="importbatch.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    record_type: str = Field(max_length=30)  # Volunteer, Youth, Household, Request, Match, ...
    record_id: int = Field(index=True)
    created: bool = True  # False: an existing record the row was merged into (undo leaves it)
    version: int = Field(default=1)
    before: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # merged: old values
    confirmed_at: datetime | None = None  # the person (volunteer) or the coordinator (consent)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")


class ImportMapping(SQLModel, table=True):
    """A saved column and value mapping, reused for the next file of the same kind."""

    __table_args__ = (UniqueConstraint("organisation_id", "kind", "name", name="uq_importmapping_name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=100)
    # header text (lower case) -> field key
    columns: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)


EXPORT_STATUSES = ("queued", "running", "done", "failed", "expired")


class ExportFile(SQLModel, table=True):
    """One export of everything an admin asked for, made by a job; the file is kept on the row
    for a short time (``exports.KEEP_HOURS``) and only the admin who asked may download it."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id", index=True)
    fmt: str = Field(max_length=10)  # "xlsx" | "json"
    status: str = Field(default="queued", max_length=20, index=True)  # one of EXPORT_STATUSES
    progress: int = Field(default=0)  # tables read so far
    total: int = Field(default=0)  # tables to read
    rows: int = Field(default=0)
    file_name: str = Field(default="", max_length=255)
    size: int = Field(default=0)
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    error: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    expires_at: datetime | None = None
    downloads: int = Field(default=0)
