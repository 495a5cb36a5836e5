"""The audit log, and a person's data exported or erased on request (GDPR)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.audit import AUDIT_ACTIONS, filter_audit
from models.clock import today
from models.errors import DomainError
from models.mentees import Household, Youth
from models.retention import erase_mentee, export_mentee
from models.users import User
from models.volunteer_profile import erase_volunteer, export_volunteer
from models.volunteers import Volunteer
from models.waiting import name_matches
from web.admin.views import bp
from web.database import get_db
from web.i18n import error_message
from web.pagination import paginate
from web.params import record_id
from web.policy import load, require, require_area, scope

KINDS = {"youth": Youth, "household": Household, "volunteer": Volunteer}
RECORD_TYPES = ("Youth", "Household", "Volunteer", "Request", "Match", "MeetingLog", "CheckIn", "User", "Program",
                "Note")


@bp.get("/log")
def audit() -> str:
    require("show", record_type="AuditEvent")
    db = get_db()
    args = request.args
    record_type = args.get("type") if args.get("type") in RECORD_TYPES else None
    stmt = filter_audit(current_user.organisation_id, user_id=args.get("user", type=record_id), record_type=record_type,
                        record_id=args.get("id", type=record_id), action=args.get("action"))
    page = paginate(db, stmt)
    users = list(db.exec(scope(User).order_by(User.name)))
    return render_template("admin/audit.html", page=page, users=users, names={u.id: u.name for u in users},
                           record_types=RECORD_TYPES, actions=AUDIT_ACTIONS, args=args)


@bp.get("/personer")
def people() -> str:
    require_area("admin")
    db = get_db()
    q = (request.args.get("q") or "").strip()[:100]
    found: list[tuple[str, object, str]] = []
    if q:
        for youth in db.exec(name_matches(scope(Youth), q, Youth.first_name, Youth.last_name).limit(25)):
            found.append(("youth", youth, f"{youth.first_name} {youth.last_name}"))
        for household in db.exec(name_matches(scope(Household), q, Household.family_name).limit(25)):
            found.append(("household", household, household.family_name))
        for volunteer in db.exec(name_matches(scope(Volunteer), q, Volunteer.first_name, Volunteer.last_name,
                                              Volunteer.email).limit(25)):
            found.append(("volunteer", volunteer, volunteer.name))
    return render_template("admin/people.html", q=q, found=found)


def _person(kind: str, record_id: int, action: str):  # noqa: ANN202
    model = KINDS.get(kind)
    if model is None:
        abort(404)
    record = load(model, record_id, "show")
    if model is Volunteer:
        require(action, record)
    else:
        require_area("admin")  # youths and families: the admin answers requests for their data
    return record


@bp.get("/personer/<kind>/<int:record_id>/eksport")
def export_person(kind: str, record_id: int) -> Response:
    record = _person(kind, record_id, "export")
    db = get_db()
    if kind == "volunteer":
        data = export_volunteer(db, record, current_user)
    else:
        data = export_mentee(db, type(record).__name__, record.id, current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="makker-{kind}-{record.id}-{today():%Y%m%d}.json"'})


@bp.route("/personer/<kind>/<int:record_id>/slet", methods=["GET", "POST"])
def erase_person(kind: str, record_id: int) -> str | Response:
    record = _person(kind, record_id, "erase")
    name = record.name if kind == "volunteer" else (
        f"{record.first_name} {record.last_name}" if kind == "youth" else record.family_name)
    if getattr(record, "anonymised_at", None) is not None:
        flash(_("This person's data has already been erased."), "info")
        return redirect(url_for("admin.people"))
    error = None
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            error = _("Tick the box to confirm.")
        else:
            db = get_db()
            try:
                if kind == "volunteer":
                    erase_volunteer(db, record, current_user, today())
                else:
                    erase_mentee(db, type(record).__name__, record.id, current_user, today())
            except DomainError as failure:
                db.rollback()
                error = error_message(failure)
            else:
                flash(_("The data of %(name)s is erased. The audit log records that it was done.", name=name),
                      "success")
                return redirect(url_for("admin.people"))
    return render_template("admin/erase.html", kind=kind, record=record, name=name, error=error), (
        400 if error else 200)
