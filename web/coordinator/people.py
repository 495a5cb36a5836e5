"""Person pages: a youth, a household, a volunteer — with history, notes and audit trail."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from models.audit import AuditEvent, record_view
from models.consent import ConsentRecord
from models.errors import AlreadyDone
from models.events.queries import hours_by_volunteer
from models.events.tables import VolunteerLeaving
from models.matches import Match, MeetingLog
from models.matchruns import Proposal
from models.mentees import Household, HouseholdMember, Request, Youth
from models.notes import Note, add_note
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from models.waiting import request_names
from web.coordinator.forms import NoteForm
from web.coordinator.views import bp
from web.database import get_db
from web.i18n import error_message
from web.policy import load, scope


def _viewed(record_type: str, record_id: int, organisation_id: int) -> None:
    db = get_db()
    record_view(db, organisation_id=organisation_id, user_id=current_user.id, record_type=record_type,
                record_id=record_id)


def _shared(record_type: str, record_id: int) -> dict:
    db = get_db()
    notes = list(db.exec(select(Note).where(Note.organisation_id == current_user.organisation_id,
                                            Note.subject_type == record_type, Note.subject_id == record_id)
                         .order_by(Note.created_at.desc())))
    audit = list(db.exec(select(AuditEvent).where(AuditEvent.organisation_id == current_user.organisation_id,
                                                  AuditEvent.record_type == record_type,
                                                  AuditEvent.record_id == record_id)
                         .order_by(AuditEvent.at.desc()).limit(50)))
    consents = list(db.exec(select(ConsentRecord).where(ConsentRecord.organisation_id == current_user.organisation_id,
                                                        ConsentRecord.subject_type == record_type.lower(),
                                                        ConsentRecord.subject_id == record_id)
                            .order_by(ConsentRecord.given_on, ConsentRecord.id)))
    user_ids = {n.author_id for n in notes} | {a.user_id for a in audit}
    users = {u.id: u.name for u in db.exec(select(User).where(User.id.in_([i for i in user_ids if i])))}
    return {"notes": notes, "audit": audit, "consents": consents, "users": users, "note_form": NoteForm(),
            "consent_kind": record_type.lower(), "consent_subject_id": record_id}


def _requests_with_history(requests: list[Request]) -> dict:
    db = get_db()
    ids = [r.id for r in requests]
    matches = list(db.exec(scope(Match).where(Match.request_id.in_(ids)).order_by(Match.created_at.desc()))) if ids else []
    proposals = list(db.exec(scope(Proposal).where(Proposal.request_id.in_(ids)).order_by(Proposal.created_at.desc())
                             .limit(100))) if ids else []
    vol_ids = {m.volunteer_id for m in matches} | {p.volunteer_id for p in proposals}
    volunteers = {v.id: v for v in db.exec(scope(Volunteer).where(Volunteer.id.in_(vol_ids)))} if vol_ids else {}
    return {"requests": requests, "matches": matches, "proposals": proposals, "volunteers": volunteers}


@bp.get("/unge/<int:youth_id>")
def youth(youth_id: int) -> str:
    record = load(Youth, youth_id)
    _viewed("Youth", record.id, record.organisation_id)
    requests = list(get_db().exec(scope(Request).where(Request.youth_id == record.id)))
    return render_template("coordinator/youth.html", youth=record, **_requests_with_history(requests),
                           **_shared("Youth", record.id))


@bp.get("/familier/<int:household_id>")
def household(household_id: int) -> str:
    record = load(Household, household_id)
    _viewed("Household", record.id, record.organisation_id)
    db = get_db()
    members = list(db.exec(select(HouseholdMember).where(HouseholdMember.household_id == record.id)))
    requests = list(db.exec(scope(Request).where(Request.household_id == record.id)))
    return render_template("coordinator/household.html", household=record, members=members,
                           **_requests_with_history(requests), **_shared("Household", record.id))


@bp.get("/frivillige/<int:volunteer_id>")
def volunteer(volunteer_id: int) -> str:
    record = load(Volunteer, volunteer_id)
    _viewed("Volunteer", record.id, record.organisation_id)
    db = get_db()
    steps = list(db.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == record.id)))
    matches = list(db.exec(scope(Match).where(Match.volunteer_id == record.id).order_by(Match.created_at.desc())))
    proposals = list(db.exec(scope(Proposal).where(Proposal.volunteer_id == record.id)
                             .order_by(Proposal.created_at.desc()).limit(50)))
    meetings = list(db.exec(scope(MeetingLog).where(MeetingLog.volunteer_id == record.id)
                            .order_by(MeetingLog.met_on.desc()).limit(20)))
    requests = list(db.exec(scope(Request).where(Request.id.in_({m.request_id for m in matches})))) if matches else []
    attended, minutes = hours_by_volunteer(db, record.id)
    return render_template("coordinator/volunteer.html", volunteer=record, steps=steps, matches=matches,
                           proposals=proposals, meetings=meetings, mentees=request_names(db, requests),
                           events_attended=attended, event_hours=minutes / 60,
                           leaving=db.get(VolunteerLeaving, record.id),
                           **_shared("Volunteer", record.id))


_NOTE_TARGETS = {"youth": (Youth, "Youth", "coordinator.youth", "youth_id"),
                 "household": (Household, "Household", "coordinator.household", "household_id"),
                 "volunteer": (Volunteer, "Volunteer", "coordinator.volunteer", "volunteer_id")}


@bp.post("/<any(youth, household, volunteer):kind>/<int:record_id>/noter")
def add_person_note(kind: str, record_id: int) -> Response:
    model, record_type, endpoint, arg = _NOTE_TARGETS[kind]
    record = load(model, record_id, "update")
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(get_db(), current_user, record_type, record.id, form.body.data, submit_key=form.submit_key.data)
        except AlreadyDone as done:
            flash(error_message(done), "info")
        else:
            flash(_("The note is saved."), "success")
    else:
        flash(_("Write the note before saving it."), "error")
    return redirect(url_for(endpoint, **{arg: record.id}) + "#notes")
