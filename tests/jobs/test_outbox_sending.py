"""Sending the outbox as a job: each message once however many workers send, failures kept on
the message and tried again after growing waits, then given up."""

from __future__ import annotations

import smtplib
import threading
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from config import load_settings
from models.clock import utcnow
from models.emails import send
from models.outbox import MAX_ATTEMPTS, RETRY_DELAYS, OutboxMessage, due_messages
from tests.conftest import fresh
from web.mailer import send_pending


def _smtp(sent: list, refuse: set[str] = frozenset(), lock: threading.Lock | None = None):  # noqa: ANN202
    class SMTP:
        def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
            pass

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc):  # noqa: ANN002, ANN204
            return False

        def starttls(self) -> None:
            pass

        def send_message(self, msg) -> None:  # noqa: ANN001
            if msg["To"] in refuse:
                raise smtplib.SMTPRecipientsRefused({msg["To"]: (550, b"no such mailbox")})
            if lock:
                with lock:
                    sent.append(msg["To"])
            else:
                sent.append(msg["To"])

    return SMTP


def _settings(tmp_path):  # noqa: ANN001, ANN202
    return replace(load_settings(tmp_path, {"MAKKER_ENV": "testing"}), mail_server="smtp.example.org")


def _queue_mail(session, n: int, prefix: str = "p") -> None:  # noqa: ANN001
    for i in range(n):
        send(session, "password_reset", to=f"{prefix}{i}@example.org", name="A", link="l")
    session.commit()


def test_workers_sending_at_the_same_time_send_each_message_exactly_once(engine, session, tmp_path):
    _queue_mail(session, 30)
    sent: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(3)

    def worker() -> None:
        with Session(engine) as own:
            barrier.wait()
            send_pending(own, _settings(tmp_path), smtp_factory=_smtp(sent, lock=lock))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sent) == sorted(f"p{i}@example.org" for i in range(30))
    assert all(m.sent_at and m.attempts == 1 for m in fresh(session).exec(select(OutboxMessage)))


def test_a_refused_message_waits_longer_after_each_failure_and_is_given_up_after_the_last(session, tmp_path):
    _queue_mail(session, 1, prefix="fejl")
    smtp = _smtp([], refuse={"fejl0@example.org"})
    now = utcnow()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send_pending(session, _settings(tmp_path), smtp_factory=smtp, now=now) == (0, 1)
        message = fresh(session).exec(select(OutboxMessage)).one()
        assert message.attempts == attempt and "no such mailbox" in message.last_error
        # Not before its wait is over...
        assert send_pending(session, _settings(tmp_path), smtp_factory=smtp, now=now + timedelta(seconds=1)) == (0, 0)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert waits[:-1] == list(RETRY_DELAYS) and waits == sorted(waits)
    # ...and never again after the last try: it stays in the outbox, unsent, with the reason.
    assert due_messages(session, now + timedelta(days=30)) == []


def test_an_unreachable_mail_server_counts_a_try_on_each_waiting_message(session, tmp_path):
    _queue_mail(session, 3)

    def unreachable(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ConnectionRefusedError(111, "Connection refused")

    assert send_pending(session, _settings(tmp_path), smtp_factory=unreachable) == (0, 3)
    messages = fresh(session).exec(select(OutboxMessage)).all()
    assert all(m.attempts == 1 and "refused" in m.last_error and m.next_attempt_at for m in messages)


def test_a_message_held_by_a_worker_that_died_is_sent_by_another_after_its_lease(session, tmp_path):
    from models.outbox import SEND_LEASE, claim_message

    _queue_mail(session, 1)
    message = session.exec(select(OutboxMessage)).one()
    now = utcnow()
    assert claim_message(session, message.id, now)  # ...and then the worker died
    sent: list[str] = []
    assert send_pending(session, _settings(tmp_path), smtp_factory=_smtp(sent), now=now + timedelta(seconds=5)) == (0, 0)
    assert send_pending(session, _settings(tmp_path), smtp_factory=_smtp(sent), now=now + SEND_LEASE * 2) == (1, 0)
    assert sent == ["p0@example.org"]


@settings(max_examples=20, deadline=None)
@given(fails=st.lists(st.booleans(), min_size=1, max_size=8))
def test_however_sending_goes_a_message_is_sent_at_most_once_and_tried_at_most_the_limit(fails):
    """Each round the server refuses or accepts; the outbox never sends twice or tries too often."""
    import tempfile
    from pathlib import Path

    from models.db import create_schema, make_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'o.db'}")
        create_schema(engine)
        with Session(engine, expire_on_commit=False) as session:
            _queue_mail(session, 1)
            sent: list[str] = []
            now = utcnow()
            for refuse in fails:
                smtp = _smtp(sent, refuse={"p0@example.org"} if refuse else set())
                send_pending(session, _settings(Path(tmp)), smtp_factory=smtp, now=now)
                now += timedelta(days=1)
            message = fresh(session).exec(select(OutboxMessage)).one()
            assert len(sent) <= 1 and message.attempts <= MAX_ATTEMPTS
            assert (message.sent_at is not None) == (len(sent) == 1)
            first_success = next((i for i, refuse in enumerate(fails) if not refuse), None)
            if first_success is not None and first_success < MAX_ATTEMPTS:
                assert len(sent) == 1 and message.attempts == first_success + 1
        engine.dispose()
