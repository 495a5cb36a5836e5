"""Changing the family's plan, its meetings and progress; the competence and measure lists.

Every operation follows models.writes: begin_write, claim the form's token, lock the plan (the
household's row stands for the whole plan), check on the locked rows, write, audit, one commit.
The team around the family lives in models.families.teams.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, DomainError, NotFound
from models.families.figures import mark_figures_stale
from models.families.tables import (
    AGREEMENT_STATUSES,
    ASSENS_MEASURES,
    DEFAULT_COMPETENCES,
    GOAL_STATUSES,
    GRADED_MEASURES,
    LIFE_AREAS,
    MEETING_KINDS,
    MOMENTS,
    OWNER_KINDS,
    Competence,
    FamilyAgreement,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    Measure,
    PlanChange,
    PlanMeeting,
    Professional,
    ProgramMeasure,
    ProgressRecord,
    TeamMember,
    VolunteerCompetence,
)
from models.mentees import Household, HouseholdMember
from models.organisations import Program
from models.volunteers import Volunteer
from models.writes import begin_write, claim_submission, lock, note_result, peek_row, shared_write

NO_HOUSEHOLD = N_("The family no longer exists.")


def ensure_catalogue(session: Session, organisation_id: int) -> None:
    """The standard competences and Assens' measures, once per organisation (inside a write)."""
    if session.exec(select(Competence.id).where(Competence.organisation_id == organisation_id)).first() is None:
        for code, area in DEFAULT_COMPETENCES:
            session.add(Competence(organisation_id=organisation_id, code=code, name=code, life_area=area))
    if session.exec(select(Measure.id).where(Measure.organisation_id == organisation_id)).first() is None:
        for code, applies_to in ASSENS_MEASURES:
            levels, yes_from = GRADED_MEASURES.get(code, ((), None))
            session.add(Measure(organisation_id=organisation_id, code=code, name=code, applies_to=applies_to,
                                scale="graded" if levels else "yes_no", levels=list(levels), yes_from=yes_from))
    session.flush()


def _audit(session: Session, by, action: str, record_type: str, record_id: int | None, **detail: object) -> None:  # noqa: ANN001
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action=action,
                 record_type=record_type, record_id=record_id, detail=dict(detail))


def _locked_plan(session: Session, by, household_id: int) -> tuple[Household, FamilyPlan]:  # noqa: ANN001
    """The household locked (it stands for its plan) and its plan, made on first use."""
    household = lock(session, Household, household_id, missing=NO_HOUSEHOLD)
    if household.organisation_id != by.organisation_id or household.anonymised_at is not None:
        raise NotFound(NO_HOUSEHOLD)
    plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == household.id)
                        .execution_options(populate_existing=True)).first()
    if plan is None:
        plan = FamilyPlan(organisation_id=household.organisation_id, household_id=household.id)
        session.add(plan)
        session.flush()
    ensure_catalogue(session, household.organisation_id)
    return household, plan


def _change(session: Session, by, plan: FamilyPlan, what: str, summary: str = "", value: str = "",  # noqa: ANN001
            meeting_id: int | None = None) -> None:
    session.add(PlanChange(organisation_id=plan.organisation_id, plan_id=plan.id, meeting_id=meeting_id, what=what,
                           summary=summary[:1000], value=value, by_id=by.id))
    plan.version += 1
    plan.updated_at = utcnow()
    session.add(plan)


def _members(session: Session, household_id: int) -> dict[int, HouseholdMember]:
    return {m.id: m for m in session.exec(select(HouseholdMember).where(HouseholdMember.household_id == household_id))}


def _text(value: str | None, limit: int, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(N_("Write this before saving."), field=field)
    if len(value) > limit:
        raise DomainError(N_("Write at most %(max)d characters."), field=field, max=limit)
    return value


@shared_write
def save_dreams(session: Session, by, household_id: int, dreams: str, shared: bool,  # noqa: ANN001
                submit_key: str | None = None) -> FamilyPlan:
    """The family's dreams in their own words; whether the team's volunteers may read them."""
    begin_write(session)
    claim_submission(session, submit_key, "family_dreams", user_id=by.id)
    _household, plan = _locked_plan(session, by, household_id)
    plan.dreams = _text(dreams, 4000, "dreams")
    plan.dreams_shared = bool(shared)
    _change(session, by, plan, "dreams", plan.dreams[:200])
    _audit(session, by, "update", "FamilyPlan", plan.id, household_id=household_id, part="dreams")
    session.commit()
    return plan


def _new_goal(session: Session, by, household: Household, plan: FamilyPlan, member_id: int | None,  # noqa: ANN001
              life_area: str, title: str, worries: str = "", works: str = "", next_steps: str = "",
              shared: bool = False, family_may_read: bool = True, meeting_id: int | None = None) -> FamilyGoal:
    if life_area not in LIFE_AREAS:
        raise DomainError(N_("Choose a life area."), field="life_area")
    if member_id is not None and member_id not in _members(session, household.id):
        raise DomainError(N_("Choose a member of this family, or the whole family."), field="member_id")
    competence = session.exec(select(Competence).where(Competence.organisation_id == household.organisation_id,
                                                       Competence.life_area == life_area, Competence.active)
                              .order_by(Competence.id)).first()
    goal = FamilyGoal(organisation_id=household.organisation_id, plan_id=plan.id, member_id=member_id,
                      life_area=life_area, competence_id=competence.id if competence else None,
                      title=_text(title, 300, "title", required=True), worries=_text(worries, 2000, "worries"),
                      works=_text(works, 2000, "works"), next_steps=_text(next_steps, 2000, "next_steps"),
                      shared_with_team=bool(shared), family_may_read=bool(family_may_read))
    session.add(goal)
    session.flush()
    _change(session, by, plan, "goal_added", goal.title, meeting_id=meeting_id)
    _audit(session, by, "create", "FamilyGoal", goal.id, household_id=household.id)
    return goal


@shared_write
def add_goal(session: Session, by, household_id: int, member_id: int | None, life_area: str, title: str,  # noqa: ANN001
             worries: str = "", works: str = "", next_steps: str = "", shared: bool = False,
             family_may_read: bool = True, submit_key: str | None = None) -> FamilyGoal:
    """A goal for one family member (or the whole family) in a life area, in Signs of Safety form."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "family_goal", user_id=by.id,
                             already=N_("This goal has already been saved."))
    household, plan = _locked_plan(session, by, household_id)
    goal = _new_goal(session, by, household, plan, member_id, life_area, title, worries, works, next_steps,
                     shared, family_may_read)
    note_result(claim, goal.id)
    session.commit()
    return goal


@shared_write
def set_goal_status(session: Session, by, goal_id: int, status: str) -> FamilyGoal:  # noqa: ANN001
    begin_write(session)
    if status not in GOAL_STATUSES:
        raise DomainError(N_("Choose a status."), field="status")
    peek = peek_row(session, FamilyGoal, goal_id, missing=N_("The goal no longer exists."))
    household_id = session.get(FamilyPlan, peek.plan_id).household_id
    _household, plan = _locked_plan(session, by, household_id)
    goal = session.get(FamilyGoal, goal_id, populate_existing=True)
    if goal.status != status:
        goal.status = status
        session.add(goal)
        _change(session, by, plan, "goal_status", goal.title, status)
        _audit(session, by, "update", "FamilyGoal", goal.id, status=status)
    session.commit()
    return goal


def _check_owner(session: Session, household: Household, owner_kind: str, owner_id: int | None) -> dict:
    if owner_kind not in OWNER_KINDS or owner_id is None:
        raise DomainError(N_("Choose who is responsible."), field="owner")
    if owner_kind == "member":
        if owner_id not in _members(session, household.id):
            raise DomainError(N_("Choose who is responsible."), field="owner")
        return {"owner_member_id": owner_id}
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household.id)).first()
    column = TeamMember.volunteer_id if owner_kind == "volunteer" else TeamMember.professional_id
    on_team = team is not None and session.exec(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                                           column == owner_id)).first()
    if not on_team:
        raise DomainError(N_("Only a member of the family's team can be responsible for an agreement."),
                          field="owner")
    return {"owner_volunteer_id": owner_id} if owner_kind == "volunteer" else {"owner_professional_id": owner_id}


def _new_agreement(session: Session, by, household: Household, plan: FamilyPlan, text: str, owner_kind: str,  # noqa: ANN001
                   owner_id: int | None, due_on: date | None, goal_id: int | None, shared: bool,
                   family_may_read: bool, meeting_id: int | None = None) -> FamilyAgreement:
    if goal_id is not None:
        goal = session.get(FamilyGoal, goal_id)
        if goal is None or goal.plan_id != plan.id:
            raise DomainError(N_("Choose one of this family's goals."), field="goal_id")
    agreement = FamilyAgreement(organisation_id=plan.organisation_id, plan_id=plan.id, goal_id=goal_id,
                                meeting_id=meeting_id, text=_text(text, 1000, "text", required=True),
                                owner_kind=owner_kind, due_on=due_on, shared_with_team=bool(shared),
                                family_may_read=bool(family_may_read),
                                **_check_owner(session, household, owner_kind, owner_id))
    session.add(agreement)
    session.flush()
    _change(session, by, plan, "agreement_added", agreement.text, meeting_id=meeting_id)
    _audit(session, by, "create", "FamilyAgreement", agreement.id, household_id=household.id)
    return agreement


@shared_write
def add_agreement(session: Session, by, household_id: int, text: str, owner_kind: str, owner_id: int | None,  # noqa: ANN001
                  due_on: date | None = None, goal_id: int | None = None, shared: bool = True,
                  family_may_read: bool = True, submit_key: str | None = None) -> FamilyAgreement:
    """An agreement with an owner (family member, volunteer or professional on the team) and a deadline."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "family_agreement", user_id=by.id,
                             already=N_("This agreement has already been saved."))
    household, plan = _locked_plan(session, by, household_id)
    agreement = _new_agreement(session, by, household, plan, text, owner_kind, owner_id, due_on, goal_id, shared,
                               family_may_read)
    note_result(claim, agreement.id)
    session.commit()
    return agreement


def _set_agreement(session: Session, by, agreement: FamilyAgreement, plan: FamilyPlan, status: str,  # noqa: ANN001
                   today: date) -> None:
    if status not in AGREEMENT_STATUSES:
        raise DomainError(N_("Choose a status."), field="status")
    if agreement.status == status:
        return
    agreement.status = status
    agreement.done_on = today if status == "done" else None
    agreement.done_by_id = by.id if status == "done" else None
    session.add(agreement)
    _change(session, by, plan, "agreement_status", agreement.text, status)
    _audit(session, by, "update", "FamilyAgreement", agreement.id, status=status)


@shared_write
def set_agreement_status(session: Session, by, agreement_id: int, status: str, today: date) -> FamilyAgreement:  # noqa: ANN001
    """The coordinator marks an agreement done, open again or dropped."""
    begin_write(session)
    peek = peek_row(session, FamilyAgreement, agreement_id, missing=N_("The agreement no longer exists."))
    household_id = session.get(FamilyPlan, peek.plan_id).household_id
    _household, plan = _locked_plan(session, by, household_id)
    agreement = session.get(FamilyAgreement, agreement_id, populate_existing=True)
    _set_agreement(session, by, agreement, plan, status, today)
    session.commit()
    return agreement


@shared_write
def volunteer_marks_done(session: Session, by, agreement_id: int, today: date) -> FamilyAgreement:  # noqa: ANN001
    """A volunteer on the team marks their own agreement done (from their home page)."""
    begin_write(session)
    peek = peek_row(session, FamilyAgreement, agreement_id, missing=N_("The agreement no longer exists."))
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == by.id)).first()
    household_id = session.get(FamilyPlan, peek.plan_id).household_id
    _household, plan = _locked_plan(session, by, household_id)
    agreement = session.get(FamilyAgreement, agreement_id, populate_existing=True)
    if volunteer is None or agreement.owner_volunteer_id != volunteer.id or not agreement.shared_with_team:
        raise NotFound(N_("The agreement no longer exists."))
    if agreement.status != "open":
        raise DomainError(N_("This agreement is no longer open."))
    _set_agreement(session, by, agreement, plan, "done", today)
    session.commit()
    return agreement


@shared_write
def hold_meeting(session: Session, by, household_id: int, held_on: date | None, kind: str, participants: str,  # noqa: ANN001
                 agreed: str, new_agreement: Mapping | None = None, goal_statuses: Mapping[int, str] | None = None,
                 today: date | None = None, submit_key: str | None = None) -> PlanMeeting:
    """A family or network meeting; the agreement it adds and the goals it changes are its history."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "plan_meeting", user_id=by.id,
                             already=N_("This meeting has already been saved."))
    household, plan = _locked_plan(session, by, household_id)
    if held_on is None:
        raise DomainError(N_("Give the date of the meeting."), field="held_on")
    if today is not None and held_on > today:
        raise DomainError(N_("A meeting is recorded when it has been held: the date cannot be in the future."),
                          field="held_on")
    if kind not in MEETING_KINDS:
        raise DomainError(N_("Choose the kind of meeting."), field="kind")
    meeting = PlanMeeting(organisation_id=plan.organisation_id, plan_id=plan.id, held_on=held_on, kind=kind,
                          participants=_text(participants, 2000, "participants", required=True),
                          agreed=_text(agreed, 4000, "agreed"), created_by_id=by.id)
    session.add(meeting)
    session.flush()
    _change(session, by, plan, "meeting", meeting.agreed[:200], meeting_id=meeting.id)
    if new_agreement and (new_agreement.get("text") or "").strip():
        _new_agreement(session, by, household, plan, new_agreement["text"], new_agreement.get("owner_kind", ""),
                       new_agreement.get("owner_id"), new_agreement.get("due_on"), None, True, True,
                       meeting_id=meeting.id)
    for goal_id, status in (goal_statuses or {}).items():
        goal = session.get(FamilyGoal, goal_id, populate_existing=True)
        if goal is None or goal.plan_id != plan.id or status not in GOAL_STATUSES:
            raise DomainError(N_("Choose one of this family's goals."))
        if goal.status != status:
            goal.status = status
            session.add(goal)
            _change(session, by, plan, "goal_status", goal.title, status, meeting_id=meeting.id)
    _audit(session, by, "create", "PlanMeeting", meeting.id, household_id=household.id)
    note_result(claim, meeting.id)
    session.commit()
    return meeting


def program_measures(session: Session, organisation_id: int, program_ids: Iterable[int]) -> list[Measure]:
    """The measures the given programmes use; every measure of the organisation when none chose."""
    ids = list(program_ids)
    chosen = set(session.exec(select(ProgramMeasure.measure_id).where(ProgramMeasure.program_id.in_(ids)))) \
        if ids else set()
    measures = list(session.exec(select(Measure).where(Measure.organisation_id == organisation_id)
                                 .order_by(Measure.id)))
    return [m for m in measures if m.id in chosen] if chosen else measures


@shared_write
def record_progress(session: Session, by, household_id: int, moment: str, recorded_on: date | None,  # noqa: ANN001
                    values: Mapping[tuple[int, int], bool | int | None], today: date, meeting_id: int | None = None,
                    submit_key: str | None = None) -> int:
    """Answers per person and measure at entry, at a plan meeting or at the end; returns how many.

    A yes/no measure takes True/False, a graded one its level (1 = the first of its levels).
    An answer left out (None) is not recorded: "don't know" is no figure. The same person,
    measure, moment and day again replaces the earlier answer. The stored family figures are
    marked stale (a refresh is queued after the commit).
    """
    begin_write(session)
    claim_submission(session, submit_key, "family_progress", user_id=by.id,
                     already=N_("This progress has already been saved."))
    household, plan = _locked_plan(session, by, household_id)
    if moment not in MOMENTS:
        raise DomainError(N_("Choose when the progress was measured."), field="moment")
    if recorded_on is None:
        raise DomainError(N_("Give the date."), field="recorded_on")
    if recorded_on > today:
        raise DomainError(N_("The date cannot be in the future."), field="recorded_on")
    if meeting_id is not None:
        meeting = session.get(PlanMeeting, meeting_id)
        if meeting is None or meeting.plan_id != plan.id:
            raise DomainError(N_("Choose one of this family's meetings."), field="meeting_id")
    members = _members(session, household.id)
    measures = {m.id: m for m in session.exec(select(Measure).where(Measure.organisation_id == household.organisation_id))}
    count = 0
    for (member_id, measure_id), value in values.items():
        if value is None:
            continue
        if member_id not in members or measure_id not in measures:
            raise DomainError(N_("Choose a member of this family, or the whole family."))
        value, level = _answer(measures[measure_id], value)
        old = session.exec(select(ProgressRecord).where(ProgressRecord.member_id == member_id,
                                                        ProgressRecord.measure_id == measure_id,
                                                        ProgressRecord.moment == moment,
                                                        ProgressRecord.recorded_on == recorded_on)).first()
        record = old or ProgressRecord(organisation_id=household.organisation_id, household_id=household.id,
                                       member_id=member_id, measure_id=measure_id, moment=moment,
                                       recorded_on=recorded_on)
        record.value, record.level, record.meeting_id, record.recorded_by_id = value, level, meeting_id, by.id
        session.add(record)
        count += 1
    if not count:
        raise DomainError(N_("Answer at least one question before saving."))
    _change(session, by, plan, "progress", value=moment, meeting_id=meeting_id)
    _audit(session, by, "update", "FamilyProgress", household.id, moment=moment, answers=count)
    mark_figures_stale(session, household.organisation_id)
    session.commit()
    return count


def _answer(measure: Measure, value: bool | int) -> tuple[bool, int | None]:
    """The stored (yes/no reading, level) of one answer; a level outside the scale is refused."""
    if not measure.graded:
        if not isinstance(value, bool):
            raise DomainError(N_("Answer yes or no."))
        return value, None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(measure.levels):
        raise DomainError(N_("Choose one of the levels."))
    return measure.yes_from is not None and value >= measure.yes_from, value


# --- the organisation's lists (the admin keeps them) --------------------------------------------

@shared_write
def add_competence(session: Session, by, name: str, life_area: str | None) -> Competence:  # noqa: ANN001
    begin_write(session)
    ensure_catalogue(session, by.organisation_id)
    name = _text(name, 100, "name", required=True)
    if life_area and life_area not in LIFE_AREAS:
        raise DomainError(N_("Choose a life area."), field="life_area")
    if session.exec(select(Competence.id).where(Competence.organisation_id == by.organisation_id,
                                                Competence.name == name)).first():
        raise DomainError(N_("The list already has a competence of that name."), field="name")
    competence = Competence(organisation_id=by.organisation_id, name=name, life_area=life_area or None)
    session.add(competence)
    session.flush()
    _audit(session, by, "create", "Competence", competence.id)
    session.commit()
    return competence


@shared_write
def set_competence_active(session: Session, by, competence_id: int, active: bool) -> Competence:  # noqa: ANN001
    begin_write(session)
    competence = session.get(Competence, competence_id, populate_existing=True)
    if competence is None or competence.organisation_id != by.organisation_id:
        raise NotFound(N_("The competence no longer exists."))
    competence.active = bool(active)
    session.add(competence)
    _audit(session, by, "update", "Competence", competence.id, active=competence.active)
    session.commit()
    return competence


def _competence_ids(session: Session, organisation_id: int, ids: Iterable[int]) -> list[int]:
    known = set(session.exec(select(Competence.id).where(Competence.organisation_id == organisation_id)))
    chosen = sorted({int(i) for i in ids})
    if any(i not in known for i in chosen):
        raise DomainError(N_("Choose competences from the list."), field="competence_ids")
    return chosen


@shared_write
def save_professional(session: Session, by, professional_id: int | None, *, name: str, unit: str, phone: str,  # noqa: ANN001
                      email: str, competence_ids: Iterable[int], languages: Iterable[str], capacity: int,
                      active: bool = True, submit_key: str | None = None) -> Professional:
    """A professional (name, unit, competences, how many families they can carry); new or changed."""
    begin_write(session)
    claim = claim_submission(session, submit_key, "professional", user_id=by.id)
    ensure_catalogue(session, by.organisation_id)
    if professional_id is None:
        professional = Professional(organisation_id=by.organisation_id, name="")
    else:
        professional = lock(session, Professional, professional_id, missing=N_("The professional no longer exists."))
        if professional.organisation_id != by.organisation_id:
            raise NotFound(N_("The professional no longer exists."))
        professional.version += 1
    if capacity is None or not 0 <= int(capacity) <= 200:
        raise DomainError(N_("Give a number from 0 to 200."), field="capacity")
    professional.name = _text(name, 200, "name", required=True)
    professional.unit = _text(unit, 200, "unit")
    professional.phone = _text(phone, 30, "phone")
    professional.email = _text(email, 254, "email")
    professional.competence_ids = _competence_ids(session, by.organisation_id, competence_ids)
    professional.languages = sorted(set(languages))
    professional.capacity = int(capacity)
    professional.active = bool(active)
    session.add(professional)
    session.flush()
    note_result(claim, professional.id)
    _audit(session, by, "create" if professional_id is None else "update", "Professional", professional.id)
    session.commit()
    return professional


@shared_write
def set_volunteer_competences(session: Session, by, volunteer_id: int, competence_ids: Iterable[int],  # noqa: ANN001
                              family_capacity: int) -> VolunteerCompetence:
    """What a volunteer brings to families' teams, and on how many teams they can be."""
    begin_write(session)
    volunteer = lock(session, Volunteer, volunteer_id, missing=N_("The volunteer no longer exists."))
    if volunteer.organisation_id != by.organisation_id:
        raise NotFound(N_("The volunteer no longer exists."))
    ensure_catalogue(session, by.organisation_id)
    if family_capacity is None or not 0 <= int(family_capacity) <= 10:
        raise DomainError(N_("Give a number from 0 to 10."), field="family_capacity")
    row = session.exec(select(VolunteerCompetence).where(VolunteerCompetence.volunteer_id == volunteer.id)).first()
    row = row or VolunteerCompetence(volunteer_id=volunteer.id)
    row.competence_ids = _competence_ids(session, by.organisation_id, competence_ids)
    row.family_capacity = int(family_capacity)
    session.add(row)
    _audit(session, by, "update", "Volunteer", volunteer.id, part="competences")
    session.commit()
    return row


@shared_write
def add_measure(session: Session, by, name: str, applies_to: str) -> Measure:  # noqa: ANN001
    """A programme's own yes/no measure, beside Assens' ones."""
    begin_write(session)
    ensure_catalogue(session, by.organisation_id)
    name = _text(name, 200, "name", required=True)
    if applies_to not in ("adult", "child", "all"):
        raise DomainError(N_("Choose who the question is about."), field="applies_to")
    if session.exec(select(Measure.id).where(Measure.organisation_id == by.organisation_id,
                                             Measure.name == name)).first():
        raise DomainError(N_("The list already has a measure of that name."), field="name")
    measure = Measure(organisation_id=by.organisation_id, name=name, applies_to=applies_to)
    session.add(measure)
    session.flush()
    _audit(session, by, "create", "Measure", measure.id)
    session.commit()
    return measure


@shared_write
def choose_measures(session: Session, by, program_id: int, measure_ids: Iterable[int]) -> list[int]:  # noqa: ANN001
    """Which measures a programme uses (the admin chooses); none chosen means all of them."""
    begin_write(session)
    program = lock(session, Program, program_id, missing=N_("The program no longer exists."))
    if program.organisation_id != by.organisation_id:
        raise NotFound(N_("The program no longer exists."))
    ensure_catalogue(session, by.organisation_id)
    known = set(session.exec(select(Measure.id).where(Measure.organisation_id == by.organisation_id)))
    chosen = sorted({int(i) for i in measure_ids})
    if any(i not in known for i in chosen):
        raise DomainError(N_("Choose measures from the list."), field="measure_ids")
    for row in session.exec(select(ProgramMeasure).where(ProgramMeasure.program_id == program.id)):
        session.delete(row)
    session.flush()
    for measure_id in chosen:
        session.add(ProgramMeasure(program_id=program.id, measure_id=measure_id))
    _audit(session, by, "update", "Program", program.id, part="measures", measures=chosen)
    session.commit()
    return chosen


# --- erasure, retention and export -------------------------------------------------------------

ANONYMISED = "Anonymiseret"


def anonymise_family_work(session: Session, household_id: int) -> dict[str, int]:
    """Blank the words of the household's plan and end its team (no commit).

    What stays is what the figures need and says nothing about the family: the goals' life areas
    and statuses, the meetings' dates and kinds, and the yes/no progress answers (like a match's
    outcome). The dreams, every goal's and agreement's words, who took part, what was agreed and
    the history's summaries are blanked; the team is deleted (who worked with the family).
    """
    counts = {"plan_texts": 0, "team_members": 0}
    plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == household_id)).first()
    if plan is not None:
        plan.dreams, plan.dreams_shared = "", False
        session.add(plan)
        rows: list = [*session.exec(select(FamilyGoal).where(FamilyGoal.plan_id == plan.id)),
                      *session.exec(select(FamilyAgreement).where(FamilyAgreement.plan_id == plan.id)),
                      *session.exec(select(PlanMeeting).where(PlanMeeting.plan_id == plan.id)),
                      *session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id))]
        for row in rows:
            if isinstance(row, FamilyGoal):
                row.title, row.worries, row.works, row.next_steps = ANONYMISED, "", "", ""
            elif isinstance(row, FamilyAgreement):
                row.text = ANONYMISED
            elif isinstance(row, PlanMeeting):
                row.participants, row.agreed = "", ""
            else:
                row.summary = ""
            session.add(row)
        counts["plan_texts"] = len(rows) + 1
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household_id)).first()
    if team is not None:
        members = list(session.exec(select(TeamMember).where(TeamMember.team_id == team.id)))
        for member in members:
            session.delete(member)
        team.proposal = {}
        session.add(team)
        counts["team_members"] = len(members)
    session.flush()
    # The stored figures are counted again without the words; only counts of 5 or more stay.
    household = session.get(Household, household_id)
    if household is not None and session.exec(select(ProgressRecord.id).where(
            ProgressRecord.household_id == household_id)).first() is not None:
        mark_figures_stale(session, household.organisation_id)
    return counts


def export_family_work(session: Session, household_id: int) -> dict:
    """The household's plan, meetings, team and progress, JSON-ready, for the person's data export."""
    plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == household_id)).first()
    data: dict = {"plan": None, "goals": [], "agreements": [], "meetings": [], "team": [], "progress": []}
    if plan is not None:
        data["plan"] = plan.model_dump(mode="json", include={"dreams", "created_at", "updated_at"})
        data["goals"] = [g.model_dump(mode="json", exclude={"organisation_id", "plan_id", "competence_id"})
                         for g in session.exec(select(FamilyGoal).where(FamilyGoal.plan_id == plan.id))]
        data["agreements"] = [a.model_dump(mode="json", exclude={"organisation_id", "plan_id", "done_by_id"})
                              for a in session.exec(select(FamilyAgreement).where(FamilyAgreement.plan_id == plan.id))]
        data["meetings"] = [m.model_dump(mode="json", include={"id", "held_on", "kind", "participants", "agreed"})
                            for m in session.exec(select(PlanMeeting).where(PlanMeeting.plan_id == plan.id))]
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household_id)).first()
    if team is not None:
        data["team"] = [m.model_dump(mode="json", include={"volunteer_id", "professional_id", "primary", "role",
                                                           "added_on"})
                        for m in session.exec(select(TeamMember).where(TeamMember.team_id == team.id))]
    measures = {m.id: m for m in session.exec(select(Measure).join(ProgressRecord, ProgressRecord.measure_id == Measure.id)
                                              .where(ProgressRecord.household_id == household_id))}
    data["progress"] = [{**r.model_dump(mode="json", include={"member_id", "moment", "recorded_on", "value", "level"}),
                         "measure": measures[r.measure_id].code or measures[r.measure_id].name}
                        for r in session.exec(select(ProgressRecord).where(ProgressRecord.household_id == household_id)
                                              .order_by(ProgressRecord.recorded_on, ProgressRecord.id))]
    return data
