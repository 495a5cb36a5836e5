"""User accounts, passwords and the throttling of failed sign-ins."""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, or_
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.db import begin_write
from models.errors import N_, DomainError

ROLES: tuple[str, ...] = ("volunteer", "coordinator", "admin", "referrer")
MAX_FAILED_LOGINS = 5          # failures before the first pause
LOCK_MINUTES = 15              # the longest pause; pauses double from 1 minute up to it
FAILURE_MEMORY = timedelta(hours=1)  # failures older than this (with none since) are forgotten
MIN_PASSWORD_LENGTH = 10

def _password_hasher() -> PasswordHasher:
    """argon2id at the library's recommended cost, except in the test suite: there thousands of
    sign-ins at about 0,13 s a hash were a third of the run, so tests/conftest.py sets
    MAKKER_TEST_CHEAP_HASHING and the same algorithm runs at its lowest cost (production refuses
    to start with it set, config.load_settings)."""
    if os.environ.get("MAKKER_TEST_CHEAP_HASHING") == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


_hasher = _password_hasher()


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)  # one of ROLES
    password_hash: str = Field(default="", max_length=255)
    phone: str = Field(default="", max_length=30)
    active: bool = True
    locale: str = Field(default="da", max_length=5)
    email_confirmed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # A referrer (henviser) works in one referring unit of the organisation's cooperation.
    referring_unit_id: int | None = Field(default=None, foreign_key="referringunit.id", index=True)

    # Flask-Login reads these; kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins per e-mail address (known or not) and client address.

    Keyed by both, so wrong passwords from one client slow down that client only: nobody can
    lock the owner of an account out by guessing from somewhere else.
    """

    email: str = Field(primary_key=True, max_length=254)
    client: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    locked_until: datetime | None = None
    last_failure_at: datetime | None = Field(default=None, index=True)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(N_("The password must be at least %(n)s characters."), field="password", n=MIN_PASSWORD_LENGTH)


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)


def reset_password(session: Session, user: User, password: str, confirm_email: bool = False) -> None:
    """A password chosen through an e-mailed link (reset or invitation): every session ends."""
    from models.sessions import end_other_sessions  # sessions.py imports User from here

    set_password(user, password)
    if confirm_email and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link proved the address
    session.add(user)
    end_other_sessions(session, user.id)
    session.commit()


def change_password(session: Session, user: User, current: str, new: str, keep_token: str | None) -> None:
    """The signed-in user changes their password: the other sessions end, this one stays."""
    from models.sessions import end_other_sessions

    if not verify_password(user, current):
        raise DomainError(N_("Wrong password."), field="current")
    check_password_strength(new)
    password_hash = hash_password(new)  # slow on purpose: before the write transaction
    user_id = user.id
    begin_write(session)
    user = session.get(User, user_id)
    user.password_hash = password_hash
    session.add(user)
    end_other_sessions(session, user_id, keep_token=keep_token)
    session.commit()


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    return _verify(user.password_hash, password)


class SignInLocked(DomainError):
    def __init__(self, minutes: int) -> None:
        super().__init__(N_("Too many failed attempts. Try again in %(minutes)s minutes."), minutes=minutes)
        self.minutes = minutes


def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so both cases cost the same."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


_DUMMY_HASH: str | None = None


def backoff(failures: int) -> timedelta | None:
    """The pause after ``failures`` failures in a row: 1, 2, 4, 8, then 15 minutes."""
    if failures < MAX_FAILED_LOGINS:
        return None
    return timedelta(minutes=min(2 ** (failures - MAX_FAILED_LOGINS), LOCK_MINUTES))


def authenticate(session: Session, email: str, password: str, client: str = "",
                 now: datetime | None = None) -> User | None:
    """The active user with these credentials, or None; raises SignInLocked during a pause.

    Failures are counted per (address, client), for unknown addresses exactly like known ones,
    and every attempt verifies one password hash, so neither the answer nor the time it takes
    tells whether an account exists.
    """
    now = now or utcnow()
    email = normalise_email(email)[:254]
    client = (client or "")[:64]
    attempt = session.exec(select(LoginAttempt).where(LoginAttempt.email == email,
                                                      LoginAttempt.client == client)).first()
    if attempt and attempt.locked_until and attempt.locked_until > now:
        remaining = int((attempt.locked_until - now).total_seconds() // 60) + 1
        raise SignInLocked(remaining)
    user = session.exec(select(User).where(User.email == email)).first()
    usable = user is not None and user.active and bool(user.password_hash)
    correct = _verify(user.password_hash if usable else _dummy_hash(), password) and usable
    # The writes below start a fresh transaction that takes the write lock at once on SQLite
    # (no stale read snapshot to upgrade) and are single statements on PostgreSQL.
    begin_write(session)
    if correct:
        user = session.get(User, user.id)
        if user.email_confirmed_at is None:
            session.rollback()
            # Only someone who knows the password learns this; it says what to do next.
            raise DomainError(N_("Confirm your e-mail first: use the link we sent you when you signed up."))
        session.exec(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.client == client))
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
        return user
    _count_failure(session, email, client, now)
    session.commit()
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, email: str, client: str, now: datetime) -> None:
    """One more failure, counted atomically (INSERT ... ON CONFLICT DO UPDATE ... RETURNING).

    Eight guesses at once all count, none is lost and none collides on the primary key.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginAttempt.__table__
    forgotten = table.c.last_failure_at < now - FAILURE_MEMORY
    stmt = insert(table).values(email=email, client=client, failures=1, last_failure_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.email, table.c.client],
        set_={"failures": case((forgotten, 1), else_=table.c.failures + 1), "last_failure_at": now,
              "locked_until": case((forgotten, None), else_=table.c.locked_until)},
    ).returning(table.c.failures)
    failures = session.execute(stmt).scalar_one()
    pause = backoff(failures)
    if pause is not None:
        until = now + pause
        session.execute(sa_update(table).where(
            table.c.email == email, table.c.client == client,
            or_(table.c.locked_until.is_(None), table.c.locked_until < until)).values(locked_until=until))


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()
