"""Authorization, decided in one place.

Every view asks ``require(action, record)`` (or is marked ``@public``); lists are read through
``scope(model)``, and single records are loaded with ``load(model, id)``, which looks them up
*through* the user's organisation, so another organisation's record is simply not found (404)
before any permission is asked (403). The app refuses any response of a view that did
neither (see ``verify_authorized``), so a new route without a policy fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, g, make_response, request
from flask_login import current_user
from sqlmodel import SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from models.consent import ConsentRecord
from models.events.tables import Event, EventProgram, EventSignup
from models.families.tables import (
    Competence,
    FamilyAgreement,
    FamilyGoal,
    FamilyTeamRun,
    Professional,
)
from models.imports.tables import ExportFile, ImportBatch
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Match, MeetingLog
from models.matchruns import MatchRun, Proposal
from models.members.queries import program_ids_of
from models.mentees import Household, Request, Youth
from models.organisations import Organisation, Program
from models.referrals.tables import OPEN_REFERRAL_STATUSES, Referral, ReferralChannel, ReferringUnit
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from web.database import get_db
from web.params import MAX_DB_INT

T = TypeVar("T", bound=SQLModel)
STAFF = ("coordinator", "admin")

_public_endpoints: set[str] = {"static"}


def public(view: Callable) -> Callable:
    """Marks a view as open to everyone, signed in or not."""
    view._makker_public = True  # type: ignore[attr-defined]
    return view


def _role(user: Any) -> str | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def _same_org(user: Any, record: Any) -> bool:
    return getattr(record, "organisation_id", None) == user.organisation_id


def own_volunteer(user: Any) -> Volunteer | None:
    if _role(user) != "volunteer":
        return None
    if "own_volunteer" not in g:
        g.own_volunteer = get_db().exec(select(Volunteer).where(Volunteer.user_id == user.id)).first()
    return g.own_volunteer


# --- rules: (record type, action) -> predicate(user, record) ------------------------------

def _staff(user: Any, record: Any = None) -> bool:
    return _role(user) in STAFF and (record is None or _same_org(user, record))


def _admin(user: Any, record: Any = None) -> bool:
    return _role(user) == "admin" and (record is None or _same_org(user, record))


def _volunteer(user: Any, _record: Any = None) -> bool:
    return _role(user) == "volunteer" and own_volunteer(user) is not None


def _own_volunteer_record(user: Any, record: Volunteer) -> bool:
    own = own_volunteer(user)
    return own is not None and own.id == record.id


def _own_match(user: Any, record: Match) -> bool:
    own = own_volunteer(user)
    return own is not None and record.volunteer_id == own.id


def _own_open_match(user: Any, record: Match) -> bool:
    return _own_match(user, record) and record.status in OPEN_MATCH_STATUSES


def _on_family_team(user: Any, record: Household) -> bool:
    from models.families.queries import on_team

    own = own_volunteer(user)
    return own is not None and _same_org(user, record) and on_team(get_db(), own.id, record.id)


def _own_team_agreement(user: Any, record: Any) -> bool:
    from models.families.queries import on_team
    from models.families.tables import FamilyPlan

    own = own_volunteer(user)
    if own is None or not _same_org(user, record) or record.owner_volunteer_id != own.id:
        return False
    plan = get_db().get(FamilyPlan, record.plan_id)
    return plan is not None and record.shared_with_team and on_team(get_db(), own.id, plan.household_id)


def _signed_in(user: Any, _record: Any = None) -> bool:
    return _role(user) is not None


# --- referrers (issue 13): a referrer sees their own referrals, nothing else of the organisation ---

def _referrer(user: Any, _record: Any = None) -> bool:
    return _role(user) == "referrer" and getattr(user, "referring_unit_id", None) is not None


def _own_referral(user: Any, record: Referral) -> bool:
    return _referrer(user) and _same_org(user, record) and record.referrer_id == user.id


def _own_open_referral(user: Any, record: Referral) -> bool:
    return _own_referral(user, record) and record.status in OPEN_REFERRAL_STATUSES and record.anonymised_at is None


def _may_print_consent(user: Any, record: Program) -> bool:
    """Staff of the programme's organisation, or a referrer whose unit refers to it."""
    if _staff(user, record):
        return True
    if not (_referrer(user) and _same_org(user, record)):
        return False
    return get_db().get(ReferralChannel, (user.referring_unit_id, record.id)) is not None


RULES: dict[tuple[str, str], Callable[[Any, Any], bool]] = {
    ("account", "use"): _signed_in,
    ("volunteer_area", "use"): _volunteer,
    ("coordinator_area", "use"): _staff,
    ("admin_area", "use"): _admin,
    ("Volunteer", "show"): lambda u, r: _staff(u, r) or _own_volunteer_record(u, r),
    ("Volunteer", "update"): lambda u, r: _staff(u, r) or _own_volunteer_record(u, r),
    ("Volunteer", "screen"): _staff,
    ("Volunteer", "export"): lambda u, r: _admin(u, r) or _own_volunteer_record(u, r),
    ("Volunteer", "erase"): lambda u, r: _admin(u, r) or _own_volunteer_record(u, r),
    ("Youth", "show"): _staff,
    ("Youth", "update"): _staff,
    ("Household", "show"): _staff,
    ("Household", "update"): _staff,
    ("Request", "show"): _staff,
    ("Request", "update"): _staff,
    ("Match", "show"): lambda u, r: _staff(u, r) or _own_match(u, r),
    ("Match", "log_meeting"): _own_open_match,
    ("Match", "request_end"): _own_open_match,
    ("Match", "answer"): _own_open_match,
    ("Match", "manage"): _staff,
    ("Note", "create"): _staff,
    ("Proposal", "decide"): _staff,
    ("MatchRun", "show"): _staff,
    ("MatchRun", "start"): _staff,
    ("Program", "show"): _staff,
    ("Program", "update"): _admin,
    ("Program", "run_matching"): _staff,
    # An organisation is its own record: the admin's organisation_id names it.
    ("Organisation", "update"): lambda u, r: _role(u) == "admin" and r.id == u.organisation_id,
    ("User", "manage"): _admin,
    ("AuditEvent", "show"): _admin,
    # --- volunteer journey (issue 4) ---
    # --- coordinator journey (issue 5) ---
    # --- follow-up (issue 6) ---
    # --- admin (issue 7) ---
    # --- background jobs (issue 16) ---
    ("Organisation", "run_matching"): _staff,  # every program of the user's own organisation
    # --- programme rules (issue 12): a youth's or family's consent; a volunteer withdraws by leaving ---
    ("ConsentRecord", "withdraw"): lambda u, r: _staff(u, r) and r.subject_type in ("youth", "household"),
    ("Match", "set_rhythm"): _own_open_match,  # the pair decides how often they meet
    # --- safeguarding papers (issue 15) ---
    ("Volunteer", "sign"): _own_volunteer_record,  # only the volunteer signs their own papers
    # One person, several programmes (issue 15): the volunteer applies and leaves for themselves;
    # staff add, approve and end a place in a programme.
    ("Volunteer", "join"): _own_volunteer_record,
    ("Volunteer", "membership"): _staff,
    ("Match", "raise_concern"): _own_open_match,  # "Jeg er bekymret" about one's own mentee
    ("SafeguardText", "manage"): _admin,  # the organisation's texts to sign

    # --- events (issue 15): staff run them; a volunteer sees and signs up for their programmes' events ---
    ("Event", "manage"): _staff,
    ("Event", "attend"): lambda u, r: _volunteer(u) and _same_org(u, r),  # see, sign up, cancel, .ics
    # --- families (issue 14): plans and teams are staff work; a volunteer sees their team's part ---
    ("FamilyGoal", "update"): _staff,
    ("FamilyAgreement", "update"): _staff,
    ("FamilyAgreement", "mark_done"): _own_team_agreement,
    ("Household", "show_shared"): _on_family_team,
    ("Professional", "create"): _staff,
    ("Professional", "update"): _staff,
    ("Competence", "update"): _admin,
    ("FamilyTeamRun", "show"): _staff,  # a team proposal's progress (the run on the queue)
    # --- spreadsheet import (issue 17): staff bring their own organisation's files ---
    ("ImportBatch", "manage"): _staff,
    ("ImportBatch", "undo"): _staff,
    ("Organisation", "export"): lambda u, r: _role(u) == "admin" and r.id == u.organisation_id,  # everything
    # the file an export job made: only for the admin who asked for it
    ("ExportFile", "download"): lambda u, r: _role(u) == "admin" and r.requested_by_id == u.id,
    # --- referrals (issue 13) ---
    ("referrer_area", "use"): _referrer,
    ("Referral", "create"): _referrer,
    ("Referral", "show"): lambda u, r: _staff(u, r) or _own_referral(u, r),
    ("Referral", "update"): _own_open_referral,
    ("Referral", "withdraw"): _own_open_referral,
    ("Referral", "message"): lambda u, r: (_staff(u, r) or _own_referral(u, r)) and r.anonymised_at is None,
    ("Referral", "stop_status"): lambda u, r: _staff(u, r) or _own_referral(u, r),
    ("Referral", "decide"): _staff,
    ("Referral", "report"): _staff,
    ("Referral", "erase"): _admin,
    ("ReferringUnit", "manage"): _admin,
    ("Program", "print_consent"): _may_print_consent,
}


def can(user: Any, action: str, record: Any = None, record_type: str | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``record`` (or on a record type / area)."""
    kind = record_type or type(record).__name__
    rule = RULES.get((kind, action))
    if rule is None:
        raise LookupError(f"no policy for {kind}.{action}")
    return bool(rule(user, record))


def require(action: str, record: Any = None, record_type: str | None = None) -> None:
    """Abort the request unless the current user may do it; marks the request as checked."""
    g.makker_authorized = True
    if not getattr(current_user, "is_authenticated", False):
        from web.security import login_manager

        abort(make_response(login_manager.unauthorized()))
    if not can(current_user, action, record, record_type):
        abort(403)


def require_area(area: str) -> None:
    require("use", record_type=f"{area}_area")


# --- scopes: what the user may list -------------------------------------------------------

_ORG_SCOPED: tuple[type[SQLModel], ...] = (
    Volunteer, Youth, Household, Request, Match, Proposal, MatchRun, Program, User, ConsentRecord,
    FamilyGoal, FamilyAgreement, Professional, Competence, FamilyTeamRun,  # families (issue 14)
    Referral, ReferringUnit, Event, ImportBatch, ExportFile,
)


def scope(model: type[T], user: Any = None) -> SelectOfScalar[T]:
    """A select of the records of ``model`` the user may see: their organisation's only."""
    user = user or current_user
    stmt = select(model)
    if model is Organisation:
        return stmt.where(Organisation.id == user.organisation_id)
    if model in _ORG_SCOPED:
        stmt = stmt.where(model.organisation_id == user.organisation_id)  # type: ignore[attr-defined]
    elif model is ScreeningStep:
        stmt = stmt.join(Volunteer, Volunteer.id == ScreeningStep.volunteer_id).where(
            Volunteer.organisation_id == user.organisation_id
        )
    elif model in (MeetingLog, CheckIn):
        stmt = stmt.join(Match, Match.id == model.match_id).where(  # type: ignore[attr-defined]
            Match.organisation_id == user.organisation_id
        )
    else:
        raise LookupError(f"no scope for {model.__name__}")
    if _role(user) == "referrer":
        # A referrer lists their own referrals and nothing else of the organisation.
        if model is Referral:
            return stmt.where(Referral.referrer_id == user.id)
        if model is Program:  # the programmes their unit may refer to
            return stmt.join(ReferralChannel, ReferralChannel.program_id == Program.id).where(
                ReferralChannel.unit_id == user.referring_unit_id)
        return stmt.where(False)  # noqa: FBT003
    if _role(user) == "volunteer":
        own = own_volunteer(user)
        own_id = own.id if own else -1
        if model is Volunteer:
            stmt = stmt.where(Volunteer.id == own_id)
        elif model is Match:
            stmt = stmt.where(Match.volunteer_id == own_id)
        elif model is MeetingLog:
            stmt = stmt.where(MeetingLog.volunteer_id == own_id)
        elif model is Event:
            # Their programme's events, and any they signed up for (an audience can change later).
            programmes = program_ids_of(get_db(), own.id) if own else []
            stmt = stmt.where(Event.id.in_(select(EventProgram.event_id).where(EventProgram.program_id.in_(programmes)))
                              | Event.id.in_(select(EventSignup.event_id).where(EventSignup.volunteer_id == own_id)))
        else:
            # Volunteers list nothing else; what they may see of their mentee comes
            # through their own match.
            stmt = stmt.where(False)  # noqa: FBT003
    return stmt


def load(model: type[T], record_id: int, action: str = "show") -> T:
    """Load one record through the user's scope: 404 if not theirs to find, 403 if not allowed."""
    g.makker_authorized = True
    if not getattr(current_user, "is_authenticated", False):
        from web.security import login_manager

        abort(make_response(login_manager.unauthorized()))
    pk = model.id  # type: ignore[attr-defined]
    if _role(current_user) == "volunteer" and model not in (Volunteer, Match, MeetingLog, Event):
        abort(404)
    if not isinstance(record_id, int) or not 0 < record_id <= MAX_DB_INT:
        abort(404)  # no such row can exist (and a huge int would overflow the database driver)
    if _role(current_user) == "referrer" and model not in (Referral, Program):
        abort(404)
    record = get_db().exec(scope(model).where(pk == record_id)).first()
    if record is None:
        abort(404)
    if not can(current_user, action, record):
        abort(403)
    return record


# --- the check that no view forgot ---------------------------------------------------------

def init_app(app: Flask) -> None:
    @app.before_request
    def _reset() -> None:
        g.makker_authorized = False

    @app.after_request
    def verify_authorized(response):  # noqa: ANN001, ANN202
        if not app.config.get("VERIFY_AUTHORIZED", True) or request.endpoint is None:
            return response
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "_makker_public", False) or request.endpoint in _public_endpoints:
            return response
        if response.status_code < 400 and not g.get("makker_authorized", False):
            app.logger.error("view %s answered without asking the policy", request.endpoint)
            raise RuntimeError(f"view {request.endpoint} did not ask the policy (web/policy.py)")
        return response
