"""Reading whole-family work: the plan as each reader may see it (the figures: models.families.figures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from models.families.figures import MIN_PERSONS  # noqa: F401 - kept for older imports
from models.families.tables import (
    FamilyAgreement,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    PlanChange,
    PlanMeeting,
    Professional,
    ProgressRecord,
    TeamMember,
)
from models.mentees import Household, HouseholdMember
from models.volunteers import Volunteer


@dataclass
class PlanView:
    household: Household
    plan: FamilyPlan | None
    members: dict[int, HouseholdMember]
    goals: list[FamilyGoal]
    agreements: list[FamilyAgreement]
    meetings: list[PlanMeeting]
    changes: dict[int | None, list[PlanChange]]  # by meeting id (None: between meetings)
    team: FamilyTeam | None
    team_members: list[TeamMember]
    volunteers: dict[int, Volunteer]
    professionals: dict[int, Professional]
    progress: list[ProgressRecord] = field(default_factory=list)

    @property
    def primary(self) -> TeamMember | None:
        return next((m for m in self.team_members if m.primary), None)

    def owner_name(self, agreement: FamilyAgreement) -> str:
        if agreement.owner_kind == "member" and agreement.owner_member_id in self.members:
            return self.members[agreement.owner_member_id].first_name
        if agreement.owner_kind == "volunteer" and agreement.owner_volunteer_id in self.volunteers:
            return self.volunteers[agreement.owner_volunteer_id].name
        if agreement.owner_kind == "professional" and agreement.owner_professional_id in self.professionals:
            return self.professionals[agreement.owner_professional_id].name
        return ""

    def member_name(self, member: TeamMember) -> str:
        if member.volunteer_id is not None:
            v = self.volunteers.get(member.volunteer_id)
            return v.name if v else ""
        p = self.professionals.get(member.professional_id)
        return p.name if p else ""


def plan_view(session: Session, household: Household, *, for_family: bool = False,
              shared_only: bool = False) -> PlanView:
    """The household's plan: all of it for staff, what the family may read for the printed plan,
    what the coordinator shares with the team for a volunteer."""
    plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == household.id)).first()
    members = {m.id: m for m in session.exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id)
                                             .order_by(HouseholdMember.id))}
    goals, agreements, meetings, changes = [], [], [], defaultdict(list)
    if plan is not None:
        goals = list(session.exec(select(FamilyGoal).where(FamilyGoal.plan_id == plan.id).order_by(FamilyGoal.id)))
        agreements = list(session.exec(select(FamilyAgreement).where(FamilyAgreement.plan_id == plan.id)
                                       .order_by(FamilyAgreement.id)))
        meetings = list(session.exec(select(PlanMeeting).where(PlanMeeting.plan_id == plan.id)
                                     .order_by(PlanMeeting.held_on.desc(), PlanMeeting.id.desc())))
        if not (for_family or shared_only):
            for change in session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id)
                                       .order_by(PlanChange.at, PlanChange.id)):
                changes[change.meeting_id].append(change)
    if for_family:
        goals = [g for g in goals if g.family_may_read]
        agreements = [a for a in agreements if a.family_may_read]
    if shared_only:
        goals = [g for g in goals if g.shared_with_team]
        agreements = [a for a in agreements if a.shared_with_team]
        meetings = []
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household.id)).first()
    team_members = list(session.exec(select(TeamMember).where(TeamMember.team_id == team.id)
                                     .order_by(TeamMember.primary.desc(), TeamMember.id))) if team else []
    vids = {m.volunteer_id for m in team_members if m.volunteer_id} | {a.owner_volunteer_id for a in agreements
                                                                       if a.owner_volunteer_id}
    pids = {m.professional_id for m in team_members if m.professional_id} | {
        a.owner_professional_id for a in agreements if a.owner_professional_id}
    volunteers = {v.id: v for v in session.exec(select(Volunteer).where(Volunteer.id.in_(vids)))} if vids else {}
    professionals = {p.id: p for p in session.exec(select(Professional).where(Professional.id.in_(pids)))} \
        if pids else {}
    progress = [] if shared_only or for_family else list(session.exec(
        select(ProgressRecord).where(ProgressRecord.household_id == household.id)
        .order_by(ProgressRecord.recorded_on, ProgressRecord.id)))
    return PlanView(household, plan, members, goals, agreements, meetings, dict(changes), team, team_members,
                    volunteers, professionals, progress)


def volunteer_teams(session: Session, volunteer_id: int) -> list[Household]:
    """The families whose team the volunteer is on."""
    return list(session.exec(select(Household).join(FamilyTeam, FamilyTeam.household_id == Household.id)
                             .join(TeamMember, TeamMember.team_id == FamilyTeam.id)
                             .where(TeamMember.volunteer_id == volunteer_id, Household.anonymised_at.is_(None))
                             .order_by(Household.family_name)))


def on_team(session: Session, volunteer_id: int, household_id: int) -> bool:
    return session.exec(select(TeamMember.id).join(FamilyTeam, FamilyTeam.id == TeamMember.team_id)
                        .where(FamilyTeam.household_id == household_id,
                               TeamMember.volunteer_id == volunteer_id)).first() is not None


def volunteer_open_agreements(session: Session, volunteer_id: int) -> list[tuple[FamilyAgreement, Household]]:
    """The volunteer's own open agreements in the plans of families they are on the team of."""
    rows = session.exec(select(FamilyAgreement, Household)
                        .join(FamilyPlan, FamilyPlan.id == FamilyAgreement.plan_id)
                        .join(Household, Household.id == FamilyPlan.household_id)
                        .where(FamilyAgreement.owner_volunteer_id == volunteer_id, FamilyAgreement.status == "open",
                               FamilyAgreement.shared_with_team, Household.anonymised_at.is_(None))
                        .order_by(FamilyAgreement.due_on, FamilyAgreement.id))
    return [(a, h) for a, h in rows if on_team(session, volunteer_id, h.id)]
