"""The coordinator's side of referrals: the intake queue "Nye henvisninger", accepting into the
waiting list, asking for more, declining, the message thread and the status reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import clock
from models.mentees import Request
from models.organisations import Program
from models.referrals.operations import (
    Acceptance,
    accept_referral,
    ask_for_more,
    decline_referral,
    mark_read,
    post_message,
)
from models.referrals.queries import (
    closure_details,
    current_match,
    filter_referrals,
    progress,
    referral_consents,
    sent_statuses,
    status_draft,
    status_plans,
    statuses_coming_due,
    thread,
    unit_names,
    unread_counts,
)
from models.referrals.statuses import StatusText, save_status, stop_status_sharing
from models.referrals.tables import REFERRAL_STATUSES, Referral, ReferringUnit
from models.users import User
from web.coordinator.referral_forms import AcceptForm, AskForm, DeclineForm, StatusForm
from web.coordinator.views import bp
from web.database import get_db
from web.forms import attempt_write
from web.links import public_url
from web.pagination import paginate, paginate_list
from web.policy import load, require_area, scope
from web.referrer.forms import MessageForm, StopStatusForm


def _referrer_link(referral: Referral) -> str:
    return public_url("referrer.referral", referral_id=referral.id)


@bp.get("/henvisninger")
def referrals() -> str:
    """Nye henvisninger: the referrals waiting for a decision first, then every referral on filters."""
    require_area("coordinator")
    db = get_db()
    args = request.args
    status = args.get("status") if args.get("status") in (*REFERRAL_STATUSES, "open", "all") else "open"
    stmt = filter_referrals(scope(Referral), status=None if status == "all" else status,
                            unit_id=args.get("unit", type=int), program_id=args.get("program", type=int),
                            search=args.get("q", ""))
    if status == "open":  # the queue: oldest first, so nobody waits longest
        stmt = stmt.order_by(None).order_by(Referral.submitted_at, Referral.id)
    page = paginate(db, stmt)
    return render_template(
        "coordinator/referrals.html", page=page, status=status, statuses=REFERRAL_STATUSES, args=args,
        units=list(db.exec(scope(ReferringUnit).order_by(ReferringUnit.name))),
        programs=list(db.exec(scope(Program).order_by(Program.name))),
        unit_names=unit_names(db, current_user.organisation_id),
        program_names={p.id: p.name for p in db.exec(scope(Program))},
        referrers={u.id: u.name for u in db.exec(scope(User).where(User.role == "referrer"))},
        unread=unread_counts(db, [r.id for r in page.items], for_referrer=False),
        info=progress(db, page.items, clock.today()), due_count=len(statuses_coming_due(
            db, current_user.organisation_id, clock.today())))


def _detail(record: Referral, code: int = 200, **forms: object) -> tuple[str, int]:
    db = get_db()
    program = db.get(Program, record.program_id)
    match = current_match(db, record)
    plan = status_plans(db, referral_ids=[record.id]).get(match.id) if match is not None else None
    accept = forms.get("accept_form") or AcceptForm()
    if "accept_form" not in forms:
        accept.need.data = (record.wishes.splitlines()[0] if record.wishes else program.name)[:200]
        accept.complexity.data = str(record.complexity)
        accept.complexity_reason.data = record.complexity_reason
        accept.version.data = str(record.version)
    request_ = db.get(Request, record.request_id) if record.request_id else None
    staff = {u.id: u.name for u in db.exec(scope(User).where(User.role != "volunteer"))}
    return render_template(
        "coordinator/referral.html", referral=record, program=program, unit=db.get(ReferringUnit, record.unit_id),
        referrer=db.get(User, record.referrer_id), consents=referral_consents(db, record),
        messages=thread(db, record.id), closures=closure_details(db, record.id), users=staff,
        info=progress(db, [record], clock.today())[record.id], statuses=sent_statuses(db, record.id),
        draft=status_draft(db, record.id), plan=plan, match=match, request_=request_,
        accept_form=accept, ask_form=forms.get("ask_form") or AskForm(),
        message_form=forms.get("message_form") or MessageForm(), today=clock.today()), code


@bp.get("/henvisninger/<int:referral_id>")
def referral(referral_id: int) -> tuple[str, int]:
    require_area("coordinator")
    record = load(Referral, referral_id)
    mark_read(get_db(), current_user, record)  # audited; the referrer's messages are read
    return _detail(record)


@bp.post("/henvisninger/<int:referral_id>/visiter")
def accept(referral_id: int) -> tuple[str, int] | Response:
    require_area("coordinator")
    record = load(Referral, referral_id, "decide")
    form = AcceptForm()
    if form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        written = attempt_write(form, lambda: accept_referral(
            get_db(), current_user, record.id,
            Acceptance(form.need.data, int(form.complexity.data or 0), form.complexity_reason.data or ""),
            clock.today(), _referrer_link, seen_version=version, submit_key=form.submit_key.data),
            back=url_for("coordinator.referral", referral_id=record.id))
        if written:
            accepted = written.value
            flash(_("%(name)s is accepted and waits for a match from %(date)s (the day of the referral).",
                    name=accepted.referral.name, date=accepted.request.referred_on.strftime("%d-%m-%Y")), "success")
            if accepted.certificate_added:
                flash(_("%(program)s now serves a child under 15, so a børneattest is required of its volunteers from "
                        "now on. Volunteers without one are not proposed for children under 15.",
                        program=get_db().get(Program, accepted.request.program_id).name), "info")
            if accepted.referral.youth_id:
                return redirect(url_for("coordinator.youth", youth_id=accepted.referral.youth_id))
            return redirect(url_for("coordinator.household", household_id=accepted.referral.household_id))
    return _detail(record, 400, accept_form=form)


@bp.post("/henvisninger/<int:referral_id>/spoerg")
def ask(referral_id: int) -> tuple[str, int] | Response:
    require_area("coordinator")
    record = load(Referral, referral_id, "decide")
    form = AskForm()
    if form.validate_on_submit() and attempt_write(
            form, lambda: ask_for_more(get_db(), current_user, record.id, form.question.data, _referrer_link,
                                       submit_key=form.submit_key.data),
            back=url_for("coordinator.referral", referral_id=record.id)):
        flash(_("Your question is sent to the referrer."), "success")
        return redirect(url_for("coordinator.referral", referral_id=record.id))
    return _detail(record, 400, ask_form=form)


@bp.route("/henvisninger/<int:referral_id>/afvis", methods=["GET", "POST"])
def decline(referral_id: int) -> str | Response:
    require_area("coordinator")
    record = load(Referral, referral_id, "decide")
    form = DeclineForm()
    if form.validate_on_submit() and attempt_write(
            form, lambda: decline_referral(get_db(), current_user, record.id, form.reason.data, form.note.data,
                                           _referrer_link, submit_key=form.submit_key.data),
            back=url_for("coordinator.referral", referral_id=record.id)):
        flash(_("The referral is declined; the referrer can read why."), "success")
        return redirect(url_for("coordinator.referrals"))
    return render_template("coordinator/referral_decline.html", referral=record, form=form), (
        400 if request.method == "POST" else 200)


@bp.post("/henvisninger/<int:referral_id>/besked")
def referral_message(referral_id: int) -> tuple[str, int] | Response:
    require_area("coordinator")
    record = load(Referral, referral_id, "message")
    form = MessageForm()
    messages = url_for("coordinator.referral", referral_id=record.id) + "#beskeder"
    if form.validate_on_submit() and attempt_write(
            form, lambda: post_message(get_db(), current_user, record.id, form.body.data, _referrer_link(record),
                                       submit_key=form.submit_key.data),
            back=messages):
        flash(_("Your message is sent to the referrer."), "success")
        return redirect(messages)
    return _detail(record, 400, message_form=form)


@bp.route("/henvisninger/<int:referral_id>/status", methods=["GET", "POST"])
def referral_status(referral_id: int) -> str | Response:
    """Write the status for the referrer from the template, save it as a draft or send it."""
    require_area("coordinator")
    record = load(Referral, referral_id, "report")
    db = get_db()
    match = current_match(db, record)
    plan = status_plans(db, referral_ids=[record.id]).get(match.id) if match is not None else None
    draft = status_draft(db, record.id)
    form = StatusForm()
    if request.method == "GET" and draft is not None:
        form.how_it_goes.data, form.agreements.data, form.concerns.data = (draft.how_it_goes, draft.agreements,
                                                                            draft.concerns)
    if form.validate_on_submit():
        send_now = request.form.get("action") == "send"
        if send_now and not form.checked.data:
            form.checked.errors = [*form.checked.errors, _("Tick the box to confirm.")]
        else:
            text = StatusText(form.how_it_goes.data or "", form.agreements.data or "", form.concerns.data or "")
            # A lost race (the match changed meanwhile) shows the status page as it is now.
            if attempt_write(form, lambda: save_status(db, current_user, record.id, text, clock.today(),
                                                       send_now=send_now, link_for_referrer=_referrer_link,
                                                       submit_key=form.submit_key.data),
                             back=url_for("coordinator.referral", referral_id=record.id),
                             conflict_back=url_for("coordinator.referral_status", referral_id=record.id)):
                flash(_("The status is sent; the referrer gets an e-mail that it is ready.") if send_now else
                      _("The draft is saved. Nobody but the coordinators can see it."), "success")
                return redirect(url_for("coordinator.referral", referral_id=record.id))
    info = progress(db, [record], clock.today())[record.id]
    return render_template("coordinator/referral_status.html", referral=record, form=form, plan=plan, match=match,
                           info=info, program=db.get(Program, record.program_id), today=clock.today(),
                           sent=sent_statuses(db, record.id)), 400 if request.method == "POST" else 200


@bp.route("/henvisninger/<int:referral_id>/stop-status", methods=["GET", "POST"])
def referral_stop_status(referral_id: int) -> str | Response:
    require_area("coordinator")
    record = load(Referral, referral_id, "stop_status")
    form = StopStatusForm()
    if request.method == "GET":
        form.on.data = clock.today()
    if form.validate_on_submit() and attempt_write(
            form, lambda: stop_status_sharing(get_db(), current_user, record.id, form.on.data, clock.today()),
            back=url_for("coordinator.referral", referral_id=record.id)):
        flash(_("No more statuses will be sent about this referral."), "success")
        return redirect(url_for("coordinator.referral", referral_id=record.id))
    return render_template("referrer/stop_status.html", referral=record, form=form, back="coordinator.referral"), (
        400 if request.method == "POST" else 200)


@bp.get("/henvisninger/statusser")
def referral_statuses() -> str:
    """The statuses to referrers due within a week or overdue, soonest first."""
    require_area("coordinator")
    db = get_db()
    today = clock.today()
    plans = statuses_coming_due(db, current_user.organisation_id, today)
    page = paginate_list(plans)
    ids = [p.referral_id for p in page.items]
    referrals = {r.id: r for r in db.exec(scope(Referral).where(Referral.id.in_(ids)))} if ids else {}
    if any(pid not in referrals for pid in ids):
        abort(404)
    return render_template("coordinator/referral_statuses.html", page=page, referrals=referrals, today=today,
                           program_names={p.id: p.name for p in db.exec(scope(Program))},
                           drafts={rid for rid in ids if status_draft(db, rid) is not None})

