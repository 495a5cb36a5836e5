"""The volunteer's own pages: home, log a meeting, profile, pause, data, answering a proposal."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from models.clock import today, utcnow
from models.errors import AlreadyDone, DomainError
from models.events.calendar import local
from models.events.queries import upcoming_for_volunteer
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Match, MeetingLog
from models.meetings import (
    accept_match,
    decline_match,
    log_meeting,
    request_end,
    set_meeting_rhythm,
)
from models.members.queries import programme_lines, programmes_to_join
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Program
from models.proposals import mentee_name
from models.screening import screening_checklist
from models.users import User
from models.volunteer_profile import (
    erase_volunteer,
    export_volunteer,
    pause_availability,
    update_profile,
)
from web.auth.forms import SignOutEverywhereForm
from web.database import get_db
from web.forms import RhythmForm, apply_domain_error
from web.i18n import error_message
from web.members.views import place_forms
from web.policy import load, own_volunteer, require, require_area, scope
from web.security import sign_out
from web.volunteer.details import details_from, show_error, widgets_for
from web.volunteer.forms import (
    MEETING_ACTIVITY_CHOICES,
    DeleteForm,
    MeetingForm,
    PauseForm,
    ReasonForm,
    VolunteerProfileForm,
)

bp = Blueprint("volunteer", __name__, url_prefix="/frivillig")


def _mentee_summary(match: Match) -> dict:
    """The minimum a volunteer may know: first name, age, interests, the need, the intro note."""
    db = get_db()
    req = db.get(Request, match.request_id)
    if req.youth_id:
        youth = db.get(Youth, req.youth_id)
        who, age, interests = youth.first_name, today().year - youth.birth_year, youth.interests
    else:
        household = db.get(Household, req.household_id)
        members = db.exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id)).all()
        who = household.family_name
        age = None
        interests = household.interests
        who = f"{who} ({', '.join(m.first_name for m in members)})" if members else who
    coordinator = db.get(User, match.coordinator_id) if match.coordinator_id else None
    checkins = db.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.done_on.is_(None),
                                             CheckIn.due_on >= today()).order_by(CheckIn.due_on).limit(2)).all()
    last = db.exec(select(MeetingLog).where(MeetingLog.match_id == match.id)
                   .order_by(MeetingLog.met_on.desc()).limit(3)).all()
    return {"match": match, "who": who, "age": age, "interests": interests, "need": req.need,
            "coordinator": coordinator, "checkins": checkins, "meetings": last}


@bp.get("/")
def home() -> str:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    matches = list(db.exec(scope(Match).where(Match.status.in_(OPEN_MATCH_STATUSES)).order_by(Match.created_at)))
    # Earlier matches that started, with what or who came next (the handover).
    earlier = list(db.exec(scope(Match).where(Match.status == "closed", Match.started_on.is_not(None))
                           .order_by(Match.closed_on.desc()).limit(20)))
    program = db.get(Program, volunteer.program_id)
    waiting = (today() - volunteer.pool_since).days if volunteer.pool_since else None
    events = upcoming_for_volunteer(db, volunteer, utcnow(), limit=5)
    lines = programme_lines(db, volunteer, utcnow())  # every programme they are in (issue 15)
    return render_template("volunteer/home.html", volunteer=volunteer, checklist=screening_checklist(db, volunteer),
                           events=events, local=local, programme_lines=lines, place_forms=place_forms(lines),
                           open_programmes=sum(line.membership.status != "left" for line in lines),
                           can_join=volunteer.status == "approved" and bool(programmes_to_join(db, volunteer)),
                           summaries=[_mentee_summary(m) for m in matches], program=program, waiting=waiting,
                           today=today(), earlier=[(m, mentee_name(db, db.get(Request, m.request_id))) for m in earlier],
                           rhythm_forms={m.id: RhythmForm(rhythm=m.meeting_rhythm, prefix=f"m{m.id}") for m in matches})


@bp.route("/moede/<int:match_id>", methods=["GET", "POST"])
def log(match_id: int) -> str | Response:
    match = load(Match, match_id, "log_meeting")
    form = MeetingForm()
    if request.method == "GET":
        form.met_on.data = today()
    chosen = request.form.getlist("activities") if request.method == "POST" else []
    if form.validate_on_submit():
        try:
            log_meeting(get_db(), match, own_volunteer(current_user), today(), met_on=form.met_on.data,
                        minutes=int(form.minutes.data), activities=chosen, note=form.note.data or "",
                        rating=int(form.rating.data), needs_contact=bool(form.needs_contact.data),
                        submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("volunteer.home"))
        except DomainError as error:
            get_db().rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("Thank you! The meeting is saved.") + (
                " " + _("Your coordinator will contact you.") if form.needs_contact.data else ""), "success")
            return redirect(url_for("volunteer.home"))
    return render_template("volunteer/log.html", form=form, match=match, activities=MEETING_ACTIVITY_CHOICES,
                           chosen=set(chosen)), (400 if request.method == "POST" else 200)


@bp.route("/profil", methods=["GET", "POST"])
def profile() -> str | Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("update", volunteer)
    program = get_db().get(Program, volunteer.program_id)
    form = VolunteerProfileForm(obj=volunteer if request.method == "GET" else None)
    if request.method == "GET":
        form.experience.data = str(volunteer.experience)
        form.mentee_gender_wish.data = volunteer.mentee_gender_wish or ""
    extra: dict[str, list[str]] = {}
    details = None
    if request.method == "POST":
        details, language_errors = details_from(form, program.interests)
        if language_errors:
            extra["languages"] = language_errors
    if form.validate_on_submit() and not extra:
        try:
            update_profile(get_db(), volunteer, details, today(), current_user)
        except DomainError as error:
            get_db().rollback()
            show_error(form, error, extra)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("volunteer.profile"))
    return render_template("volunteer/profile.html", form=form, extra=extra, volunteer=volunteer,
                           pause_form=PauseForm(paused_until=volunteer.paused_until),
                           sign_out_form=SignOutEverywhereForm(),
                           w=widgets_for(details, volunteer, program.interests)), (400 if request.method == "POST" else 200)


@bp.post("/pause")
def pause() -> Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("update", volunteer)
    form = PauseForm()
    until = form.paused_until.data if form.validate() else None
    try:
        pause_availability(get_db(), volunteer, until if request.form.get("action") != "resume" else None, today())
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        flash(_("You are on a pause until %(date)s.", date=until.strftime("%d-%m-%Y")) if until and
              request.form.get("action") != "resume" else _("You are available again."), "success")
    return redirect(url_for("volunteer.profile"))


@bp.route("/makkerpar/<int:match_id>/stop", methods=["GET", "POST"])
def ask_to_end(match_id: int) -> str | Response:
    match = load(Match, match_id, "request_end")
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            request_end(get_db(), match, own_volunteer(current_user), form.reason.data or "", today=today())
        except DomainError as error:
            flash(error_message(error), "error")  # e.g. the coordinator closed it a moment ago
        else:
            flash(_("Your coordinator has been told and will contact you to end the match properly."), "success")
        return redirect(url_for("volunteer.home"))
    return render_template("volunteer/end.html", form=form, match=match)


@bp.post("/makkerpar/<int:match_id>/rytme")
def set_rhythm(match_id: int) -> Response:
    match = load(Match, match_id, "set_rhythm")
    form = RhythmForm(prefix=f"m{match.id}")
    if not form.validate_on_submit():
        flash(_("Choose how often you meet."), "error")
        return redirect(url_for("volunteer.home"))
    try:
        set_meeting_rhythm(get_db(), match.id, current_user.id, form.rhythm.data, volunteer=own_volunteer(current_user))
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "error")
    else:
        flash(_("Saved. We remind you to log a meeting only by this rhythm."), "success")
    return redirect(url_for("volunteer.home"))


@bp.post("/makkerpar/<int:match_id>/svar")
def answer(match_id: int) -> Response:
    match = load(Match, match_id, "answer")
    volunteer = own_volunteer(current_user)
    try:
        if request.form.get("answer") == "yes":
            accept_match(get_db(), match, volunteer)
            flash(_("Thank you for saying yes! Your coordinator will set up the first meeting."), "success")
        elif request.form.get("answer") == "no":
            decline_match(get_db(), match.id, volunteer, today(), request.form.get("reason", ""))
            flash(_("You said no to the proposal. You are back in the pool."), "info")
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "error")
    return redirect(url_for("volunteer.home"))


@bp.get("/mine-data")
def my_data() -> Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("export", volunteer)
    data = export_volunteer(get_db(), volunteer, current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=makker-mine-data.json"})


@bp.route("/slet", methods=["GET", "POST"])
def delete_account() -> str | Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("erase", volunteer)
    form = DeleteForm()
    open_matches = get_db().exec(scope(Match).where(Match.status.in_(OPEN_MATCH_STATUSES))).all()
    if form.validate_on_submit():
        try:
            erase_volunteer(get_db(), volunteer, current_user, today())
        except DomainError as error:  # deleted a moment ago (a double click)
            get_db().rollback()
            sign_out()
            flash(error_message(error), "info")
            return redirect(url_for("auth.login"))
        sign_out()
        flash(_("Your account and your data are deleted. Thank you for your time as a volunteer."), "success")
        return redirect(url_for("auth.login"))
    return render_template("volunteer/delete.html", form=form, open_matches=open_matches), (
        400 if request.method == "POST" else 200)


