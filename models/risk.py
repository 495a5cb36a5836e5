"""Which relationships are at risk of breaking, and why — computed in a handful of queries.

Each flag has a reason the coordinator can act on; the urgency orders the list so that the
matches most likely to break without a call come first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from matching.profiles import HEAVY_COMPLEXITY
from models.matches import OPEN_MATCH_STATUSES, CheckIn, Match, MeetingLog
from models.mentees import Request
from models.organisations import Program
from models.referrals.queries import overdue_statuses
from models.volunteers import Volunteer

# How much each kind of flag weighs in the ordering (higher first).
URGENCY: dict[str, int] = {
    "talk_to_me": 50,
    "end_requested": 40,
    "falling_ratings": 30,
    "no_meeting": 25,
    "overdue_checkin": 20,
    "pause_over": 15,
    "introduction_overdue": 15,
    "heavy_for_experience": 10,
    "status_overdue": 12,  # the referrer's status is past its planned date (issue 13)
}
INTRODUCTION_WITHIN_DAYS = 21
# The program's settings the flags depend on: a change to one of them re-assesses its matches.
PROGRAM_FIELDS_READ = frozenset({"inactivity_days", "min_experience_by_complexity"})
HIGH_COMPLEXITY = HEAVY_COMPLEXITY


@dataclass(frozen=True)
class RiskFlag:
    kind: str
    days: int | None = None  # how long (no meeting, overdue) where that applies


@dataclass
class MatchRisk:
    match: Match
    flags: list[RiskFlag] = field(default_factory=list)
    last_meeting: date | None = None
    last_checkin: date | None = None

    @property
    def urgency(self) -> int:
        # Long silences and long overdue check-ins weigh more the longer they last.
        return sum(URGENCY[f.kind] + min(f.days or 0, 90) // 7 for f in self.flags)


def ratings_falling(newest_first: Sequence[int]) -> bool:
    """The latest meeting went badly (1-2), or the last two average a point below the two before."""
    if not newest_first:
        return False
    if newest_first[0] <= 2:
        return True
    if len(newest_first) >= 4:
        return (newest_first[2] + newest_first[3]) / 2 - (newest_first[0] + newest_first[1]) / 2 >= 1.0
    return False


def assess(session: Session, matches: Sequence[Match], today: date, id_query=None) -> dict[int, MatchRisk]:  # noqa: ANN001
    """Flags for each of ``matches`` (open or not; closed ones get no flags).

    ``id_query`` (a select of the same match ids) lets the database filter a whole organisation
    without a list of thousands of ids in every query.
    """
    result = {m.id: MatchRisk(match=m) for m in matches}
    ids = list(result)
    if not ids:
        return result
    if id_query is not None:
        _assess_chunk(session, result, ids, today, id_query)
        return result
    for chunk_start in range(0, len(ids), 5000):  # bounded IN lists
        chunk = ids[chunk_start:chunk_start + 5000]
        _assess_chunk(session, result, chunk, today, chunk)
    return result


def _assess_chunk(session: Session, result: dict[int, MatchRisk], ids: list[int], today: date,
                  in_filter) -> None:  # noqa: ANN001
    last_meeting = dict(session.exec(select(MeetingLog.match_id, func.max(MeetingLog.met_on))
                                     .where(MeetingLog.match_id.in_(in_filter)).group_by(MeetingLog.match_id)).all())
    talk = dict(session.exec(select(MeetingLog.match_id, func.count())
                             .where(MeetingLog.match_id.in_(in_filter), MeetingLog.needs_contact,
                                    MeetingLog.contact_handled_at.is_(None))
                             .group_by(MeetingLog.match_id)).all())
    overdue = dict(session.exec(select(CheckIn.match_id, func.min(CheckIn.due_on))
                                .where(CheckIn.match_id.in_(in_filter), CheckIn.done_on.is_(None),
                                       CheckIn.kind == "scheduled", CheckIn.due_on < today)
                                .group_by(CheckIn.match_id)).all())
    last_checkin = dict(session.exec(select(CheckIn.match_id, func.max(CheckIn.done_on))
                                     .where(CheckIn.match_id.in_(in_filter), CheckIn.done_on.is_not(None))
                                     .group_by(CheckIn.match_id)).all())
    # The four latest ratings of each match, newest first (a window function: one query).
    ranked = (select(MeetingLog.match_id, MeetingLog.rating,
                     func.row_number().over(partition_by=MeetingLog.match_id,
                                            order_by=(MeetingLog.met_on.desc(), MeetingLog.id.desc())).label("n"))
              .where(MeetingLog.match_id.in_(in_filter)).subquery())
    ratings: dict[int, list[int]] = {}
    for match_id, rating, _n in session.exec(select(ranked.c.match_id, ranked.c.rating, ranked.c.n)
                                              .where(ranked.c.n <= 4).order_by(ranked.c.match_id, ranked.c.n)):
        ratings.setdefault(match_id, []).append(rating)
    context = {row[0]: row[1:] for row in session.exec(
        select(Match.id, Program.inactivity_days, Program.min_experience_by_complexity, Request.complexity,
               Volunteer.experience)
        .join(Program, Program.id == Match.program_id).join(Request, Request.id == Match.request_id)
        .join(Volunteer, Volunteer.id == Match.volunteer_id).where(Match.id.in_(in_filter)))}
    status_overdue = overdue_statuses(session, in_filter, today)

    for match_id in ids:
        risk = result[match_id]
        match = risk.match
        risk.last_meeting = last_meeting.get(match_id)
        risk.last_checkin = last_checkin.get(match_id)
        if match.status not in OPEN_MATCH_STATUSES:
            continue
        inactivity_days, min_experience, complexity, experience = context[match_id]
        flags = risk.flags
        if talk.get(match_id):
            flags.append(RiskFlag("talk_to_me"))
        if match.end_requested_at is not None:
            flags.append(RiskFlag("end_requested"))
        if ratings_falling(ratings.get(match_id, [])):
            flags.append(RiskFlag("falling_ratings"))
        if match.status == "active":
            since = risk.last_meeting or match.started_on or match.intro_on
            if since is not None and (today - since).days > inactivity_days:
                flags.append(RiskFlag("no_meeting", (today - since).days))
        if match_id in overdue and match.status != "introduced":
            flags.append(RiskFlag("overdue_checkin", (today - overdue[match_id]).days))
        if match.status == "paused" and match.paused_until is not None and match.paused_until < today:
            flags.append(RiskFlag("pause_over", (today - match.paused_until).days))
        if match.status == "introduced":
            planned = match.intro_on or (match.created_at.date() if match.created_at else today)
            limit = 0 if match.intro_on else INTRODUCTION_WITHIN_DAYS
            if (today - planned).days > limit:
                flags.append(RiskFlag("introduction_overdue", (today - planned).days))
        # The program's own minimum (the same table matching uses), and never no experience at all.
        mins = list(min_experience or []) + [0, 0, 0, 0]
        if complexity >= HIGH_COMPLEXITY and experience < max(1, mins[min(complexity, 3)]):
            flags.append(RiskFlag("heavy_for_experience"))
        if match_id in status_overdue:
            flags.append(RiskFlag("status_overdue", status_overdue[match_id]))


def at_risk(session: Session, organisation_id: int, today: date, program_id: int | None = None) -> list[MatchRisk]:
    """Every open match of the organisation with at least one flag, most urgent first."""
    stmt = select(Match).where(Match.organisation_id == organisation_id, Match.status.in_(OPEN_MATCH_STATUSES))
    if program_id is not None:
        stmt = stmt.where(Match.program_id == program_id)
    id_query = stmt.with_only_columns(Match.id)
    risks = [r for r in assess(session, list(session.exec(stmt)), today, id_query).values() if r.flags]
    return sorted(risks, key=lambda r: (-r.urgency, r.last_meeting or date.min, r.match.id))


def _overdue(organisation_id: int, today: date, program_id: int | None):  # noqa: ANN202
    stmt = (select(CheckIn, Match).join(Match, Match.id == CheckIn.match_id)
            .where(Match.organisation_id == organisation_id, CheckIn.done_on.is_(None), CheckIn.due_on < today))
    return stmt.where(Match.program_id == program_id) if program_id is not None else stmt


def overdue_checkins(session: Session, organisation_id: int, today: date, program_id: int | None = None,
                     limit: int | None = None) -> list[tuple[CheckIn, Match]]:
    """Check-ins (planned and 12-month follow-ups) past their date, oldest first."""
    stmt = _overdue(organisation_id, today, program_id).order_by(CheckIn.due_on, CheckIn.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(c, m) for c, m in session.exec(stmt)]


def count_overdue_checkins(session: Session, organisation_id: int, today: date, program_id: int | None = None) -> int:
    stmt = _overdue(organisation_id, today, program_id)
    return int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
