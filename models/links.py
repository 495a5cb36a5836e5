"""Spending an e-mailed link (password reset, invitation) exactly once.

The link proves who the person is until the password changes; checking it and choosing the new
password happen on the locked user row in one transaction, so two tabs (or a double click)
cannot both use one link. Every session of the user ends with it (as in ``users.reset_password``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from models.clock import utcnow
from models.errors import N_, Conflict
from models.sessions import end_other_sessions
from models.users import User, check_password_strength, hash_password
from models.writes import begin_write, lock, shared_write

LINK_USED = N_("The link is no longer valid. Ask for a new one.")


@shared_write
def choose_password_from_link(session: Session, user_id: int, still_valid: Callable[[User], bool], password: str,
                              confirm_email: bool = False) -> User:
    """Set the password if the link still fits the locked, freshly read user; else Conflict.

    ``still_valid`` is the web layer's check of the link against the user (its fingerprint
    changes with the password, so a used link stops fitting).
    """
    check_password_strength(password)
    password_hash = hash_password(password)  # slow on purpose: outside the lock
    begin_write(session)
    user = lock(session, User, user_id, missing=LINK_USED)
    if not user.active or not still_valid(user):
        raise Conflict(LINK_USED)
    user.password_hash = password_hash
    if confirm_email and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link proved the address
    session.add(user)
    end_other_sessions(session, user.id)  # a reset ends every session of the user
    session.commit()
    return user
