"""The audit trail: who viewed or changed which sensitive record, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow

AUDIT_ACTIONS: tuple[str, ...] = ("view", "create", "update", "delete", "export", "erase", "anonymise")


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=20)
    record_type: str = Field(max_length=30, index=True)
    record_id: int | None = Field(default=None, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record_audit(
    session: Session,
    *,
    organisation_id: int | None,
    user_id: int | None,
    action: str,
    record_type: str,
    record_id: int | None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the change it describes."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        organisation_id=organisation_id,
        user_id=user_id,
        action=action,
        record_type=record_type,
        record_id=record_id,
        detail=detail or {},
    )
    session.add(event)
    return event


def filter_audit(organisation_id: int, *, user_id: int | None = None, record_type: str | None = None,
                 record_id: int | None = None, action: str | None = None):  # noqa: ANN201
    """The organisation's audit events, newest first, narrowed by whoever is given."""
    stmt = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if user_id is not None:
        stmt = stmt.where(AuditEvent.user_id == user_id)
    if record_type:
        stmt = stmt.where(AuditEvent.record_type == record_type)
    if record_id is not None:
        stmt = stmt.where(AuditEvent.record_id == record_id)
    if action in AUDIT_ACTIONS:
        stmt = stmt.where(AuditEvent.action == action)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def record_view(session: Session, *, organisation_id: int | None, user_id: int | None, record_type: str,
                record_id: int | None, action: str = "view", detail: dict | None = None) -> None:
    """Write that someone saw a record, at once and in its own short write transaction.

    The page keeps reading in its own plain transaction; the audit row goes through a second
    session on the same engine that takes the write lock first (models.writes.begin_write), so
    showing a page never fails with "database is locked" because someone else was writing, and
    nothing the page loaded is expired.
    """
    from models.writes import begin_write  # writes imports nothing of the audit trail

    with Session(session.get_bind(), expire_on_commit=False) as writer:
        begin_write(writer)
        record_audit(writer, organisation_id=organisation_id, user_id=user_id, action=action,
                     record_type=record_type, record_id=record_id, detail=detail)
        writer.commit()
