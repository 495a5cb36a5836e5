"""The admin's dashboard, its CSV and PDF, and the overview of every relationship."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.clock import today
from models.dashboard import build_dashboard
from models.families.figures import stored_figures
from models.matches import MATCH_STATUSES, Match
from models.organisations import Organisation, Program
from models.overview import SORTS, MatchRow, filter_matches, match_rows
from models.users import User
from web import chart_store
from web.admin.pdf import report_pdf
from web.admin.report import Table, chart_specs, csv_bytes, tables
from web.admin.views import bp
from web.database import get_db
from web.i18n import format_date, parse_date
from web.labels import label
from web.pagination import paginate
from web.params import record_id
from web.policy import require_area, scope


def default_period(day: date) -> tuple[date, date]:
    """The last 12 months up to ``day``: what the dashboard shows unless a period is chosen."""
    return day - timedelta(days=365), day


def _period() -> tuple[date, date, list[str]]:
    """The chosen period (?fra=&til=); the last 12 months unless chosen. Bad dates are explained."""
    errors, (start, end) = [], default_period(today())
    for key, default in (("fra", start), ("til", end)):
        raw = (request.args.get(key) or "").strip()
        value = default
        if raw:
            try:
                value = parse_date(raw)
            except ValueError:
                errors.append(_("%(value)s is not a date; write it as dd-mm-yyyy.", value=raw))
        if key == "fra":
            start = value
        else:
            end = value
    if start > end:
        errors.append(_("The period must begin before it ends; showing the last 12 months."))
        start, end = default_period(today())
    return start, min(end, today()), errors


def _program() -> Program | None:
    program_id = request.args.get("program", type=record_id)
    if program_id is None:
        return None
    return get_db().exec(scope(Program).where(Program.id == program_id)).first()


def _dashboard():  # noqa: ANN202
    start, end, errors = _period()
    program = _program()
    d = build_dashboard(get_db(), current_user.organisation_id, start, end, today(),
                        program_id=program.id if program else None)
    return d, program, errors


def _filename(stem: str, d, ext: str) -> str:  # noqa: ANN001
    return f"makker-{stem}-{d.start:%Y%m%d}-{d.end:%Y%m%d}.{ext}"


@bp.get("/oversigt")
def dashboard() -> str:
    require_area("admin")
    d, program, errors = _dashboard()
    for error in errors:
        flash(error, "error")
    db = get_db()
    # The page names its charts; each image is drawn once for these figures, by whoever asks first.
    keys = chart_store.prepare(db, current_user.organisation_id, chart_specs(d), today())
    images = {name: url_for("admin.chart", key=key) for name, key in keys.items()}
    return render_template("admin/dashboard.html", d=d, program=program, tables={t.key: t for t in tables(d)},
                           images=images, programs=list(db.exec(scope(Program).order_by(Program.name))),
                           args=request.args,
                           # Stored on the queue (decision 0021): the page reads rows, it counts nothing.
                           family=stored_figures(db, current_user.organisation_id, program.id if program else None))


@bp.get("/oversigt/graf/<key>.svg")
def chart(key: str) -> Response:
    require_area("admin")
    found = chart_store.image(get_db(), current_user.organisation_id, key, today()) if len(key) == 64 else None
    if found is None:
        abort(404)
    content, fmt = found
    response = Response(content, mimetype="image/svg+xml" if fmt == "svg" else "image/png")
    # The key names the content: the same address never shows other figures.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.get("/oversigt.csv")
def dashboard_csv() -> Response:
    require_area("admin")
    d, _program, _errors = _dashboard()
    return _csv(csv_bytes(tables(d)), _filename("oversigt", d, "csv"))


@bp.get("/rapport.pdf")
def report() -> Response:
    require_area("admin")
    d, program, _errors = _dashboard()
    organisation = get_db().exec(scope(Organisation)).one()
    pdf = report_pdf(d, organisation.name, program.name if program else _("All programs"), format_date(today()),
                     draw=chart_store.cached_renderer(get_db(), current_user.organisation_id, today()))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename("rapport", d, "pdf")}"'})


def _csv(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- every relationship ---------------------------------------------------------------------

def _overview_query():  # noqa: ANN202
    args = request.args
    sort = args.get("sort") if args.get("sort") in SORTS else "start"
    stmt = filter_matches(scope(Match), program_id=args.get("program", type=record_id), status=args.get("status"),
                          coordinator_id=args.get("coordinator", type=record_id), at_risk_only=args.get("risk") == "1",
                          sort=sort)
    return stmt, sort


def _overview_rows(matches: list[Match]) -> list[MatchRow]:
    return match_rows(get_db(), matches, today())


@bp.get("/makkerpar")
def relationships() -> str:
    require_area("admin")
    db = get_db()
    stmt, sort = _overview_query()
    page = paginate(db, stmt)
    rows = _overview_rows(page.items)
    coordinators = list(db.exec(scope(User).where(User.role.in_(("coordinator", "admin"))).order_by(User.name)))
    return render_template("admin/relationships.html", page=page, rows=rows, sort=sort, args=request.args,
                           programs=list(db.exec(scope(Program).order_by(Program.name))), coordinators=coordinators,
                           statuses=MATCH_STATUSES)


@bp.get("/makkerpar.csv")
def relationships_csv() -> Response:
    require_area("admin")
    stmt, _sort = _overview_query()
    rows = _overview_rows(list(get_db().exec(stmt)))
    table = Table("relationships", _("Matches"), [
        _("Match"), _("Volunteer"), _("Youth or family"), _("Program"), _("Status"), _("Start"), _("Last meeting"),
        _("Last check-in"), _("At risk"), _("Coordinator"), _("Closed"), _("What or who comes next")], [
        [r.match.id, r.volunteer, r.mentee, r.program, label("match_status", r.match.status),
         format_date(r.match.started_on), format_date(r.last_meeting), format_date(r.last_checkin),
         ", ".join(label("risk", f) for f in r.flags), r.coordinator, format_date(r.match.closed_on),
         r.match.next_step] for r in rows])
    return _csv(csv_bytes([table]), f"makker-makkerpar-{today():%Y%m%d}.csv")
