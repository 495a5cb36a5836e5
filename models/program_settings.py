"""Changing a program's rules, checked as a whole and recorded in the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from matching.fairness import WAITING_PRIORITIES
from matching.profiles import COMPLEXITY_LEVELS, DEFAULT_WEIGHTS, EXPERIENCE_LEVELS
from matching.vocabulary import INTERESTS
from models.audit import record_audit
from models.child_protection import CERTIFICATE_STEP, young_children_served
from models.clock import today as today_fn
from models.errors import N_, Conflict, DomainError
from models.organisations import SCREENING_STEPS, Organisation, Program
from models.risk import PROGRAM_FIELDS_READ
from models.risk_state import refresh_program_risk
from models.users import User
from models.writes import begin_write, lock, shared_write

MAX_WEIGHT = 10.0
MAX_HEAVY_CASES = 5  # the most a volunteer can hold at all (their capacity is at most 5)


def parse_day_list(text: str) -> list[int]:
    """"14, 30, 60" -> [14, 30, 60]; the check-in plan as people write it."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        days = sorted({int(p) for p in parts})
    except ValueError as error:
        raise DomainError(N_("Write the days as whole numbers separated by commas, e.g. 14, 30, 90."),
                          field="checkin_plan") from error
    if any(d < 1 or d > 3650 for d in days):
        raise DomainError(N_("Each day must be between 1 and 3650."), field="checkin_plan")
    return days


@dataclass
class ProgramChanges:
    name: str
    description: str
    serves: str
    min_age: int
    max_age: int
    max_distance_km: float
    waiting_target_days: int
    inactivity_days: int
    required_steps: list[str]
    checkin_plan_days: list[int]
    interests: list[str]
    weights: dict[str, float]
    measures_followup: bool
    outcome_required: bool
    retention_months: int
    goal_matches: int | None
    goal_period_months: int | None
    active: bool
    # The least experience per complexity (index = complexity) and the cap on heavy cases.
    min_experience_by_complexity: list[int]
    max_high_complexity_per_volunteer: int | None
    measures_one_year: bool  # the outcome measured one year after the start
    waiting_priority: str = "strict"  # matching.fairness.WAITING_PRIORITIES
    certificate_renewal_months: int = 24  # the børneattest runs out after (issue 15)


def validate_weights(weights: dict[str, float]) -> dict[str, float]:
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise DomainError(N_("Unknown weight: %(name)s."), field="weights", name=", ".join(sorted(unknown)))
    if any(not 0 <= w <= MAX_WEIGHT for w in weights.values()):
        raise DomainError(N_("Each weight must be between 0 and 10."), field="weights")
    if not any(w > 0 for w in weights.values()):
        raise DomainError(N_("At least one weight must be above 0."), field="weights")
    return {k: float(weights.get(k, 0.0)) for k in DEFAULT_WEIGHTS}


def validate_experience_rules(minimums: list[int], cap: int | None) -> tuple[list[int], int | None]:
    """The least experience per complexity and the heavy-case cap, checked as a whole."""
    if len(minimums) != len(COMPLEXITY_LEVELS) or any(m not in EXPERIENCE_LEVELS for m in minimums):
        raise DomainError(N_("Choose an answer from the list."), field="min_experience")
    if any(later < earlier for earlier, later in zip(minimums, minimums[1:], strict=False)):
        raise DomainError(N_("A heavier case cannot need less experience than a lighter one."),
                          field="min_experience")
    if cap is not None and not 1 <= cap <= MAX_HEAVY_CASES:
        raise DomainError(N_("Write a number from 1 to %(max)s, or leave the field empty for no limit."),
                          field="max_high_complexity_per_volunteer", max=MAX_HEAVY_CASES)
    return [int(m) for m in minimums], cap


def check_certificate_kept(session: Session, program: Program, changes: ProgramChanges, today: date) -> None:
    """A program that serves children under 15 must keep the børneattest among its steps."""
    if CERTIFICATE_STEP in changes.required_steps:
        return
    served = young_children_served(session, program, today, serves=changes.serves, min_age=changes.min_age)
    if served.by_age_range:
        raise DomainError(N_("The program takes youths younger than 15, so a børneattest is required by law. "
                             "It cannot be left out."), field="required_steps")
    if served:
        raise DomainError(N_("The program has youths or families with children under 15 (%(n)s open requests), "
                             "so a børneattest is required by law. It cannot be left out."),
                          field="required_steps", n=served.youths + served.households)


@shared_write
def update_program(session: Session, program: Program, changes: ProgramChanges, by: User,
                   seen_version: str | None = None, today: date | None = None) -> Program:
    """Apply all changes or none; an admin's stale form does not overwrite another's change.

    The version the form was made from is compared with the locked, freshly read program: two
    saves from the same form are decided one after the other, and the second is refused.
    """
    program_id = program.id
    begin_write(session)
    program = lock(session, Program, program_id)
    if seen_version is not None and seen_version != program_version(program):
        raise Conflict(N_("Someone else changed this program while you were editing. Nothing was saved; "
                          "look at the new values and repeat your change."))
    if not changes.name.strip():
        raise DomainError(N_("The program needs a name."), field="name")
    if changes.serves not in ("youth", "family", "both"):
        raise DomainError(N_("Choose an answer from the list."), field="serves")
    if changes.min_age > changes.max_age:
        raise DomainError(N_("The lowest age must not be above the highest."), field="min_age")
    if not changes.required_steps or set(changes.required_steps) - set(SCREENING_STEPS):
        raise DomainError(N_("Choose at least one screening step."), field="required_steps")
    if not changes.checkin_plan_days:
        raise DomainError(N_("The check-in plan needs at least one day."), field="checkin_plan")
    if set(changes.interests) - set(INTERESTS):
        raise DomainError(N_("Choose an answer from the list."), field="interests")
    if changes.waiting_priority not in WAITING_PRIORITIES:
        raise DomainError(N_("Choose an answer from the list."), field="waiting_priority")
    if not 1 <= changes.certificate_renewal_months <= 120:
        raise DomainError(N_("Between 1 and 120 months."), field="certificate_renewal_months")
    if (changes.goal_matches is None) != (changes.goal_period_months is None):
        raise DomainError(N_("A goal needs both a number of matches and a period."), field="goal_matches")
    weights = validate_weights(changes.weights)
    minimums, cap = validate_experience_rules(list(changes.min_experience_by_complexity),
                                              changes.max_high_complexity_per_volunteer)
    check_certificate_kept(session, program, changes, today or today_fn())
    before = program.model_dump(exclude={"created_at"})
    for name, value in vars(changes).items():
        setattr(program, name, value)
    program.name = changes.name.strip()
    program.weights = weights
    program.min_experience_by_complexity, program.max_high_complexity_per_volunteer = minimums, cap
    after = program.model_dump(exclude={"created_at"})
    changed = sorted(k for k in after if after[k] != before.get(k))
    session.add(program)
    record_audit(session, organisation_id=program.organisation_id, user_id=by.id, action="update",
                 record_type="Program", record_id=program.id, detail={"changed": changed})
    if PROGRAM_FIELDS_READ & set(changed):
        refresh_program_risk(session, today or today_fn(), program.id)
    session.commit()
    return program


def program_version(program: Program) -> str:
    """A fingerprint of the stored settings, sent with the form to detect a change meanwhile."""
    import hashlib
    import json

    data = program.model_dump(exclude={"created_at"}, mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@shared_write
def update_organisation(session: Session, organisation: Organisation, by: User, *, name: str,
                        contact_email: str, kind: str) -> Organisation:
    organisation_id = organisation.id
    begin_write(session)
    organisation = lock(session, Organisation, organisation_id)
    if not name.strip():
        raise DomainError(N_("The organisation needs a name."), field="name")
    if kind not in ("association", "municipality"):
        raise DomainError(N_("Choose an answer from the list."), field="kind")
    organisation.name, organisation.contact_email, organisation.kind = name.strip(), contact_email.strip(), kind
    session.add(organisation)
    record_audit(session, organisation_id=organisation.id, user_id=by.id, action="update",
                 record_type="Organisation", record_id=organisation.id, detail={"changed": ["settings"]})
    session.commit()
    return organisation
