"""Sending the outbox by SMTP (``makker outbox send``), when a mail server is configured."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sqlmodel import Session

from config import Settings
from models.clock import utcnow
from models.outbox import OutboxMessage, pending_messages

MAX_ATTEMPTS = 5


def _message(settings: Settings, record: OutboxMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_sender
    msg["To"] = record.to_email
    msg["Subject"] = record.subject
    msg["Message-ID"] = f"<makker-{record.id}@{settings.base_url.split('//')[-1].split('/')[0]}>"
    msg.set_content(record.body)
    return msg


def send_pending(session: Session, settings: Settings, limit: int = 200, smtp_factory=smtplib.SMTP) -> tuple[int, int]:  # noqa: ANN001
    """Send what waits in the outbox; returns (sent, failed). Failures are retried later."""
    if not settings.mail_server:
        return 0, 0
    messages = [m for m in pending_messages(session, limit) if m.attempts < MAX_ATTEMPTS]
    if not messages:
        return 0, 0
    sent = failed = 0
    with smtp_factory(settings.mail_server, settings.mail_port, timeout=30) as smtp:
        if settings.mail_use_tls:
            smtp.starttls()
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password or "")
        for record in messages:
            record.attempts += 1
            try:
                smtp.send_message(_message(settings, record))
                record.sent_at = utcnow()
                record.last_error = ""
                sent += 1
            except smtplib.SMTPException as error:
                record.last_error = str(error)[:2000]
                failed += 1
            session.add(record)
            session.commit()  # one by one: a crash never sends a message twice
    return sent, failed
