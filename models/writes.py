"""Changing shared rows: the one pattern every domain operation that decides something follows.

    @shared_write
    def close_match(session, match_id, by, ...):
        begin_write(session)                              # 1. a write transaction
        claim_submission(session, submit_key, ...)        # 2. a double submit stops here
        peek = peek_row(session, Match, match_id)         # 3. unlocked: only which rows to lock
        lock(session, Volunteer, peek.volunteer_id)       # 4. locks in LOCK_ORDER, read fresh
        lock(session, Request, peek.request_id)
        match = lock(session, Match, match_id)
        ...check the rules on the locked rows, raise DomainError...
        ...write...
        session.commit()                                  # 5. once

What each step buys (docs/decisions/0008-concurrency.md says it at length):

1. ``begin_write`` ends whatever the session had open and starts a transaction that may write.
   On SQLite it is ``BEGIN IMMEDIATE``: the database's write lock is taken first, waiting up to
   the busy timeout, so a transaction never fails half-way because it read an older snapshot.
   On PostgreSQL the rows are locked one by one, with a lock time-out.
2. ``claim_submission`` records the form's one-time token (hidden field ``submit_key``) in a
   table with a primary key: the second submission of the same form waits for the first and
   then answers ``AlreadyDone`` instead of doing it again.
3.-4. ``lock`` is ``SELECT ... FOR NO KEY UPDATE`` with ``populate_existing``: the row is read
   again *after* the lock is held, replacing whatever the identity map had, so decisions are
   taken on the state the lock protects. Locks are taken in ``LOCK_ORDER`` (and by ascending id
   within a table); taking them out of order raises ``LockOrderError`` at once, in every run,
   so a deadlock-prone path is found by the first test that runs it.
5. ``shared_write`` turns what the database refuses — a unique or foreign-key violation, a
   deadlock, a serialisation failure — into a fresh attempt (the operation runs again from step
   1, sees the winner's committed state and answers with its own clear DomainError), and, if
   that is not enough, into a ``Conflict``. A lock time-out becomes a ``Conflict`` at once. Any
   error rolls the transaction back, so no lock outlives the operation.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.errors import N_, AlreadyDone, Conflict, NotFound

log = logging.getLogger(__name__)

# The global lock order: a transaction locks rows of an earlier table before rows of a later
# one, and rows of one table by ascending id. The form token comes first, so a double submit
# waits there and touches nothing else.
LOCK_ORDER: tuple[str, ...] = (
    "formsubmission",
    "organisation",
    "program",
    "importbatch",
    "user",
    "volunteer",
    "membership",  # a volunteer's place in one programme (issue 15): after the person, before what it decides on
    "professional",  # families (issue 14): a team member with a capacity, locked like a volunteer
    "event",  # after the volunteers who sign up for it; places are decided under its lock
    "youth",
    "household",
    "request",
    "consentrecord",
    "proposal",
    "match",
    "checkin",
    # Last: erasing a person locks their matches and then the referrals they came from; a
    # status to the referrer locks the match it is about first (issue 13).
    "referral",
)
PG_LOCK_TIMEOUT = "10s"
CONFLICT_MESSAGE = N_("Someone else changed the same thing at the same moment. Nothing was saved; "
                      "reload the page and try again.")
ALREADY_MESSAGE = N_("This form has already been sent, and it was saved. Nothing was saved twice.")
# PostgreSQL SQLSTATEs worth one more attempt: the winner has committed by now.
_RETRY_SQLSTATES = {"23505", "23503", "40001", "40P01"}
_ATTEMPTS = 3
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

Row = TypeVar("Row", bound=SQLModel)


class LockOrderError(RuntimeError):
    """A row was locked out of LOCK_ORDER: a programming error that could deadlock."""


class WriteOutsideTransaction(RuntimeError):
    """A session flushed changes without ``begin_write`` (on SQLite this fails under load)."""


class FormSubmission(SQLModel, table=True):
    """One-time tokens of submitted forms: a double click is answered, never repeated."""

    key: str = Field(primary_key=True, max_length=120)  # "<operation>:<token from the form>"
    user_id: int | None = Field(default=None, index=True)  # no foreign key: erasure keeps it simple
    result_id: int | None = None  # what the first submission made (a meeting, a check-in...)
    created_at: datetime = Field(default_factory=utcnow, index=True)


# --- the transaction ------------------------------------------------------------------------

def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def begin_write(session: Session) -> None:
    """End what the session had open and start a write transaction (see the module docstring).

    Anything read before is discarded: objects loaded by the caller are expired and read again
    inside this transaction when they are next used.
    """
    session.rollback()
    if _dialect(session) == "sqlite":
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    else:
        session.connection()
        session.execute(text(f"SET LOCAL lock_timeout = '{PG_LOCK_TIMEOUT}'"))
    session.info["write_tx"] = session.get_transaction()
    session.info["lock_position"] = (-1, -1)


def in_write(session: Session) -> bool:
    """Whether the session's current transaction was started by ``begin_write``."""
    tx = session.info.get("write_tx")
    return tx is not None and tx is session.get_transaction() and tx.is_active


def _rank(model: type[SQLModel]) -> int:
    name = model.__tablename__
    if name not in LOCK_ORDER:
        raise LockOrderError(f"{name} has no place in models.writes.LOCK_ORDER; add it there")
    return LOCK_ORDER.index(name)


def _advance(session: Session, model: type[SQLModel], first_id: Any) -> None:
    if not in_write(session):
        raise WriteOutsideTransaction("lock() needs begin_write(session) first")
    position = (_rank(model), first_id)
    held = session.info["lock_position"]
    if position[0] < held[0] or (position[0] == held[0] and first_id < held[1]):
        raise LockOrderError(f"locking {model.__tablename__} {first_id} after {LOCK_ORDER[held[0]]} {held[1]}: "
                             "see models.writes.LOCK_ORDER")
    session.info["lock_position"] = position


def _locking(statement: Any) -> Any:
    # FOR NO KEY UPDATE: the row is ours to change, but others may still insert rows that refer
    # to it (FOR UPDATE would make every such insert wait too).
    return statement.with_for_update(key_share=True).execution_options(populate_existing=True)


def lock(session: Session, model: type[Row], record_id: int, missing: str = N_("The record no longer exists.")) -> Row:
    """The row, locked for this transaction and read after the lock was taken."""
    _advance(session, model, record_id)
    record = session.exec(_locking(select(model).where(model.id == record_id))).first()
    if record is None:
        raise NotFound(missing)
    return record


def lock_all(session: Session, model: type[Row], record_ids: Iterable[int]) -> list[Row]:
    """Several rows of one table, locked by ascending id (the order every caller uses)."""
    ids = sorted(set(record_ids))
    if not ids:
        return []
    _advance(session, model, ids[0])
    rows = list(session.exec(_locking(select(model).where(model.id.in_(ids)).order_by(model.id))))
    session.info["lock_position"] = (_rank(model), ids[-1])
    return rows


def peek_row(session: Session, model: type[Row], record_id: int,
             missing: str = N_("The record no longer exists.")) -> Row:
    """An unlocked fresh read, only to learn which rows to lock (ids that never change)."""
    record = session.get(model, record_id, populate_existing=True)
    if record is None:
        raise NotFound(missing)
    return record


# --- double submits -------------------------------------------------------------------------

def clean_key(submit_key: str | None) -> str | None:
    """The form's token if it looks like one we made; anything else means "no token"."""
    if submit_key and _KEY_PATTERN.match(submit_key):
        return submit_key
    return None


def claim_submission(session: Session, submit_key: str | None, operation: str, *, user_id: int | None,
                     already: str = ALREADY_MESSAGE) -> FormSubmission | None:
    """Record the form's token first in the transaction; raise AlreadyDone if it was used.

    Without a (valid) token nothing is claimed and the operation relies on its natural checks.
    On PostgreSQL a twin submission blocks on the primary key until the first commits, fails,
    and is run again by ``shared_write``; that run finds the row and answers AlreadyDone.
    """
    token = clean_key(submit_key)
    if token is None:
        return None
    if not in_write(session):
        raise WriteOutsideTransaction("claim_submission() needs begin_write(session) first")
    key = f"{operation}:{token}"
    found = session.get(FormSubmission, key, populate_existing=True)
    if found is not None:
        raise AlreadyDone(already, result_id=found.result_id)
    claim = FormSubmission(key=key, user_id=user_id)
    session.add(claim)
    session.flush()
    session.info["lock_position"] = max(session.info["lock_position"], (0, -1))
    return claim


def note_result(claim: FormSubmission | None, result_id: int | None) -> None:
    """Remember what the submission made, so a repeated one can point at it."""
    if claim is not None:
        claim.result_id = result_id


def forget_old_submissions(session: Session, before: datetime) -> int:
    """Tokens are only needed for as long as a person might click twice; no commit."""
    old = list(session.exec(select(FormSubmission).where(FormSubmission.created_at < before)))
    for row in old:
        session.delete(row)
    return len(old)


# --- database refusals become answers -------------------------------------------------------

def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None) or getattr(getattr(error.orig, "diag", None), "sqlstate", None)


def _worth_retrying(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        # Unique and foreign-key violations: the other transaction has committed; a new attempt
        # sees it and answers with the operation's own message. NOT NULL or CHECK would be bugs.
        state = _sqlstate(error)
        if state is not None:
            return state in _RETRY_SQLSTATES
        text_ = str(error.orig).lower()
        return "unique" in text_ or "foreign key" in text_
    state = _sqlstate(error)
    if state is not None:
        return state in _RETRY_SQLSTATES  # deadlock, serialisation failure (not a lock time-out)
    # SQLite "database is locked" comes only after the busy timeout was waited out: do not wait again.
    return False


F = TypeVar("F", bound=Callable[..., Any])


def shared_write(operation: F | None = None, *, conflict: str = CONFLICT_MESSAGE) -> Any:
    """Decorate a domain operation ``(session, ...)`` that follows the pattern.

    Any exception rolls the session back. A unique/foreign-key violation, deadlock or
    serialisation failure runs the operation again (up to three attempts in all); when the
    database still refuses, or a lock waited too long, the caller gets ``Conflict(conflict)``.
    """

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(session: Session, *args: Any, **kwargs: Any) -> Any:
            for attempt in range(1, _ATTEMPTS + 1):
                try:
                    return function(session, *args, **kwargs)
                except (IntegrityError, OperationalError) as error:
                    session.rollback()
                    if attempt < _ATTEMPTS and _worth_retrying(error):
                        log.info("%s: attempt %s refused by the database (%s); trying again",
                                 function.__name__, attempt, type(error.orig).__name__)
                        continue
                    log.warning("%s: the database refused (%s)", function.__name__, error.orig)
                    raise Conflict(conflict) from error
                except BaseException:
                    session.rollback()
                    raise
            raise AssertionError("unreachable")

        wrapper.shared_write = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate(operation) if operation is not None else decorate


# --- the guard ------------------------------------------------------------------------------

def guard_writes(session: Session, strict: bool = True) -> None:
    """Make ``session`` refuse to flush changes outside ``begin_write`` (or, not strict, log it).

    The web app's request sessions are guarded strictly outside production, so any write path
    that skips the pattern fails its first test instead of failing with "database is locked"
    under load; production logs a warning and lets the write through.
    """
    session.info["guard_writes"] = "strict" if strict else "warn"


@event.listens_for(OrmSession, "before_flush")
def _check_guarded_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get("guard_writes"):
        return
    if not (session.new or session.dirty or session.deleted):
        return
    if not in_write(session):
        names = sorted({type(o).__name__ for o in [*session.new, *session.dirty, *session.deleted]})
        message = (f"changes to {', '.join(names)} outside a write transaction: call "
                   "models.writes.begin_write(session) first (docs/decisions/0008-concurrency.md)")
        if session.info["guard_writes"] != "strict":
            log.warning(message)
            return
        raise WriteOutsideTransaction(message)
