"""Following the relationships: the at-risk list, a match's page, check-ins, pause, resume, closure."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from models.audit import record_view
from models.clock import today
from models.errors import DomainError
from models.events.queries import count_waiting_without_events, waiting_without_events
from models.followup import (
    CLOSING_REASONS,
    OUTCOME_QUESTIONS,
    CheckInAnswers,
    Closure,
    close_match,
    mark_contact_handled,
    pause_match,
    reactivate_volunteer,
    record_checkin,
    resume_match,
)
from models.matches import CheckIn, Match, MatchEvent, MeetingLog
from models.meetings import set_meeting_rhythm
from models.mentees import Request
from models.organisations import Program
from models.risk import overdue_checkins
from models.risk_state import as_match_risk, at_risk_query, risk_counts, stored_risks
from models.users import User
from models.volunteers import Volunteer
from models.waiting import request_names
from web.coordinator.forms import CheckInForm, CloseForm, PauseForm, ResumeForm
from web.coordinator.views import bp
from web.database import get_db
from web.forms import RhythmForm, apply_domain_error, attempt_action, attempt_write
from web.i18n import error_message
from web.labels import choices, label
from web.pagination import paginate
from web.params import optional_record_id, record_id
from web.policy import load, require_area, scope


def _seen_version(form) -> int | None:  # noqa: ANN001
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def _show_error(form, error: DomainError) -> None:  # noqa: ANN001
    message = error_message(error)
    if error.field == "outcome":
        form.outcome_error = message
        form.form_errors.append(message)
    else:
        apply_domain_error(form, error, message)


def _on_the_form(record: Match) -> dict:
    """How the match's long forms answer a refusal: a double click goes to the match, anything
    else (a version conflict too) is shown on the form so nothing typed is lost."""
    return {"back": url_for("coordinator.match", match_id=record.id), "conflict_on_form": True,
            "show_error": _show_error}


def _outcome(form) -> dict[str, str]:  # noqa: ANN001
    data = form.outcome.data or {}
    return {key: data.get(key) or "" for key in (*OUTCOME_QUESTIONS, "own_words")}


@bp.get("/forloeb")
def followup() -> str:
    require_area("coordinator")
    db = get_db()
    programs = list(db.exec(scope(Program).order_by(Program.name)))
    program_id = request.args.get("program", type=record_id)
    program_id = program_id if program_id in {p.id for p in programs} else None
    page = paginate(db, at_risk_query(current_user.organisation_id, program_id))
    page.items = [as_match_risk(m, row, today()) for m, row in page.items]
    overdue = overdue_checkins(db, current_user.organisation_id, today(), program_id, limit=50)
    overdue_total = risk_counts(db, current_user.organisation_id, program_id)[1]
    shown = [r.match for r in page.items] + [m for _c, m in overdue]
    drifting = list(db.exec(waiting_without_events(current_user.organisation_id, today(), program_id).limit(50)))
    drifting_total = count_waiting_without_events(db, current_user.organisation_id, today(), program_id)
    return render_template("coordinator/followup.html", page=page, overdue=overdue, overdue_total=overdue_total,
                           programs=programs, args=request.args, today=today(), drifting=drifting,
                           drifting_total=drifting_total, **_names(shown))


def _names(matches: list[Match]) -> dict:
    db = get_db()
    requests = {r.id: r for r in db.exec(scope(Request).where(Request.id.in_({m.request_id for m in matches})))} \
        if matches else {}
    volunteers = {v.id: v for v in db.exec(scope(Volunteer).where(Volunteer.id.in_({m.volunteer_id for m in matches})))} \
        if matches else {}
    return {"mentees": request_names(db, list(requests.values())), "volunteers": volunteers, "requests": requests}


@bp.get("/makkerpar/<int:match_id>")
def match(match_id: int) -> str:
    record = load(Match, match_id, "manage")
    db = get_db()
    record_view(db, organisation_id=record.organisation_id, user_id=current_user.id, record_type="Match",
                record_id=record.id)
    events = list(db.exec(select(MatchEvent).where(MatchEvent.match_id == record.id).order_by(MatchEvent.at.desc())))
    meetings = list(db.exec(select(MeetingLog).where(MeetingLog.match_id == record.id)
                            .order_by(MeetingLog.met_on.desc(), MeetingLog.id.desc()).limit(50)))
    checkins = list(db.exec(select(CheckIn).where(CheckIn.match_id == record.id).order_by(CheckIn.due_on)))
    user_ids = {e.by_id for e in events} | {c.done_by_id for c in checkins} | {record.coordinator_id}
    users = {u.id: u.name for u in db.exec(scope(User).where(User.id.in_([i for i in user_ids if i])))}
    risk = stored_risks(db, [record], today())[record.id]
    resume_form = ResumeForm(version=record.version, on=today())
    rhythm_form = RhythmForm(rhythm=record.meeting_rhythm)
    return render_template("coordinator/match.html", match=record, events=events, meetings=meetings,
                           checkins=checkins, users=users, risk=risk, program=db.get(Program, record.program_id),
                           resume_form=resume_form, rhythm_form=rhythm_form, today=today(), **_names([record]))


@bp.route("/makkerpar/<int:match_id>/opfoelgning", methods=["GET", "POST"])
def checkin(match_id: int) -> str | Response:
    record = load(Match, match_id, "manage")
    db = get_db()
    form = CheckInForm()
    if request.method == "GET":
        form.version.data = record.version
        form.done_on.data = today()
        form.checkin_id.data = request.args.get("checkin", "")
    elif form.validate_on_submit():
        answers = CheckInAnswers(done_on=form.done_on.data, contacted=form.contacted.data or [],
                                 rating=int(form.rating.data) if form.rating.data else None,
                                 concerns=form.concerns.data or "", agreements=form.agreements.data or "",
                                 next_step=form.next_step.data or "", outcome=_outcome(form))
        if attempt_write(form, lambda: record_checkin(
                db, record.id, current_user, today(), answers, checkin_id=optional_record_id(form.checkin_id.data),
                seen_version=_seen_version(form), submit_key=form.submit_key.data), **_on_the_form(record)):
            flash(_("The check-in is recorded."), "success")
            return redirect(url_for("coordinator.match", match_id=record.id))
    planned = None
    if (planned_id := optional_record_id(form.checkin_id.data)) is not None:
        planned = db.exec(select(CheckIn).where(CheckIn.match_id == record.id, CheckIn.id == planned_id)).first()
    followup_due = record.status == "closed" or (planned is not None and planned.kind == "followup")
    one_year_due = planned is not None and planned.kind == "one_year"
    return render_template("coordinator/checkin.html", form=form, match=record, planned=planned,
                           followup_due=followup_due, one_year_due=one_year_due,
                           **_names([record])), 400 if request.method == "POST" else 200


@bp.route("/makkerpar/<int:match_id>/pause", methods=["GET", "POST"])
def pause(match_id: int) -> str | Response:
    record = load(Match, match_id, "manage")
    db = get_db()
    form = PauseForm()
    if request.method == "GET":
        form.version.data = record.version
        form.on.data = today()
    elif form.validate_on_submit() and attempt_write(
            form, lambda: pause_match(db, record.id, current_user, today(), on=form.on.data, until=form.until.data,
                                      reason=form.reason.data or "", seen_version=_seen_version(form),
                                      submit_key=form.submit_key.data),
            **_on_the_form(record)):
        flash(_("The match is paused. No alerts for missing meetings while the pause lasts."), "success")
        return redirect(url_for("coordinator.match", match_id=record.id))
    return render_template("coordinator/pause.html", form=form, match=record, **_names([record])), (
        400 if request.method == "POST" else 200)


@bp.post("/makkerpar/<int:match_id>/genoptag")
def resume(match_id: int) -> Response:
    record = load(Match, match_id, "manage")
    db = get_db()
    form = ResumeForm()
    if not form.validate_on_submit():
        flash(_("Write the date the match was resumed."), "error")
        return redirect(url_for("coordinator.match", match_id=record.id))
    if attempt_action(lambda: resume_match(db, record.id, current_user, today(), on=form.on.data,
                                           seen_version=_seen_version(form), submit_key=form.submit_key.data)):
        flash(_("The match is active again."), "success")
    return redirect(url_for("coordinator.match", match_id=record.id))


@bp.route("/makkerpar/<int:match_id>/afslut", methods=["GET", "POST"])
def close(match_id: int) -> str | Response:
    record = load(Match, match_id, "manage")
    db = get_db()
    form = CloseForm()
    form.reason.choices = [("", _("Choose…")), *[(r, lbl) for r, lbl in choices("closure_reason")
                                                  if r in CLOSING_REASONS]]
    program = db.get(Program, record.program_id)
    if request.method == "GET":
        form.version.data = record.version
        form.closed_on.data = today()
    elif record.status != "closed" and form.validate_on_submit():
        closure = Closure(closed_on=form.closed_on.data, reason=form.reason.data, note=form.note.data or "",
                          exit_conversation=form.exit_conversation.data or "", outcome=_outcome(form),
                          next_step=form.next_step.data or "",
                          pair_may_rematch=form.pair_may_rematch.data == "yes",
                          request_back_to_pool=form.request_back.data == "yes",
                          volunteer_back_to_pool=form.volunteer_back.data == "yes")
        if attempt_write(form, lambda: close_match(db, record.id, current_user, today(), closure,
                                                   seen_version=_seen_version(form), submit_key=form.submit_key.data),
                         **_on_the_form(record)):
            flash(_("The match is closed."), "success")
            return redirect(url_for("coordinator.match", match_id=record.id))
    return render_template("coordinator/close.html", form=form, match=record, program=program,
                           **_names([record])), 400 if request.method == "POST" else 200


@bp.post("/makkerpar/<int:match_id>/rytme")
def set_rhythm(match_id: int) -> Response:
    record = load(Match, match_id, "manage")
    form = RhythmForm()
    if not form.validate_on_submit():
        flash(_("Choose how often they meet."), "error")
        return redirect(url_for("coordinator.match", match_id=record.id))
    if attempt_action(lambda: set_meeting_rhythm(get_db(), record.id, current_user.id, form.rhythm.data)):
        flash(_("The rhythm is saved: %(rhythm)s.", rhythm=label("rhythm", form.rhythm.data)), "success")
    return redirect(url_for("coordinator.match", match_id=record.id))


@bp.post("/makkerpar/<int:match_id>/kontakt")
def contact_handled(match_id: int) -> Response:
    record = load(Match, match_id, "manage")
    if handled := attempt_action(lambda: mark_contact_handled(get_db(), record.id, current_user, today=today())):
        flash(_("Marked as answered (%(n)s).", n=handled.value), "success")
    return redirect(url_for("coordinator.match", match_id=record.id))


@bp.post("/frivillige/<int:volunteer_id>/tilbage")
def reactivate(volunteer_id: int) -> Response:
    volunteer = load(Volunteer, volunteer_id, "screen")
    if attempt_action(lambda: reactivate_volunteer(get_db(), volunteer.id, current_user, today())):
        flash(_("%(name)s is back in the pool.", name=volunteer.first_name), "success")
    return redirect(url_for("coordinator.volunteer", volunteer_id=volunteer.id))
