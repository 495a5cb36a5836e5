"""One person, several programmes (issue 15): the volunteer applies to another programme of
their organisation or leaves one; a coordinator adds an existing volunteer, approves an
application, or ends a place. The domain rules live in models.members."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.audit import record_view
from models.clock import today, utcnow
from models.errors import AlreadyDone, DomainError
from models.members.operations import (
    approve_membership,
    join_program,
    leave_program,
    pause_membership,
    resume_membership,
    set_programme_capacity,
)
from models.members.queries import (
    ProgrammeLine,
    membership,
    missing_steps,
    programme_lines,
    programmes_to_join,
)
from models.organisations import Program
from models.volunteers import Volunteer
from web.database import get_db
from web.forms import apply_domain_error, attempt_action
from web.i18n import error_message
from web.members.forms import ButtonForm, CapacityForm, JoinForm, LeaveForm
from web.policy import load, own_volunteer, require, require_area

bp = Blueprint("members", __name__)


def _join(volunteer: Volunteer, template: str, done: str, back: str, **extra: object) -> Response | tuple[str, int]:
    """The apply (volunteer) and add (coordinator) form: one form, one domain operation."""
    db = get_db()
    choices = programmes_to_join(db, volunteer)
    form = JoinForm()
    form.program_id.choices = [("", _("Choose a programme"))] + [(str(p.id), p.name) for p in choices]
    if request.method == "GET":
        form.capacity.data = "1"
    if form.validate_on_submit():
        try:
            join_program(db, volunteer.id, int(form.program_id.data), int(form.capacity.data), current_user, today(),
                         motivation=form.motivation.data or "", submit_key=form.submit_key.data)
        except AlreadyDone as already:
            flash(error_message(already), "info")
            return redirect(back)
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(done, "success")
            return redirect(back)
    needs = {p.id: missing_steps(db, volunteer, p) for p in choices}
    return render_template(template, form=form, volunteer=volunteer, programmes=choices, needs=needs, **extra), (
        400 if request.method == "POST" else 200)


def _leave(volunteer: Volunteer, program_id: int, template: str, back: str) -> Response | tuple[str, int]:
    db = get_db()
    program = db.get(Program, program_id)
    if program is None or program.organisation_id != volunteer.organisation_id \
            or membership(db, volunteer.id, program_id) is None:
        abort(404)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            leave_program(db, volunteer.id, program_id, current_user, today(), form.reason.data or "",
                          submit_key=form.submit_key.data)
        except AlreadyDone as already:
            flash(error_message(already), "info")
            return redirect(back)
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The place in %(program)s has ended. Your other programmes go on.", program=program.name),
                  "success")
            return redirect(back)
    lines = [line for line in programme_lines(db, volunteer, utcnow()) if line.program.id == program_id]
    return render_template(template, form=form, volunteer=volunteer, program=program, line=lines[0]), (
        400 if request.method == "POST" else 200)


def place_forms(lines: list[ProgrammeLine]) -> dict[int, tuple[ButtonForm, CapacityForm]]:
    """A button form and a capacity form per open place, each with its own one-time token."""
    return {line.program.id: (ButtonForm(formdata=None),
                              CapacityForm(formdata=None, capacity=str(line.membership.capacity)))
            for line in lines if line.membership.status != "left"}


def _change_place(volunteer: Volunteer, program_id: int, change: str, back: str) -> Response:
    """Pause, resume or change the places of one programme; the rules and the race are the
    domain operation's, the answer is a message on the page the person came from."""
    db = get_db()
    program = db.get(Program, program_id)
    if program is None or program.organisation_id != volunteer.organisation_id:
        abort(404)
    form = CapacityForm() if change == "capacity" else ButtonForm()
    if not form.validate_on_submit():
        flash(_("Choose between 1 and 5.") if "capacity" in form.errors else _("The form had expired. Try again."),
              "error")
        return redirect(back)
    key = form.submit_key.data
    if change == "capacity":
        done = attempt_action(lambda: set_programme_capacity(db, volunteer.id, program_id, int(form.capacity.data),
                                                             current_user, today(), submit_key=key))
        message = _("%(program)s: %(n)s at a time from now on.", program=program.name, n=form.capacity.data)
    elif change == "pause":
        done = attempt_action(lambda: pause_membership(db, volunteer.id, program_id, current_user, today(),
                                                       submit_key=key))
        message = _("The place in %(program)s is paused: no new proposals there. Running matches go on.",
                    program=program.name)
    else:
        done = attempt_action(lambda: resume_membership(db, volunteer.id, program_id, current_user, today(),
                                                        submit_key=key))
        message = _("The place in %(program)s is active again.", program=program.name)
    if done is not None:
        flash(message, "success")
    return redirect(back)


# --- the volunteer ----------------------------------------------------------------------------

@bp.route("/frivillig/programmer/ansog", methods=["GET", "POST"])
def apply() -> Response | tuple[str, int]:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("join", volunteer)
    return _join(volunteer, "members/apply.html",
                 _("Your application has been sent. The programme's coordinator will look at it."),
                 url_for("volunteer.home"))


@bp.route("/frivillig/programmer/<int:program_id>/forlad", methods=["GET", "POST"])
def leave(program_id: int) -> Response | tuple[str, int]:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("join", volunteer)
    return _leave(volunteer, program_id, "members/leave.html", url_for("volunteer.home"))


@bp.post("/frivillig/programmer/<int:program_id>/pause")
def pause_own(program_id: int) -> Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("join", volunteer)
    return _change_place(volunteer, program_id, "pause", url_for("volunteer.home") + "#programmes-h")


@bp.post("/frivillig/programmer/<int:program_id>/genoptag")
def resume_own(program_id: int) -> Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("join", volunteer)
    return _change_place(volunteer, program_id, "resume", url_for("volunteer.home") + "#programmes-h")


@bp.post("/frivillig/programmer/<int:program_id>/pladser")
def capacity_own(program_id: int) -> Response:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("join", volunteer)
    return _change_place(volunteer, program_id, "capacity", url_for("volunteer.home") + "#programmes-h")


# --- the coordinator --------------------------------------------------------------------------

@bp.route("/koordinator/frivillige/<int:volunteer_id>/programmer", methods=["GET", "POST"])
def manage(volunteer_id: int) -> Response | tuple[str, int]:
    """The volunteer's places in the organisation's programmes, and adding them to one more."""
    volunteer = load(Volunteer, volunteer_id, "membership")
    if request.method == "GET":
        record_view(get_db(), organisation_id=volunteer.organisation_id, user_id=current_user.id,
                    record_type="Volunteer", record_id=volunteer.id)
    back = url_for("members.manage", volunteer_id=volunteer.id)
    return _join(volunteer, "members/manage.html", _("Added. Approve them when the programme's steps are done."),
                 back, lines=(lines := programme_lines(get_db(), volunteer, utcnow())),
                 place_forms=place_forms(lines),
                 open_programmes=sum(line.membership.status != "left" for line in lines))


@bp.post("/koordinator/frivillige/<int:volunteer_id>/programmer/<int:program_id>/godkend")
def approve(volunteer_id: int, program_id: int) -> Response:
    volunteer = load(Volunteer, volunteer_id, "membership")
    form = ButtonForm()
    back = url_for("members.manage", volunteer_id=volunteer.id)
    if not form.validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return redirect(back)
    try:
        member = approve_membership(get_db(), volunteer.id, program_id, current_user, today(),
                                    submit_key=form.submit_key.data)
    except AlreadyDone as already:
        flash(error_message(already), "info")
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "error")
    else:
        program = get_db().get(Program, member.program_id)
        flash(_("%(name)s is now a member of %(program)s.", name=volunteer.first_name, program=program.name),
              "success")
    return redirect(back)


@bp.route("/koordinator/frivillige/<int:volunteer_id>/programmer/<int:program_id>/afslut", methods=["GET", "POST"])
def end(volunteer_id: int, program_id: int) -> Response | tuple[str, int]:
    volunteer = load(Volunteer, volunteer_id, "membership")
    return _leave(volunteer, program_id, "members/end.html", url_for("members.manage", volunteer_id=volunteer.id))


@bp.post("/koordinator/frivillige/<int:volunteer_id>/programmer/<int:program_id>/pause")
def pause(volunteer_id: int, program_id: int) -> Response:
    volunteer = load(Volunteer, volunteer_id, "membership")
    return _change_place(volunteer, program_id, "pause", url_for("members.manage", volunteer_id=volunteer.id))


@bp.post("/koordinator/frivillige/<int:volunteer_id>/programmer/<int:program_id>/genoptag")
def resume(volunteer_id: int, program_id: int) -> Response:
    volunteer = load(Volunteer, volunteer_id, "membership")
    return _change_place(volunteer, program_id, "resume", url_for("members.manage", volunteer_id=volunteer.id))


@bp.post("/koordinator/frivillige/<int:volunteer_id>/programmer/<int:program_id>/pladser")
def capacity(volunteer_id: int, program_id: int) -> Response:
    volunteer = load(Volunteer, volunteer_id, "membership")
    return _change_place(volunteer, program_id, "capacity", url_for("members.manage", volunteer_id=volunteer.id))
