"""Status reports to the referrer at the programme's rhythm, reminders to coordinators, and
the notice that a referred relationship has ended.

A status is written by a coordinator from a template (how it goes, agreements, concerns — in
words a family may read) and sent; the referrer gets an e-mail without personal data and reads
the status after signing in. Coordinators are reminded a week before a status is due, by a
daily job; a status past its date is on their at-risk list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, Conflict, DomainError, NotFound
from models.matches import Match
from models.organisations import Organisation, Program
from models.referrals.operations import tell_referrer
from models.referrals.queries import (
    current_match,
    latest_matches,
    settings_for,
    status_plans,
    status_sharing_allowed,
)
from models.referrals.schedule import REMIND_DAYS_BEFORE, answered_date
from models.referrals.tables import Referral, ReferralMessage, ReferralStatus
from models.risk_state import refresh_match_risk
from models.users import User
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write


def _lock_referral_and_match(session: Session, by: User, referral_id: int, *, staff_only: bool
                             ) -> tuple[Referral, Match | None]:
    """The referral and its current match, locked in the house's order (the match first, as
    erasure and closing do), both read after the lock; a referral the user may not act on is
    NotFound."""
    peek = session.exec(select(Referral.organisation_id, Referral.referrer_id, Referral.request_id)
                        .where(Referral.id == referral_id)).first()
    if peek is None or peek.organisation_id != by.organisation_id:
        raise NotFound(N_("The record no longer exists."))
    staff = by.role in ("coordinator", "admin")
    if not staff and (staff_only or peek.referrer_id != by.id):
        raise NotFound(N_("The record no longer exists."))
    seen = latest_matches(session, [peek.request_id]).get(peek.request_id) if peek.request_id else None
    match = lock(session, Match, seen.id) if seen is not None else None
    referral = lock(session, Referral, referral_id)
    if referral.request_id != peek.request_id:  # accepted in between: the match read is not its own
        raise Conflict(N_("The referral changed meanwhile. Nothing was saved; reload the page."))
    newest = current_match(session, referral)
    if (newest.id if newest else None) != (match.id if match else None):
        raise Conflict(N_("The match changed meanwhile. Nothing was saved; reload the page."))
    return referral, match


@shared_write
def stop_status_sharing(session: Session, by: User, referral_id: int, on: date, today: date) -> Referral:
    """The family no longer wants the referrer to get statuses (the rest of the consent stands)."""
    if on > today:
        raise DomainError(N_("The date cannot be in the future."), field="on")
    begin_write(session)
    referral, match = _lock_referral_and_match(session, by, referral_id, staff_only=False)
    if not referral.shares_status:
        raise Conflict(N_("Statuses are not shared for this referral."))
    referral.status_sharing_stopped_on, referral.version = on, referral.version + 1
    session.add(referral)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id, action="update",
                 record_type="Referral", record_id=referral.id, detail={"status_sharing_stopped_on": on.isoformat()})
    refresh_match_risk(session, today, [match.id if match else None])  # no status is overdue any more
    session.commit()
    return referral


# --- status reports ----------------------------------------------------------------------------

@dataclass
class StatusText:
    how_it_goes: str
    agreements: str = ""
    concerns: str = ""


@shared_write
def save_status(session: Session, by: User, referral_id: int, text: StatusText, today: date, *, send_now: bool,
                link_for_referrer: Callable[[Referral], str], submit_key: str | None = None) -> ReferralStatus:
    """Save the coordinator's status as a draft, or send it: the referrer gets an e-mail that a
    status is ready (no personal data) and reads it after signing in. A sent status answers the
    planned date it comes nearest (see ``models.referrals.schedule``)."""
    if send_now and not text.how_it_goes.strip():
        raise DomainError(N_("Write how it goes."), field="how_it_goes")
    begin_write(session)
    claim = claim_submission(session, submit_key, "referral_status", user_id=by.id,
                             already=N_("This status has already been saved. Nothing was saved twice."))
    # The match is locked too: a status is never sent for a match closed at the same moment.
    referral, match = _lock_referral_and_match(session, by, referral_id, staff_only=True)
    if referral.status != "accepted" or referral.id not in status_sharing_allowed(session, [referral]):
        raise DomainError(N_("Statuses are not shared for this referral: the family has not agreed to it, or "
                             "has withdrawn its consent."))
    if match is None or match.started_on is None or match.status == "closed":
        raise DomainError(N_("A status is written while the match goes on: this referral has no started match."))
    draft = session.exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id,
                                                      ReferralStatus.sent_at.is_(None))).first()
    status = draft or ReferralStatus(referral_id=referral.id)
    status.match_id = match.id
    status.how_it_goes = text.how_it_goes.strip()[:4000]
    status.agreements, status.concerns = text.agreements.strip()[:4000], text.concerns.strip()[:4000]
    status.written_by_id, status.written_at = by.id, utcnow()
    if send_now:
        settings = settings_for(session, referral.program_id)
        answered = list(session.exec(select(ReferralStatus.due_on).where(
            ReferralStatus.match_id == match.id, ReferralStatus.sent_at.is_not(None),
            ReferralStatus.due_on.is_not(None))).all())
        status.due_on = answered_date(match.started_on, settings.first_status_months, settings.status_every_months,
                                      answered, today)
        status.sent_on, status.sent_at, status.sent_by_id = today, utcnow(), by.id
    session.add(status)
    session.flush()
    note_result(claim, status.id)
    record_audit(session, organisation_id=referral.organisation_id, user_id=by.id,
                 action="create" if draft is None else "update", record_type="Referral", record_id=referral.id,
                 detail={"status_report": status.id, "sent": send_now,
                         "due_on": status.due_on.isoformat() if status.due_on else None})
    if send_now:
        tell_referrer(session, referral, "referral_status_ready", link_for_referrer(referral))
        refresh_match_risk(session, today, [match.id])  # the status is no longer overdue
    session.commit()
    return status


@dataclass
class NoticeReport:
    closure_notices: int = 0
    status_reminders: int = 0  # statuses coordinators were reminded of
    coordinators: int = 0  # e-mails to coordinators


def send_closure_notices(session: Session, base_url: str, organisation_id: int | None = None) -> NoticeReport:
    """Tell referrers that a referred relationship has ended, with the handover (what or who
    comes next): a notice on the thread and an e-mail without personal data, once per match.

    Run as a job every few minutes rather than from each way a match can close (the coordinator
    closing it, the volunteer leaving, an erasure), so none of them is missed. Only where the
    family agreed that the referrer gets statuses; relationships that never started are left out
    (the referral's page already says that the youth or family waits again).
    """
    begin_write(session)
    report = NoticeReport()
    noticed = select(ReferralMessage.match_id).where(ReferralMessage.kind == "closure",
                                                     ReferralMessage.match_id.is_not(None))
    stmt = (select(Match, Referral).join(Referral, Referral.request_id == Match.request_id)
            .where(Match.status == "closed", Match.started_on.is_not(None), Referral.status == "accepted",
                   Referral.status_consent, Referral.status_sharing_stopped_on.is_(None),
                   Referral.anonymised_at.is_(None), Match.id.not_in(noticed)).order_by(Match.id))
    if organisation_id is not None:
        stmt = stmt.where(Match.organisation_id == organisation_id)
    rows = list(session.exec(stmt))
    # Locked, and the notices looked up again under the lock: two runs at once notify once.
    lock_all(session, Referral, [r.id for _m, r in rows])
    noticed_now = set(session.exec(select(ReferralMessage.match_id).where(
        ReferralMessage.kind == "closure", ReferralMessage.match_id.in_([m.id for m, _r in rows]))).all()) \
        if rows else set()
    allowed = status_sharing_allowed(session, [r for _m, r in rows])
    for match, referral in rows:
        if referral.id not in allowed or match.id in noticed_now:
            continue
        session.add(ReferralMessage(referral_id=referral.id, author_id=match.coordinator_id, kind="closure",
                                    match_id=match.id, body=(match.next_step or "").strip()[:4000]))
        record_audit(session, organisation_id=referral.organisation_id, user_id=None, action="update",
                     record_type="Referral", record_id=referral.id, detail={"closure_notice": match.id})
        tell_referrer(session, referral, "referral_update", f"{base_url}/henviser/{referral.id}")
        report.closure_notices += 1
    session.commit()
    return report


def send_status_reminders(session: Session, today: date, base_url: str,
                          organisation_id: int | None = None) -> NoticeReport:
    """Daily: one e-mail per coordinator listing the statuses to referrers that fall due within a
    week (or are overdue) and were not in an earlier reminder; each planned date is reminded once.
    Safe to run twice, or twice at once: the referrals are locked and the date reminded read again
    under the lock, and the e-mail carries a dedupe key."""
    begin_write(session)
    report = NoticeReport()
    stmt = select(Organisation.id)
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    horizon = date.fromordinal(today.toordinal() + REMIND_DAYS_BEFORE)
    due = {org_id: [p for p in status_plans(session, organisation_id=org_id).values()
                    if p.next_due <= horizon and p.reminded_for != p.next_due]
           for org_id in list(session.exec(stmt.order_by(Organisation.id)))}
    # All at once, by ascending id (the house's lock order), across organisations.
    locked = {r.id: r for r in lock_all(session, Referral, [p.referral_id for plans in due.values() for p in plans])}
    for org_id, plans in due.items():
        plans = [p for p in plans if locked[p.referral_id].status_reminded_for != p.next_due]
        if not plans:
            continue
        staff = list(session.exec(select(User).where(User.organisation_id == org_id, User.role == "coordinator",
                                                     User.active).order_by(User.id)))
        by_recipient: dict[int, list] = {}
        for plan in sorted(plans, key=lambda p: (p.next_due, p.referral_id)):
            responsible = session.get(User, plan.coordinator_id) if plan.coordinator_id else None
            recipients = [responsible] if responsible is not None and responsible.active else staff
            for user in recipients:
                by_recipient.setdefault(user.id, []).append(plan)
        programs = {p.id: p.name for p in session.exec(select(Program).where(Program.organisation_id == org_id))}
        organisation = session.get(Organisation, org_id)
        for user_id, items in by_recipient.items():
            user = session.get(User, user_id)
            lines = [f"- {p.next_due:%d-%m-%Y} · {programs.get(p.program_id, '')} · "
                     f"{base_url}/koordinator/henvisninger/{p.referral_id}/status" for p in items]
            message = send(session, "referral_status_due", to=user.email, locale=user.locale,
                           organisation_id=org_id, dedupe_key=f"referral-status-due:{user.id}:{today.isoformat()}",
                           name=user.name, count=len(items), items="\n".join(lines),
                           link=f"{base_url}/koordinator/henvisninger/statusser", organisation=organisation.name)
            if message is not None:
                report.coordinators += 1
        for plan in plans:
            referral = locked[plan.referral_id]
            referral.status_reminded_for = plan.next_due
            session.add(referral)
            report.status_reminders += 1
    session.commit()
    return report
