"""Running the matching from the web: put on the task queue, progress shown from the database,
then the proposals with their explanations and the actions on them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from matching.rules import RULES
from matching.run import start_run
from models.clock import today
from models.errors import DomainError
from models.matchruns import (
    ACTIVE_RUN_STATUSES,
    MAX_RUN_ATTEMPTS,
    RUN_ERROR_MSGIDS,
    MatchRun,
    Proposal,
    RunAlreadyActive,
    queue_organisation_runs,
)
from models.mentees import Request
from models.organisations import Organisation, Program
from models.volunteers import Volunteer
from models.waiting import request_names
from web.coordinator.forms import ApproveForm
from web.coordinator.views import bp
from web.database import get_db
from web.i18n import error_message
from web.jobs import enqueue, get_queue
from web.labels import run_step_text
from web.pagination import paginate
from web.policy import load, require, scope


@bp.get("/matchning")
def runs() -> str:
    require("start", record_type="MatchRun")
    db = get_db()
    programs = list(db.exec(scope(Program).where(Program.active).order_by(Program.name)))
    page = paginate(db, scope(MatchRun).order_by(MatchRun.started_at.desc()), per_page=20)
    return render_template("coordinator/runs.html", programs=programs, page=page,
                           names={p.id: p.name for p in programs})


@bp.post("/program/<int:program_id>/matchning")
def start_matching(program_id: int) -> Response:
    program = load(Program, program_id, "run_matching")
    try:
        run = start_run(get_db(), program, current_user.id, parameters={"source": "web"})
    except RunAlreadyActive as busy:
        flash(error_message(busy), "warning")
        if busy.run_id is None:
            return redirect(url_for("coordinator.runs"))
        return redirect(url_for("coordinator.run", run_id=busy.run_id))
    enqueue("match_run", run.id)
    return redirect(url_for("coordinator.run", run_id=run.id))


@bp.post("/matchning/alle")
def start_all_matching() -> Response:
    """A run for every active program of the coordinator's organisation, each its own job."""
    require("run_matching", record_type="Organisation")
    organisation = get_db().get(Organisation, current_user.organisation_id)
    try:
        outcome = queue_organisation_runs(get_db(), organisation.id, current_user.id, parameters={"source": "web-all"})
    except DomainError as error:
        flash(error_message(error), "error")
        return redirect(url_for("coordinator.runs"))
    for run in outcome.queued:
        enqueue("match_run", run.id)
    if outcome.queued:
        flash(ngettext("The matching was started for %(num)s program.", "The matching was started for %(num)s programs.",
                       len(outcome.queued)), "success")
    if outcome.already_active:
        flash(ngettext("%(num)s program already had a matching going; it goes on.",
                       "%(num)s programs already had a matching going; they go on.", len(outcome.already_active)),
              "info")
    return redirect(url_for("coordinator.runs"))


@bp.get("/matchning/<int:run_id>")
def run(run_id: int) -> str:
    record = load(MatchRun, run_id)
    db = get_db()
    program = db.get(Program, record.program_id)
    if record.status != "done":
        waiting_for_worker = record.status in ACTIVE_RUN_STATUSES and get_queue().live_workers() == 0
        error = _(record.error) if record.error in RUN_ERROR_MSGIDS else record.error
        return render_template("coordinator/run_progress.html", run=record, program=program, error=error,
                               waiting_for_worker=waiting_for_worker, active=record.status in ACTIVE_RUN_STATUSES,
                               max_attempts=MAX_RUN_ATTEMPTS, known_error=record.error in RUN_ERROR_MSGIDS)
    page = paginate(db, select(Proposal).where(Proposal.run_id == record.id, Proposal.rank == 1)
                    .order_by(Proposal.score.desc(), Proposal.id), per_page=25)
    request_ids = [p.request_id for p in page.items]
    alternatives = list(db.exec(select(Proposal).where(Proposal.run_id == record.id, Proposal.rank > 1,
                                                       Proposal.request_id.in_(request_ids))
                                .order_by(Proposal.rank))) if request_ids else []
    by_request: dict[int, list[Proposal]] = {}
    for alt in alternatives:
        by_request.setdefault(alt.request_id, []).append(alt)
    requests = {r.id: r for r in db.exec(select(Request).where(Request.id.in_(request_ids)))} if request_ids else {}
    vol_ids = {p.volunteer_id for p in page.items} | {a.volunteer_id for a in alternatives}
    volunteers = {v.id: v for v in db.exec(select(Volunteer).where(Volunteer.id.in_(vol_ids)))} if vol_ids else {}
    return render_template("coordinator/run_proposals.html", run=record, program=program, page=page,
                           alternatives=by_request, requests=requests, volunteers=volunteers,
                           names=request_names(db, list(requests.values())), rules=RULES,
                           approve_form=ApproveForm(), today=today(), passed=_passed_over(page.items))


def _passed_over(proposals: list[Proposal]) -> dict[str, dict[int, str]]:
    """Names of the people past the target that this page's proposals passed over (stored by the run)."""
    db = get_db()
    request_ids = {p["request_id"] for q in proposals for p in q.breakdown.get("passes_over", [])}
    volunteer_ids = {p["volunteer_id"] for q in proposals for p in q.breakdown.get("passes_over_volunteers", [])}
    requests = list(db.exec(scope(Request).where(Request.id.in_(request_ids)))) if request_ids else []
    volunteers = db.exec(scope(Volunteer).where(Volunteer.id.in_(volunteer_ids))) if volunteer_ids else []
    return {"requests": request_names(db, requests), "volunteers": {v.id: v.name for v in volunteers}}


@bp.get("/matchning/<int:run_id>/status")
def run_status(run_id: int) -> dict:
    record = load(MatchRun, run_id)
    # "message" is the progress in the reader's words, for the page that polls this.
    return {"status": record.status, "progress": record.progress, "stats": record.stats,
            "message": run_step_text(record)}


