"""The at-risk assessment kept as derived state: one row per match, read by the pages.

``models.risk.assess`` stays the one definition of the flags. This module stores its result:

* when a match's inputs change — each domain operation that changes meetings, check-ins, the
  status, "talk to me", a pause, the volunteer's experience or the program's limits calls
  ``refresh_match_risk`` once, before its commit, inside its own transaction;
* every day, for the flags that come with time alone (no meeting for N days, an overdue
  check-in, a pause or an introduction past its date) — ``refresh_risk``, the periodic job.

Pages then read instead of recomputing: the home page's count is one COUNT query, the at-risk
list one ordered, paged query, and "only at risk" a join instead of a list of thousands of ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import JSON, Column, Index, case, func, update
from sqlmodel import Field, Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from models.db import begin_write
from models.matches import CheckIn, Match
from models.risk import MatchRisk, RiskFlag, assess

CHUNK = 1000  # matches per transaction in the periodic refresh: short locks, bounded IN lists


class MatchRiskState(SQLModel, table=True):
    """The stored assessment of one match as of ``assessed_on`` (closed matches: no flags)."""

    __tablename__ = "match_risk"
    __table_args__ = (Index("ix_match_risk_organisation_urgency", "organisation_id", "urgency"),)

    match_id: int = Field(primary_key=True, foreign_key="match.id", ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id")
    program_id: int = Field(foreign_key="program.id", index=True)
    urgency: int = 0  # 0: no flag; higher first in the at-risk list
    flags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [[kind, days or null]]
    last_meeting: date | None = None
    last_checkin: date | None = None
    overdue_checkins: int = 0  # undone check-ins of any kind past their date (the home page's count)
    assessed_on: date


@dataclass
class RiskRefresh:
    """What a refresh did: how many matches it assessed, changed and found at risk."""

    assessed: int = 0
    changed: int = 0
    at_risk: int = 0

    def describe(self) -> str:
        return f"assessed {self.assessed} matches, {self.changed} changed, {self.at_risk} at risk"


def _lock_matches(session: Session, match_ids: Sequence[int]) -> list[Match]:
    # FOR NO KEY UPDATE, in id order: waits for anyone changing these matches (so the flags are
    # read after their change is committed) but not for inserts of meetings and check-ins. The
    # rows as locked replace objects loaded earlier in the session (populate_existing).
    stmt = (select(Match).where(Match.id.in_(list(match_ids))).order_by(Match.id).with_for_update(key_share=True)
            .execution_options(populate_existing=True))
    return list(session.exec(stmt))


def _values(risk: MatchRisk) -> dict:
    match = risk.match
    return {"organisation_id": match.organisation_id, "program_id": match.program_id, "urgency": risk.urgency,
            "flags": [[f.kind, f.days] for f in risk.flags], "last_meeting": risk.last_meeting,
            "last_checkin": risk.last_checkin}


def _store(session: Session, risks: dict[int, MatchRisk], today: date) -> RiskRefresh:
    report = RiskRefresh(assessed=len(risks), at_risk=sum(1 for r in risks.values() if r.flags))
    ids = list(risks)
    rows = {row.match_id: row for row in session.exec(select(MatchRiskState).where(MatchRiskState.match_id.in_(ids)))}
    overdue = dict(session.exec(select(CheckIn.match_id, func.count()).where(
        CheckIn.match_id.in_(ids), CheckIn.done_on.is_(None), CheckIn.due_on < today).group_by(CheckIn.match_id)).all())
    for match_id, risk in risks.items():
        values = {**_values(risk), "overdue_checkins": overdue.get(match_id, 0)}
        row = rows.get(match_id)
        if row is None:
            session.add(MatchRiskState(match_id=match_id, assessed_on=today, **values))
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.assessed_on = today
            session.add(row)
        else:
            continue
        report.changed += 1
    session.flush()
    # The unchanged rows are as true today as the day they were written: say so in one statement.
    session.execute(update(MatchRiskState).where(MatchRiskState.match_id.in_(ids), MatchRiskState.assessed_on != today)
                    .values(assessed_on=today).execution_options(synchronize_session=False))
    return report


def refresh_match_risk(session: Session, today: date, match_ids: Iterable[int | None]) -> None:
    """Bring the stored assessment of these matches up to date; part of the caller's transaction.

    Called once by every domain operation that changes what the flags are made of, after its
    changes and before its commit.
    """
    ids = sorted({i for i in match_ids if i is not None})
    if not ids:
        return
    session.flush()
    for start in range(0, len(ids), CHUNK):
        matches = _lock_matches(session, ids[start:start + CHUNK])
        _store(session, assess(session, matches, today), today)


def refresh_program_risk(session: Session, today: date, program_id: int) -> None:
    """After a change to a program's limits (inactivity days, experience per complexity)."""
    refresh_match_risk(session, today, session.exec(select(Match.id).where(Match.program_id == program_id)))


def refresh_volunteer_risk(session: Session, today: date, volunteer_id: int) -> None:
    """After a change to a volunteer's experience: their matches are weighed against it."""
    refresh_match_risk(session, today, session.exec(select(Match.id).where(Match.volunteer_id == volunteer_id)))


def refresh_risk(session: Session, today: date, organisation_id: int | None = None) -> RiskRefresh:
    """Assess every match again as of ``today`` and store what changed (the periodic job).

    Idempotent: a second run on the same day changes nothing. Runs in short transactions of
    ``CHUNK`` matches each, so pages and coordinators are never held up for long.
    """
    stmt = select(Match.id).order_by(Match.id)
    if organisation_id is not None:
        stmt = stmt.where(Match.organisation_id == organisation_id)
    ids = list(session.exec(stmt))
    session.rollback()
    report = RiskRefresh()
    for start in range(0, len(ids), CHUNK):
        begin_write(session)
        matches = _lock_matches(session, ids[start:start + CHUNK])
        part = _store(session, assess(session, matches, today), today)
        session.commit()
        report.assessed += part.assessed
        report.changed += part.changed
        report.at_risk += part.at_risk
    return report


def fill_missing_risk(session: Session, today: date) -> int:
    """Assess the matches that have no stored assessment yet (after an upgrade or an import)."""
    missing = list(session.exec(select(Match.id).outerjoin(MatchRiskState, MatchRiskState.match_id == Match.id)
                                .where(MatchRiskState.match_id.is_(None)).order_by(Match.id)))
    if missing:
        begin_write(session)
        refresh_match_risk(session, today, missing)
        session.commit()
    return len(missing)


# --- reading -------------------------------------------------------------------------------

def as_match_risk(match: Match, row: MatchRiskState | None, today: date) -> MatchRisk:
    """The stored assessment as the pages use it.

    Days counted since a date (no meeting, overdue) go on growing between two refreshes; they
    are brought to ``today`` so that a page never shows yesterday's count.
    """
    if row is None:
        return MatchRisk(match=match)
    late = max(0, (today - row.assessed_on).days)
    flags = [RiskFlag(kind, days + late if days is not None else None) for kind, days in row.flags]
    return MatchRisk(match=match, flags=flags, last_meeting=row.last_meeting, last_checkin=row.last_checkin)


def stored_risks(session: Session, matches: Sequence[Match], today: date) -> dict[int, MatchRisk]:
    """The stored assessment of each of ``matches`` (a page's worth), in one query."""
    if not matches:
        return {}
    rows = {row.match_id: row for row in session.exec(
        select(MatchRiskState).where(MatchRiskState.match_id.in_([m.id for m in matches])))}
    return {m.id: as_match_risk(m, rows.get(m.id), today) for m in matches}


def risk_counts(session: Session, organisation_id: int, program_id: int | None = None) -> tuple[int, int]:
    """Matches with at least one flag, and check-ins past their date: one query for both."""
    stmt = select(func.coalesce(func.sum(case((MatchRiskState.urgency > 0, 1), else_=0)), 0),
                  func.coalesce(func.sum(MatchRiskState.overdue_checkins), 0)
                  ).where(MatchRiskState.organisation_id == organisation_id)
    if program_id is not None:
        stmt = stmt.where(MatchRiskState.program_id == program_id)
    at_risk, overdue = session.exec(stmt).one()
    return int(at_risk), int(overdue)


def count_at_risk(session: Session, organisation_id: int, program_id: int | None = None) -> int:
    """How many of the organisation's matches have at least one flag: one COUNT query."""
    stmt = select(func.count()).select_from(MatchRiskState).where(MatchRiskState.organisation_id == organisation_id,
                                                                  MatchRiskState.urgency > 0)
    if program_id is not None:
        stmt = stmt.where(MatchRiskState.program_id == program_id)
    return int(session.exec(stmt).one())


def at_risk_query(organisation_id: int, program_id: int | None = None) -> SelectOfScalar:
    """The at-risk list, most urgent first (then the longest silence), for paging in the database."""
    stmt = (select(Match, MatchRiskState).join(MatchRiskState, MatchRiskState.match_id == Match.id)
            .where(MatchRiskState.organisation_id == organisation_id, MatchRiskState.urgency > 0))
    if program_id is not None:
        stmt = stmt.where(MatchRiskState.program_id == program_id)
    return stmt.order_by(MatchRiskState.urgency.desc(), MatchRiskState.last_meeting.asc().nulls_first(),
                         MatchRiskState.match_id)


def at_risk_from_state(session: Session, organisation_id: int, today: date,
                       program_id: int | None = None) -> list[MatchRisk]:
    """The whole stored at-risk list (for exports and tests; pages page it with ``at_risk_query``)."""
    return [as_match_risk(m, row, today) for m, row in session.exec(at_risk_query(organisation_id, program_id))]
