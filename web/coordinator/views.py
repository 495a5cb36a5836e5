"""The coordinator's overview."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from models.clock import today
from models.events.queries import count_waiting_without_events
from models.matches import Match
from models.mentees import Request
from models.organisations import Program
from models.risk_state import risk_counts
from models.volunteers import Volunteer
from web.database import get_db
from web.policy import require_area, scope

bp = Blueprint("coordinator", __name__, url_prefix="/koordinator")


@bp.get("/")
def home() -> str:
    require_area("coordinator")
    db = get_db()
    programs = list(db.exec(scope(Program).where(Program.active).order_by(Program.name)))
    figures = {}

    def count(model, program_id: int, *where) -> int:  # noqa: ANN001
        stmt = scope(model).where(model.program_id == program_id, *where)
        return db.exec(select(func.count()).select_from(stmt.subquery())).one()

    for program in programs:
        figures[program.id] = {
            "in_screening": count(Volunteer, program.id, Volunteer.status.in_(("applicant", "screening"))),
            "volunteers_waiting": count(Volunteer, program.id, Volunteer.status == "approved",
                                        Volunteer.pool_since.is_not(None)),
            "requests_waiting": count(Request, program.id, Request.status == "waiting"),
            "active_matches": count(Match, program.id, Match.status.in_(("introduced", "active", "paused"))),
        }
    at_risk_count, overdue_count = risk_counts(db, current_user.organisation_id)
    drifting_count = count_waiting_without_events(db, current_user.organisation_id, today())
    return render_template("coordinator/home.html", programs=programs, figures=figures,
                           at_risk_count=at_risk_count, overdue_count=overdue_count, drifting_count=drifting_count)


# The coordinator's pages, one module per noun, all on this blueprint.
from web.coordinator import (  # noqa: E402, F401, E501
    consents,
    followup,
    intake,
    matches,
    people,
    proposals,
    referrals,  # issue 13
    runs,
    screening,
    waiting,
)
