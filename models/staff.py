"""The organisation's staff: invite, change role, deactivate — never delete (history keeps their name).

Every change locks the organisation first and then the users concerned (models.writes), so
staff changes of one organisation are decided one after the other: two admins removing each
other cannot leave it without an active administrator.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from models.audit import record_audit
from models.emails import send
from models.errors import N_, AlreadyDone, Conflict, DomainError
from models.organisations import Organisation
from models.sessions import end_other_sessions
from models.users import User, normalise_email
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write

STAFF_ROLES: tuple[str, ...] = ("coordinator", "admin")
INVITED = N_("An invitation has already been sent to this address.")


@shared_write
def invite_staff(session: Session, by: User, *, name: str, email: str, role: str,
                 link_for: Callable[[User], str], submit_key: str | None = None) -> User:
    """Create the account and e-mail a link where the person chooses a password."""
    if role not in STAFF_ROLES:
        raise DomainError(N_("Choose an answer from the list."), field="role")
    email = normalise_email(email)
    begin_write(session)
    claim = claim_submission(session, submit_key, "invite_staff", user_id=by.id, already=INVITED)
    _acting_admin(session, by)
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is not None:
        if (existing.organisation_id == by.organisation_id and existing.role == role and existing.active
                and not existing.password_hash):
            raise AlreadyDone(INVITED, result_id=existing.id)  # the same invitation, sent again
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
    note_result(claim, user.id)
    session.commit()
    return user


def _active_admins(session: Session, organisation_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(User).where(
        User.organisation_id == organisation_id, User.role == "admin", User.active)).one())


def _acting_admin(session: Session, by: User) -> Organisation:
    """Lock the organisation, then check on the fresh row that ``by`` is still an active admin."""
    organisation = lock(session, Organisation, by.organisation_id)
    me = session.get(User, by.id, populate_existing=True)
    if me is None or not me.active or me.role != "admin":
        raise Conflict(N_("You are no longer an administrator of this organisation."))
    return organisation


def _load(session: Session, by: User, user_id: int) -> User:
    """Lock the organisation and the user to change (models.writes order); read them fresh."""
    if user_id == by.id:
        raise DomainError(N_("You cannot change your own account here; ask another administrator."))
    begin_write(session)
    _acting_admin(session, by)
    users = {u.id: u for u in lock_all(session, User, [by.id, user_id])}
    user = users.get(user_id)
    if user is None or user.organisation_id != by.organisation_id or user.role not in STAFF_ROLES:
        raise Conflict(N_("The record no longer exists."))
    return user


@shared_write
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


@shared_write
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
