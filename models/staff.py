"""The organisation's staff: invite, change role, deactivate — never delete (history keeps their name)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record_audit
from models.emails import send
from models.errors import N_, Conflict, DomainError
from models.organisations import Organisation
from models.sessions import end_other_sessions
from models.users import User, normalise_email

STAFF_ROLES: tuple[str, ...] = ("coordinator", "admin")


def invite_staff(session: Session, by: User, *, name: str, email: str, role: str,
                 link_for: Callable[[User], str]) -> User:
    """Create the account and e-mail a link where the person chooses a password."""
    if role not in STAFF_ROLES:
        raise DomainError(N_("Choose an answer from the list."), field="role")
    email = normalise_email(email)
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise DomainError(N_("Someone already uses this e-mail address."), field="email")
    user = User(organisation_id=by.organisation_id, email=email, name=name.strip(), role=role, locale=by.locale)
    session.add(user)
    session.flush()
    organisation = session.get(Organisation, by.organisation_id)
    role_text = {"coordinator": "koordinator", "admin": "administrator"}[role] if user.locale == "da" else role
    send(session, "invite", to=email, locale=user.locale, organisation_id=user.organisation_id, name=user.name,
         role=role_text, organisation=organisation.name, link=link_for(user))
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create", record_type="User",
                 record_id=user.id, detail={"role": role, "invited": True})
    session.commit()
    return user


def _active_admins(session: Session, organisation_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(User).where(
        User.organisation_id == organisation_id, User.role == "admin", User.active)).one())


def _load(session: Session, by: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.organisation_id != by.organisation_id or user.role not in STAFF_ROLES:
        raise Conflict(N_("The record no longer exists."))
    if user.id == by.id:
        raise DomainError(N_("You cannot change your own account here; ask another administrator."))
    return user


def change_role(session: Session, by: User, user_id: int, role: str) -> User:
    if role not in STAFF_ROLES:
        raise DomainError(N_("Choose an answer from the list."), field="role")
    user = _load(session, by, user_id)
    if user.role == "admin" and role != "admin" and user.active and _active_admins(session, user.organisation_id) <= 1:
        raise DomainError(N_("The organisation must keep at least one active administrator."))
    before, user.role = user.role, role
    session.add(user)
    end_other_sessions(session, user.id)  # what they may do changed: they sign in anew
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update", record_type="User",
                 record_id=user.id, detail={"role": [before, role]})
    session.commit()
    return user


def set_active(session: Session, by: User, user_id: int, active: bool) -> User:
    user = _load(session, by, user_id)
    if not active and user.role == "admin" and user.active and _active_admins(session, user.organisation_id) <= 1:
        raise DomainError(N_("The organisation must keep at least one active administrator."))
    user.active = active
    session.add(user)
    end_other_sessions(session, user.id)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update", record_type="User",
                 record_id=user.id, detail={"active": active})
    session.commit()
    return user
