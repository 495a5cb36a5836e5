"""The coordinator records screening steps, approves or declines a volunteer."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Optional

from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.organisations import Program
from models.screening import approve_volunteer, decline_volunteer, record_step, screening_checklist
from models.volunteers import STEP_STATUSES, Volunteer
from web.coordinator.views import bp
from web.database import get_db
from web.forms import MaxLength, SubmitKeyField, apply_domain_error
from web.i18n import error_message
from web.i18n import lazy_gettext as _l
from web.labels import label
from web.links import public_url
from web.policy import load


class StepForm(FlaskForm):
    submit_key = SubmitKeyField()
    step = SelectField(_l("Step"), validators=[InputRequired()])
    status = SelectField(_l("Status"), validators=[InputRequired()])
    step_date = DateField(_l("Date"), validators=[Optional()], format=["%Y-%m-%d", "%d-%m-%Y"])
    note = TextAreaField(_l("Note"), validators=[Optional(), MaxLength(2000)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason (only coordinators see it)"), validators=[Optional(), MaxLength(2000)])


@bp.route("/frivillige/<int:volunteer_id>/godkendelse", methods=["GET", "POST"])
def screening(volunteer_id: int) -> str | Response:
    volunteer = load(Volunteer, volunteer_id, "screen")
    db = get_db()
    program = db.get(Program, volunteer.program_id)
    form = StepForm(prefix="step")
    form.step.choices = [(s, label("step", s)) for s in program.required_steps]
    form.status.choices = [(s, label("step_status", s)) for s in STEP_STATUSES]
    decline_form = DeclineForm(prefix="decline")
    link = public_url("volunteer.home")
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "step" and form.validate():
                record_step(db, volunteer, form.step.data, form.status.data, current_user, form.step_date.data,
                            form.note.data or "", today(), step_label=label("step", form.step.data),
                            status_label=label("step_status", form.status.data), link=link,
                            submit_key=form.submit_key.data)
                flash(_("The step is recorded and the volunteer has been e-mailed."), "success")
                return redirect(url_for("coordinator.screening", volunteer_id=volunteer.id))
            if action == "approve":
                approve_volunteer(db, volunteer, current_user, today(), link=link)
                flash(_("%(name)s is approved and in the matching pool.", name=volunteer.first_name), "success")
                return redirect(url_for("coordinator.screening", volunteer_id=volunteer.id))
            if action == "decline" and decline_form.validate():
                decline_volunteer(db, volunteer, current_user, today(), decline_form.reason.data or "")
                flash(_("%(name)s is declined; a kind e-mail is sent and the data will be deleted.",
                        name=volunteer.first_name), "info")
                return redirect(url_for("coordinator.screening", volunteer_id=volunteer.id))
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("coordinator.screening", volunteer_id=volunteer.id))
        except DomainError as error:
            db.rollback()
            target = decline_form if action == "decline" else form
            apply_domain_error(target, error, error_message(error))
    return render_template("coordinator/screening.html", volunteer=volunteer, form=form, decline_form=decline_form,
                           checklist=screening_checklist(db, volunteer)), (400 if request.method == "POST" else 200)
