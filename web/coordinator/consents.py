"""Consent of a youth or a family: record a further consent, withdraw one (with a confirmation)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from models.clock import today
from models.consent import (
    ConsentDraft,
    ConsentRecord,
    add_consent,
    withdraw_consent,
    withdrawal_effects,
)
from models.errors import AlreadyDone, DomainError
from models.matches import Match
from models.mentees import Household, Youth
from web.coordinator.forms import FAMILY_RELATION_CHOICES, AddConsentForm, WithdrawConsentForm
from web.coordinator.views import bp
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import error_message
from web.policy import load, scope

_SUBJECTS = {"youth": (Youth, "coordinator.youth", "youth_id"),
             "household": (Household, "coordinator.household", "household_id")}
# Domain errors name the intake form's fields; this form's fields are called without the prefix.
_FIELDS = {"consent_given_by": "given_by", "consent_relation": "relation", "consent_given_on": "given_on"}


def _person_url(subject_type: str, subject_id: int) -> str:
    _model, endpoint, arg = _SUBJECTS[subject_type]
    return url_for(endpoint, **{arg: subject_id})


@bp.route("/<any(youth, household):kind>/<int:record_id>/samtykke", methods=["GET", "POST"])
def add_person_consent(kind: str, record_id: int) -> str | Response:
    model, _endpoint, _arg = _SUBJECTS[kind]
    record = load(model, record_id, "update")
    form = AddConsentForm()
    if kind == "household":
        form.relation.choices = FAMILY_RELATION_CHOICES
    if request.method == "GET":
        form.given_on.data = today()
    elif form.validate_on_submit():
        try:
            _consent, returned = add_consent(get_db(), current_user, kind, record.id,
                                             ConsentDraft(form.given_by.data, form.relation.data, form.given_on.data),
                                             today(), submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(_person_url(kind, record.id) + "#consent-h")
        except DomainError as error:
            get_db().rollback()
            target = type(error)(error.msgid, _FIELDS.get(error.field or "", error.field), **error.params)
            apply_domain_error(form, target, error_message(error))
        else:
            flash(_("The consent is recorded."), "success")
            if returned:
                flash(ngettext("%(num)d request is back on the waiting list.",
                               "%(num)d requests are back on the waiting list.", len(returned)), "info")
            return redirect(_person_url(kind, record.id) + "#consent-h")
    return render_template("coordinator/consent_add.html", form=form, kind=kind, record=record,
                           back=_person_url(kind, record.id)), 400 if request.method == "POST" else 200


@bp.route("/samtykke/<int:consent_id>/tilbagetraek", methods=["GET", "POST"])
def withdraw(consent_id: int) -> str | Response:
    consent = load(ConsentRecord, consent_id, "withdraw")
    db = get_db()
    form = WithdrawConsentForm()
    if request.method == "GET":
        form.withdrawn_on.data = today()
        form.withdrawn_by.data = consent.given_by
    elif consent.withdrawn_on is None and form.validate_on_submit():
        try:
            effects = withdraw_consent(db, consent.id, current_user, today(), withdrawn_on=form.withdrawn_on.data,
                                       withdrawn_by=form.withdrawn_by.data or "", note=form.note.data or "")
        except DomainError as error:
            db.rollback()
            apply_domain_error(form, error, error_message(error))
        else:
            flash(_("The consent is withdrawn."), "success")
            if effects.paused_requests:
                flash(ngettext("%(num)d request is taken out of matching.",
                               "%(num)d requests are taken out of matching.", len(effects.paused_requests)), "info")
            if effects.open_matches:
                flash(_("The youth or family still has an open match: close it with the reason and the next step."),
                      "warning")
            return redirect(_person_url(consent.subject_type, consent.subject_id) + "#consent-h")
    effects = withdrawal_effects(db, consent)
    matches = list(db.exec(scope(Match).where(Match.id.in_(effects.open_matches)))) if effects.open_matches else []
    return render_template("coordinator/consent_withdraw.html", form=form, consent=consent, effects=effects,
                           matches=matches, back=_person_url(consent.subject_type, consent.subject_id)), (
        400 if request.method == "POST" else 200)
