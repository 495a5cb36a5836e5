"""The admin's pages for referrals: referring units, referrers, each programme's referral
settings, the referral dashboard with its CSV, and erasing a referral that became nobody."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from models import clock
from models.errors import DomainError
from models.organisations import Program
from models.referrals.dashboard import Durations, ReferralDashboard, build_referral_dashboard
from models.referrals.privacy import erase_referral
from models.referrals.queries import settings_for
from models.referrals.tables import Referral, ReferralChannel, ReferringUnit
from models.referrals.units import (
    UnitChanges,
    hand_over_referrals,
    invite_referrer,
    save_referral_settings,
    save_unit,
    set_referrer,
)
from models.users import User
from models.waiting import name_matches

# The module, not its names: the dashboard module imports the blueprint, which imports this one.
from web.admin import dashboard as admin_dashboard
from web.admin.referral_forms import (
    EraseReferralForm,
    HandOverForm,
    ReferralSettingsForm,
    ReferrerInviteForm,
    UnitForm,
)
from web.admin.report import Table, csv_bytes
from web.admin.views import bp
from web.database import get_db
from web.forms import attempt_write
from web.i18n import error_message
from web.links import public_url
from web.pagination import paginate
from web.policy import load, require, require_area, scope
from web.tokens import make_user_token

# --- referring units ---------------------------------------------------------------------------

@bp.get("/henvisende-enheder")
def referral_units() -> str:
    require("manage", record_type="ReferringUnit")
    db = get_db()
    page = paginate(db, scope(ReferringUnit).order_by(ReferringUnit.active.desc(), ReferringUnit.name))
    ids = [u.id for u in page.items]
    programs = {p.id: p.name for p in db.exec(scope(Program))}
    channels: dict[int, list[str]] = {}
    referrers: dict[int, int] = {}
    if ids:
        for unit_id, program_id in db.exec(select(ReferralChannel.unit_id, ReferralChannel.program_id).where(
                ReferralChannel.unit_id.in_(ids))):
            channels.setdefault(unit_id, []).append(programs.get(program_id, ""))
        referrers = dict(db.exec(select(User.referring_unit_id, func.count()).where(
            User.referring_unit_id.in_(ids), User.role == "referrer", User.active).group_by(User.referring_unit_id)).all())
    return render_template("admin/referral_units.html", page=page, channels=channels, referrers=referrers)


def _unit_form(unit: ReferringUnit | None) -> str | Response:
    db = get_db()
    form = UnitForm()
    form.program_ids.choices = [(p.id, p.name) for p in db.exec(scope(Program).order_by(Program.name))]
    if request.method == "GET" and unit is not None:
        form.name.data, form.kind.data, form.contact_email.data = unit.name, unit.kind, unit.contact_email
        form.active.data = unit.active
        form.program_ids.data = list(db.exec(select(ReferralChannel.program_id).where(
            ReferralChannel.unit_id == unit.id)))
    changes = UnitChanges(form.name.data, form.kind.data, form.contact_email.data or "",
                          list(form.program_ids.data or []), bool(form.active.data))
    if form.validate_on_submit() and (written := attempt_write(
            form, lambda: save_unit(db, current_user, changes, unit_id=unit.id if unit else None,
                                    submit_key=form.submit_key.data),
            back=url_for("admin.referral_units"))):
        flash(_("%(name)s is saved.", name=written.value.name), "success")
        return redirect(url_for("admin.referral_units"))
    return render_template("admin/referral_unit.html", form=form, unit=unit), 400 if request.method == "POST" else 200


@bp.route("/henvisende-enheder/ny", methods=["GET", "POST"])
def new_referral_unit() -> str | Response:
    require("manage", record_type="ReferringUnit")
    return _unit_form(None)


@bp.route("/henvisende-enheder/<int:unit_id>", methods=["GET", "POST"])
def referral_unit(unit_id: int) -> str | Response:
    return _unit_form(load(ReferringUnit, unit_id, "manage"))


# --- referrers ---------------------------------------------------------------------------------

@bp.get("/henvisere")
def referrers() -> str:
    require("manage", record_type="User")
    db = get_db()
    search = (request.args.get("q") or "").strip()
    stmt = scope(User).where(User.role == "referrer")
    if search:
        stmt = name_matches(stmt, search, User.name, User.email)
    page = paginate(db, stmt.order_by(User.active.desc(), User.name))
    units = list(db.exec(scope(ReferringUnit).order_by(ReferringUnit.name)))
    counts = dict(db.exec(select(Referral.referrer_id, func.count()).where(
        Referral.referrer_id.in_([u.id for u in page.items])).group_by(Referral.referrer_id)).all()) if page.items else {}
    return render_template("admin/referrers.html", page=page, units=units, unit_names={u.id: u.name for u in units},
                           counts=counts, search=search)


@bp.route("/henvisere/ny", methods=["GET", "POST"], endpoint="invite_referrer")
def invite_referrer_page() -> str | Response:
    require("manage", record_type="User")
    db = get_db()
    form = ReferrerInviteForm()
    form.unit_id.choices = [(u.id, u.name) for u in db.exec(scope(ReferringUnit).where(ReferringUnit.active)
                                                             .order_by(ReferringUnit.name))]
    if request.method == "GET" and request.args.get("unit", type=int):
        form.unit_id.data = request.args.get("unit", type=int)
    if form.validate_on_submit() and (written := attempt_write(
            form, lambda: invite_referrer(
                db, current_user, name=form.name.data, email=form.email.data, unit_id=form.unit_id.data,
                link_for=lambda u: public_url("auth.accept_invite", token=make_user_token(u, "invite")),
                submit_key=form.submit_key.data),
            back=url_for("admin.referrers"))):
        flash(_("%(name)s is invited by e-mail.", name=written.value.name), "success")
        return redirect(url_for("admin.referrers"))
    return render_template("admin/referrer_invite.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/henvisere/<int:user_id>")
def update_referrer(user_id: int) -> Response:
    user = load(User, user_id, "manage")
    db = get_db()
    try:
        if request.form.get("unit_id", "").isdigit():
            set_referrer(db, current_user, user.id, unit_id=int(request.form["unit_id"]))
            flash(_("%(name)s now refers for another unit; their referrals stay theirs.", name=user.name), "success")
        elif request.form.get("active") in ("0", "1"):
            set_referrer(db, current_user, user.id, active=request.form["active"] == "1")
            flash(_("%(name)s can sign in again.", name=user.name) if request.form["active"] == "1" else
                  _("%(name)s can no longer sign in. Their referrals are kept.", name=user.name), "success")
        else:
            flash(_("Choose an answer from the list."), "error")
    except DomainError as error:
        db.rollback()
        flash(error_message(error), "error")
    return redirect(url_for("admin.referrers"))


@bp.route("/henvisere/<int:user_id>/overdrag", methods=["GET", "POST"])
def hand_over(user_id: int) -> str | Response:
    """A caseworker leaves or changes job: their referrals go to a colleague of the same unit."""
    giver = load(User, user_id, "manage")
    db = get_db()
    form = HandOverForm()
    colleagues = list(db.exec(scope(User).where(User.role == "referrer", User.active, User.id != giver.id,
                                                User.referring_unit_id == giver.referring_unit_id)
                              .order_by(User.name)))
    form.to_user_id.choices = [(u.id, u.name) for u in colleagues]
    count = db.exec(select(func.count()).select_from(Referral).where(Referral.referrer_id == giver.id)).one()
    if form.validate_on_submit() and (written := attempt_write(
            form, lambda: hand_over_referrals(db, current_user, giver.id, form.to_user_id.data,
                                              submit_key=form.submit_key.data),
            back=url_for("admin.referrers"))):
        taker = next(u for u in colleagues if u.id == form.to_user_id.data)
        flash(ngettext("%(num)d referral now followed by %(name)s.", "%(num)d referrals now followed by %(name)s.",
                       written.value, name=taker.name), "success")
        return redirect(url_for("admin.referrers"))
    return render_template("admin/referrer_hand_over.html", form=form, giver=giver, count=count,
                           unit_name=db.get(ReferringUnit, giver.referring_unit_id).name
                           if giver.referring_unit_id else ""), 400 if request.method == "POST" else 200


# --- a programme's referral settings -------------------------------------------------------------

@bp.route("/programmer/<int:program_id>/henvisninger", methods=["GET", "POST"])
def program_referrals(program_id: int) -> str | Response:
    program = load(Program, program_id, "update")
    db = get_db()
    form = ReferralSettingsForm()
    if request.method == "GET":
        settings = settings_for(db, program.id)
        form.volunteer_info.data = settings.volunteer_info
        form.first_status_months.data, form.status_every_months.data = (settings.first_status_months,
                                                                        settings.status_every_months)
    if form.validate_on_submit() and attempt_write(
            form, lambda: save_referral_settings(db, current_user, program.id, volunteer_info=form.volunteer_info.data,
                                                 first_status_months=form.first_status_months.data,
                                                 status_every_months=form.status_every_months.data,
                                                 today=clock.today()),
            back=url_for("admin.program_referrals", program_id=program.id)):
        flash(_("The referral settings of %(name)s are saved.", name=program.name), "success")
        return redirect(url_for("admin.program_referrals", program_id=program.id))
    units = list(db.exec(scope(ReferringUnit).join(ReferralChannel, ReferralChannel.unit_id == ReferringUnit.id)
                         .where(ReferralChannel.program_id == program.id).order_by(ReferringUnit.name)))
    return render_template("admin/referral_program.html", program=program, form=form, units=units), (
        400 if request.method == "POST" else 200)


# --- the dashboard -------------------------------------------------------------------------------

def _board() -> tuple[ReferralDashboard, Program | None, list[str]]:
    start, end, errors = admin_dashboard._period()
    program = admin_dashboard._program()
    board = build_referral_dashboard(get_db(), current_user.organisation_id, start, end, clock.today(),
                                     program_id=program.id if program else None)
    return board, program, errors


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def referral_tables(board: ReferralDashboard) -> list[Table]:
    """The dashboard's figures as labelled rows: the page and the CSV show the same."""
    return [
        Table("referrals_by_month", _("Referrals by unit and month"),
              [_("Month"), _("Referring unit"), _("Referred"), _("Accepted"), _("Declined")],
              [[row.month, row.unit, row.referred, row.accepted, row.declined] for row in board.by_month]),
        Table("referral_times", _("Days from the referral (median, with the number of referrals)"),
              [_("Referring unit"), _("To acceptance"), _("To match"), _("To introduction")],
              [[d.unit, f"{_days(Durations.middle(d.to_acceptance))} (n={len(d.to_acceptance)})",
                f"{_days(Durations.middle(d.to_match))} (n={len(d.to_match)})",
                f"{_days(Durations.middle(d.to_introduction))} (n={len(d.to_introduction)})"] for d in board.durations]),
        Table("statuses_on_time", _("Statuses to referrers due in the period"),
              [_("Referring unit"), _("Due"), _("Sent on time"), _("Sent late"), _("Not sent"), _("Share on time")],
              [[r.unit, r.due, r.on_time, r.late, r.missing,
                "—" if r.share is None else f"{r.share * 100:.0f} %"] for r in board.on_time]),
    ]


@bp.get("/henvisninger-oversigt")
def referral_dashboard() -> str:
    require_area("admin")
    board, program, errors = _board()
    for error in errors:
        flash(error, "error")
    return render_template("admin/referral_dashboard.html", d=board, program=program, tables=referral_tables(board),
                           programs=list(get_db().exec(scope(Program).order_by(Program.name))))


@bp.get("/henvisninger-oversigt.csv")
def referral_dashboard_csv() -> Response:
    require_area("admin")
    board, _program_, _errors = _board()
    return admin_dashboard._csv(csv_bytes(referral_tables(board)),
                                f"makker-henvisninger-{board.start:%Y%m%d}-{board.end:%Y%m%d}.csv")


# --- erasure -----------------------------------------------------------------------------------

@bp.route("/henvisninger/<int:referral_id>/slet", methods=["GET", "POST"], endpoint="erase_referral")
def erase_referral_page(referral_id: int) -> str | Response:
    referral = load(Referral, referral_id, "erase")
    form = EraseReferralForm()
    if form.validate_on_submit() and attempt_write(
            form, lambda: erase_referral(get_db(), current_user, referral.id),
            back=url_for("coordinator.referral", referral_id=referral.id)):
        flash(_("The referral's personal data is erased; the dates stay for the figures."), "success")
        return redirect(url_for("coordinator.referral", referral_id=referral.id))
    return render_template("admin/referral_erase.html", referral=referral, form=form), (
        400 if request.method == "POST" else 200)
