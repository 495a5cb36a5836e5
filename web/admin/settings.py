"""Program settings (with a preview of how new weights move today's proposals) and staff."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from matching.profiles import DEFAULT_WEIGHTS
from matching.run import preview_waiting, preview_weights
from matching.vocabulary import INTERESTS
from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.mentees import Request
from models.organisations import SCREENING_STEPS, Organisation, Program
from models.program_settings import (
    ProgramChanges,
    parse_day_list,
    program_version,
    update_organisation,
    update_program,
    validate_experience_rules,
    validate_weights,
)
from models.staff import change_role, invite_staff, set_active
from models.users import User
from models.volunteers import Volunteer
from models.waiting import request_names
from web.admin.forms import MIN_EXPERIENCE_FIELDS, InviteForm, OrganisationForm, ProgramForm
from web.admin.views import bp
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import error_message
from web.i18n import label as vocab_label
from web.labels import label
from web.links import public_url
from web.policy import load, require, require_area, scope
from web.tokens import make_user_token


def _fill(form: ProgramForm, program: Program) -> None:
    for name in ("name", "description", "serves", "min_age", "max_age", "max_distance_km", "waiting_target_days",
                 "inactivity_days", "required_steps", "interests", "measures_followup", "outcome_required",
                 "retention_months", "goal_matches", "goal_period_months", "active",
                 "max_high_complexity_per_volunteer", "measures_one_year", "certificate_renewal_months"):
        getattr(form, name).data = getattr(program, name)
    for name, value in zip(MIN_EXPERIENCE_FIELDS, program.rules().min_experience_by_complexity, strict=True):
        getattr(form, name).data = value
    form.checkin_plan.data = ", ".join(str(d) for d in program.checkin_plan_days)
    form.waiting_priority.data = program.waiting_priority
    weights = {**DEFAULT_WEIGHTS, **(program.weights or {})}
    for name in DEFAULT_WEIGHTS:
        getattr(form.weights, name).data = weights[name]
    form.version.data = program_version(program)


def _changes(form: ProgramForm) -> ProgramChanges:
    return ProgramChanges(
        name=form.name.data or "", description=form.description.data or "", serves=form.serves.data,
        min_age=form.min_age.data, max_age=form.max_age.data, max_distance_km=form.max_distance_km.data,
        waiting_target_days=form.waiting_target_days.data, inactivity_days=form.inactivity_days.data,
        required_steps=list(form.required_steps.data or []), checkin_plan_days=parse_day_list(form.checkin_plan.data or ""),
        interests=list(form.interests.data or []), weights=dict(form.weights.data),
        measures_followup=bool(form.measures_followup.data), outcome_required=bool(form.outcome_required.data),
        retention_months=form.retention_months.data, goal_matches=form.goal_matches.data,
        goal_period_months=form.goal_period_months.data, active=bool(form.active.data),
        min_experience_by_complexity=_min_experience(form),
        max_high_complexity_per_volunteer=form.max_high_complexity_per_volunteer.data,
        measures_one_year=bool(form.measures_one_year.data),
        waiting_priority=form.waiting_priority.data,
        certificate_renewal_months=form.certificate_renewal_months.data)


def _min_experience(form: ProgramForm) -> list[int]:
    return [int(getattr(form, name).data) for name in MIN_EXPERIENCE_FIELDS]


def _preview_rows(preview) -> list[dict]:  # noqa: ANN001
    db = get_db()
    ids = [rid for rid, _b, _a in preview.changed[:20]]
    requests = list(db.exec(scope(Request).where(Request.id.in_(ids)))) if ids else []
    names = request_names(db, requests)
    vol_ids = {v for _r, b, a in preview.changed[:20] for v in (b, a) if v}
    volunteers = {v.id: v.name for v in db.exec(scope(Volunteer).where(Volunteer.id.in_(vol_ids)))} if vol_ids else {}
    return [{"mentee": names.get(rid, ""), "before": volunteers.get(b, "—"), "after": volunteers.get(a, "—")}
            for rid, b, a in preview.changed[:20]]


def _shown(figures: dict) -> dict:
    # Scores on the 0-100 scale of the proposal cards, with the user's decimal sign.
    return {**figures, "mean_score_shown": format_decimal(100 * figures["mean_score"], format="0.0"),
            "mean_fit_shown": format_decimal(100 * figures["mean_score_without_waiting"], format="0.0")}


@bp.route("/programmer/<int:program_id>", methods=["GET", "POST"])
def program_settings(program_id: int) -> str | Response:
    program = load(Program, program_id, "update")
    db = get_db()
    form = ProgramForm()
    form.required_steps.choices = [(s, label("step", s)) for s in SCREENING_STEPS]
    form.interests.choices = sorted(((tag, vocab_label(names)) for tag, names in INTERESTS.items()), key=lambda c: c[1])
    preview = rows = experience_error = waiting_preview = None
    if request.method == "GET":
        _fill(form, program)
    elif form.validate_on_submit():
        try:
            if request.form.get("action") == "preview_waiting":
                # Today's pool under each choice, with the target and weights as typed (not saved).
                minimums, cap = validate_experience_rules(_min_experience(form),
                                                          form.max_high_complexity_per_volunteer.data)
                outcomes = preview_waiting(db, program, today(), target_days=form.waiting_target_days.data,
                                           weights=validate_weights(dict(form.weights.data)),
                                           min_experience_by_complexity=tuple(minimums),
                                           max_high_complexity_per_volunteer=cap)
                waiting_preview = {name: _shown(outcome.as_dict()) for name, outcome in outcomes.items()}
                db.rollback()  # the preview reads only
            elif request.form.get("action") == "preview":
                weights = validate_weights(dict(form.weights.data))
                minimums, cap = validate_experience_rules(_min_experience(form),
                                                          form.max_high_complexity_per_volunteer.data)
                preview = preview_weights(db, program, weights, today(), min_experience_by_complexity=tuple(minimums),
                                          max_high_complexity_per_volunteer=cap)
                rows = _preview_rows(preview)
                db.rollback()  # the preview reads only
            else:
                update_program(db, program, _changes(form), current_user, seen_version=form.version.data,
                               today=today())
                flash(_("The settings of %(name)s are saved.", name=program.name), "success")
                return redirect(url_for("admin.program_settings", program_id=program.id))
        except DomainError as error:
            db.rollback()
            target = {"weights": None, "checkin_plan": "checkin_plan", "min_experience": None}.get(
                error.field or "", error.field)
            experience_error = error_message(error) if error.field == "min_experience" else None
            apply_domain_error(form, type(error)(error.msgid, target, **error.params), error_message(error))
    status = 400 if request.method == "POST" and preview is None and waiting_preview is None else 200
    return render_template("admin/program.html", form=form, program=program, preview=preview, rows=rows,
                           weight_names=list(DEFAULT_WEIGHTS), min_experience_fields=MIN_EXPERIENCE_FIELDS,
                           experience_error=experience_error, waiting_preview=waiting_preview), status


# --- staff ----------------------------------------------------------------------------------

@bp.route("/brugere/ny", methods=["GET", "POST"])
def invite() -> str | Response:
    require("manage", record_type="User")
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = invite_staff(get_db(), current_user, name=form.name.data, email=form.email.data,
                                role=form.role.data,
                                link_for=lambda u: public_url("auth.accept_invite", token=make_user_token(u, "invite")),
                                submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("admin.home"))
        except DomainError as error:
            get_db().rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("%(name)s is invited by e-mail.", name=user.name), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/invite.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/brugere/<int:user_id>")
def update_user(user_id: int) -> Response:
    user = load(User, user_id, "manage")
    db = get_db()
    try:
        if request.form.get("role"):
            change_role(db, current_user, user.id, request.form["role"])
            flash(_("%(name)s is now %(role)s.", name=user.name, role=label("role", user.role)), "success")
        elif request.form.get("active") in ("0", "1"):
            set_active(db, current_user, user.id, request.form["active"] == "1")
            flash(_("%(name)s can sign in again.", name=user.name) if user.active else
                  _("%(name)s can no longer sign in. Their history is kept.", name=user.name), "success")
        else:
            flash(_("Choose an answer from the list."), "error")
    except DomainError as error:
        db.rollback()
        flash(error_message(error), "error")
    return redirect(url_for("admin.home"))



@bp.route("/organisation", methods=["GET", "POST"])
def organisation() -> str | Response:
    require_area("admin")
    record = get_db().exec(scope(Organisation)).one()
    require("update", record)
    form = OrganisationForm(obj=record)
    if form.validate_on_submit():
        try:
            update_organisation(get_db(), record, current_user, name=form.name.data, contact_email=form.contact_email.data or "",
                                kind=form.kind.data)
        except DomainError as error:
            get_db().rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The organisation's settings are saved."), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/organisation.html", form=form), 400 if request.method == "POST" else 200
