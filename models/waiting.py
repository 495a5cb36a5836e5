"""Waiting lists: who waits for a match, longest first, with filters and search.

The functions take a select that the caller has already scoped to what the user may see
(``web.policy.scope``) and add the filters; they never decide access themselves.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, cast, func, or_
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from models.matchruns import MatchRun, WaitingReason
from models.members.queries import in_program
from models.mentees import Household, Request, Youth
from models.volunteers import Volunteer


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_requests(
    stmt: SelectOfScalar[Request],
    *,
    program_id: int | None = None,
    status: str | None = "waiting",
    postcode_prefix: str | None = None,
    language: str | None = None,
    search: str | None = None,
) -> SelectOfScalar:
    """Requests with their youth or household, longest waiting first."""
    stmt = stmt.outerjoin(Youth, Youth.id == Request.youth_id).outerjoin(Household, Household.id == Request.household_id)
    if program_id:
        stmt = stmt.where(Request.program_id == program_id)
    if status:
        stmt = stmt.where(Request.status == status)
    if postcode_prefix:
        prefix = postcode_prefix.strip() + "%"
        stmt = stmt.where(or_(Youth.postcode.like(prefix), Household.postcode.like(prefix)))
    if language:
        stmt = stmt.where(or_(Youth.languages[language].as_integer() > 0, Household.languages[language].as_integer() > 0))
    if search and search.strip():
        pattern = _like(search)
        stmt = stmt.where(or_(
            func.lower(Youth.first_name + " " + Youth.last_name).like(pattern, escape="\\"),
            func.lower(Household.family_name).like(pattern, escape="\\"),
            func.lower(Request.need).like(pattern, escape="\\"),
            cast(Request.id, String) == search.strip(),
        ))
    return stmt.order_by(func.coalesce(Request.pool_since, Request.referred_on), Request.id)


def filter_volunteers(
    stmt: SelectOfScalar[Volunteer],
    *,
    program_id: int | None = None,
    status: str | None = "waiting",
    postcode_prefix: str | None = None,
    language: str | None = None,
    search: str | None = None,
) -> SelectOfScalar:
    """Volunteers; "waiting" = approved and in the pool, longest waiting first."""
    if program_id:
        stmt = stmt.where(in_program(program_id))
    if status == "waiting":
        stmt = stmt.where(Volunteer.status == "approved", Volunteer.pool_since.is_not(None))
    elif status == "in_screening":  # signed up or in screening: everyone not yet decided
        stmt = stmt.where(Volunteer.status.in_(("applicant", "screening")))
    elif status:
        stmt = stmt.where(Volunteer.status == status)
    stmt = stmt.where(Volunteer.anonymised_at.is_(None))
    if postcode_prefix:
        stmt = stmt.where(Volunteer.postcode.like(postcode_prefix.strip() + "%"))
    if language:
        stmt = stmt.where(Volunteer.languages[language].as_integer() > 0)
    if search and search.strip():
        pattern = _like(search)
        stmt = stmt.where(or_(
            func.lower(Volunteer.first_name + " " + Volunteer.last_name).like(pattern, escape="\\"),
            func.lower(Volunteer.email).like(pattern, escape="\\"),
        ))
    return stmt.order_by(func.coalesce(Volunteer.pool_since, func.date(Volunteer.created_at)), Volunteer.id)


def waiting_days(since: date | None, today: date) -> int | None:
    return None if since is None else max(0, (today - since).days)


def request_names(session, requests: list[Request]) -> dict[int, str]:  # noqa: ANN001
    """Display names of the mentees of these requests, in two queries."""
    youth_ids = [r.youth_id for r in requests if r.youth_id]
    household_ids = [r.household_id for r in requests if r.household_id]
    youths = {y.id: y.name for y in session.exec(select(Youth).where(Youth.id.in_(youth_ids)))} if youth_ids else {}
    households = ({h.id: h.family_name for h in session.exec(select(Household).where(Household.id.in_(household_ids)))}
                  if household_ids else {})
    return {r.id: youths.get(r.youth_id) or households.get(r.household_id) or "" for r in requests}


def name_matches(stmt, search: str, *columns):  # noqa: ANN001, ANN002, ANN201
    """``stmt`` narrowed to rows where any of ``columns`` contains ``search`` (any case)."""
    like = f"%{search.strip().lower()}%"
    return stmt.where(or_(*(func.lower(column).like(like) for column in columns)))


def waiting_reasons(session, *, request_ids: list[int] = (), volunteer_ids: list[int] = ()) -> dict:  # noqa: ANN001
    """Why these people past the target got no proposal in their program's latest run.

    {id: (reason, days past the target on the day of the run, when the run started)}; the run
    stored the rows, so a page reads them in one query and never recomputes the matching.
    """
    column = WaitingReason.request_id if request_ids else WaitingReason.volunteer_id
    ids = list(request_ids or volunteer_ids)
    if not ids:
        return {}
    rows = session.exec(select(column, WaitingReason.reason, WaitingReason.days_past_target, MatchRun.started_at)
                        .join(MatchRun, MatchRun.id == WaitingReason.run_id).where(column.in_(ids)))
    return {person_id: (reason, days, started) for person_id, reason, days, started in rows}
