"""Import pages: upload, map columns and values, preview with choices, progress and result, undo;
the coordinator's list of imported consents to confirm; the imported volunteer's welcome page.

Views are thin: every rule is in models/imports/operations.py, which the job and `makker import`
call as well.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from models.clock import today
from models.errors import AlreadyDone, DomainError
from models.imports import operations as ops
from models.imports.fields import field_map
from models.imports.reading import MAX_BYTES
from models.imports.tables import ImportBatch
from models.organisations import Program
from models.users import User
from web.auth.forms import NewPasswordForm
from web.database import get_db
from web.forms import apply_domain_error
from web.i18n import error_message
from web.imports.forms import SaveMappingForm, UndoForm, UploadForm
from web.imports.links import PURPOSE, WELCOME_MAX_AGE
from web.jobs import enqueue
from web.pagination import paginate, paginate_list
from web.params import optional_record_id
from web.policy import load, public, require, require_area, scope
from web.tokens import read_user_token, token_matches

bp = Blueprint("imports", __name__, url_prefix="/import")
welcome_bp = Blueprint("imports_welcome", __name__)


def _message(msgid: str, **params: object) -> str:
    return error_message(DomainError(msgid, **params))


def _programs() -> list[Program]:
    return list(get_db().exec(scope(Program).where(Program.active).order_by(Program.name)))


@bp.route("/", methods=["GET", "POST"])
def index() -> str | Response:
    return _index(too_large=False)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the limit: the upload page again, saying so (never a bare 413 page)."""
    if request.endpoint != "imports.index":
        return render_template("errors/error.html", code=413), 413
    return _index(too_large=True)


def _index(too_large: bool) -> tuple[str, int] | Response:
    require("manage", record_type="ImportBatch")
    db = get_db()
    form = UploadForm(formdata=None) if too_large else UploadForm()
    form.program.choices = [(p.id, p.name) for p in _programs()]
    kind = form.kind.data or "volunteers"
    form.mapping.choices = [("", _("None"))] + [(m.name, m.name) for m in ops.saved_mappings(
        db, current_user.organisation_id, kind)]
    status = 200
    if too_large:
        form.file.errors = [_message("The file is larger than %(mb)s MB. Split it into several files.",
                                     mb=MAX_BYTES // 1024 // 1024)]
        status = 400
    elif request.method == "POST" and form.validate_on_submit():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [_("Choose the file to import.")]
            status = 400
        else:
            try:
                batch = ops.upload(db, current_user, form.program.data, form.kind.data, upload.filename,
                                   upload.read(MAX_BYTES + 1), form.mapping.data or None)
            except DomainError as error:
                db.rollback()
                apply_domain_error(form, error, error_message(error))
                status = 400
            else:
                flash(ngettext("The file has %(num)d row. Check the columns.",
                               "The file has %(num)d rows. Check the columns.", len(batch.rows)), "success")
                return redirect(url_for("imports.mapping", batch_id=batch.id))
    elif request.method == "POST":
        status = 400
    page = paginate(db, scope(ImportBatch).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()))
    programs = {p.id: p.name for p in _programs()}
    return render_template("imports/index.html", form=form, page=page, programs=programs,
                           max_mb=MAX_BYTES // 1024 // 1024), status


def _editable_or_redirect(batch: ImportBatch) -> Response | None:
    if batch.status != "uploaded":
        return redirect(url_for("imports.batch", batch_id=batch.id))
    return None


@bp.route("/<int:batch_id>/kolonner", methods=["GET", "POST"])
def mapping(batch_id: int) -> str | Response:
    batch = load(ImportBatch, batch_id, "manage")
    if (moved := _editable_or_redirect(batch)) is not None:
        return moved
    db = get_db()
    form = SaveMappingForm()
    fields = field_map(batch.kind)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        columns = {str(i): request.form.get(f"col_{i}", "") for i in range(len(batch.headers))}
        values: dict[str, dict[str, str]] = {}
        for key in fields:
            for n in range(int(request.form.get(f"count_{key}", "0") or 0)):
                raw = request.form.get(f"raw_{key}_{n}")
                code = request.form.get(f"val_{key}_{n}")
                if raw is not None and code is not None and code != "?":
                    values.setdefault(key, {})[raw] = code
        try:
            ops.set_mapping(db, current_user, batch.id, columns, values, form.save_as.data or "")
        except DomainError as error:
            db.rollback()
            errors[error.field or ""] = error_message(error)
            status = 400
        else:
            if form.save_as.data:
                flash(_("The mapping is saved as %(name)s.", name=form.save_as.data.strip()), "success")
            return redirect(url_for("imports.preview", batch_id=batch.id))
    elif request.method == "POST":
        status = 400
    questions = ops.value_questions(batch)
    sample = batch.rows[:3]
    return render_template("imports/mapping.html", batch=batch, form=form, fields=list(fields.values()),
                           questions=questions, sample=sample, errors=errors,
                           vocab={f.key: f.vocabulary for f in fields.values()},
                           choices=_value_choices(), program=db.get(Program, batch.program_id)), status


def _value_choices() -> dict[str, list[tuple[str, str]]]:
    from matching.vocabulary import INTERESTS, LANGUAGES
    from web.i18n import label as vocab_label
    from web.labels import choices

    return {
        "interests": sorted(((c, vocab_label(n)) for c, n in INTERESTS.items()), key=lambda c: c[1]),
        "languages": sorted(((c, vocab_label(n)) for c, n in LANGUAGES.items()), key=lambda c: c[1]),
        "gender": [(c, str(n)) for c, n in choices("gender")],
        "volunteer_status": [("approved", _("Approved: waiting for a match")), ("screening", _("In screening"))],
        "complexity": [("0", _("Low")), ("1", _("Moderate")), ("2", _("High")), ("3", _("Very high"))],
        "consent_role": [("guardian", _("Custody holder (parent or guardian)")),
                         ("self", _("The youth themselves (from 15)"))],
        "member_role": [("parent", _("Adult (parent)")), ("child", _("Child")), ("other", _("Other member"))],
        "match_status": [("active", _("Running")), ("paused", _("Paused")), ("closed", _("Ended"))],
        "meeting_rhythm": [(c, str(n)) for c, n in choices("rhythm")],
    }


@bp.route("/<int:batch_id>/gennemse", methods=["GET", "POST"])
def preview(batch_id: int) -> str | Response:
    batch = load(ImportBatch, batch_id, "manage")
    if (moved := _editable_or_redirect(batch)) is not None:
        return moved
    db = get_db()
    form = SaveMappingForm()
    problem = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        decisions = {}
        for key, value in request.form.items():
            if key.startswith("row_") and key[4:].isdigit():
                decisions[int(key[4:])] = value
        try:
            ops.decide(db, current_user, batch.id, decisions, skip_errors=bool(request.form.get("skip_errors")),
                       today=today())
            if request.form.get("action") == "start":
                ops.start_import(db, current_user, batch.id, today())
                enqueue("import_batch", batch.id)
                return redirect(url_for("imports.batch", batch_id=batch.id))
        except DomainError as error:
            db.rollback()
            problem = error_message(error)
            status = 400
        else:
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("imports.preview", batch_id=batch.id, side=request.args.get("side", 1)))
    elif request.method == "POST":
        status = 400
    db.refresh(batch)
    checked = ops.check_batch(db, batch, today())
    page = paginate_list(checked.flagged)
    good = [r for r in checked.rows if not r.flagged]
    return render_template("imports/preview.html", batch=batch, form=form, checked=checked, page=page,
                           good_count=len(good), sample=good[:5], problem=problem,
                           fields=field_map(batch.kind), program=db.get(Program, batch.program_id)), status


@bp.get("/<int:batch_id>")
def batch(batch_id: int) -> str:
    batch = load(ImportBatch, batch_id, "manage")
    db = get_db()
    blockers = ops.undo_blockers(db, batch, today()) if batch.status == "done" else []
    said = batch.result.get("error") if batch.status == "failed" else None
    # The job's reason in the reader's language (a row number and a rule among its parameters).
    failure = error_message(DomainError(said["msgid"], **said["params"])) if said else (_(batch.error) if batch.error else "")
    return render_template("imports/batch.html", batch=batch, program=db.get(Program, batch.program_id),
                           failure=failure,
                           blockers=blockers, undo_days=ops.UNDO_DAYS, progress=progress_text(batch),
                           created_by=db.get(User, batch.created_by_id) if batch.created_by_id else None)


def progress_text(batch: ImportBatch) -> str:
    """Where a queued or running import is, in the reader's words (page and status URL)."""
    from web.i18n import format_number

    total = len(batch.rows)
    if batch.status == "queued":
        return _("Waiting for the import to start.")
    if batch.status == "running" and batch.progress < total:
        return _("Checking the rows: %(done)s of %(total)s.", done=format_number(batch.progress),
                 total=format_number(total))
    if batch.status == "running":
        return _("All %(total)s rows are checked; saving them in one go.", total=format_number(total))
    return _("The import has finished.")


@bp.get("/<int:batch_id>/status")
def batch_status(batch_id: int) -> dict:
    batch = load(ImportBatch, batch_id, "manage")
    # The page that polls this reloads itself once the import is no longer queued or running.
    return {"status": batch.status, "progress": batch.progress, "total": len(batch.rows),
            "message": progress_text(batch)}


@bp.post("/<int:batch_id>/proev-igen")
def retry(batch_id: int) -> Response:
    batch = load(ImportBatch, batch_id, "manage")
    try:
        ops.retry_failed(get_db(), current_user, batch.id)
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "error")
        return redirect(url_for("imports.batch", batch_id=batch.id))
    return redirect(url_for("imports.preview", batch_id=batch.id))


@bp.route("/<int:batch_id>/fortryd", methods=["GET", "POST"])
def undo(batch_id: int) -> str | Response:
    batch = load(ImportBatch, batch_id, "undo")
    db = get_db()
    form = UndoForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            ops.undo_import(db, current_user, batch.id, today(), submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("imports.batch", batch_id=batch.id))
        except DomainError as error:
            db.rollback()
            form.form_errors.append(error_message(error))
        else:
            flash(_("The import is undone: what it created is removed."), "success")
            return redirect(url_for("imports.batch", batch_id=batch.id))
    blockers = ops.undo_blockers(db, batch, today())
    return render_template("imports/undo.html", batch=batch, form=form, blockers=blockers,
                           undo_days=ops.UNDO_DAYS), 400 if request.method == "POST" else 200


@bp.route("/samtykker", methods=["GET", "POST"])
def to_confirm() -> str | Response:
    require("manage", record_type="ImportBatch")
    db = get_db()
    form = SaveMappingForm()
    status = 200
    problem = None
    if request.method == "POST" and form.validate_on_submit():
        ids = [i for i in (optional_record_id(v) for v in request.form.getlist("record")) if i]
        try:
            done = ops.confirm_imported_consent(db, current_user, ids)
        except DomainError as error:
            db.rollback()
            problem = error_message(error)
            status = 400
        else:
            flash(ngettext("%(num)d consent is confirmed.", "%(num)d consents are confirmed.", done), "success")
            return redirect(url_for("imports.to_confirm"))
    elif request.method == "POST":
        status = 400
    page = paginate(db, ops.to_confirm(db, current_user.organisation_id))
    # Both lists follow the same ?side= page: few families come per import.
    families = paginate(db, ops.households_to_confirm(db, current_user.organisation_id))
    return render_template("imports/to_confirm.html", page=page, families=families, form=form,
                           problem=problem), status


@welcome_bp.route("/importeret/<token>", methods=["GET", "POST"])
@public
def welcome(token: str) -> str | Response:
    """An imported volunteer checks the data the association moved here, consents and chooses
    a password; until then the matching does not propose them."""
    from models.imports.operations import imported_volunteer
    from web.labels import availability_text, interests_text, languages_text

    db = get_db()
    data = read_user_token(token, PURPOSE, WELCOME_MAX_AGE)
    user_id = optional_record_id(data[0]) if data else None
    user = db.get(User, user_id) if user_id else None
    found = imported_volunteer(db, user) if user is not None and user.active and token_matches(user, data[1]) else None
    if found is None or found[1].confirmed_at is not None:
        return render_template("imports/welcome_invalid.html"), 410
    volunteer, _record = found
    form = NewPasswordForm()
    consent_error = None
    status = 200
    if request.method == "POST":
        consented = bool(request.form.get("consent"))
        if not consented:
            consent_error = _("Tick the box to give your consent.")
        if form.validate_on_submit() and consented:
            try:
                ops.confirm_imported_volunteer(db, user.id, form.password.data, today(),
                                               link_valid=lambda fresh: token_matches(fresh, data[1]))
            except DomainError as error:
                db.rollback()
                if error.field == "password":
                    form.password.errors = [*form.password.errors, error_message(error)]
                else:
                    flash(error_message(error), "error")
                    return redirect(url_for("auth.login"))
            else:
                flash(_("Thank you: your details and consent are confirmed. Sign in with your e-mail and the new "
                        "password."), "success")
                return redirect(url_for("auth.login"))
        status = 400
    from models.signup import volunteer_consent_text

    program = db.get(Program, volunteer.program_id)
    if program is None:
        abort(404)
    return render_template("imports/welcome.html", form=form, volunteer=volunteer, program=program,
                           consent_text=volunteer_consent_text(db, program), consent_error=consent_error,
                           languages=languages_text(volunteer.languages), interests=interests_text(volunteer.interests),
                           availability=availability_text(volunteer.availability)), status


# --- export: everything, to leave -----------------------------------------------------------

def _export_admin() -> None:
    from models.organisations import Organisation

    require_area("admin")  # signed in first: an anonymous visitor has no organisation
    require("export", get_db().get(Organisation, current_user.organisation_id))


@bp.route("/eksport", methods=["GET", "POST"])
def export_page() -> str | Response:
    """What an export holds, and the admin's own exports; the file itself is made by a job."""
    from models.imports import exports
    from models.imports.export import SHEET_NAMES, table_counts
    from web.imports.forms import ExportForm

    _export_admin()
    db = get_db()
    form = ExportForm()
    if request.method == "POST" and form.validate_on_submit():
        from web.forms import attempt_action

        written = attempt_action(lambda: exports.request_export(db, current_user, form.fmt.data))
        if written is not None:
            enqueue("export_file", written.value.id)
            return redirect(url_for("imports.export_status_page", export_id=written.value.id))
    counts = {SHEET_NAMES.get(name, name): n for name, n in table_counts(db, current_user.organisation_id).items()}
    page = paginate(db, exports.my_exports(current_user))
    return render_template("imports/export.html", counts=counts, form=form, page=page,
                           keep_hours=exports.KEEP_HOURS), 400 if request.method == "POST" else 200


def export_progress_text(export: object) -> str:
    from web.i18n import format_number

    if export.status == "queued":
        return _("Waiting for the export to start.")
    if export.status == "running":
        return _("Reading the tables: %(done)s of %(total)s.", done=format_number(export.progress),
                 total=format_number(export.total or 0))
    return _("The export has finished.")


@bp.get("/eksport/<int:export_id>")
def export_status_page(export_id: int) -> str:
    from models.imports.exports import KEEP_HOURS, ExportFile

    _export_admin()
    export = load(ExportFile, export_id, "download")
    return render_template("imports/export_file.html", export=export, progress=export_progress_text(export),
                           keep_hours=KEEP_HOURS)


@bp.get("/eksport/<int:export_id>/status")
def export_status(export_id: int) -> dict:
    from models.imports.exports import ExportFile

    _export_admin()
    export = load(ExportFile, export_id, "download")
    return {"status": export.status, "progress": export.progress, "total": export.total,
            "message": export_progress_text(export)}


@bp.get("/eksport/<int:export_id>/fil")
def export_download(export_id: int) -> Response:
    from datetime import UTC, datetime

    from models.imports.exports import ExportFile, download_export

    _export_admin()
    export = load(ExportFile, export_id, "download")
    try:
        data, name, fmt = download_export(get_db(), current_user, export.id, datetime.now(UTC))
    except DomainError as error:
        get_db().rollback()
        flash(error_message(error), "error")
        return redirect(url_for("imports.export_status_page", export_id=export.id))
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "application/json")
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "no-store"})
