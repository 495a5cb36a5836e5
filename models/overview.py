"""The admin's table of every relationship: filters and orderings over a (scoped) select of matches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from models.matches import MATCH_STATUSES, OPEN_MATCH_STATUSES, Match
from models.mentees import Household, Request, Youth
from models.risk_state import MatchRiskState
from models.volunteers import Volunteer
from models.waiting import _like

SORTS: tuple[str, ...] = ("start", "start_asc", "status", "made", "quiet", "risk")


def filter_matches(stmt: SelectOfScalar[Match], *, program_id: int | None = None, status: str | None = None,
                   coordinator_id: int | None = None, only_ids: list[int] | None = None,
                   at_risk_only: bool = False, sort: str = "start",
                   search: str | None = None) -> SelectOfScalar[Match]:
    """``stmt`` narrowed and ordered; the caller decides whose matches it starts from.

    ``status="open"`` means every status but closed; ``search`` looks in the volunteer's and the
    youth's or family's names. ``at_risk_only``, the "quiet" order and the "risk" order (the
    at-risk matches first, most urgent first, then the newest made) read the stored assessment
    (``models.risk_state``): a join, never a list of ids or a pass over every meeting.
    """
    if program_id is not None:
        stmt = stmt.where(Match.program_id == program_id)
    if status in MATCH_STATUSES:
        stmt = stmt.where(Match.status == status)
    elif status == "open":
        stmt = stmt.where(Match.status.in_(OPEN_MATCH_STATUSES))
    if search and search.strip():
        pattern = _like(search)
        stmt = (stmt.join(Volunteer, Volunteer.id == Match.volunteer_id).join(Request, Request.id == Match.request_id)
                .outerjoin(Youth, Youth.id == Request.youth_id).outerjoin(Household, Household.id == Request.household_id)
                .where(or_(func.lower(Volunteer.first_name + " " + Volunteer.last_name).like(pattern, escape="\\"),
                           func.lower(Youth.first_name + " " + Youth.last_name).like(pattern, escape="\\"),
                           func.lower(Household.family_name).like(pattern, escape="\\"))))
    if coordinator_id is not None:
        stmt = stmt.where(Match.coordinator_id == coordinator_id)
    if only_ids is not None:
        stmt = stmt.where(Match.id.in_(only_ids or [-1]))
    if at_risk_only:
        stmt = stmt.join(MatchRiskState, MatchRiskState.match_id == Match.id).where(MatchRiskState.urgency > 0)
    if sort == "quiet":
        # The longest silence first: ordered by the last logged meeting, never-met first.
        if not at_risk_only:
            stmt = stmt.outerjoin(MatchRiskState, MatchRiskState.match_id == Match.id)
        return stmt.order_by(MatchRiskState.last_meeting.asc().nulls_first(), Match.id)
    if sort == "risk":
        if not at_risk_only:
            stmt = stmt.outerjoin(MatchRiskState, MatchRiskState.match_id == Match.id)
        # The same order as models.risk.at_risk: most urgent, then the longest silence.
        urgency = func.coalesce(MatchRiskState.urgency, 0)
        silence = case((urgency > 0, MatchRiskState.last_meeting), else_=None)  # only among those at risk
        return stmt.order_by(urgency.desc(), silence.asc().nulls_first(), Match.created_at.desc(), Match.id.desc())
    order = {
        "start_asc": (Match.started_on.asc(), Match.id.asc()),
        "status": (Match.status.asc(), Match.started_on.desc()),
        "made": (Match.created_at.desc(),),
    }.get(sort, (Match.started_on.desc(), Match.id.desc()))
    return stmt.order_by(*order)


@dataclass
class MatchRow:
    """One line of a list of matches: who, where, how it goes."""

    match: Match
    volunteer: str
    mentee: str
    program: str
    last_meeting: date | None
    last_checkin: date | None
    flags: list[str]
    coordinator: str


def match_rows(session: Session, matches: list[Match], today: date) -> list[MatchRow]:
    """The lines for ``matches`` (already narrowed to what the user may see), in a few queries."""
    from models.organisations import Program
    from models.risk_state import stored_risks
    from models.users import User
    from models.waiting import request_names

    if not matches:
        return []
    risks = stored_risks(session, matches, today)  # the stored assessment: last meeting and check-in too
    requests = list(session.exec(select(Request).where(Request.id.in_({m.request_id for m in matches}))))
    names = request_names(session, requests)
    volunteers = {v.id: v.name for v in session.exec(select(Volunteer).where(
        Volunteer.id.in_({m.volunteer_id for m in matches})))}
    coordinator_ids = {m.coordinator_id for m in matches if m.coordinator_id}
    users = ({u.id: u.name for u in session.exec(select(User).where(User.id.in_(coordinator_ids)))}
             if coordinator_ids else {})
    programs = {p.id: p.name for p in session.exec(select(Program).where(
        Program.id.in_({m.program_id for m in matches})))}
    return [MatchRow(match=m, volunteer=volunteers.get(m.volunteer_id, ""), mentee=names.get(m.request_id, ""),
                     program=programs.get(m.program_id, ""), last_meeting=risks[m.id].last_meeting,
                     last_checkin=risks[m.id].last_checkin, flags=[f.kind for f in risks[m.id].flags],
                     coordinator=users.get(m.coordinator_id, "")) for m in matches]
