"""The dashboard's family section as derived state (decision 0021, after 0015).

The figures compare the same persons at entry and later, per measure, across the organisation
(and per programme). Counting them reads every progress answer of the organisation, so a page
never does it: ``refresh_family_figures`` stores them in ``familyfigure`` on the queue, and the
dashboard reads the stored rows.

- *When inputs change:* an operation that changes what the figures count (progress recorded,
  a family erased or anonymised) calls ``mark_figures_stale`` in its own transaction. It raises
  the organisation's version and notes the organisation on the session; after the commit
  ``web.jobs.queue`` puts one debounced ``family_figures`` job on the queue.
- *Safety net:* the daily ``family_figures_daily`` job refreshes every organisation.
- A refresh reads the version, counts outside any write lock, then stores the rows under the
  state row's lock and clears ``stale_since`` only if no write came in meanwhile (that write
  queued its own refresh).
- Nothing is stored for fewer than ``MIN_PERSONS`` persons: the table never holds a figure the
  page may not show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models.clock import utcnow
from models.db import begin_write
from models.families.tables import FamilyFigure, FamilyFiguresState, Measure, ProgressRecord

MIN_PERSONS = 5  # no figure is shown (or stored) for fewer persons: nobody can be recognised
STALE_KEY = "makker_family_figures_stale"  # session.info: organisations whose figures a commit changed
REQUEUE_AFTER = timedelta(minutes=10)  # stale this long: the refresh message was lost, queue another


@dataclass(frozen=True)
class Comparison:
    """ "37 of 46 at the end vs 12 at entry": yes-answers of the same persons at two moments."""

    persons: int  # persons with an answer at both moments
    at_entry: int | None  # None: too few persons to show
    later: int | None
    graded_persons: int = 0  # persons with a graded answer at both moments
    entry_levels: tuple[int, ...] = ()  # persons per level (1..n) at entry; () when hidden or yes/no
    later_levels: tuple[int, ...] = ()

    def at_least(self, level: int) -> tuple[int, int] | None:
        """Persons at ``level`` or higher: (at entry, later), or None when not shown."""
        if not self.entry_levels:
            return None
        return sum(self.entry_levels[level - 1:]), sum(self.later_levels[level - 1:])


@dataclass(frozen=True)
class MeasureFigures:
    measure: Measure
    latest: Comparison
    end: Comparison


@dataclass
class Answer:
    value: bool
    level: int | None


def _compare(entry: dict[int, Answer], later: dict[int, Answer], levels: int) -> Comparison:
    both = [p for p in later if p in entry]
    graded = [p for p in both if entry[p].level is not None and later[p].level is not None]
    entry_levels: tuple[int, ...] = ()
    later_levels: tuple[int, ...] = ()
    if levels and len(graded) >= MIN_PERSONS:
        entry_levels = tuple(sum(1 for p in graded if entry[p].level == n) for n in range(1, levels + 1))
        later_levels = tuple(sum(1 for p in graded if later[p].level == n) for n in range(1, levels + 1))
    if len(both) < MIN_PERSONS:
        return Comparison(len(both), None, None, len(graded), entry_levels, later_levels)
    return Comparison(len(both), sum(entry[p].value for p in both), sum(later[p].value for p in both),
                      len(graded), entry_levels, later_levels)


def compute_figures(session: Session, organisation_id: int, program_id: int | None = None) -> list[MeasureFigures]:
    """Per measure: entry vs the latest answer, and entry vs the end, for the same persons.

    Entry is each person's first answer at entry; latest is their last answer after entry (a
    meeting or the end); end is their last answer at the end. ``program_id`` narrows to the
    households with a request in that programme. A graded answer counts in the yes/no figure
    by its yes/no reading, and in the distribution only when both answers are graded.
    """
    from models.mentees import Request

    stmt = select(ProgressRecord).where(ProgressRecord.organisation_id == organisation_id)
    if program_id is not None:
        households = select(Request.household_id).where(Request.program_id == program_id,
                                                         Request.household_id.is_not(None))
        stmt = stmt.where(ProgressRecord.household_id.in_(households))
    entry: dict[int, dict[int, Answer]] = defaultdict(dict)
    latest: dict[int, dict[int, Answer]] = defaultdict(dict)
    end: dict[int, dict[int, Answer]] = defaultdict(dict)
    for r in session.exec(stmt.order_by(ProgressRecord.recorded_on, ProgressRecord.id)):
        answer = Answer(r.value, r.level)
        if r.moment == "entry":
            entry[r.measure_id].setdefault(r.member_id, answer)
            continue
        latest[r.measure_id][r.member_id] = answer
        if r.moment == "at_end":
            end[r.measure_id][r.member_id] = answer
    measures = list(session.exec(select(Measure).where(Measure.organisation_id == organisation_id)
                                 .order_by(Measure.id)))
    out = []
    for m in measures:
        if m.id not in entry:
            continue
        levels = len(m.levels) if m.graded else 0
        out.append(MeasureFigures(m, _compare(entry[m.id], latest[m.id], levels),
                                  _compare(entry[m.id], end[m.id], levels)))
    return out


# --- stored ---------------------------------------------------------------------------------------

def mark_figures_stale(session: Session, organisation_id: int, now: datetime | None = None) -> None:
    """In the caller's write transaction: the organisation's family figures must be counted again.

    The state row is the last row such a transaction touches (after the household), so it never
    waits for a lock while holding this one.
    """
    now = now or utcnow()
    before = session.exec(select(FamilyFiguresState.stale_since)
                          .where(FamilyFiguresState.organisation_id == organisation_id)).first()
    table = FamilyFiguresState.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(organisation_id=organisation_id, version=1, stale_since=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["organisation_id"], set_={
        "version": table.c.version + 1, "stale_since": func.coalesce(table.c.stale_since, stmt.excluded.stale_since)}))
    # Queue a refresh only when this write made the figures stale (or the last message was lost):
    # a burst of answers gives one job, not one per answer.
    if before is None or before < now - REQUEUE_AFTER:
        session.info.setdefault(STALE_KEY, set()).add(organisation_id)


@dataclass
class FiguresRefresh:
    organisations: int = 0
    rows: int = 0
    skipped: int = 0  # nothing had changed since the last refresh
    programs: list[int] = field(default_factory=list)


def _programs_with_families(session: Session, organisation_id: int) -> list[int]:
    from models.mentees import Request

    households = select(ProgressRecord.household_id).where(ProgressRecord.organisation_id == organisation_id)
    return sorted(set(session.exec(select(Request.program_id).where(Request.organisation_id == organisation_id,
                                                                    Request.household_id.in_(households)))))


def _rows(organisation_id: int, program_id: int | None, figures: list[MeasureFigures],
          now: datetime) -> list[FamilyFigure]:
    rows = []
    for f in figures:
        for comparison, c in (("latest", f.latest), ("end", f.end)):
            rows.append(FamilyFigure(organisation_id=organisation_id, program_id=program_id, measure_id=f.measure.id,
                                     comparison=comparison, persons=c.persons, at_entry=c.at_entry, later=c.later,
                                     graded_persons=c.graded_persons, entry_levels=list(c.entry_levels),
                                     later_levels=list(c.later_levels), computed_at=now))
    return rows


def refresh_family_figures(session: Session, organisation_id: int, now: datetime | None = None,
                           only_if_stale: bool = False) -> FiguresRefresh:
    """Count the organisation's family figures again and store them (the queue's job).

    Idempotent; ``only_if_stale`` skips the work when no write changed them since the last run
    (the debounced job: a second message for the same burst finds nothing to do).
    """
    now = now or utcnow()
    session.rollback()
    state = session.get(FamilyFiguresState, organisation_id, populate_existing=True)
    if only_if_stale and state is not None and state.stale_since is None and state.computed_at is not None:
        session.rollback()
        return FiguresRefresh(skipped=1)
    seen = state.version if state is not None else 0
    programs = _programs_with_families(session, organisation_id)
    rows = _rows(organisation_id, None, compute_figures(session, organisation_id), now)
    for program_id in programs:
        rows += _rows(organisation_id, program_id, compute_figures(session, organisation_id, program_id), now)
    session.rollback()
    begin_write(session)
    state = session.exec(select(FamilyFiguresState).where(FamilyFiguresState.organisation_id == organisation_id)
                         .with_for_update().execution_options(populate_existing=True)).first()
    if state is None:
        state = FamilyFiguresState(organisation_id=organisation_id)
    session.execute(delete(FamilyFigure).where(FamilyFigure.organisation_id == organisation_id))
    session.add_all(rows)
    state.computed_at = now
    if state.version == seen:
        state.stale_since = None  # else a write came in meanwhile and queued its own refresh
    session.add(state)
    session.commit()
    return FiguresRefresh(organisations=1, rows=len(rows), programs=programs)


def refresh_all_family_figures(session: Session, now: datetime | None = None) -> FiguresRefresh:
    """Every organisation with family progress (the daily safety net)."""
    from models.organisations import Organisation

    report = FiguresRefresh()
    for organisation_id in list(session.exec(select(Organisation.id).order_by(Organisation.id))):
        part = refresh_family_figures(session, organisation_id, now)
        report.organisations += part.organisations
        report.rows += part.rows
    return report


@dataclass(frozen=True)
class StoredFigures:
    figures: list[MeasureFigures]
    computed_at: datetime | None
    stale: bool  # a change is waiting for the next refresh


def stored_figures(session: Session, organisation_id: int, program_id: int | None = None) -> StoredFigures:
    """What the dashboard shows: the stored rows (two small indexed queries, no counting)."""
    state = session.get(FamilyFiguresState, organisation_id)
    rows = list(session.exec(select(FamilyFigure, Measure).join(Measure, Measure.id == FamilyFigure.measure_id)
                             .where(FamilyFigure.organisation_id == organisation_id,
                                    FamilyFigure.program_id == program_id if program_id is not None
                                    else FamilyFigure.program_id.is_(None))
                             .order_by(FamilyFigure.measure_id, FamilyFigure.comparison)))
    by_measure: dict[int, dict[str, Comparison]] = defaultdict(dict)
    measures: dict[int, Measure] = {}
    for row, measure in rows:
        measures[measure.id] = measure
        by_measure[measure.id][row.comparison] = Comparison(row.persons, row.at_entry, row.later, row.graded_persons,
                                                            tuple(row.entry_levels), tuple(row.later_levels))
    figures = [MeasureFigures(measures[mid], c["latest"], c["end"]) for mid, c in by_measure.items()
               if "latest" in c and "end" in c]
    return StoredFigures(figures, state.computed_at if state else None,
                         bool(state and state.stale_since is not None))


def drop_stale_marks(session: Session) -> None:
    """After a rollback: nothing was changed, nothing to queue."""
    session.info.pop(STALE_KEY, None)

