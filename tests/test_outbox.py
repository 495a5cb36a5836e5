"""The outbox: e-mails are queued with the change and sent later, once each."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from config import load_settings
from models.clock import utcnow
from models.emails import compose, send
from models.outbox import OutboxMessage
from web.mailer import send_pending


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):  # noqa: ANN001
        self.fail_for = {"fejl@example.org"}

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc):  # noqa: ANN002, ANN204
        return False

    def starttls(self):  # noqa: ANN201
        pass

    def login(self, user, password):  # noqa: ANN001, ANN201
        pass

    def send_message(self, msg):  # noqa: ANN001, ANN201
        if msg["To"] in self.fail_for:
            raise smtplib.SMTPRecipientsRefused({msg["To"]: (550, b"no")})
        FakeSMTP.sent.append(msg)


def test_emails_are_danish_unless_the_recipient_reads_english():
    subject_da, body_da = compose("password_reset", "da", name="Anna", link="http://x")
    subject_en, _ = compose("password_reset", "en", name="Anna", link="http://x")
    assert "adgangskode" in subject_da and "password" in subject_en
    assert "Hej Anna" in body_da and "http://x" in body_da


def test_a_reminder_with_the_same_key_is_queued_only_once(session, world):
    for _ in range(2):
        send(session, "meeting_reminder", to="a@example.org", dedupe_key="reminder:1:2026-47", name="A",
             mentee="M", link="l", coordinator="K")
        session.commit()
    assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_sending_marks_each_message_sent_and_keeps_failures_for_a_retry(session, world, tmp_path):
    send(session, "password_reset", to="ok@example.org", name="A", link="l")
    send(session, "password_reset", to="fejl@example.org", name="B", link="l")
    session.commit()
    settings = replace(load_settings(tmp_path, {"MAKKER_ENV": "testing"}), mail_server="smtp.example.org")
    FakeSMTP.sent = []
    assert send_pending(session, settings, smtp_factory=FakeSMTP) == (1, 1)
    assert [m["To"] for m in FakeSMTP.sent] == ["ok@example.org"]
    # Running again at once sends nothing twice and leaves the failed one to its back-off...
    FakeSMTP.sent = []
    assert send_pending(session, settings, smtp_factory=FakeSMTP) == (0, 0)
    # ...after which it is tried again.
    later = utcnow() + timedelta(minutes=2)
    assert send_pending(session, settings, smtp_factory=FakeSMTP, now=later) == (0, 1)
    session.expire_all()
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "fejl@example.org")).one()
    assert failed.attempts == 2 and "550" in failed.last_error
