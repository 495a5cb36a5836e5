"""Referrals under the GDPR: export with the youth's or family's data, erasure, and retention.

A referral that was accepted lives on as the youth or household it became: exporting, erasing
or anonymising that person covers the referral, its statuses and its messages too. A referral
that never became one (declined, withdrawn) is kept for the programme's retention period after
the decision and then anonymised; an administrator can erase it earlier on request. As
everywhere, dates, statuses and reasons stay for the figures; names, contact details and free
text go.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import add_months, utcnow
from models.consent import ConsentRecord
from models.errors import N_, Conflict, NotFound
from models.organisations import Program
from models.referrals.tables import Referral, ReferralMessage, ReferralStatus
from models.users import User
from models.volunteer_profile import ANONYMISED
from models.writes import begin_write, lock, shared_write

DECIDED_WITHOUT_MENTEE: tuple[str, ...] = ("declined", "withdrawn")


def referrals_of_mentee(session: Session, record_type: str, record_id: int) -> list[Referral]:
    """The referrals a youth ("Youth") or household ("Household") was made from."""
    column = Referral.youth_id if record_type == "Youth" else Referral.household_id
    return list(session.exec(select(Referral).where(column == record_id).order_by(Referral.id)))


def export_referrals(session: Session, referrals: list[Referral]) -> list[dict]:
    """The referrals with their statuses and messages, JSON-ready (for a person's export)."""
    out = []
    for referral in referrals:
        statuses = session.exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id)
                                .order_by(ReferralStatus.id))
        messages = session.exec(select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)
                                .order_by(ReferralMessage.id))
        out.append({
            "referral": referral.model_dump(mode="json", exclude={"organisation_id", "referrer_id", "decided_by_id",
                                                                 "status_reminded_for", "version"}),
            "statuses": [s.model_dump(mode="json", include={"due_on", "how_it_goes", "agreements", "concerns",
                                                            "sent_on", "read_at"}) for s in statuses],
            "messages": [m.model_dump(mode="json", include={"kind", "body", "from_referrer", "created_at"})
                         for m in messages],
        })
    return out


def anonymise_referral(session: Session, referral: Referral) -> None:
    """Blank the referral's personal data and free text, its statuses and messages (no commit)."""
    for name in ("first_name", "family_name"):
        setattr(referral, name, ANONYMISED if getattr(referral, name) else "")
    for name in ("last_name", "guardian_name", "guardian_phone", "guardian_email", "school", "contact_name",
                 "contact_phone", "contact_email", "interests_text", "reason", "wishes", "volunteer_wishes",
                 "complexity_reason", "decline_note", "withdrawn_note"):
        setattr(referral, name, "")
    referral.members = [{**m, "first_name": ANONYMISED} for m in referral.members or []]
    referral.languages, referral.interests, referral.availability = {}, [], 0
    referral.anonymised_at = utcnow()
    referral.version += 1
    session.add(referral)
    for status in session.exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id)):
        status.how_it_goes = status.agreements = status.concerns = ""
        session.add(status)
    for message in session.exec(select(ReferralMessage).where(ReferralMessage.referral_id == referral.id)):
        message.body = ""
        session.add(message)
    # Consents still on the referral (never accepted); an accepted one's are the mentee's.
    for consent in session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "referral",
                                                            ConsentRecord.subject_id == referral.id)):
        consent.given_by = ANONYMISED
        consent.withdrawn_by = ANONYMISED if consent.withdrawn_by else ""
        consent.withdrawal_note = ""
        session.add(consent)


@shared_write
def erase_referral(session: Session, by: User, referral_id: int) -> Referral:
    """Erase a referral that did not become a youth or family (an accepted one is erased with the
    person it became, from the admin's privacy page)."""
    begin_write(session)
    referral = lock(session, Referral, referral_id)
    if referral.organisation_id != by.organisation_id or by.role != "admin":
        raise NotFound(N_("The record no longer exists."))
    if referral.anonymised_at is not None:
        raise Conflict(N_("This referral has already been erased."))
    if referral.status == "accepted":
        raise Conflict(N_("This referral became a youth or a family: erase that person's data instead, which "
                          "erases the referral too."))
    if referral.status not in DECIDED_WITHOUT_MENTEE:
        raise Conflict(N_("Decline the referral first, or ask the referrer to withdraw it."))
    anonymise_referral(session, referral)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="erase",
                 record_type="Referral", record_id=referral.id, detail={"status": referral.status})
    session.commit()
    return referral


def due_referrals(session: Session, today: date, organisation_id: int | None = None) -> list[Referral]:
    """Declined and withdrawn referrals whose programme's retention period since the decision is over."""
    stmt = select(Referral).where(Referral.anonymised_at.is_(None), Referral.status.in_(DECIDED_WITHOUT_MENTEE))
    if organisation_id is not None:
        stmt = stmt.where(Referral.organisation_id == organisation_id)
    referrals = list(session.exec(stmt.order_by(Referral.id)))
    months = dict(session.exec(select(Program.id, Program.retention_months).where(
        Program.id.in_({r.program_id for r in referrals}))).all()) if referrals else {}
    due = []
    for referral in referrals:
        decided = (referral.decided_at or referral.updated_at).date()
        if today > add_months(decided, months.get(referral.program_id, 24)):
            due.append(referral)
    return due
