"""Whole-family work in the demo: plans with dreams, goals and agreements, teams composed by the
optimizer, plan meetings and progress for every family member (issue 14)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session, select

from models.families.operations import ensure_catalogue
from models.families.tables import (
    Competence,
    FamilyAgreement,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    Measure,
    PlanChange,
    PlanMeeting,
    Professional,
    ProgressRecord,
    TeamMember,
    VolunteerCompetence,
)
from models.families.teams import load_actors, load_needs, solve
from models.mentees import Household, HouseholdMember
from models.users import User
from models.volunteers import Volunteer

DREAMS = ("At børnene får danske venner og går til fodbold", "At far får et arbejde, og vi kan blive boende",
          "At mor lærer dansk og kan tale med lærerne", "At vi føler os hjemme i byen")
GOALS = {
    "parent": (("job_education", "Finde praktik eller job"), ("danish_language", "Tale dansk i hverdagen"),
               ("network_friends", "Lære nogle naboer at kende")),
    "child": (("school_daycare", "Lave lektier hver uge"), ("leisure_associations", "Gå til en fritidsaktivitet"),
              ("network_friends", "Få en dansk ven")),
    "other": (("health", "Komme til lægen med tolk"),),
}
PROFESSIONALS = (
    ("Lone Madsen", "PPR", ("school",), ("ar",)), ("Karim Haddad", "Jobcenter", ("job_education", "language_culture"), ("ar",)),
    ("Birgitte Holm", "Familieafdelingen", ("parenting", "housing_economy"), ()),
    ("Ayse Yilmaz", "Sundhedsplejen", ("health", "language_culture"), ("tr",)),
    ("Peter Nørgaard", "Fritidsvejledningen", ("leisure", "network"), ()),
    ("Sara Olsen", "Sprogcentret", ("danish_practice",), ()),
)


def add_family_work(session: Session, rng: random.Random, organisation_id: int, coordinator: User,
                    demo_volunteer: Volunteer | None, today: date) -> dict[str, int]:
    """Plans for most of the organisation's families, teams, meetings and progress; returns counts."""
    counts: dict[str, int] = {}

    def count(name: str, n: int = 1) -> None:
        counts[name] = counts.get(name, 0) + n

    ensure_catalogue(session, organisation_id)
    competences = {c.code: c for c in session.exec(select(Competence).where(Competence.organisation_id == organisation_id))}
    for name, unit, codes, languages in PROFESSIONALS:
        session.add(Professional(organisation_id=organisation_id, name=name, unit=unit, phone=f"+45 46 31 5{rng.randint(0, 9)} {rng.randint(10, 99)}",
                                 email=f"{name.split()[0].lower()}@roskilde.example.org",
                                 competence_ids=[competences[c].id for c in codes], languages=list(languages),
                                 capacity=rng.choice((4, 6, 8))))
        count("professionals")
    volunteers = list(session.exec(select(Volunteer).where(Volunteer.organisation_id == organisation_id,
                                                           Volunteer.status == "approved")))
    if demo_volunteer is not None and demo_volunteer.supports == "youth":
        demo_volunteer.supports = "either"  # the demo login is also on a family's team
        session.add(demo_volunteer)
    for v in volunteers:
        if v.supports in ("family", "either") or v is demo_volunteer:
            codes = rng.sample(["school", "leisure", "danish_practice", "network", "language_culture"], 2)
            session.add(VolunteerCompetence(volunteer_id=v.id, competence_ids=[competences[c].id for c in codes],
                                            family_capacity=1))
    session.flush()
    households = list(session.exec(select(Household).where(Household.organisation_id == organisation_id)
                                   .order_by(Household.id)))
    planned = households[: max(1, len(households) * 2 // 3)]
    measures = {m.code: m for m in session.exec(select(Measure).where(Measure.organisation_id == organisation_id))}
    for h in planned:
        plan = FamilyPlan(organisation_id=organisation_id, household_id=h.id, dreams=rng.choice(DREAMS),
                          dreams_shared=rng.random() < 0.7)
        session.add(plan)
        session.flush()
        count("family plans")
        members = list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == h.id)))
        for m in members:
            area, title = rng.choice(GOALS.get(m.role, GOALS["other"]))
            competence = next((c for c in competences.values() if c.life_area == area), None)
            session.add(FamilyGoal(organisation_id=organisation_id, plan_id=plan.id, member_id=m.id, life_area=area,
                                   competence_id=competence.id if competence else None, title=title,
                                   worries="Familien er usikker på, hvor de skal starte.",
                                   works="Familien er motiveret og møder op.", next_steps="Lave en aftale med teamet.",
                                   shared_with_team=True))
            count("family goals")
        session.add(PlanChange(organisation_id=organisation_id, plan_id=plan.id, what="dreams", by_id=coordinator.id,
                               summary=plan.dreams))
    session.flush()
    # The teams, composed as the coordinator's "propose" would, and approved as proposed.
    families = load_needs(session, planned)
    actors = load_actors(session, organisation_id)
    proposals, _run = solve(families, actors, time_limit_s=5.0)
    for f, proposal in zip(families, proposals, strict=True):
        team = FamilyTeam(organisation_id=organisation_id, household_id=f.household.id,
                          proposal={**proposal, "made_on": today.isoformat()}, approved_by_id=coordinator.id)
        session.add(team)
        session.flush()
        keys = [m["key"] for m in proposal["members"]]
        if demo_volunteer is not None and f is families[0] and f"volunteer:{demo_volunteer.id}" not in keys:
            keys.append(f"volunteer:{demo_volunteer.id}")
        for key in keys:
            kind, raw = key.split(":")
            session.add(TeamMember(organisation_id=organisation_id, team_id=team.id, primary=key == proposal["primary"],
                                   added_on=today - timedelta(days=60), **{f"{kind}_id": int(raw)}))
            count("team members")
    session.flush()
    # Meetings, agreements and progress: entry for everyone, a later answer for most, an end for some.
    for i, f in enumerate(families):
        plan = session.exec(select(FamilyPlan).where(FamilyPlan.household_id == f.household.id)).one()
        team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == f.household.id)).one()
        members = list(session.exec(select(TeamMember).where(TeamMember.team_id == team.id)))
        entry_on = today - timedelta(days=rng.randint(120, 300))
        meeting = PlanMeeting(organisation_id=organisation_id, plan_id=plan.id, held_on=entry_on + timedelta(days=45),
                              kind=rng.choice(("family", "network")), participants="Familien, teamet og koordinatoren",
                              agreed="Vi følger op på målene om en måned.", created_by_id=coordinator.id)
        session.add(meeting)
        session.flush()
        count("plan meetings")
        volunteer_member = next((m for m in members if m.volunteer_id is not None), None)
        if demo_volunteer is not None and i == 0:
            volunteer_member = next(m for m in members if m.volunteer_id == demo_volunteer.id)
        owner = {"owner_kind": "volunteer", "owner_volunteer_id": volunteer_member.volunteer_id} if volunteer_member \
            else {"owner_kind": "professional", "owner_professional_id": members[0].professional_id} if members \
            else None
        if owner:
            session.add(FamilyAgreement(organisation_id=organisation_id, plan_id=plan.id, meeting_id=meeting.id,
                                        text="Følge familien til et foreningsarrangement", due_on=today + timedelta(days=14),
                                        **owner))
            session.add(PlanChange(organisation_id=organisation_id, plan_id=plan.id, meeting_id=meeting.id,
                                   what="agreement_added", summary="Følge familien til et foreningsarrangement",
                                   by_id=coordinator.id))
            count("agreements")
        ended = i % 3 == 0
        for m in session.exec(select(HouseholdMember).where(HouseholdMember.household_id == f.household.id)):
            for code, measure in measures.items():
                if measure.applies_to == "child" and m.role != "child" or measure.applies_to == "adult" and m.role == "child":
                    continue
                start = rng.random() < (0.2 if code in ("job_education", "association", "danish_network") else 0.4)
                later = start or rng.random() < 0.45 if code not in ("school_problems", "child_protection") \
                    else start and rng.random() < 0.6
                levels = (None, None)
                if measure.graded:  # the child-protection level: most children move down the scale
                    first = rng.choices(range(1, len(measure.levels) + 1), weights=(3, 4, 2, 3, 1))[0]
                    levels = (first, max(1, first - rng.choice((0, 1, 1, 2))))
                    start, later = (lv >= (measure.yes_from or len(measure.levels) + 1) for lv in levels)
                session.add(ProgressRecord(organisation_id=organisation_id, household_id=f.household.id, member_id=m.id,
                                           measure_id=measure.id, moment="entry", recorded_on=entry_on, value=start,
                                           level=levels[0], recorded_by_id=coordinator.id))
                session.add(ProgressRecord(organisation_id=organisation_id, household_id=f.household.id, member_id=m.id,
                                           measure_id=measure.id, moment="at_end" if ended else "meeting",
                                           meeting_id=None if ended else meeting.id,
                                           recorded_on=today - timedelta(days=rng.randint(1, 30)), value=later,
                                           level=levels[1], recorded_by_id=coordinator.id))
                count("progress answers", 2)
    session.flush()
    return counts
