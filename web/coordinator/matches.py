"""The coordinator's list of every makkerpar: filters, search, the ones at risk first."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from models.clock import today
from models.matches import MATCH_STATUSES, Match
from models.organisations import Program
from models.overview import SORTS, filter_matches, match_rows
from models.users import User
from web.coordinator.views import bp
from web.database import get_db
from web.pagination import paginate
from web.policy import require_area, scope

STATUS_CHOICES: tuple[str, ...] = ("open", *MATCH_STATUSES, "")


@bp.get("/makkerpar")
def matches() -> str:
    require_area("coordinator")
    db, args = get_db(), request.args
    programs = list(db.exec(scope(Program).order_by(Program.name)))
    coordinators = list(db.exec(scope(User).where(User.role.in_(("coordinator", "admin"))).order_by(User.name)))
    status = args.get("status", "open")
    status = status if status in STATUS_CHOICES else "open"
    sort = args.get("sort") if args.get("sort") in SORTS else "risk"
    chosen = args.get("coordinator", "")
    coordinator_id = current_user.id if chosen == "mine" else args.get("coordinator", type=int)
    search = (args.get("q") or "").strip()[:100]
    stmt = filter_matches(scope(Match), program_id=args.get("program", type=int), status=status or None,
                          coordinator_id=coordinator_id, at_risk_only=args.get("risk") == "1",
                          sort=sort, search=search or None)
    page = paginate(db, stmt)
    return render_template("coordinator/matches.html", page=page, rows=match_rows(db, page.items, today()),
                           programs=programs, coordinators=coordinators, statuses=STATUS_CHOICES, status=status,
                           sort=sort, args=args, search=search)
