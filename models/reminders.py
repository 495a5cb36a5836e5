"""The daily reminders: gentle ones to volunteers, due check-ins to coordinators.

Run once a day (``makker reminders``); running it twice, or on two machines at once, sends
nothing twice: each e-mail carries a dedupe key that the outbox refuses to repeat.

A volunteer is reminded to log a meeting by the rhythm the pair agreed (weekly, every other
week, monthly): only when no meeting has been logged for the rhythm plus some grace, and at
most once per that interval. A pair that meets "as we agree" is never nagged; a pair that has
not agreed a rhythm is reminded after two quiet weeks, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from models.clock import utcnow
from models.emails import send
from models.matches import CheckIn, Match, MeetingLog
from models.mentees import Request
from models.organisations import Organisation, Program
from models.outbox import OutboxMessage
from models.proposals import mentee_name
from models.users import User
from models.volunteers import Volunteer
from models.writes import begin_write

VOLUNTEER_QUIET_DAYS = 14  # no rhythm agreed: remind when no meeting has been logged for this long...
VOLUNTEER_AT_MOST_EVERY_DAYS = 14  # ...and never more often than this
# Agreed rhythm -> (days between meetings, grace days before a reminder). None: never remind.
RHYTHM_REMINDER: dict[str, tuple[int, int] | None] = {
    "weekly": (7, 4),
    "biweekly": (14, 7),
    "monthly": (31, 7),
    "as_agreed": None,
}


def reminder_after_days(rhythm: str | None) -> int | None:
    """Days without a logged meeting before a reminder, by the agreed rhythm (None: never)."""
    if rhythm is None or rhythm not in RHYTHM_REMINDER:
        return VOLUNTEER_QUIET_DAYS
    pace = RHYTHM_REMINDER[rhythm]
    return None if pace is None else pace[0] + pace[1]


@dataclass
class ReminderReport:
    volunteers: int = 0
    coordinators: int = 0
    checkins: int = 0


def send_reminders(session: Session, today: date, base_url: str, organisation_id: int | None = None) -> ReminderReport:
    """Queue today's reminders in the outbox and commit; returns what was queued."""
    begin_write(session)  # two runs at once are decided one after the other (models.writes)
    report = ReminderReport()
    orgs = {o.id: o for o in session.exec(select(Organisation))}
    _volunteer_reminders(session, today, base_url, orgs, organisation_id, report)
    _checkin_reminders(session, today, base_url, orgs, organisation_id, report)
    session.commit()
    return report


def _volunteer_reminders(session: Session, today: date, base_url: str, orgs: dict, organisation_id: int | None,
                         report: ReminderReport) -> None:
    last = (select(MeetingLog.match_id, func.max(MeetingLog.met_on).label("last"))
            .group_by(MeetingLog.match_id).subquery())
    stmt = (select(Match, Volunteer, last.c.last).join(Volunteer, Volunteer.id == Match.volunteer_id)
            .outerjoin(last, last.c.match_id == Match.id)
            .where(Match.status == "active", Volunteer.anonymised_at.is_(None)))
    if organisation_id is not None:
        stmt = stmt.where(Match.organisation_id == organisation_id)
    for match, volunteer, last_met in session.exec(stmt):
        quiet_days = reminder_after_days(match.meeting_rhythm)
        since = last_met or match.started_on or match.intro_on
        if quiet_days is None or since is None or not volunteer.email or (today - since).days < quiet_days:
            continue
        # At most once per interval for this match, counted in the runs' days (the clock passed in).
        every = quiet_days if match.meeting_rhythm else VOLUNTEER_AT_MOST_EVERY_DAYS
        last = _last_reminded(session, volunteer.id, match.id)
        if last is not None and (today - last).days < every:
            continue
        coordinator = session.get(User, match.coordinator_id) if match.coordinator_id else None
        locale = session.get(User, volunteer.user_id).locale if volunteer.user_id else "da"
        message = send(session, "meeting_reminder", to=volunteer.email, locale=locale,
                       organisation_id=match.organisation_id,
                       dedupe_key=f"meeting-reminder:{volunteer.id}:m{match.id}:{today.isoformat()}",
                       name=volunteer.first_name, mentee=mentee_name(session, session.get(Request, match.request_id)),
                       link=f"{base_url}/frivillig/moede/{match.id}",
                       coordinator=coordinator.name if coordinator else orgs[match.organisation_id].name,
                       organisation=orgs[match.organisation_id].name)
        if message is not None:
            session.flush()  # the next volunteer's check sees this one
            report.volunteers += 1


def _last_reminded(session: Session, volunteer_id: int, match_id: int) -> date | None:
    """The day of the latest meeting reminder about this match, read from the outbox keys
    ("meeting-reminder:<volunteer>:m<match>:<day>"; keys before rhythms named no match)."""
    days = []
    for key in session.exec(select(OutboxMessage.dedupe_key).where(
            OutboxMessage.kind == "meeting_reminder",
            OutboxMessage.dedupe_key.like(f"meeting-reminder:{volunteer_id}:%"))):
        parts = key.split(":")
        if len(parts) == 4 and parts[2] != f"m{match_id}":
            continue  # another match of the same volunteer
        try:
            days.append(date.fromisoformat(parts[-1]))
        except ValueError:
            continue
    return max(days, default=None)


def _checkin_reminders(session: Session, today: date, base_url: str, orgs: dict, organisation_id: int | None,
                       report: ReminderReport) -> None:
    """One e-mail per coordinator listing the check-ins that fell due since the last one."""
    stmt = (select(CheckIn, Match).join(Match, Match.id == CheckIn.match_id)
            .where(CheckIn.done_on.is_(None), CheckIn.reminded_at.is_(None), CheckIn.due_on <= today)
            .order_by(CheckIn.due_on))
    if organisation_id is not None:
        stmt = stmt.where(Match.organisation_id == organisation_id)
    by_recipient: dict[int, list[tuple[CheckIn, Match]]] = {}
    staff_cache: dict[int, list[User]] = {}
    for checkin, match in session.exec(stmt):
        recipients = []
        if match.coordinator_id:
            responsible = session.get(User, match.coordinator_id)
            if responsible is not None and responsible.active:
                recipients = [responsible]
        if not recipients:
            if match.organisation_id not in staff_cache:
                staff_cache[match.organisation_id] = list(session.exec(select(User).where(
                    User.organisation_id == match.organisation_id, User.role == "coordinator", User.active)))
            recipients = staff_cache[match.organisation_id]
        for user in recipients:
            by_recipient.setdefault(user.id, []).append((checkin, match))
    programs = {p.id: p.name for p in session.exec(select(Program))}
    now = utcnow()
    for user_id, items in by_recipient.items():
        user = session.get(User, user_id)
        lines = [f"- {c.due_on:%d-%m-%Y} · {programs.get(m.program_id, '')} · "
                 f"{base_url}/koordinator/makkerpar/{m.id}" for c, m in items]
        message = send(session, "checkin_due", to=user.email, locale=user.locale, organisation_id=user.organisation_id,
                       dedupe_key=f"checkin-due:{user.id}:{today.isoformat()}", name=user.name, count=len(items),
                       items="\n".join(lines), link=f"{base_url}/koordinator/forloeb",
                       organisation=orgs[user.organisation_id].name)
        if message is not None:
            report.coordinators += 1
        for checkin, _match in items:
            if checkin.reminded_at is None:
                checkin.reminded_at = now
                session.add(checkin)
                report.checkins += 1
