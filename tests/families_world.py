"""A family's plan and team in a test world (shared by the route matrix and the page crawls)."""

from __future__ import annotations

from sqlmodel import Session, select

from models import clock
from models.families.operations import ensure_catalogue
from models.families.tables import (
    Competence,
    FamilyAgreement,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    PlanMeeting,
    Professional,
    TeamMember,
)

TITLE = "Lektier hver uge"


def family_work(session: Session, world) -> dict:  # noqa: ANN001
    household, volunteer = world.household, world.volunteer
    session.rollback()  # a fresh look: the pages may have made the plan (or its team) meanwhile
    plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == household.id)).first()
    made = plan is not None and session.exec(select(FamilyGoal.id).where(FamilyGoal.plan_id == plan.id,
                                                                         FamilyGoal.title == TITLE)).first()
    if not made:
        org = household.organisation_id
        ensure_catalogue(session, org)
        school = session.exec(select(Competence).where(Competence.organisation_id == org,
                                                       Competence.code == "school")).one()
        if plan is None:
            plan = FamilyPlan(organisation_id=org, household_id=household.id)
        plan.dreams, plan.dreams_shared = "At børnene trives i skolen", True
        session.add(plan)
        session.flush()
        goal = FamilyGoal(organisation_id=org, plan_id=plan.id, life_area="school_daycare",
                          competence_id=school.id, title=TITLE, shared_with_team=True)
        professional = Professional(organisation_id=org, name="Lone Sagsbehandler", unit="Familieafdelingen",
                                    phone="12345678", competence_ids=[school.id], capacity=5)
        team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household.id)).first() \
            or FamilyTeam(organisation_id=org, household_id=household.id)
        for old in session.exec(select(TeamMember).where(TeamMember.team_id == team.id)) if team.id else ():
            session.delete(old)
        session.add_all([goal, professional, team])
        session.flush()
        session.add_all([TeamMember(organisation_id=org, team_id=team.id, volunteer_id=volunteer.id, primary=True,
                                    added_on=clock.today()),
                         TeamMember(organisation_id=org, team_id=team.id, professional_id=professional.id,
                                    added_on=clock.today())])
        meeting = PlanMeeting(organisation_id=org, plan_id=plan.id, held_on=clock.today(), participants="Familien")
        session.add(meeting)
        session.flush()
        session.add(FamilyAgreement(organisation_id=org, plan_id=plan.id, goal_id=goal.id, meeting_id=meeting.id,
                                    text="Lektiehjælp tirsdag", owner_kind="volunteer",
                                    owner_volunteer_id=volunteer.id))
        session.commit()
    goal = session.exec(select(FamilyGoal).where(FamilyGoal.plan_id == plan.id, FamilyGoal.title == TITLE)).first()
    agreement = session.exec(select(FamilyAgreement).where(FamilyAgreement.plan_id == plan.id)
                             .order_by(FamilyAgreement.id)).first()
    professional = session.exec(select(Professional).where(Professional.organisation_id == plan.organisation_id)
                                .order_by(Professional.id)).first()
    competence = session.exec(select(Competence).where(Competence.organisation_id == plan.organisation_id)
                              .order_by(Competence.id)).first()
    return {"household": household.id, "plan": plan.id, "goal": goal.id, "agreement": agreement.id,
            "professional": professional.id, "competence": competence.id}
