"""Signed-in sessions kept in the database, so that they can be ended.

A signed cookie alone cannot be taken back: a copy made before signing out kept working, and so
did old sessions after a password reset. Each sign-in now creates a row; the cookie carries a
random token and the row only its SHA-256, so a copy of the table opens nothing. Every request
looks the row up; ending a session deletes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.db import begin_write
from models.users import User

IDLE_LIMIT = timedelta(hours=12)             # a browser session unused this long is over
REMEMBERED_IDLE_LIMIT = timedelta(days=30)   # "keep me signed in on this device"
TOUCH_EVERY = timedelta(minutes=5)           # last_seen_at is written at most this often


class UserSession(SQLModel, table=True):
    """One signed-in browser or device of a user."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    remember: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, user: User, remember: bool, now: datetime | None = None) -> str:
    """A new session for ``user``; returns the token for the cookie (shown only this once)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    user_id = user.id
    begin_write(session)  # SQLite: the write lock first (no stale read snapshot to upgrade)
    session.add(UserSession(user_id=user_id, token_hash=_hash(token), remember=remember, created_at=now,
                            last_seen_at=now))
    # Sessions nobody has used for the longest limit can never be used again: forget them.
    session.exec(delete(UserSession).where(UserSession.last_seen_at < now - REMEMBERED_IDLE_LIMIT))
    session.commit()
    return token


def user_for_token(session: Session, token: str | None, now: datetime | None = None) -> User | None:
    """The active user whose live session ``token`` names, or None (ended, idle too long, forged)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = session.exec(select(UserSession, User).join(User, User.id == UserSession.user_id)
                       .where(UserSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    user_session, user = row
    limit = REMEMBERED_IDLE_LIMIT if user_session.remember else IDLE_LIMIT
    if user_session.last_seen_at < now - limit or not user.active:
        return None
    if user_session.last_seen_at < now - TOUCH_EVERY:
        # A plain UPDATE: two requests at once both just move the time forward.
        session.exec(update(UserSession).where(UserSession.id == user_session.id).values(last_seen_at=now))
        session.commit()
    return user


def end_session(session: Session, token: str | None) -> None:
    """Sign out this session (the cookie's token); a copy of the cookie is dead from now on."""
    if token:
        begin_write(session)
        session.exec(delete(UserSession).where(UserSession.token_hash == _hash(token)))
        session.commit()


def end_other_sessions(session: Session, user_id: int, keep_token: str | None = None) -> None:
    """End every session of the user but ``keep_token``'s, inside the caller's transaction."""
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token:
        stmt = stmt.where(UserSession.token_hash != _hash(keep_token))
    session.exec(stmt)


def sign_out_everywhere(session: Session, user: User) -> None:
    """"Log ud på alle enheder": every session of the user ends, this one included."""
    user_id = user.id
    begin_write(session)
    end_other_sessions(session, user_id)
    session.commit()
