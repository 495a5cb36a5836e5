"""Running the matching from the web: started in the background, progress shown, then the
proposals with their explanations and the actions on them."""

from __future__ import annotations

import threading

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from matching.rules import RULES
from matching.run import execute_run, start_run
from models.clock import today
from models.matchruns import MatchRun, Proposal
from models.mentees import Request
from models.organisations import Program
from models.volunteers import Volunteer
from models.waiting import request_names
from web.coordinator.forms import ApproveForm
from web.coordinator.views import bp
from web.database import engine, get_db
from web.labels import run_progress_text
from web.pagination import paginate
from web.policy import load, require, scope


def _run_in_background(app, run_id: int) -> None:  # noqa: ANN001
    # The run's state lives in the database (MatchRun.progress/status), so any web instance can
    # show it; a run left "running" by a stopped process is shown as stale after an hour.
    def work() -> None:
        with app.app_context():
            try:
                execute_run(engine(), run_id, today())
            except Exception:  # noqa: BLE001 - execute_run has already recorded the failure
                app.logger.exception("match run %s failed", run_id)

    if app.config.get("RUN_MATCHING_INLINE"):
        work()
    else:
        threading.Thread(target=work, daemon=True, name=f"match-run-{run_id}").start()


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
    running = get_db().exec(scope(MatchRun).where(MatchRun.program_id == program.id, MatchRun.status == "running")).first()
    if running is not None:
        flash(_("A matching is already running for this program."), "warning")
        return redirect(url_for("coordinator.run", run_id=running.id))
    run = start_run(get_db(), program, current_user.id, parameters={"source": "web"})
    _run_in_background(current_app._get_current_object(), run.id)  # type: ignore[attr-defined]
    return redirect(url_for("coordinator.run", run_id=run.id))


@bp.get("/matchning/<int:run_id>")
def run(run_id: int) -> str:
    record = load(MatchRun, run_id)
    db = get_db()
    program = db.get(Program, record.program_id)
    if record.status != "done":
        return render_template("coordinator/run_progress.html", run=record, program=program)
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
                           approve_form=ApproveForm(), today=today())


@bp.get("/matchning/<int:run_id>/status")
def run_status(run_id: int) -> dict:
    record = load(MatchRun, run_id)
    # "message" is the progress in the reader's words, for the page that polls this.
    return {"status": record.status, "progress": record.progress, "stats": record.stats,
            "message": run_progress_text(record.progress)}


