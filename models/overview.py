"""The admin's table of every relationship: filters and orderings over a (scoped) select of matches."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.sql.expression import SelectOfScalar

from models.matches import MATCH_STATUSES, Match, MeetingLog

SORTS: tuple[str, ...] = ("start", "start_asc", "status", "made", "quiet")


def filter_matches(stmt: SelectOfScalar[Match], *, program_id: int | None = None, status: str | None = None,
                   coordinator_id: int | None = None, only_ids: list[int] | None = None,
                   sort: str = "start") -> SelectOfScalar[Match]:
    """``stmt`` narrowed and ordered; the caller decides whose matches it starts from."""
    if program_id is not None:
        stmt = stmt.where(Match.program_id == program_id)
    if status in MATCH_STATUSES:
        stmt = stmt.where(Match.status == status)
    if coordinator_id is not None:
        stmt = stmt.where(Match.coordinator_id == coordinator_id)
    if only_ids is not None:
        stmt = stmt.where(Match.id.in_(only_ids or [-1]))
    if sort == "quiet":
        # The longest silence first: ordered by the last logged meeting, never-met first.
        last = (select(MeetingLog.match_id, func.max(MeetingLog.met_on).label("last_met"))
                .group_by(MeetingLog.match_id).subquery())
        return stmt.outerjoin(last, last.c.match_id == Match.id).order_by(last.c.last_met.asc().nulls_first(),
                                                                          Match.id)
    order = {
        "start_asc": (Match.started_on.asc(), Match.id.asc()),
        "status": (Match.status.asc(), Match.started_on.desc()),
        "made": (Match.created_at.desc(),),
    }.get(sort, (Match.started_on.desc(), Match.id.desc()))
    return stmt.order_by(*order)
