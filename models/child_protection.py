"""Børneattest: who must have one, and whose counts.

Danish law requires a child protection certificate (børneattest) of volunteers in regular contact
with children under 15. A program that serves such children always requires the screening step;
a certificate counts only when it has been received and has no remarks. Matching enforces the
same rule pair by pair (``child_certificate`` in matching.rules), so a volunteer approved before a
program started to serve younger children is never proposed to a child under 15 without one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func
from sqlmodel import Session, select

from matching.profiles import CHILD_CERTIFICATE_BELOW_AGE
from models.audit import record_audit
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Program
from models.screening import DONE
from models.volunteers import ScreeningStep

CERTIFICATE_STEP = "boerneattest"
# Received without remarks: a step that is done. "remarks" (received with remarks), "requested"
# and the rest do not count.
CERTIFICATE_COUNTS: tuple[str, ...] = DONE
OPEN_REQUEST_STATUSES: tuple[str, ...] = ("waiting", "matched")


def under_15(birth_year: int, today: date) -> bool:
    """Younger than 15 by the year of birth (the way Makker reckons every age)."""
    return today.year - birth_year < CHILD_CERTIFICATE_BELOW_AGE


def certificate_counts(status: str | None) -> bool:
    return status in CERTIFICATE_COUNTS


def certificate_holders(session: Session, volunteer_ids: Iterable[int] | Select) -> set[int]:
    """The volunteers among ``volunteer_ids`` (ids, or a select of ids for a large pool) whose
    børneattest was received without remarks."""
    ids = volunteer_ids if isinstance(volunteer_ids, Select) else list(volunteer_ids)
    if not isinstance(ids, Select) and not ids:
        return set()
    return set(session.exec(select(ScreeningStep.volunteer_id).where(
        ScreeningStep.volunteer_id.in_(ids), ScreeningStep.step == CERTIFICATE_STEP,
        ScreeningStep.status.in_(CERTIFICATE_COUNTS))).all())


def households_with_young_children(session: Session, household_ids: Iterable[int] | Select, today: date) -> set[int]:
    """The households among ``household_ids`` (ids, or a select of ids) with a member under 15."""
    ids = household_ids if isinstance(household_ids, Select) else list(household_ids)
    if not isinstance(ids, Select) and not ids:
        return set()
    youngest = today.year - CHILD_CERTIFICATE_BELOW_AGE  # born after this year: under 15
    return set(session.exec(select(HouseholdMember.household_id).where(
        HouseholdMember.household_id.in_(ids), HouseholdMember.birth_year > youngest).distinct()).all())


@dataclass
class YoungChildren:
    """Why a program counts as serving children under 15."""

    by_age_range: bool  # it takes youths younger than 15
    youths: int  # open requests of youths under 15
    households: int  # open requests of households with a child under 15

    def __bool__(self) -> bool:
        return self.by_age_range or self.youths > 0 or self.households > 0


def young_children_served(session: Session, program: Program, today: date, serves: str | None = None,
                          min_age: int | None = None) -> YoungChildren:
    """Whether ``program`` serves children under 15: by its ages (``serves``/``min_age`` may be
    the values an admin is about to save) or by the youths and households it has open requests for."""
    serves = serves if serves is not None else program.serves
    min_age = min_age if min_age is not None else program.min_age
    by_age = serves in ("youth", "both") and min_age < CHILD_CERTIFICATE_BELOW_AGE
    youngest = today.year - CHILD_CERTIFICATE_BELOW_AGE
    open_requests = select(Request).where(Request.program_id == program.id,
                                          Request.status.in_(OPEN_REQUEST_STATUSES))
    youths = session.exec(select(func.count()).select_from(
        open_requests.join(Youth, Youth.id == Request.youth_id)
        .where(Youth.birth_year > youngest, Youth.anonymised_at.is_(None)).subquery())).one()
    households = session.exec(select(func.count()).select_from(
        open_requests.join(Household, Household.id == Request.household_id)
        .where(Household.anonymised_at.is_(None), Household.id.in_(
            select(HouseholdMember.household_id).where(HouseholdMember.birth_year > youngest))).subquery())).one()
    return YoungChildren(by_age, int(youths), int(households))


def require_certificate(session: Session, program: Program, by_id: int | None, why: str) -> bool:
    """Add the børneattest to the program's screening steps if missing (no commit); True if added.

    Called when a youth under 15 or a family with a child under 15 is taken into a program that
    did not ask for it: the law asks for it from that moment on.
    """
    if CERTIFICATE_STEP in (program.required_steps or []):
        return False
    program.required_steps = [*(program.required_steps or []), CERTIFICATE_STEP]
    session.add(program)
    record_audit(session, organisation_id=program.organisation_id, user_id=by_id, action="update",
                 record_type="Program", record_id=program.id,
                 detail={"changed": ["required_steps"], "added": CERTIFICATE_STEP, "why": why})
    return True
