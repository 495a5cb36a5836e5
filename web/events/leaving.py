"""The coordinator records that a volunteer stops, and why (the retention figures count it)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.clock import today
from models.errors import DomainError
from models.events.keeping import record_volunteer_left
from models.volunteers import Volunteer
from web.database import get_db
from web.events.forms import VolunteerLeftForm
from web.events.views import bp
from web.forms import apply_domain_error
from web.i18n import error_message
from web.policy import load


@bp.route("/koordinator/frivillige/<int:volunteer_id>/stopper", methods=["GET", "POST"])
def volunteer_left(volunteer_id: int) -> str | Response:
    volunteer = load(Volunteer, volunteer_id, "screen")
    form = VolunteerLeftForm()
    db = get_db()
    if form.validate_on_submit():
        try:
            record_volunteer_left(db, volunteer.id, current_user, today(), form.reason.data, form.note.data or "")
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("%(name)s has stopped as a volunteer.", name=volunteer.name), "success")
            return redirect(url_for("coordinator.volunteer", volunteer_id=volunteer.id))
    return render_template("events/left.html", volunteer=volunteer, form=form), \
        (400 if request.method == "POST" else 200)
