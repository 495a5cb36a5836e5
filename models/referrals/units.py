"""Referring units, their referrers and each programme's referral settings (the admin's side)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, DomainError, NotFound
from models.organisations import Organisation, Program
from models.referrals.tables import (
    UNIT_KINDS,
    VOLUNTEER_INFO,
    ReferralChannel,
    ReferralSettings,
    ReferringUnit,
)
from models.risk_state import refresh_program_risk
from models.users import User, normalise_email
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write


@dataclass
class UnitChanges:
    name: str
    kind: str
    contact_email: str = ""
    program_ids: list[int] = field(default_factory=list)
    active: bool = True


@shared_write
def save_unit(session: Session, by: User, changes: UnitChanges, unit_id: int | None = None,
              submit_key: str | None = None) -> ReferringUnit:
    """Create or change a referring unit and the programmes it may refer to."""
    name = changes.name.strip()
    if not name:
        raise DomainError(N_("The unit needs a name."), field="name")
    if changes.kind not in UNIT_KINDS:
        raise DomainError(N_("Choose an answer from the list."), field="kind")
    begin_write(session)
    claim = claim_submission(session, submit_key, "save_referring_unit", user_id=by.id,
                             already=N_("This unit has already been saved. Nothing was saved twice."))
    programs = {p.id for p in session.exec(select(Program).where(Program.organisation_id == by.organisation_id))}
    if set(changes.program_ids) - programs:
        raise DomainError(N_("Choose one of your own programs."), field="program_ids")
    same_name = session.exec(select(ReferringUnit).where(ReferringUnit.organisation_id == by.organisation_id,
                                                         ReferringUnit.name == name)).first()
    if same_name is not None and same_name.id != unit_id:
        raise DomainError(N_("Another unit already has this name."), field="name")
    if unit_id is None:
        unit = ReferringUnit(organisation_id=by.organisation_id, name=name)
        action = "create"
    else:
        unit = session.get(ReferringUnit, unit_id)
        if unit is None or unit.organisation_id != by.organisation_id:
            raise NotFound(N_("The record no longer exists."))
        action = "update"
    unit.name, unit.kind, unit.active = name, changes.kind, changes.active
    unit.contact_email = normalise_email(changes.contact_email)
    session.add(unit)
    session.flush()
    note_result(claim, unit.id)
    existing = {c.program_id: c for c in session.exec(select(ReferralChannel).where(ReferralChannel.unit_id == unit.id))}
    wanted = set(changes.program_ids)
    for program_id, channel in existing.items():
        if program_id not in wanted:
            session.delete(channel)
    for program_id in wanted - set(existing):
        session.add(ReferralChannel(unit_id=unit.id, program_id=program_id))
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action=action,
                 record_type="ReferringUnit", record_id=unit.id,
                 detail={"programs": sorted(wanted), "active": unit.active})
    session.commit()
    return unit


@shared_write
def invite_referrer(session: Session, by: User, *, name: str, email: str, unit_id: int,
                    link_for: Callable[[User], str], submit_key: str | None = None) -> User:
    """A caseworker's account in a unit; the e-mail links to a page where they choose a password."""
    if not name.strip():
        raise DomainError(N_("This field is required."), field="name")
    email = normalise_email(email)
    begin_write(session)
    claim = claim_submission(session, submit_key, "invite_referrer", user_id=by.id,
                             already=N_("This invitation has already been sent. Nothing was sent twice."))
    unit = session.get(ReferringUnit, unit_id)
    if unit is None or unit.organisation_id != by.organisation_id:
        raise DomainError(N_("Choose an answer from the list."), field="unit_id")
    if not unit.active:
        raise DomainError(N_("The unit no longer refers: reactivate it first."), field="unit_id")
    if session.exec(select(User).where(User.email == email)).first() is not None:
        raise DomainError(N_("Someone already uses this e-mail address."), field="email")
    user = User(organisation_id=by.organisation_id, email=email, name=name.strip(), role="referrer",
                referring_unit_id=unit.id, locale=by.locale)
    session.add(user)
    session.flush()
    note_result(claim, user.id)
    organisation = session.get(Organisation, by.organisation_id)
    role_text = "henviser for " + unit.name if user.locale == "da" else "referrer for " + unit.name
    send(session, "invite", to=email, locale=user.locale, organisation_id=user.organisation_id, name=user.name,
         role=role_text, organisation=organisation.name, link=link_for(user))
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create", record_type="User",
                 record_id=user.id, detail={"role": "referrer", "unit": unit.id, "invited": True})
    session.commit()
    return user


@shared_write
def set_referrer(session: Session, by: User, user_id: int, *, active: bool | None = None,
                 unit_id: int | None = None) -> User:
    """Deactivate or reactivate a referrer, or move them to another unit (their referrals stay theirs)."""
    begin_write(session)
    user = lock(session, User, user_id)
    if user.organisation_id != by.organisation_id or user.role != "referrer":
        raise NotFound(N_("The record no longer exists."))
    detail: dict = {}
    if unit_id is not None:
        unit = session.get(ReferringUnit, unit_id)
        if unit is None or unit.organisation_id != by.organisation_id:
            raise DomainError(N_("Choose an answer from the list."), field="unit_id")
        detail["unit"] = [user.referring_unit_id, unit.id]
        user.referring_unit_id = unit.id
    if active is not None:
        detail["active"] = active
        user.active = active
    session.add(user)
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update", record_type="User",
                 record_id=user.id, detail=detail)
    session.commit()
    return user


@shared_write
def save_referral_settings(session: Session, by: User, program_id: int, *, volunteer_info: str,
                           first_status_months: int | None, status_every_months: int | None,
                           today: date) -> ReferralSettings:
    """What referrers of a programme see of the volunteer, and the rhythm of status reports."""
    if volunteer_info not in VOLUNTEER_INFO:
        raise DomainError(N_("Choose an answer from the list."), field="volunteer_info")
    for name, value in (("first_status_months", first_status_months), ("status_every_months", status_every_months)):
        if value is None or not 1 <= value <= 24:
            raise DomainError(N_("Write a number of months from 1 to 24."), field=name)
    begin_write(session)
    program = lock(session, Program, program_id)
    if program.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    settings = session.get(ReferralSettings, program_id) or ReferralSettings(
        program_id=program_id, organisation_id=program.organisation_id)
    before = (settings.volunteer_info, settings.first_status_months, settings.status_every_months)
    settings.volunteer_info = volunteer_info
    settings.first_status_months, settings.status_every_months = first_status_months, status_every_months
    settings.updated_at = utcnow()
    session.add(settings)
    record_audit(session, organisation_id=program.organisation_id, user_id=by.id, action="update",
                 record_type="Program", record_id=program.id,
                 detail={"referral_settings": [list(before), [volunteer_info, first_status_months,
                                                              status_every_months]]})
    session.flush()
    refresh_program_risk(session, today, program.id)  # statuses may fall due at other dates
    session.commit()
    return settings




@shared_write
def hand_over_referrals(session: Session, by: User, from_user_id: int, to_user_id: int,
                        submit_key: str | None = None) -> int:
    """A caseworker leaves: their referrals go to a colleague of the same unit (who then follows
    them and gets their statuses). Returns how many were handed over."""
    begin_write(session)
    claim_submission(session, submit_key, "hand_over_referrals", user_id=by.id,
                     already=N_("These referrals have already been handed over. Nothing was done twice."))
    users = {u.id: u for u in lock_all(session, User, [from_user_id, to_user_id])}
    giver, taker = users.get(from_user_id), users.get(to_user_id)
    for user in (giver, taker):
        if user is None or user.organisation_id != by.organisation_id or user.role != "referrer":
            raise NotFound(N_("The record no longer exists."))
    if giver.id == taker.id:
        raise DomainError(N_("Choose another referrer."), field="to_user_id")
    if giver.referring_unit_id != taker.referring_unit_id:
        raise DomainError(N_("Referrals can only be handed to a colleague in the same unit."), field="to_user_id")
    if not taker.active:
        raise DomainError(N_("%(name)s can no longer sign in: reactivate them first."), field="to_user_id",
                          name=taker.name)
    from models.referrals.tables import Referral

    moved = [r for r in lock_all(session, Referral, session.exec(select(Referral.id).where(
        Referral.referrer_id == giver.id))) if r.referrer_id == giver.id]
    for referral in moved:
        referral.referrer_id = taker.id
        referral.version += 1
        session.add(referral)
        record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update",
                     record_type="Referral", record_id=referral.id,
                     detail={"referrer": [giver.id, taker.id]})
    session.commit()
    return len(moved)
