"""Sending the outbox by SMTP (the ``send_outbox`` job and ``makker outbox send``), when a mail server is configured."""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session

from config import Settings
from models.clock import utcnow
from models.outbox import OutboxMessage, claim_message, due_messages, mark_failed, mark_sent


def _message(settings: Settings, record: OutboxMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_sender
    msg["To"] = record.to_email
    msg["Subject"] = record.subject
    msg["Message-ID"] = f"<makker-{record.id}@{settings.base_url.split('//')[-1].split('/')[0]}>"
    msg.set_content(record.body)
    if record.attachment is not None:
        maintype, _, subtype = (record.attachment_type or "application/octet-stream").partition("/")
        msg.add_attachment(record.attachment.encode("utf-8"), maintype=maintype, subtype=subtype,
                           filename=record.attachment_name or "attachment")
    return msg


def send_pending(session: Session, settings: Settings, limit: int = 200, smtp_factory=None,  # noqa: ANN001
                 now: datetime | None = None) -> tuple[int, int]:
    """Send the messages whose turn has come; returns (sent, failed). Failures are retried later.

    Each message is claimed before it is sent and marked after, one by one, so two workers
    never send the same message and a crash loses at most the one being sent.
    """
    if not settings.mail_server:
        return 0, 0
    now = now or utcnow()
    messages = due_messages(session, now, limit)
    if not messages:
        return 0, 0
    sent = failed = 0
    smtp_factory = smtp_factory or smtplib.SMTP
    try:
        smtp = smtp_factory(settings.mail_server, settings.mail_port, timeout=30)
    except (OSError, smtplib.SMTPException) as error:
        # The server cannot be reached: each waiting message records the try and backs off.
        for record in messages:
            if claim_message(session, record.id, now):
                mark_failed(session, record.id, f"{type(error).__name__}: {error}", now)
                failed += 1
        return sent, failed
    with smtp:
        if settings.mail_use_tls:
            smtp.starttls()
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password or "")
        for record in messages:
            if not claim_message(session, record.id, now):
                continue  # another worker is sending it
            try:
                smtp.send_message(_message(settings, record))
            except smtplib.SMTPException as error:
                mark_failed(session, record.id, str(error), now)
                failed += 1
            else:
                mark_sent(session, record.id, now)
                sent += 1
    return sent, failed
