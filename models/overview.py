"""The admin's table of every relationship: filters and orderings over a (scoped) select of matches."""

from __future__ import annotations

from sqlmodel.sql.expression import SelectOfScalar

from models.matches import MATCH_STATUSES, Match
from models.risk_state import MatchRiskState

SORTS: tuple[str, ...] = ("start", "start_asc", "status", "made", "quiet")


def filter_matches(stmt: SelectOfScalar[Match], *, program_id: int | None = None, status: str | None = None,
                   coordinator_id: int | None = None, only_ids: list[int] | None = None,
                   at_risk_only: bool = False, sort: str = "start") -> SelectOfScalar[Match]:
    """``stmt`` narrowed and ordered; the caller decides whose matches it starts from.

    ``at_risk_only`` and the "quiet" order read the stored assessment (``models.risk_state``):
    a join, never a list of ids or a pass over every meeting.
    """
    if program_id is not None:
        stmt = stmt.where(Match.program_id == program_id)
    if status in MATCH_STATUSES:
        stmt = stmt.where(Match.status == status)
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
    order = {
        "start_asc": (Match.started_on.asc(), Match.id.asc()),
        "status": (Match.status.asc(), Match.started_on.desc()),
        "made": (Match.created_at.desc(),),
    }.get(sort, (Match.started_on.desc(), Match.id.desc()))
    return stmt.order_by(*order)
