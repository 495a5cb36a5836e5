"""Benchmark of team proposals (``makker bench --teams``): the whole call a coordinator waits for.

A throwaway organisation with ``n_families`` families (each with a plan and goals in two to four
life areas) and ``n_actors`` actors (three quarters volunteers with competences, a quarter
professionals) is built first, untimed; then ``propose_teams`` for every family at once is timed
from the click to the stored proposals: reading the pool, the rules, CP-SAT and the writes.
"""

from __future__ import annotations

import random
import time
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.families.operations import ensure_catalogue
from models.families.tables import (
    LIFE_AREAS,
    Competence,
    FamilyGoal,
    FamilyPlan,
    Professional,
    VolunteerCompetence,
)
from models.families.teams import propose_teams
from models.mentees import Household, HouseholdMember
from models.organisations import Organisation, Program
from models.users import User
from models.volunteers import Volunteer

POSTCODES = ("4000", "4040", "4050", "4060", "4070", "4100", "4130", "4140", "4300", "4330")
LANGUAGES = ("ar", "so", "fa", "ti", "uk", "tr", "en")


def build_team_pool(session: Session, n_families: int, n_actors: int, seed: int = 1) -> tuple[User, list[int]]:
    rng = random.Random(seed)
    org = Organisation(name=f"Benchmark teams {seed}", slug=f"bench-teams-{seed}-{rng.randrange(10**6)}")
    session.add(org)
    session.flush()
    program = Program(organisation_id=org.id, slug="familier", name="Familier", serves="family", min_age=0,
                      max_age=99, max_distance_km=30)
    admin = User(organisation_id=org.id, email=f"bench{org.id}@example.org", name="Bench", role="admin",
                 password_hash="x")
    session.add_all([program, admin])
    session.flush()
    ensure_catalogue(session, org.id)
    competences = list(session.exec(select(Competence).where(Competence.organisation_id == org.id)))
    by_area = {c.life_area: c.id for c in competences if c.life_area}
    n_volunteers = n_actors * 3 // 4
    for i in range(n_volunteers):
        v = Volunteer(organisation_id=org.id, program_id=program.id, first_name=f"Frivillig{i}", last_name="Bench",
                      email=f"v{i}@bench.example.org", birth_year=1980, gender="female",
                      postcode=rng.choice(POSTCODES), supports="family", status="approved",
                      languages={"da": 3, rng.choice(LANGUAGES): 2})
        session.add(v)
        session.flush()
        session.add(VolunteerCompetence(volunteer_id=v.id, family_capacity=rng.choice((1, 1, 2)),
                                        competence_ids=[c.id for c in rng.sample(competences, 2)]))
    for i in range(n_actors - n_volunteers):
        session.add(Professional(organisation_id=org.id, name=f"Fagperson {i}", unit="Kommunen",
                                 competence_ids=[c.id for c in rng.sample(competences, rng.randint(1, 3))],
                                 languages=[rng.choice(LANGUAGES)] if rng.random() < 0.3 else [],
                                 capacity=rng.choice((3, 5, 8))))
    ids = []
    for i in range(n_families):
        h = Household(organisation_id=org.id, family_name=f"Familien {i}", postcode=rng.choice(POSTCODES),
                      languages={rng.choice(LANGUAGES): 3, "da": 1})
        session.add(h)
        session.flush()
        ids.append(h.id)
        members = [HouseholdMember(household_id=h.id, first_name=f"M{j}", role="parent" if j < 2 else "child",
                                   birth_year=1985 if j < 2 else 2015) for j in range(rng.randint(2, 5))]
        session.add_all(members)
        plan = FamilyPlan(organisation_id=org.id, household_id=h.id, dreams="")
        session.add(plan)
        session.flush()
        for area in rng.sample(LIFE_AREAS, rng.randint(2, 4)):
            session.add(FamilyGoal(organisation_id=org.id, plan_id=plan.id, life_area=area,
                                   competence_id=by_area.get(area), title=area))
    session.commit()
    return admin, ids


def time_team_proposal(engine: Engine, n_families: int = 500, n_actors: int = 2000, seed: int = 1,
                       time_limit_s: float = 8.0) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        admin, ids = build_team_pool(session, n_families, n_actors, seed)
        wall, cpu = time.perf_counter(), time.process_time()
        run = propose_teams(session, admin, ids, date(2026, 11, 22), time_limit_s=time_limit_s)
        seconds, cpu_seconds = time.perf_counter() - wall, time.process_time() - cpu
    return {"families": n_families, "actors": n_actors, "seconds": seconds, "cpu_seconds": cpu_seconds,
            "solver_seconds": run.seconds, "proposed": run.proposed, "optimal": run.optimal, "gap": run.gap,
            "status": run.status, "edges_kept": run.edges, "time_limit_s": time_limit_s}
