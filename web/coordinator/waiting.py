"""Waiting lists of requests and volunteers: longest waiting first, filters, search, pages."""

from __future__ import annotations

from flask import render_template, request

from matching.vocabulary import LANGUAGES
from models.clock import today
from models.mentees import Request
from models.organisations import Program
from models.volunteers import Volunteer
from models.waiting import (
    filter_requests,
    filter_volunteers,
    request_names,
    waiting_days,
    waiting_reasons,
)
from web.coordinator.views import bp
from web.database import get_db
from web.i18n import label as vocab_label
from web.pagination import paginate
from web.params import record_id
from web.policy import require_area, scope


def _filters() -> dict:
    args = request.args
    program_id = args.get("program", type=record_id)
    language = args.get("language") or None
    return {
        "program_id": program_id,
        "postcode_prefix": (args.get("postcode") or "").strip()[:4] or None,
        "language": language if language in LANGUAGES else None,
        "search": (args.get("q") or "").strip()[:100] or None,
    }


def _context() -> dict:
    programs = list(get_db().exec(scope(Program).order_by(Program.name)))
    return {
        "programs": programs,
        "targets": {p.id: p.waiting_target_days for p in programs},
        "languages": sorted(((c, vocab_label(v)) for c, v in LANGUAGES.items()), key=lambda kv: kv[1]),
        "args": request.args,
        "today": today(),
        "waiting_days": waiting_days,
    }


@bp.get("/venteliste/anmodninger")
def waiting_requests() -> str:
    require_area("coordinator")
    status = request.args.get("status", "waiting")
    status = status if status in ("waiting", "matched", "closed", "") else "waiting"
    db = get_db()
    page = paginate(db, filter_requests(scope(Request), status=status or None, **_filters()))
    reasons = waiting_reasons(db, request_ids=[r.id for r in page.items if r.status == "waiting"])
    return render_template("coordinator/waiting_requests.html", page=page, names=request_names(db, page.items),
                           status=status, reasons=reasons, reason_kind="request_waiting_reason", **_context())


@bp.get("/venteliste/frivillige")
def waiting_volunteers() -> str:
    require_area("coordinator")
    status = request.args.get("status", "waiting")
    status = status if status in ("waiting", "in_screening", "applicant", "screening", "approved", "declined", "withdrawn",
                                  "") else "waiting"
    page = paginate(get_db(), filter_volunteers(scope(Volunteer), status=status or None, **_filters()))
    reasons = waiting_reasons(get_db(), volunteer_ids=[v.id for v in page.items if v.pool_since is not None])
    from models.imports.queries import unconfirmed_imported_volunteers

    ids = [v.id for v in page.items]
    unconfirmed = set(get_db().exec(unconfirmed_imported_volunteers(ids))) if ids else set()
    return render_template("coordinator/waiting_volunteers.html", page=page, status=status, reasons=reasons,
                           reason_kind="volunteer_waiting_reason", unconfirmed=unconfirmed, **_context())
