"""Changing events: create and cancel, sign up and cancel a place (the waiting list moves up),
attendance with hours (the introductory course completes the training step), invitations and
the calendar feed.

Every decision about places is taken under the event's row lock (models.writes, lock order
volunteer -> event), so two volunteers taking the last place at once get one place and one
place on the waiting list, and a cancellation gives its place to exactly one next in line.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.emails import send
from models.errors import N_, AlreadyDone, DomainError, NotFound
from models.events.calendar import calendar_bytes, local
from models.events.queries import (
    ACTIVE_SIGNUPS,
    attendees,
    event_program_ids,
    invited_volunteers,
    is_invited,
    signup_of,
    taken_places,
    waiting_list,
)
from models.events.tables import (
    AUDIENCES,
    EVENT_KINDS,
    TRAINING_KIND,
    CalendarFeed,
    Event,
    EventProgram,
    EventSignup,
)
from models.members.tables import Membership
from models.organisations import Program
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from models.writes import (
    begin_write,
    claim_submission,
    lock,
    lock_all,
    note_result,
    peek_row,
    shared_write,
)

TRAINING_STEP = "training"
MAX_MINUTES = 24 * 60
# Written on a training step that attendance completed, so unticking by mistake can undo it.
COURSE_NOTE_PREFIX = "Introkursus: "


@dataclass
class EventDetails:
    """What the coordinator types; times are Danish wall-clock times."""

    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    program_ids: list[int] = field(default_factory=list)
    audience: list[str] = field(default_factory=lambda: ["waiting"])  # one or more of AUDIENCES
    place: str = ""
    online_url: str = ""
    capacity: int | None = None
    description: str = ""


def _check_details(session: Session, organisation_id: int, details: EventDetails, now: datetime) -> list[int]:
    if details.kind not in EVENT_KINDS:
        raise DomainError(N_("Choose what kind of event it is."), field="kind")
    if not details.title.strip():
        raise DomainError(N_("Give the event a title."), field="title")
    if not details.audience or any(a not in AUDIENCES for a in details.audience):
        raise DomainError(N_("Choose who is invited."), field="audience")
    if details.starts_at.utcoffset() is None or details.ends_at.utcoffset() is None:
        raise ValueError("event times must be aware (models.events.calendar.danish_time)")
    if details.ends_at <= details.starts_at:
        raise DomainError(N_("The event must end after it starts."), field="ends_at")
    if details.ends_at - details.starts_at > timedelta(days=3):
        raise DomainError(N_("An event can last at most three days."), field="ends_at")
    if details.starts_at < now - timedelta(days=1):
        raise DomainError(N_("The event cannot start in the past."), field="starts_at")
    if not details.place.strip() and not details.online_url.strip():
        raise DomainError(N_("Write where the event is, or the link to join online."), field="place")
    url = details.online_url.strip()
    if url and not (url.startswith("https://") or url.startswith("http://")):
        raise DomainError(N_("The online link must start with https://."), field="online_url")
    if details.capacity is not None and not 1 <= details.capacity <= 10000:
        raise DomainError(N_("The number of places must be between 1 and 10000 (or empty for no limit)."),
                          field="capacity")
    ids = sorted(set(details.program_ids))
    if not ids:
        raise DomainError(N_("Choose at least one programme."), field="program_ids")
    found = session.exec(select(Program.id).where(Program.organisation_id == organisation_id,
                                                  Program.id.in_(ids))).all()
    if len(found) != len(ids):
        raise DomainError(N_("Choose at least one programme."), field="program_ids")
    return ids


@shared_write
def create_event(session: Session, organisation_id: int, details: EventDetails, by: User, now: datetime,
                 submit_key: str | None = None) -> Event:
    """A new event for one or more programmes; the invitations go out as a job afterwards."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "create_event", user_id=by.id,
                             already=N_("This event has already been created."))
    ids = _check_details(session, organisation_id, details, now)
    event = Event(organisation_id=organisation_id, kind=details.kind, title=details.title.strip()[:200],
                  description=details.description.strip()[:4000], starts_at=details.starts_at.astimezone(UTC),
                  ends_at=details.ends_at.astimezone(UTC), place=details.place.strip()[:300],
                  online_url=details.online_url.strip()[:500], capacity=details.capacity,
                  audience=",".join(a for a in AUDIENCES if a in details.audience), created_by_id=by.id)
    session.add(event)
    session.flush()
    for program_id in ids:
        session.add(EventProgram(event_id=event.id, program_id=program_id))
    record_audit(session, organisation_id=organisation_id, user_id=by.id, action="create", record_type="Event",
                 record_id=event.id, detail={"event_kind": event.kind, "programs": ids})
    note_result(claim, event.id)
    session.commit()
    return event


def _when(event: Event) -> str:
    return local(event.starts_at).strftime("%d-%m-%Y kl. %H:%M")


def _place(event: Event) -> str:
    return event.place or event.online_url


def _locale(session: Session, volunteer: Volunteer) -> str:
    user = session.get(User, volunteer.user_id) if volunteer.user_id else None
    return user.locale if user else "da"


@shared_write
def cancel_event(session: Session, event_id: int, by: User, now: datetime, reason: str = "") -> Event:
    """Call the event off: everyone with a place or on the waiting list is told."""
    begin_write(session)
    event = lock(session, Event, event_id)
    if event.cancelled_at is not None:
        raise AlreadyDone(N_("The event has already been cancelled."), result_id=event.id)
    if event.ends_at < now:
        raise DomainError(N_("The event is over; it can no longer be cancelled."))
    event.cancelled_at = now
    event.version += 1
    session.add(event)
    for item in attendees(session, event.id):
        if item.signup.status in ACTIVE_SIGNUPS and item.volunteer.anonymised_at is None:
            send(session, "event_cancelled", to=item.volunteer.email, locale=_locale(session, item.volunteer),
                 organisation_id=event.organisation_id, name=item.volunteer.first_name, title=event.title,
                 when=_when(event), reason=reason.strip()[:1000],
                 dedupe_key=f"event_cancelled:{event.id}:{item.volunteer.id}")
    record_audit(session, organisation_id=event.organisation_id, user_id=by.id, action="update", record_type="Event",
                 record_id=event.id, detail={"cancelled": True})
    session.commit()
    return event


def _open_for_signup(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise DomainError(N_("The event has been cancelled."))
    if event.starts_at <= now:
        raise DomainError(N_("The event has started; sign-up is closed."))


@shared_write
def sign_up(session: Session, event_id: int, volunteer_id: int, now: datetime, by: User | None = None,
            submit_key: str | None = None) -> EventSignup:
    """A place if one is left, else a place on the waiting list (first come, first served)."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"event_sign_up:{event_id}", user_id=by.id if by else None,
                             already=N_("You are already signed up."))
    volunteer = lock(session, Volunteer, volunteer_id)
    event = lock(session, Event, event_id, missing=N_("The event no longer exists."))
    if event.organisation_id != volunteer.organisation_id:
        raise NotFound(N_("The event no longer exists."))
    _open_for_signup(event, now)
    signup = signup_of(session, event.id, volunteer.id)
    if signup is not None and signup.status in ACTIVE_SIGNUPS:
        raise AlreadyDone(N_("You are already signed up."), result_id=signup.id)
    if not is_invited(session, event, volunteer):
        raise DomainError(N_("This event is not for you. Ask your coordinator if you would like to come."))
    full = event.capacity is not None and taken_places(session, event.id) >= event.capacity
    if signup is None:
        signup = EventSignup(event_id=event.id, volunteer_id=volunteer.id)
    signup.status = "waiting" if full else "signed_up"
    signup.queued_at = signup.changed_at = now
    session.add(signup)
    record_audit(session, organisation_id=event.organisation_id, user_id=by.id if by else None, action="update",
                 record_type="Volunteer", record_id=volunteer.id,
                 detail={"event": event.id, "signup": signup.status})
    session.flush()
    note_result(claim, signup.id)
    session.commit()
    return signup


def _give_free_places(session: Session, event: Event, now: datetime, link: str = "") -> list[EventSignup]:
    """Move the first on the waiting list up while places are free (under the event's lock)."""
    moved = []
    if event.capacity is None:
        line = waiting_list(session, event.id)
    else:
        free = event.capacity - taken_places(session, event.id)
        line = waiting_list(session, event.id)[:max(free, 0)]
    for signup in line:
        signup.status, signup.changed_at = "signed_up", now
        session.add(signup)
        volunteer = session.get(Volunteer, signup.volunteer_id)
        send(session, "event_place_given", to=volunteer.email, locale=_locale(session, volunteer),
             organisation_id=event.organisation_id, name=volunteer.first_name, title=event.title, when=_when(event),
             place=_place(event), link=link)
        moved.append(signup)
    session.flush()
    return moved


@shared_write
def cancel_signup(session: Session, event_id: int, volunteer_id: int, now: datetime, by: User | None = None,
                  link: str = "") -> EventSignup:
    """Give the place back; the next on the waiting list gets it at once (and an e-mail)."""
    begin_write(session)
    lock(session, Volunteer, volunteer_id)
    event = lock(session, Event, event_id, missing=N_("The event no longer exists."))
    signup = signup_of(session, event.id, volunteer_id)
    if signup is None or signup.status not in ACTIVE_SIGNUPS:
        raise AlreadyDone(N_("You are not signed up any more."), result_id=signup.id if signup else None)
    if event.starts_at <= now:
        raise DomainError(N_("The event has started; tell your coordinator if you cannot come."))
    had_place = signup.status == "signed_up"
    signup.status, signup.changed_at = "cancelled", now
    session.add(signup)
    session.flush()
    if had_place and event.cancelled_at is None:
        _give_free_places(session, event, now, link)
    record_audit(session, organisation_id=event.organisation_id, user_id=by.id if by else None, action="update",
                 record_type="Volunteer", record_id=volunteer_id, detail={"event": event.id, "signup": "cancelled"})
    session.commit()
    return signup


@shared_write
def change_capacity(session: Session, event_id: int, capacity: int | None, by: User, now: datetime,
                    link: str = "") -> Event:
    """More places (or no limit) move the waiting list up; fewer places never take a place away."""
    begin_write(session)
    event = lock(session, Event, event_id)
    if capacity is not None and capacity < 1:
        raise DomainError(N_("The number of places must be between 1 and 10000 (or empty for no limit)."),
                          field="capacity")
    taken = taken_places(session, event.id)
    if capacity is not None and capacity < taken:
        raise DomainError(N_("%(n)s have a place already; the number of places cannot be lower."),
                          field="capacity", n=taken)
    event.capacity = capacity
    event.version += 1
    session.add(event)
    if event.cancelled_at is None and event.starts_at > now:
        _give_free_places(session, event, now, link)
    record_audit(session, organisation_id=event.organisation_id, user_id=by.id, action="update", record_type="Event",
                 record_id=event.id, detail={"capacity": capacity})
    session.commit()
    return event


@dataclass
class AttendanceReport:
    attended: int = 0
    minutes: int = 0
    training_done: list[int] = field(default_factory=list)  # volunteer ids whose course step was completed
    training_undone: list[int] = field(default_factory=list)


def _complete_training(session: Session, volunteer: Volunteer, event: Event, by: User, attended: bool,
                       report: AttendanceReport, program_ids: list[int], places: list[Membership]) -> None:
    """Attending the introductory course completes the training step of each programme the
    course is for, with its date: the person's screening for the programme they first joined,
    the place's own step for a further programme (issue 15). Unticking a mistake puts back a
    step this course had completed (nothing else)."""
    course_day = local(event.starts_at).date()
    for place in places:
        program = session.get(Program, place.program_id)
        if TRAINING_STEP not in (program.required_steps or []):
            continue
        if attended and TRAINING_STEP not in place.own_steps:
            place.own_steps = {**place.own_steps, TRAINING_STEP: course_day.isoformat()}
        elif not attended and place.status == "applied" and place.own_steps.get(TRAINING_STEP) == course_day.isoformat():
            place.own_steps = {k: v for k, v in place.own_steps.items() if k != TRAINING_STEP}
        else:
            continue
        session.add(place)
        (report.training_done if attended else report.training_undone).append(volunteer.id)
    program = session.get(Program, volunteer.program_id)
    if volunteer.program_id not in program_ids or TRAINING_STEP not in (program.required_steps or []):
        return
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                    ScreeningStep.step == TRAINING_STEP)).first()
    marker = f"{COURSE_NOTE_PREFIX}{event.title}"[:2000]
    if attended:
        if step is not None and step.status in ("done", "approved"):
            return  # already trained (an earlier course, or typed in): keep that date
        if volunteer.status not in ("applicant", "screening", "approved"):
            return
        step = step or ScreeningStep(volunteer_id=volunteer.id, step=TRAINING_STEP)
        step.status, step.step_date, step.note = "done", course_day, marker
        step.recorded_by_id, step.recorded_at = by.id, utcnow()
        session.add(step)
        if volunteer.status == "applicant":
            volunteer.status = "screening"
            session.add(volunteer)
        report.training_done.append(volunteer.id)
    elif (step is not None and step.status == "done" and step.step_date == course_day and step.note == marker
          and volunteer.status in ("applicant", "screening")):
        step.status, step.step_date, step.note = "pending", None, ""
        step.recorded_by_id, step.recorded_at = by.id, utcnow()
        session.add(step)
        report.training_undone.append(volunteer.id)


def _further_places(session: Session, volunteers: list[Volunteer], program_ids: list[int]) -> dict[int, list[Membership]]:
    """The places (locked, after the people) of the course's programmes that are not the
    person's first one: an intro course there completes that place's own step."""
    from models.members.tables import Membership

    ids = list(session.exec(select(Membership.id).where(
        Membership.volunteer_id.in_([v.id for v in volunteers]), Membership.program_id.in_(program_ids),
        Membership.status != "left").order_by(Membership.id)))
    first = {v.id: v.program_id for v in volunteers}
    places: dict[int, list[Membership]] = {}
    for place in lock_all(session, Membership, ids):
        if place.program_id != first[place.volunteer_id]:
            places.setdefault(place.volunteer_id, []).append(place)
    return places


@shared_write
def record_attendance(session: Session, event_id: int, attended: dict[int, int], by: User, today: date,
                      submit_key: str | None = None) -> AttendanceReport:
    """Who came, with the minutes each gave (``attended``: signup id -> minutes); everyone else
    on the list did not come. Saving again replaces the earlier record."""
    for _attempt in range(3):
        begin_write(session)
        claim = claim_submission(session, submit_key, f"event_attendance:{event_id}", user_id=by.id,
                                 already=N_("The attendance has already been saved."))
        peek = peek_row(session, Event, event_id)
        # Lock order volunteer -> event: the people on the list first, then the event; if the
        # list changed between the two, start again (someone signed up at that moment).
        volunteer_ids = sorted(set(session.exec(select(EventSignup.volunteer_id)
                                                .where(EventSignup.event_id == peek.id))))
        volunteers = {v.id: v for v in lock_all(session, Volunteer, volunteer_ids)}
        program_ids = event_program_ids(session, peek.id)
        places = _further_places(session, list(volunteers.values()), program_ids) \
            if peek.kind == TRAINING_KIND else {}
        event = lock(session, Event, event_id)
        signups = list(session.exec(select(EventSignup).where(EventSignup.event_id == event.id)
                                    .execution_options(populate_existing=True)))
        if {s.volunteer_id for s in signups} <= set(volunteers):
            break
        session.rollback()
    else:
        from models.errors import Conflict
        from models.writes import CONFLICT_MESSAGE

        raise Conflict(CONFLICT_MESSAGE)
    if event.cancelled_at is not None:
        raise DomainError(N_("The event has been cancelled."))
    if local(event.starts_at).date() > today:
        raise DomainError(N_("Attendance can be recorded from the day of the event."))
    unknown = set(attended) - {s.id for s in signups}
    if unknown:
        raise DomainError(N_("Someone on the list is no longer signed up; reload the page."))
    report = AttendanceReport()
    for signup in signups:
        minutes = attended.get(signup.id)
        came = minutes is not None
        if came and not 0 <= minutes <= MAX_MINUTES:
            raise DomainError(N_("Hours must be between 0 and 24."), field=f"hours_{signup.id}")
        if not came and signup.status == "cancelled" and not signup.attended:
            continue
        signup.attended, signup.minutes = came, (minutes or 0) if came else 0
        signup.recorded_by_id, signup.changed_at = by.id, utcnow()
        session.add(signup)
        if came:
            report.attended += 1
            report.minutes += signup.minutes
        if event.kind == TRAINING_KIND:
            _complete_training(session, volunteers[signup.volunteer_id], event, by, came, report, program_ids,
                               places.get(signup.volunteer_id, []))
        record_audit(session, organisation_id=event.organisation_id, user_id=by.id, action="update",
                     record_type="Volunteer", record_id=signup.volunteer_id,
                     detail={"event": event.id, "attended": came, "minutes": signup.minutes})
    event.attendance_recorded_at = utcnow()
    session.add(event)
    note_result(claim, event.id)
    session.commit()
    return report


# --- invitations (a job on the task queue) ----------------------------------------------------

@dataclass
class InvitationReport:
    events: int = 0
    queued: int = 0

    def describe(self) -> str:
        return f"{self.queued} invitations queued for {self.events} events"


KIND_NAMES = {
    "da": {"intro_course": "introkursus", "network_meeting": "netværksmøde", "supervision": "supervision",
           "theme_evening": "temaaften", "social": "socialt arrangement"},
    "en": {"intro_course": "introductory course", "network_meeting": "network meeting",
           "supervision": "supervision", "theme_evening": "theme evening", "social": "social gathering"},
}


def queue_invitations(session: Session, event_id: int, domain: str, link: str = "") -> InvitationReport:
    """E-mail each invited volunteer once (with the event as an .ics attachment).

    Idempotent: each invitation carries a dedupe key, so running it again (the daily job, a
    second delivery of the queue's message) only reaches volunteers who joined the audience since.
    """
    begin_write(session)
    event = session.get(Event, event_id, populate_existing=True)
    report = InvitationReport(events=1)
    if event is None or event.cancelled_at is not None:
        session.rollback()
        return InvitationReport()
    ics = calendar_bytes([event], domain, links={event.id: link}, method="PUBLISH").decode("utf-8")
    program_ids = event_program_ids(session, event.id)
    for volunteer in session.exec(invited_volunteers(event, program_ids)):
        if not volunteer.email or volunteer.email.endswith("@invalid"):
            continue
        locale = _locale(session, volunteer)
        capacity = "" if event.capacity is None else (
            f"Pladser: {event.capacity}" if locale == "da" else f"Places: {event.capacity}")
        sent = send(session, "event_invitation", to=volunteer.email, locale=locale,
                    organisation_id=event.organisation_id, dedupe_key=f"event_invite:{event.id}:{volunteer.id}",
                    attachment=(f"arrangement-{event.id}.ics", "text/calendar", ics), name=volunteer.first_name,
                    event_kind=KIND_NAMES.get(locale, KIND_NAMES["da"]).get(event.kind, event.kind), title=event.title,
                    when=_when(event), place=_place(event), places=capacity, description=event.description, link=link)
        if sent is not None:
            report.queued += 1
    event.invitations_queued_at = event.invitations_queued_at or utcnow()
    session.add(event)
    session.commit()
    return report


def invite_to_coming_events(session: Session, now: datetime, domain: str, link_for=None) -> InvitationReport:  # noqa: ANN001
    """Daily: volunteers who joined an audience since (e.g. newly approved and waiting) are invited
    to the coming events too."""
    ids = list(session.exec(select(Event.id).where(Event.cancelled_at.is_(None),
                                                   Event.starts_at > now).order_by(Event.id)))
    session.rollback()
    total = InvitationReport()
    for event_id in ids:
        report = queue_invitations(session, event_id, domain, link_for(event_id) if link_for else "")
        total.events += report.events
        total.queued += report.queued
    return total


# --- the personal calendar feed ------------------------------------------------------------------

def feed_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@shared_write
def new_calendar_feed(session: Session, volunteer_id: int, by: User) -> str:
    """A new secret feed address (the old one stops working); returns the token, shown once."""
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    _revoke(session, volunteer.id)
    token = secrets.token_urlsafe(32)
    session.add(CalendarFeed(volunteer_id=volunteer.id, token_hash=feed_hash(token)))
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"calendar_feed": "new"})
    session.commit()
    return token


def _revoke(session: Session, volunteer_id: int) -> int:
    n = 0
    for feed in session.exec(select(CalendarFeed).where(CalendarFeed.volunteer_id == volunteer_id,
                                                        CalendarFeed.revoked_at.is_(None))):
        feed.revoked_at = utcnow()
        session.add(feed)
        n += 1
    session.flush()
    return n


@shared_write
def revoke_calendar_feed(session: Session, volunteer_id: int, by: User) -> int:
    """The feed address stops working at once."""
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id)
    n = _revoke(session, volunteer.id)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=by.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"calendar_feed": "revoked"})
    session.commit()
    return n


def feed_owner(session: Session, token: str) -> Volunteer | None:
    """The volunteer whose active feed the token opens (None: unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == feed_hash(token),
                                                   CalendarFeed.revoked_at.is_(None))).first()
    if feed is None:
        return None
    volunteer = session.get(Volunteer, feed.volunteer_id)
    return volunteer if volunteer is not None and volunteer.anonymised_at is None else None


def has_calendar_feed(session: Session, volunteer_id: int) -> bool:
    return session.exec(select(CalendarFeed.id).where(CalendarFeed.volunteer_id == volunteer_id,
                                                      CalendarFeed.revoked_at.is_(None))).first() is not None


# --- erasure and export ----------------------------------------------------------------------------

def release_places(session: Session, volunteer_id: int, now: datetime) -> None:
    """On erasure (volunteer locked): coming places go to the waiting list, feeds stop (no commit)."""
    event_ids = sorted(set(session.exec(select(EventSignup.event_id).where(
        EventSignup.volunteer_id == volunteer_id, EventSignup.status.in_(ACTIVE_SIGNUPS)))))
    for event in lock_all(session, Event, event_ids):
        signup = signup_of(session, event.id, volunteer_id)
        if signup is None or signup.status not in ACTIVE_SIGNUPS or event.starts_at <= now:
            continue
        had_place = signup.status == "signed_up"
        signup.status, signup.changed_at = "cancelled", now
        session.add(signup)
        session.flush()
        if had_place and event.cancelled_at is None:
            _give_free_places(session, event, now)
    _revoke(session, volunteer_id)
    for feed in session.exec(select(CalendarFeed).where(CalendarFeed.volunteer_id == volunteer_id)):
        session.delete(feed)


def export_events(session: Session, volunteer_id: int) -> list[dict]:
    """The volunteer's sign-ups and attendance, for their data export."""
    rows = session.exec(select(EventSignup, Event).join(Event, Event.id == EventSignup.event_id)
                        .where(EventSignup.volunteer_id == volunteer_id).order_by(Event.starts_at)).all()
    return [{"event": e.title, "kind": e.kind, "starts_at": e.starts_at.isoformat(), "place": e.place,
             "status": s.status, "attended": s.attended, "minutes": s.minutes} for s, e in rows]
