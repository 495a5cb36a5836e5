"""Deterministic interleavings: run a rival at one exact point of an operation.

``interleave(engine, first, second)`` runs ``first`` in this thread. At the moment ``first`` is
about to take its first row lock (a ``SELECT ... FOR UPDATE``) or to write its first change
(whichever comes first), ``second`` starts in another thread and runs until it has finished or
is waiting for a lock that ``first`` holds (PostgreSQL reports that in pg_stat_activity); then
``first`` goes on. This is the order a real race takes now and then; here it is taken every time.

PostgreSQL only: SQLite takes its write lock before an operation reads anything, so there is no
point inside an operation where a rival could slip in.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from models.errors import DomainError
from tests.concurrency.harness import Answer, Attempt


def _run(engine: Engine, attempt: Attempt, answer: Answer) -> None:
    with Session(engine, expire_on_commit=False) as session:
        try:
            answer.value = attempt(session)
        except DomainError as error:
            answer.error = error
        except BaseException as error:  # noqa: BLE001
            answer.unexpected = error
        finally:
            session.rollback()


def _someone_waits_for_a_lock(monitor: Engine) -> bool:
    with monitor.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar())


def interleave(engine: Engine, first: Attempt, second: Attempt, at: str = "lock or write",
               timeout: float = 30.0) -> tuple[Answer, Answer]:
    """Answers of ``first`` and ``second``, with ``second`` run inside ``first`` (see above).

    ``at`` narrows the point: "write" (the first flush of a change) or "lock of <table>" (the
    first ``FOR UPDATE`` on that table).
    """
    assert engine.dialect.name == "postgresql", "interleavings need row locks (PostgreSQL)"
    monitor = engine  # its own pooled connection, never the operation's
    answers = (Answer(), Answer())
    rival = threading.Thread(target=_run, args=(engine, second, answers[1]), daemon=True)
    fired = threading.Event()

    def release_rival() -> None:
        if fired.is_set():
            return
        fired.set()
        rival.start()
        deadline = time.monotonic() + timeout
        while rival.is_alive() and not _someone_waits_for_a_lock(monitor):
            if time.monotonic() > deadline:
                raise AssertionError("the rival neither finished nor waited for a lock")
            time.sleep(0.005)

    with Session(engine, expire_on_commit=False) as session:
        @event.listens_for(session, "do_orm_execute")
        def before_lock(state: ORMExecuteState) -> None:
            if getattr(state.statement, "_for_update_arg", None) is None:
                return
            tables = {getattr(d.get("entity"), "__tablename__", None) for d in state.statement.column_descriptions}
            if at == "lock or write" or (at.startswith("lock of ") and at[len("lock of "):] in tables):
                release_rival()

        @event.listens_for(session, "before_flush")
        def before_write(flushing: Session, _context: object, _instances: object) -> None:
            if at in ("lock or write", "write") and (flushing.new or flushing.dirty or flushing.deleted):
                release_rival()

        try:
            answers[0].value = first(session)
        except DomainError as error:
            answers[0].error = error
        except BaseException as error:  # noqa: BLE001
            answers[0].unexpected = error
        finally:
            session.rollback()
    if not fired.is_set():
        rival.start()  # the operation neither locked nor wrote: run the rival after it
    rival.join(timeout)
    assert not rival.is_alive(), "the rival hung"
    return answers
