"""E-mails are queued in the outbox in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow


class OutboxMessage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    to_email: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=300)
    body: str = Field(max_length=20000)
    kind: str = Field(max_length=50)
    # Reminders carry a key so that running a daily job twice queues nothing twice.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = Field(default="", max_length=2000)


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    organisation_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue one e-mail; returns None when a message with the same dedupe key exists."""
    if dedupe_key is not None:
        existing = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()
        if existing is not None:
            return None
    message = OutboxMessage(
        organisation_id=organisation_id, to_email=to, subject=subject, body=body, kind=kind, dedupe_key=dedupe_key
    )
    session.add(message)
    return message


def pending_messages(session: Session, limit: int = 100) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    return list(session.exec(stmt))
