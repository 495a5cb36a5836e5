"""The admin's "Keeping volunteers" dashboard: tables (the charts' text), charts and CSV."""

from __future__ import annotations

from flask import Response, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models.clock import today
from models.events.keeping import STILL_ACTIVE_AFTER, RetentionFigures, build_retention
from models.events.tables import EVENT_KINDS
from models.organisations import Program
from models.stats import survival_at
from web import chart_store, charts
from web.admin.dashboard import _period, _program
from web.admin.report import Table, csv_bytes
from web.database import get_db
from web.events.views import bp
from web.i18n import format_number, format_percent
from web.labels import label
from web.policy import require_area, scope


def _figures() -> tuple[RetentionFigures, Program | None, list[str]]:
    start, end, errors = _period()
    program = _program()
    figures = build_retention(get_db(), current_user.organisation_id, start, end, today(),
                              program_id=program.id if program else None)
    return figures, program, errors


def _month(day) -> str:  # noqa: ANN001
    return day.strftime("%m-%Y")


def _share(active: int, followed: int) -> str:
    return format_percent(active / followed) if followed else "—"


def tables(f: RetentionFigures) -> list[Table]:
    """Every figure as a table; the CSV is these tables one after another."""
    over_time = Table("active_over_time", _("Active volunteers at the end of each month"),
                      [_("Month")] + [line.program for line in f.lines],
                      [[_month(day)] + [line.counts[i] for line in f.lines] for i, day in enumerate(f.months)])
    funnel = Table("funnel", _("Recruited in the period: how far they came"), [_("Step"), _("Volunteers")],
                   [[_("Recruited"), f.funnel["recruited"]], [_("Approved"), f.funnel["approved"]],
                    [_("Trained"), f.funnel["trained"]], [_("Matched"), f.funnel["matched"]]]
                   + [[_("Still active %(n)s months after approval", n=m), f"{a} / {n} ({_share(a, n)})"]
                      for m, (a, n) in f.still_active.items()])
    stay = Table("stay", _("How long volunteers stay (Kaplan–Meier)"), [_("After"), _("Share still active")],
                 [[_("%(n)s months", n=m), format_percent(v) if v is not None else _("not observed yet")]
                  for m, v in f.stay.items()])
    survival = Table("survival", _("Share still active, day by day"), [_("Day"), _("Followed"), _("Left"),
                                                                       _("Share still active")],
                     [[s.day, s.at_risk, s.closed, format_percent(s.survival)] for s in f.survival])
    reasons = Table("leave_reasons", _("Why volunteers left"), [_("Reason"), _("Volunteers")],
                    [[label("leave_reason", r), n] for r, n in f.leave_reasons.items()]
                    + [[_("Left before their first match"), f.left_before_match]])
    events = Table("events", _("Events held and hours given"), [_("What"), _("Number")],
                   [[label("event_kind", k), f.events_by_kind[k]] for k in EVENT_KINDS if k in f.events_by_kind]
                   + [[_("Events held"), f.events_held], [_("Attendances"), f.attendances],
                      [_("Hours given"), format_number(f.hours_given, 1)]])
    return [over_time, funnel, stay, survival, reasons, events]


def chart_specs(f: RetentionFigures) -> dict[str, charts.Bars | charts.Curve | charts.Lines]:
    over_time = charts.Lines(_("Active volunteers at the end of each month"), [_month(d) for d in f.months],
                             [(line.program, line.counts) for line in f.lines])
    survival = charts.Curve(
        _("Share of volunteers still active"), _("days since approval"), "%",
        [s.day for s in f.survival], [s.survival for s in f.survival],
        [(days, _("%(n)s mo.", n=months)) for months, days in STILL_ACTIVE_AFTER.items()],
        observed_until=f.longest_observed_days)
    funnel = charts.Bars(_("Recruited in the period: how far they came"),
                         [_("Recruited"), _("Approved"), _("Trained"), _("Matched")],
                         [(_("Volunteers"), [f.funnel[k] for k in ("recruited", "approved", "trained", "matched")])])
    reasons = charts.Bars(_("Why volunteers left"), [label("leave_reason", r) for r in f.leave_reasons] or [_("none")],
                          [(_("Volunteers"), list(f.leave_reasons.values()) or [0])], horizontal=True)
    return {"active_over_time": over_time, "stay": survival, "funnel": funnel, "leave_reasons": reasons}


@bp.get("/admin/frivillige")
def retention() -> str:
    require_area("admin")
    f, program, errors = _figures()
    for error in errors:
        flash(error, "error")
    db = get_db()
    keys = chart_store.prepare(db, current_user.organisation_id, chart_specs(f), today())
    images = {name: url_for("admin.chart", key=key) for name, key in keys.items()}
    return render_template("events/retention.html", d=f, program=program, tables={t.key: t for t in tables(f)},
                           images=images, programs=list(db.exec(scope(Program).order_by(Program.name))),
                           args=request.args, survival_at=survival_at)


@bp.get("/admin/frivillige.csv")
def retention_csv() -> Response:
    require_area("admin")
    f, _program_, _errors = _figures()
    name = f"makker-frivillige-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"
    return Response(csv_bytes(tables(f)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})



