"""Acting on proposals (approve, reject, choose an alternative), manual matches, introductions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models.clock import today
from models.errors import AlreadyDone, Conflict, DomainError
from models.introductions import record_introduction
from models.lifecycle import capacity_left
from models.matches import Match
from models.matchruns import Proposal
from models.members.queries import active_in
from models.mentees import Request
from models.proposals import (
    SoftConcerns,
    approve_proposal,
    check_pair,
    manual_match,
    reject_proposal,
)
from models.volunteers import Volunteer
from models.waiting import request_names
from web.coordinator.forms import ApproveForm, IntroductionForm, ManualMatchForm, RejectForm
from web.coordinator.views import bp
from web.database import get_db
from web.i18n import error_message
from web.links import public_url
from web.policy import load, scope


def _reply_link() -> str:
    return public_url("volunteer.home")


@bp.post("/forslag/<int:proposal_id>/godkend")
def approve(proposal_id: int) -> Response:
    proposal = load(Proposal, proposal_id, "decide")
    form = ApproveForm()
    try:
        match = approve_proposal(get_db(), proposal.id, current_user, today(),
                                 intro_note=(form.intro_note.data or "").strip(), reply_link=_reply_link(),
                                 intro_on=form.intro_on.data if form.validate() else None,
                                 submit_key=form.submit_key.data)
    except AlreadyDone as done:
        flash(error_message(done), "info")
        if done.result_id:
            return redirect(url_for("coordinator.introduction", match_id=done.result_id))
    except DomainError as error:
        flash(error_message(error), "error")
    else:
        flash(_("The match is made. The volunteer has been e-mailed; record the introduction when you have met."),
              "success")
        return redirect(url_for("coordinator.introduction", match_id=match.id))
    return redirect(url_for("coordinator.run", run_id=proposal.run_id))


@bp.route("/forslag/<int:proposal_id>/afvis", methods=["GET", "POST"])
def reject(proposal_id: int) -> str | Response:
    proposal = load(Proposal, proposal_id, "decide")
    form = RejectForm()
    if form.validate_on_submit():
        try:
            reject_proposal(get_db(), proposal.id, current_user, form.reason.data, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        except DomainError as error:
            flash(error_message(error), "error")
        else:
            flash(_("The proposal is rejected; this pair will not be proposed again."), "success")
        return redirect(url_for("coordinator.run", run_id=proposal.run_id))
    db = get_db()
    request_ = db.get(Request, proposal.request_id)
    return render_template("coordinator/reject.html", form=form, proposal=proposal,
                           volunteer=db.get(Volunteer, proposal.volunteer_id),
                           mentee=request_names(db, [request_])[request_.id], request_=request_), (
        400 if request.method == "POST" else 200)


@bp.route("/anmodninger/<int:request_id>/match", methods=["GET", "POST"])
def manual(request_id: int) -> str | Response:
    request_ = load(Request, request_id, "update")
    db = get_db()
    search = (request.args.get("q") or "").strip().lower()
    candidates = [v for v in db.exec(scope(Volunteer).where(active_in(request_.program_id))
                                     .order_by(Volunteer.first_name, Volunteer.last_name))
                  if not search or search in v.name.lower()]
    candidates = [v for v in candidates if capacity_left(db, v, request_.program_id) > 0][:200]
    form = ManualMatchForm()
    form.volunteer_id.choices = [(v.id, f"{v.name} ({v.postcode})") for v in candidates]
    check = concerns = None
    if request.method == "POST" and form.validate_on_submit():
        volunteer = load(Volunteer, form.volunteer_id.data, "show")
        try:
            match = manual_match(db, request_.id, volunteer.id, current_user, today(),
                                 confirm_soft=bool(form.confirm_soft.data), intro_note=form.intro_note.data or "",
                                 reply_link=_reply_link(), submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            if done.result_id:
                return redirect(url_for("coordinator.introduction", match_id=done.result_id))
        except SoftConcerns as soft:
            concerns = [_(c) for c in soft.concerns]
            check = check_pair(db, request_, volunteer, today())
            form.confirm_soft.errors = [_("Confirm the match, or choose another volunteer.")]
        except (Conflict, DomainError) as error:
            db.rollback()
            form.volunteer_id.errors = [error_message(error)]
            check = check_pair(db, request_, volunteer, today())
        else:
            flash(_("The match is made. The volunteer has been e-mailed; record the introduction when you have met."),
                  "success")
            return redirect(url_for("coordinator.introduction", match_id=match.id))
    return render_template("coordinator/manual_match.html", form=form, request_=request_,
                           mentee=request_names(db, [request_])[request_.id], check=check, concerns=concerns,
                           search=search, candidates=candidates), (400 if request.method == "POST" else 200)


@bp.route("/makkerpar/<int:match_id>/introduktion", methods=["GET", "POST"])
def introduction(match_id: int) -> str | Response:
    match = load(Match, match_id, "manage")
    form = IntroductionForm()
    if request.method == "GET" and form.intro_on.data is None:
        form.intro_on.data = today()
    if match.status == "introduced" and form.validate_on_submit():
        try:
            record_introduction(get_db(), match.id, current_user, form.intro_on.data, today(),
                                volunteer_yes=form.volunteer_yes.data == "yes", mentee_yes=form.mentee_yes.data == "yes",
                                attendees=form.attendees.data or "", note=form.note.data or "",
                                rhythm=form.rhythm.data or None, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
            return redirect(url_for("coordinator.introduction", match_id=match.id))
        except DomainError as error:
            get_db().rollback()
            target = form.intro_on if error.field == "intro_on" else None
            if target is not None:
                target.errors = [*target.errors, error_message(error)]
            else:
                form.form_errors.append(error_message(error))
        else:
            if form.volunteer_yes.data == "yes" and form.mentee_yes.data == "yes":
                flash(_("Both said yes: the match is active and its check-ins are planned."), "success")
            else:
                flash(_("The match did not start. Both are back in the pool, and this pair will not be proposed again."),
                      "info")
            # Back to the match: its page shows what happens next (check-ins, or the closure).
            return redirect(url_for("coordinator.match", match_id=match.id))
    db = get_db()
    request_ = db.get(Request, match.request_id)
    return render_template("coordinator/introduction.html", form=form, match=match, request_=request_,
                           volunteer=db.get(Volunteer, match.volunteer_id),
                           mentee=request_names(db, [request_])[request_.id]), (
        400 if request.method == "POST" and match.status == "introduced" else 200)


