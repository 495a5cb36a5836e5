"""The volunteer's home page: screening, waiting status, their match."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models.matches import OPEN_MATCH_STATUSES, Match
from models.volunteers import ScreeningStep
from web.database import get_db
from web.policy import own_volunteer, require_area, scope

bp = Blueprint("volunteer", __name__, url_prefix="/frivillig")


@bp.get("/")
def home() -> str:
    require_area("volunteer")
    volunteer = own_volunteer(current_user)
    db = get_db()
    steps = list(db.exec(scope(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)))
    matches = list(db.exec(scope(Match).where(Match.status.in_(OPEN_MATCH_STATUSES))))
    return render_template("volunteer/home.html", volunteer=volunteer, steps=steps, matches=matches)
