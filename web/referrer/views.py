"""The referrer's pages (henviser): refer a youth or a family, follow one's own referrals, read
statuses, write to the coordinator, print the consent form.

Only the referrer's own referrals are ever found (``web.policy.scope``); what is shown of the
relationship is ``models.referrals.queries.progress`` and nothing more (docs/decisions/0013).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import clock
from models.errors import AlreadyDone, DomainError
from models.organisations import Organisation, Program
from models.referrals.consent import REFERRAL_CONSENT_VERSION, referral_consent_parts
from models.referrals.operations import (
    mark_read,
    post_message,
    referable_programs,
    submit_referral,
    update_referral,
    withdraw_referral,
)
from models.referrals.queries import (
    closure_details,
    filter_referrals,
    program_names,
    progress,
    referral_consents,
    sent_statuses,
    settings_for,
    thread,
    unread_counts,
)
from models.referrals.statuses import stop_status_sharing
from models.referrals.tables import REFERRAL_STATUSES, Referral, ReferralStatus, ReferringUnit
from web.database import get_db
from web.forms import attempt_write
from web.i18n import error_message
from web.links import public_url
from web.pagination import paginate
from web.policy import load, require, require_area, scope
from web.referrer.drafts import (
    apply_referral_error,
    draft_from_form,
    fill_form,
    form_for,
    widget_context,
)
from web.referrer.forms import MessageForm, StopStatusForm, WithdrawForm

bp = Blueprint("referrer", __name__, url_prefix="/henviser")


@bp.app_context_processor
def _vocabulary() -> dict:
    """Languages and levels by name on the referral pages (never the stored codes)."""
    from matching.vocabulary import LANGUAGE_LEVEL_LABELS, LANGUAGES
    from web.i18n import label as vocab_label

    return {"label_language": lambda code: vocab_label(LANGUAGES[code]) if code in LANGUAGES else code,
            "label_level": lambda level: vocab_label(LANGUAGE_LEVEL_LABELS[level])
            if level in LANGUAGE_LEVEL_LABELS else level}


def _staff_link(referral: Referral) -> str:
    return public_url("coordinator.referral", referral_id=referral.id)


def _my_unit() -> ReferringUnit | None:
    return get_db().get(ReferringUnit, current_user.referring_unit_id) if current_user.referring_unit_id else None


@bp.get("/")
def home() -> str:
    require_area("referrer")
    db = get_db()
    status = request.args.get("status") if request.args.get("status") in (*REFERRAL_STATUSES, "open") else None
    search = (request.args.get("q") or "").strip()
    page = paginate(db, filter_referrals(scope(Referral), status=status, search=search))
    programs = program_names(db, {r.program_id for r in page.items})
    return render_template("referrer/home.html", page=page, progress=progress(db, page.items, clock.today()),
                           programs=programs, unread=unread_counts(db, [r.id for r in page.items], for_referrer=True),
                           unit=_my_unit(), status=status, search=search, statuses=REFERRAL_STATUSES)


@bp.get("/ny")
def start() -> str:
    require("create", record_type="Referral")
    programs = referable_programs(get_db(), current_user)
    unit = _my_unit()
    return render_template("referrer/start.html", programs=programs, unit=unit)


def _referable(program_id: int, kind: str) -> Program:
    require("create", record_type="Referral")
    if kind not in ("ung", "familie"):
        abort(404)
    program = next((p for p in referable_programs(get_db(), current_user) if p.id == program_id), None)
    if program is None:
        abort(404)
    return program


@bp.route("/ny/<int:program_id>/<kind>", methods=["GET", "POST"])
def new(program_id: int, kind: str) -> str | Response:
    program = _referable(program_id, kind)
    kind = "youth" if kind == "ung" else "family"
    form = form_for(kind)
    language_errors: list[str] = []
    if request.method == "POST":
        draft, language_errors = draft_from_form(form, kind, request.form, program)
        if form.validate_on_submit() and not language_errors:
            try:
                referral = submit_referral(get_db(), current_user, program.id, draft, clock.today(), _staff_link,
                                           submit_key=form.submit_key.data)
            except AlreadyDone as done:  # a double click: the first one was sent
                flash(error_message(done), "info")
                if done.result_id is not None:
                    return redirect(url_for("referrer.referral", referral_id=done.result_id))
                return redirect(url_for("referrer.home"))
            except DomainError as error:
                get_db().rollback()
                apply_referral_error(form, error, error_message(error), language_errors)
            else:
                flash(_("The referral of %(name)s is sent. You can follow it here.", name=referral.name), "success")
                return redirect(url_for("referrer.referral", referral_id=referral.id))
    return render_template("referrer/form.html", form=form, kind=kind, program=program, editing=None,
                           language_errors=language_errors, w=widget_context(form, kind, program)), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:referral_id>/ret", methods=["GET", "POST"])
def edit(referral_id: int) -> str | Response:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    referral = load(Referral, referral_id, "update")
    db = get_db()
    program = db.get(Program, referral.program_id)
    form = form_for(referral.kind)
    language_errors: list[str] = []
    if request.method == "GET":
        fill_form(form, referral, referral_consents(db, referral))
    else:
        draft, language_errors = draft_from_form(form, referral.kind, request.form, program)
        if form.validate_on_submit() and not language_errors:
            try:
                update_referral(db, current_user, referral.id, draft, clock.today(), _staff_link,
                                seen_version=int(form.version.data) if (form.version.data or "").isdigit() else None,
                                submit_key=form.submit_key.data)
            except AlreadyDone as done:  # a double click: the first correction was saved
                flash(error_message(done), "info")
                return redirect(url_for("referrer.referral", referral_id=referral.id))
            except DomainError as error:
                db.rollback()
                apply_referral_error(form, error, error_message(error), language_errors)
            else:
                flash(_("The referral is corrected and sent to the coordinator again."), "success")
                return redirect(url_for("referrer.referral", referral_id=referral.id))
    return render_template("referrer/form.html", form=form, kind=referral.kind, program=program, editing=referral,
                           language_errors=language_errors, w=widget_context(form, referral.kind, program,
                                                                             referral if request.method == "GET"
                                                                             else None)), (
        400 if request.method == "POST" else 200)


def _detail(record: Referral, form: MessageForm, code: int = 200) -> tuple[str, int]:
    db = get_db()
    return render_template(
        "referrer/referral.html", referral=record, info=progress(db, [record], clock.today())[record.id],
        program=db.get(Program, record.program_id), messages=thread(db, record.id), statuses=sent_statuses(db, record.id),
        consents=referral_consents(db, record), form=form, closures=closure_details(db, record.id),
        first_months=settings_for(db, record.program_id).first_status_months), code


@bp.get("/<int:referral_id>")
def referral(referral_id: int) -> tuple[str, int]:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    record = load(Referral, referral_id)
    mark_read(get_db(), current_user, record)  # the view is audited; the coordinator's messages are read
    return _detail(record, MessageForm())


@bp.post("/<int:referral_id>/besked")
def message(referral_id: int) -> tuple[str, int] | Response:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    record = load(Referral, referral_id, "message")
    form = MessageForm()
    messages = url_for("referrer.referral", referral_id=record.id) + "#beskeder"
    if form.validate_on_submit() and attempt_write(
            form, lambda: post_message(get_db(), current_user, record.id, form.body.data, _staff_link(record),
                                       submit_key=form.submit_key.data),
            back=messages):
        flash(_("Your message is sent to the coordinators."), "success")
        return redirect(messages)
    return _detail(record, form, 400)


@bp.get("/<int:referral_id>/status/<int:status_id>")
def status(referral_id: int, status_id: int) -> str:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    record = load(Referral, referral_id)
    db = get_db()
    report = db.get(ReferralStatus, status_id)
    if report is None or report.referral_id != record.id or report.sent_at is None:
        abort(404)
    try:
        mark_read(db, current_user, record, status_id=report.id)
    except DomainError:
        abort(404)
    return render_template("referrer/status.html", referral=record, report=report,
                           program=db.get(Program, record.program_id))


@bp.route("/<int:referral_id>/traek-tilbage", methods=["GET", "POST"])
def withdraw(referral_id: int) -> str | Response:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    record = load(Referral, referral_id, "withdraw")
    form = WithdrawForm()
    if form.validate_on_submit() and attempt_write(
            form, lambda: withdraw_referral(get_db(), current_user, record.id, form.note.data or "",
                                            submit_key=form.submit_key.data),
            back=url_for("referrer.referral", referral_id=record.id)):
        flash(_("The referral is withdrawn."), "success")
        return redirect(url_for("referrer.referral", referral_id=record.id))
    return render_template("referrer/withdraw.html", referral=record, form=form), 400 if request.method == "POST" else 200


@bp.route("/<int:referral_id>/stop-status", methods=["GET", "POST"])
def stop_status(referral_id: int) -> str | Response:
    require_area("referrer")  # the referrer's own pages: staff use the coordinator's
    record = load(Referral, referral_id, "stop_status")
    form = StopStatusForm()
    if request.method == "GET":
        form.on.data = clock.today()
    if form.validate_on_submit() and attempt_write(
            form, lambda: stop_status_sharing(get_db(), current_user, record.id, form.on.data, clock.today()),
            back=url_for("referrer.referral", referral_id=record.id)):
        flash(_("No more statuses will be sent about this referral."), "success")
        return redirect(url_for("referrer.referral", referral_id=record.id))
    return render_template("referrer/stop_status.html", referral=record, form=form, back="referrer.referral"), (
        400 if request.method == "POST" else 200)


@bp.get("/samtykke/<int:program_id>")
def consent_form(program_id: int) -> str:
    """The consent form to print and take to the family (staff may print it too)."""
    program = load(Program, program_id, "print_consent")
    db = get_db()
    organisation = db.get(Organisation, program.organisation_id)
    unit = _my_unit() if current_user.role == "referrer" else None
    settings = settings_for(db, program.id)
    unit_name = unit.name if unit else _("the referring unit")
    parts = referral_consent_parts(organisation.name, organisation.kind, unit_name, program.name,
                                   settings.first_status_months, settings.status_every_months)
    return render_template("referrer/consent_form.html", program=program, organisation=organisation, unit=unit,
                           parts=parts, today=clock.today(), version=REFERRAL_CONSENT_VERSION)
