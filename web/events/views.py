"""Events: coordinators create them and tick attendance at the door; volunteers sign up or
cancel in one tap and add them to their calendar; a personal feed that can be revoked."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.audit import record_view
from models.clock import today, utcnow
from models.errors import AlreadyDone, DomainError
from models.events.calendar import calendar_bytes, danish_time, local
from models.events.operations import (
    EventDetails,
    cancel_event,
    cancel_signup,
    change_capacity,
    create_event,
    feed_owner,
    has_calendar_feed,
    new_calendar_feed,
    record_attendance,
    revoke_calendar_feed,
    sign_up,
)
from models.events.queries import (
    attendees,
    counts_by_event,
    filter_events,
    hours_by_volunteer,
    program_names,
    signup_of,
    taken_places,
    upcoming_for_volunteer,
    volunteer_calendar_events,
    waiting_list,
)
from models.events.tables import EVENT_KINDS, Event
from models.organisations import Program
from web.database import get_db
from web.events.forms import CancelEventForm, CapacityForm, EventForm, RevokeFeedForm
from web.forms import apply_domain_error, attempt_action, attempt_write, new_submit_key
from web.i18n import error_message
from web.jobs.queue import enqueue
from web.links import public_base_url, public_url
from web.pagination import paginate
from web.params import record_id
from web.policy import load, own_volunteer, public, require, require_area, scope

bp = Blueprint("events", __name__)
ICS = "text/calendar; charset=utf-8"


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"new_submit_key": new_submit_key}


def _domain() -> str:
    return urlsplit(public_base_url()).netloc or "makker"


def _volunteer_link(event_id: int) -> str:
    return public_url("events.volunteer_event", event_id=event_id)


# --- the coordinator's events -----------------------------------------------------------------

@bp.get("/koordinator/arrangementer")
def index() -> str:
    require_area("coordinator")
    db = get_db()
    when = request.args.get("vis", "coming")
    when = when if when in ("coming", "past") else "coming"
    kind = request.args.get("kind", "")
    kind = kind if kind in EVENT_KINDS else ""
    programs = list(db.exec(scope(Program).order_by(Program.name)))
    program_id = request.args.get("program", type=record_id)
    program_id = program_id if program_id in {p.id for p in programs} else None
    search = (request.args.get("q") or "").strip()[:100]
    page = paginate(db, filter_events(current_user.organisation_id, when, utcnow(), kind, program_id, search))
    ids = [e.id for e in page.items]
    return render_template("events/index.html", page=page, when=when, kind=kind, programs=programs,
                           program_id=program_id, counts=counts_by_event(db, ids), names=program_names(db, ids),
                           kinds=EVENT_KINDS, local=local, search=search)


def _details(form: EventForm) -> EventDetails:
    starts = danish_time(datetime.combine(form.day.data, form.starts.data))
    ends = danish_time(datetime.combine(form.day.data, form.ends.data))
    if ends <= starts:  # an evening that ends after midnight
        ends = danish_time(datetime.combine(form.day.data + timedelta(days=1), form.ends.data))
    return EventDetails(kind=form.kind.data, title=form.title.data or "", starts_at=starts, ends_at=ends,
                        program_ids=list(form.program_ids.data or []), audience=list(form.audience.data or []),
                        place=form.place.data or "", online_url=form.online_url.data or "",
                        capacity=form.capacity.data, description=form.description.data or "")


@bp.route("/koordinator/arrangementer/nyt", methods=["GET", "POST"])
def new() -> str | Response:
    require("manage", record_type="Event")
    db = get_db()
    programs = list(db.exec(scope(Program).where(Program.active).order_by(Program.name)))
    form = EventForm()
    form.program_ids.choices = [(p.id, p.name) for p in programs]
    if request.method == "GET" and len(programs) == 1:
        form.program_ids.data = [programs[0].id]
    if form.validate_on_submit():
        try:
            event = create_event(db, current_user.organisation_id, _details(form), current_user, utcnow(),
                                 submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("events.show", event_id=done.result_id) if done.result_id
                            else url_for("events.index"))
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            enqueue("event_invitations", event.id)
            flash(_("The event is created. The invitations are being sent."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/new.html", form=form), (400 if request.method == "POST" else 200)


@bp.get("/koordinator/arrangementer/<int:event_id>")
def show(event_id: int) -> str:
    event = load(Event, event_id, "manage")
    db = get_db()
    people = attendees(db, event.id)
    record_view(db, organisation_id=event.organisation_id, user_id=current_user.id, record_type="Event",
                record_id=event.id, detail={"attendees": len(people)})
    return render_template("events/show.html", event=event, people=people, local=local,
                           names=program_names(db, [event.id])[event.id], taken=taken_places(db, event.id),
                           capacity_form=CapacityForm(capacity=event.capacity), now=utcnow(),
                           attendance_open=local(event.starts_at).date() <= today())


def _hours(text: str) -> int | None:
    """Hours typed as "2", "2,5" or "2.5" -> minutes; None when it is not a number of hours."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return round(value * 60) if 0 <= value <= 24 else None


@bp.route("/koordinator/arrangementer/<int:event_id>/fremmoede", methods=["GET", "POST"])
def attendance(event_id: int) -> str | Response:
    event = load(Event, event_id, "manage")
    db = get_db()
    people = [p for p in attendees(db, event.id) if p.signup.status != "cancelled" or p.signup.attended]
    default_hours = round((event.ends_at - event.starts_at).total_seconds() / 3600, 2)
    errors: dict[int, str] = {}
    form_errors: list[str] = []
    typed: dict[int, str] = {}
    came: set[int] = set()
    if request.method == "POST":
        came = {int(v) for v in request.form.getlist("came") if v.isdigit()}
        chosen: dict[int, int] = {}
        for p in people:
            typed[p.signup.id] = request.form.get(f"hours_{p.signup.id}", "")
            if p.signup.id in came:
                minutes = _hours(typed[p.signup.id]) if typed[p.signup.id].strip() else round(default_hours * 60)
                if minutes is None:
                    errors[p.signup.id] = _("Write the hours as a number from 0 to 24, e.g. 2,5.")
                else:
                    chosen[p.signup.id] = minutes
        if not errors:
            try:
                report = record_attendance(db, event.id, chosen, current_user, today(),
                                           submit_key=request.form.get("submit_key"))
            except AlreadyDone as done:
                flash(error_message(done), "info")
                return redirect(url_for("events.show", event_id=event.id))
            except DomainError as error:
                db.rollback()
                form_errors.append(error_message(error))
            else:
                message = _("Attendance saved: %(n)s came.", n=report.attended)
                if report.training_done:
                    message += " " + _("The training step is marked done for %(n)s.", n=len(report.training_done))
                flash(message, "success")
                return redirect(url_for("events.show", event_id=event.id))
    else:
        came = {p.signup.id for p in people if p.signup.attended}
        typed = {p.signup.id: (_format_hours(p.signup.minutes) if p.signup.attended else "") for p in people}
    return render_template("events/attendance.html", event=event, people=people, came=came, typed=typed,
                           errors=errors, form_errors=form_errors, default_hours=_format_hours(default_hours * 60),
                           submit_key=request.form.get("submit_key") or new_submit_key(), local=local,
                           open=local(event.starts_at).date() <= today()), (400 if errors or form_errors else 200)


def _format_hours(minutes: float) -> str:
    value = round(minutes / 60, 2)
    text = f"{value:g}"
    return text.replace(".", ",")


@bp.post("/koordinator/arrangementer/<int:event_id>/pladser")
def capacity(event_id: int) -> Response:
    event = load(Event, event_id, "manage")
    form = CapacityForm()
    db = get_db()
    if not form.validate():
        flash(" ".join(str(e) for e in form.capacity.errors), "error")
        return redirect(url_for("events.show", event_id=event.id))
    if attempt_action(lambda: change_capacity(db, event.id, form.capacity.data, current_user, utcnow(),
                                              link=_volunteer_link(event.id))):
        flash(_("The number of places is saved."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/koordinator/arrangementer/<int:event_id>/aflys", methods=["GET", "POST"])
def cancel(event_id: int) -> str | Response:
    event = load(Event, event_id, "manage")
    form = CancelEventForm()
    db = get_db()
    if form.validate_on_submit() and attempt_write(
            form, lambda: cancel_event(db, event.id, current_user, utcnow(), form.reason.data or ""),
            back=url_for("events.show", event_id=event.id)):
        flash(_("The event is cancelled; everyone signed up is told by e-mail."), "success")
        return redirect(url_for("events.show", event_id=event.id))
    people = sum(1 for p in attendees(db, event.id) if p.signup.status in ("signed_up", "waiting"))
    return render_template("events/cancel.html", event=event, form=form, people=people, local=local), \
        (400 if request.method == "POST" else 200)


@bp.post("/koordinator/arrangementer/<int:event_id>/inviter")
def invite(event_id: int) -> Response:
    event = load(Event, event_id, "manage")
    enqueue("event_invitations", event.id)
    flash(_("Invitations are being sent to those invited who have not had one yet."), "success")
    return redirect(url_for("events.show", event_id=event.id))


# --- the volunteer's events --------------------------------------------------------------------

@bp.get("/frivillig/arrangementer")
def mine() -> str:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    attended, minutes = hours_by_volunteer(db, volunteer.id)
    return render_template("events/mine.html", items=upcoming_for_volunteer(db, volunteer, utcnow(), limit=50),
                           local=local, has_feed=has_calendar_feed(db, volunteer.id), attended=attended,
                           hours=minutes / 60)


@bp.get("/frivillig/arrangementer/<int:event_id>")
def volunteer_event(event_id: int) -> str:
    event = load(Event, event_id, "attend")
    volunteer = own_volunteer(current_user)
    db = get_db()
    signup = signup_of(db, event.id, volunteer.id)
    position = None
    if signup is not None and signup.status == "waiting":
        position = [s.id for s in waiting_list(db, event.id)].index(signup.id) + 1
    left = None if event.capacity is None else max(event.capacity - taken_places(db, event.id), 0)
    return render_template("events/volunteer_event.html", event=event, signup=signup, position=position,
                           left=left, local=local, now=utcnow(), names=program_names(db, [event.id])[event.id])


def _back() -> str:
    target = request.form.get("next", "")
    # Only our own pages: a path on this site, never another host.
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("volunteer.home")


@bp.post("/frivillig/arrangementer/<int:event_id>/tilmeld")
def volunteer_sign_up(event_id: int) -> Response:
    event = load(Event, event_id, "attend")
    db = get_db()
    if signed := attempt_action(lambda: sign_up(db, event.id, own_volunteer(current_user).id, utcnow(),
                                                by=current_user, submit_key=request.form.get("submit_key"))):
        if signed.value.status == "waiting":
            flash(_("The event is full. You are on the waiting list and get an e-mail if a place becomes free."),
                  "info")
        else:
            flash(_("You are signed up for %(title)s.", title=event.title), "success")
    return redirect(_back())


@bp.post("/frivillig/arrangementer/<int:event_id>/afmeld")
def volunteer_cancel(event_id: int) -> Response:
    event = load(Event, event_id, "attend")
    db = get_db()
    if attempt_action(lambda: cancel_signup(db, event.id, own_volunteer(current_user).id, utcnow(),
                                            by=current_user, link=_volunteer_link(event.id))):
        flash(_("You have cancelled your place at %(title)s.", title=event.title), "success")
    return redirect(_back())


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/frivillig/arrangementer/<int:event_id>/kalender.ics")
def event_ics(event_id: int) -> Response:
    event = load(Event, event_id, "attend")
    return _ics_response(calendar_bytes([event], _domain(), links={event.id: _volunteer_link(event.id)}),
                         f"arrangement-{event.id}.ics")


@bp.route("/frivillig/kalender", methods=["GET", "POST"])
def calendar_feed() -> str | Response:
    """The personal feed address: made (or made anew) here, shown once, stopped with a confirmation."""
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    address = None
    if request.method == "POST":
        token = new_calendar_feed(db, volunteer.id, current_user)
        address = public_url("events.feed", token=token)
    return render_template("events/calendar.html", address=address, has_feed=has_calendar_feed(db, volunteer.id),
                           form=RevokeFeedForm())


@bp.post("/frivillig/kalender/stop")
def revoke_feed() -> str | Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    form = RevokeFeedForm()
    if not form.validate():
        return render_template("events/calendar.html", address=None, has_feed=has_calendar_feed(db, volunteer.id),
                               form=form), 400
    revoke_calendar_feed(db, volunteer.id, current_user)
    flash(_("The calendar address is stopped. Calendars that use it get no more events."), "success")
    return redirect(url_for("events.calendar_feed"))


@bp.get("/kalender/<token>.ics")
@public
def feed(token: str) -> Response:
    """A read-only feed of one volunteer's own events; the secret address is the key."""
    db = get_db()
    volunteer = feed_owner(db, token)
    if volunteer is None:
        abort(404)
    events = volunteer_calendar_events(db, volunteer.id, utcnow() - timedelta(days=90))
    links = {e.id: _volunteer_link(e.id) for e in events}
    response = _ics_response(calendar_bytes(events, _domain(), name="Makker", links=links), "makker.ics")
    response.headers["Content-Disposition"] = 'inline; filename="makker.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response



# The blueprint's other pages, one module per noun.
from web.events import leaving, retention  # noqa: E402, F401
