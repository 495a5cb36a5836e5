"""E-mails are queued in the outbox in the same transaction as the change that causes them.

A job on the task queue sends them (``web/mailer.py``): each message is claimed with a short
lease before it is sent, so two workers never send it twice; a failure is kept on the message
(``attempts``, ``last_error``) and tried again later, each time after a longer wait.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Text, update
from sqlmodel import Field, Session, SQLModel, or_, select

from models.clock import utcnow
from models.db import begin_write

# Waits after the 1st, 2nd, 3rd and 4th failure; the 5th failure gives up (shown in the outbox).
RETRY_DELAYS: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                                       timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SEND_LEASE = timedelta(minutes=2)  # a worker that dies while sending frees the message after this


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
    next_attempt_at: datetime | None = Field(default=None, index=True)  # set after a failure
    lease_until: datetime | None = None  # a worker is sending it until then
    # One optional attachment (an event's .ics), stored as text: "name", MIME type, content.
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment_type: str | None = Field(default=None, max_length=100)
    attachment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    organisation_id: int | None = None,
    dedupe_key: str | None = None,
    attachment: tuple[str, str, str] | None = None,
) -> OutboxMessage | None:
    """Queue one e-mail; returns None when a message with the same dedupe key exists.

    ``attachment`` is (file name, MIME type, text content), e.g. an event's .ics.
    """
    if dedupe_key is not None:
        existing = session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()
        if existing is not None:
            return None
    message = OutboxMessage(
        organisation_id=organisation_id, to_email=to, subject=subject, body=body, kind=kind, dedupe_key=dedupe_key
    )
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    session.add(message)
    return message


def pending_messages(session: Session, limit: int = 100) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    return list(session.exec(stmt))


def _due(now: datetime):  # noqa: ANN202 - a SQL condition
    return ((OutboxMessage.sent_at.is_(None)) & (OutboxMessage.attempts < MAX_ATTEMPTS)
            & or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
            & or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now))


def due_messages(session: Session, now: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Unsent messages whose turn has come: never tried, or past their back-off, and not being sent."""
    return list(session.exec(select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.id).limit(limit)))


def claim_message(session: Session, message_id: int, now: datetime) -> bool:
    """Count an attempt and hold the message while it is sent; False when another worker has it."""
    begin_write(session)
    result = session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
        .values(attempts=OutboxMessage.attempts + 1, lease_until=now + SEND_LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    begin_write(session)
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(sent_at=now, lease_until=None, last_error="", next_attempt_at=None)
                    .execution_options(synchronize_session=False))
    session.commit()


def mark_failed(session: Session, message_id: int, error: str, now: datetime) -> None:
    """Keep the reason and wait longer before each new try; after the last try it stays unsent."""
    begin_write(session)
    attempts = session.exec(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)).one()
    wait = RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(last_error=error[:2000], lease_until=None, next_attempt_at=now + wait)
                    .execution_options(synchronize_session=False))
    session.commit()
