"""Safeguarding: the volunteer signs the texts and says "Jeg er bekymret"; the coordinator records
the børneattest and handles concerns; the admin writes new versions of the texts.

Views are thin: policy, then one operation in models.safeguard.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models.audit import record_view
from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.matches import OPEN_MATCH_STATUSES, Match
from models.mentees import Request
from models.organisations import Program
from models.proposals import mentee_name
from models.safeguard.operations import (
    handle_concerns,
    publish_text,
    raise_concern,
    record_certificate,
    sign_text,
)
from models.safeguard.queries import (
    certificate_state,
    concerns_of_match,
    current_text,
    signature_states,
    text_versions,
)
from models.safeguard.tables import TEXT_KINDS
from models.volunteers import Volunteer
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import error_message
from web.labels import label
from web.links import public_base_url
from web.policy import can, load, own_volunteer, require, require_area, scope
from web.safeguard.forms import CertificateForm, ConcernForm, HandleConcernsForm, SignForm, TextForm

bp = Blueprint("safeguard", __name__)


# --- the volunteer ---------------------------------------------------------------------------------

@bp.route("/frivillig/papirer", methods=["GET", "POST"])
def papers() -> str | Response:
    """The tavshedserklæring and the frivilligaftale: read, then sign with one's full name."""
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    require("sign", volunteer)
    db = get_db()
    forms = {kind: SignForm(prefix=kind) for kind in TEXT_KINDS}
    status = 200
    if request.method == "POST":
        kind = request.form.get("kind")
        form = forms.get(kind)
        if form is None:
            abort(400)
        if form.validate():
            if not form.agree.data:
                form.agree.errors = [*form.agree.errors, _("Tick the box to show that you have read the text.")]
            else:
                try:
                    sign_text(db, volunteer.id, kind, form.version.data or 0, form.signed_name.data or "",
                              current_user, today(), submit_key=form.submit_key.data)
                except AlreadyDone as done:
                    flash(error_message(done), "info")
                    return redirect(url_for("safeguard.papers"))
                except DomainError as error:
                    db.rollback()
                    apply_domain_error(form, error, error_message(error))
                else:
                    flash(_("Thank you. %(text)s is signed.", text=label("text_kind", kind)), "success")
                    return redirect(url_for("safeguard.papers"))
        status = 400
    states = signature_states(db, volunteer)
    for state in states:
        if request.method == "GET" or forms[state.kind].version.data is None:
            forms[state.kind].version.data = state.text.version
    return render_template("safeguard/papers.html", volunteer=volunteer, states=states, forms=forms), status


@bp.route("/frivillig/bekymret", methods=["GET", "POST"])
def worried() -> str | Response:
    """"Hvis du er bekymret for et barn": what to do, and the button that tells the coordinator."""
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    matches = list(db.exec(scope(Match).where(Match.status.in_(OPEN_MATCH_STATUSES)).order_by(Match.created_at)))
    form = ConcernForm()
    form.match_id.choices = [(m.id, mentee_name(db, db.get(Request, m.request_id))) for m in matches]
    if request.method == "GET" and len(matches) == 1:
        form.match_id.data = matches[0].id
    if request.method == "POST":
        if form.validate():
            match = load(Match, form.match_id.data, "raise_concern")
            try:
                raise_concern(db, volunteer.id, match.id, form.message.data or "", current_user, today(),
                              public_base_url(), submit_key=form.submit_key.data)
            except AlreadyDone as done:
                flash(error_message(done), "info")
                return redirect(url_for("safeguard.worried"))
            except DomainError as error:
                db.rollback()
                apply_domain_error(form, error, error_message(error))
            else:
                flash(_("Your coordinator has been told and will contact you as soon as possible. If the child is in "
                        "danger now, call 112."), "success")
                return redirect(url_for("volunteer.home"))
        return render_template("safeguard/worried.html", form=form, matches=matches), 400
    return render_template("safeguard/worried.html", form=form, matches=matches)


# --- the coordinator -------------------------------------------------------------------------------

@bp.route("/koordinator/frivillige/<int:volunteer_id>/boerneattest", methods=["GET", "POST"])
def certificate(volunteer_id: int) -> str | Response:
    """The børneattest: received on, result, when it must be renewed; a new one recorded here."""
    volunteer = load(Volunteer, volunteer_id, "screen")
    db = get_db()
    program = db.get(Program, volunteer.program_id)
    form = CertificateForm()
    form.result.choices = [(code, label("certificate_result", code)) for code in ("done", "remarks")]
    if request.method == "GET":
        form.result.data = "done"
    if request.method == "POST":
        if form.validate():
            try:
                record_certificate(db, volunteer.id, form.received_on.data, form.result.data or "", current_user,
                                   today(), submit_key=form.submit_key.data)
            except AlreadyDone as done:
                flash(error_message(done), "info")
                return redirect(url_for("safeguard.certificate", volunteer_id=volunteer.id))
            except DomainError as error:
                db.rollback()
                apply_domain_error(form, error, error_message(error))
            else:
                flash(_("The børneattest is recorded."), "success")
                return redirect(url_for("safeguard.certificate", volunteer_id=volunteer.id))
        status = 400
    else:
        status = 200
        record_view(db, organisation_id=volunteer.organisation_id, user_id=current_user.id, record_type="Volunteer",
                    record_id=volunteer.id, detail={"screening": "boerneattest"})
    state = certificate_state(db, volunteer, today(), program)
    return render_template("safeguard/certificate.html", volunteer=volunteer, program=program, state=state,
                           form=form, signatures=signature_states(db, volunteer)), status


@bp.post("/koordinator/makkerpar/<int:match_id>/bekymring")
def concerns_handled(match_id: int) -> Response:
    """The coordinator has acted on the volunteer's concern: it leaves the top of the at-risk list."""
    match = load(Match, match_id, "manage")
    form = HandleConcernsForm()
    if form.validate():
        try:
            count = handle_concerns(get_db(), match.id, current_user, today(), submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            get_db().rollback()
            flash(error_message(error), "error")
        else:
            flash(_("Marked as handled (%(n)s).", n=count), "success")
    else:
        flash(_("The form has expired; try again."), "error")
    return redirect(url_for("coordinator.match", match_id=match.id))


# --- the admin ---------------------------------------------------------------------------------------

@bp.get("/admin/tekster")
def texts() -> str:
    """The organisation's texts to sign, each with its versions and how many signed each."""
    require("manage", record_type="SafeguardText")
    db = get_db()
    org_id = current_user.organisation_id
    rows = [(kind, current_text(db, org_id, kind), text_versions(db, org_id, kind)) for kind in TEXT_KINDS]
    return render_template("safeguard/texts.html", rows=rows)


@bp.route("/admin/tekster/<kind>", methods=["GET", "POST"])
def edit_text(kind: str) -> str | Response:
    """A new version of one text (confirmed: every volunteer is asked to sign again)."""
    require("manage", record_type="SafeguardText")
    if kind not in TEXT_KINDS:
        abort(404)
    db = get_db()
    current = current_text(db, current_user.organisation_id, kind)
    form = TextForm(title=current.title, body=current.body) if request.method == "GET" else TextForm()
    if request.method == "POST":
        if form.validate():
            if not form.confirm.data:
                form.confirm.errors = [*form.confirm.errors,
                                       _("Tick the box: a new version asks every volunteer to sign again.")]
            else:
                try:
                    text = publish_text(db, current_user.organisation_id, kind, form.title.data or "",
                                        form.body.data or "", current_user, submit_key=form.submit_key.data)
                except AlreadyDone as done:
                    flash(error_message(done), "info")
                    return redirect(url_for("safeguard.texts"))
                except DomainError as error:
                    db.rollback()
                    apply_domain_error(form, error, error_message(error))
                else:
                    flash(_("Version %(n)s is published; volunteers are asked to sign it.", n=text.version), "success")
                    return redirect(url_for("safeguard.texts"))
        return render_template("safeguard/edit_text.html", form=form, kind=kind, current=current), 400
    return render_template("safeguard/edit_text.html", form=form, kind=kind, current=current)


# --- parts of other pages -------------------------------------------------------------------------

@bp.app_template_global()
def safeguard_home(volunteer: Volunteer) -> dict:
    """For the volunteer's home page: texts still to sign."""
    db = get_db()
    return {"unsigned": [s for s in signature_states(db, volunteer) if not s.signed_current]}


@bp.app_template_global()
def safeguard_volunteer(volunteer: Volunteer) -> dict:
    """For the coordinator's page of a volunteer: the børneattest and the signatures."""
    db = get_db()
    return {"certificate": certificate_state(db, volunteer, today()), "signatures": signature_states(db, volunteer)}


@bp.app_template_global()
def safeguard_concerns(match: Match) -> list:
    """For the coordinator's page of a match: the volunteer's concerns, newest first (viewing them
    is audited with the match page itself)."""
    if not can(current_user, "manage", match):
        return []
    return concerns_of_match(get_db(), match.id)


@bp.app_template_global()
def safeguard_names(volunteer_ids: list[int]) -> list[Volunteer]:
    """The volunteers a run left out (børneattest run out), through the user's scope."""
    if not volunteer_ids:
        return []
    return list(get_db().exec(scope(Volunteer).where(Volunteer.id.in_(volunteer_ids)).order_by(Volunteer.id)))


@bp.app_template_global()
def handle_concerns_form() -> HandleConcernsForm:
    return HandleConcernsForm()
