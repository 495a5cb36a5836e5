"""The demo organisation: every stage of the lifecycle is there, and it is the same for a seed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import select

from models.matches import Match, MeetingLog
from models.mentees import Household, Request, Youth
from models.users import User, verify_password
from models.volunteers import Volunteer
from seed.demo import build_demo, demo_logins

TODAY = date(2026, 11, 22)


def _count(session, stmt):  # noqa: ANN001, ANN202
    return session.exec(select(func.count()).select_from(stmt.subquery())).one()


def test_the_demo_has_volunteers_at_every_stage_and_relationships_in_every_state(engine, session):
    build_demo(engine, seed=1, password="demo-password-1", today=TODAY)
    statuses = {s for s in session.exec(select(Volunteer.status))}
    assert {"applicant", "screening", "approved", "declined"} <= statuses
    assert 50 <= _count(session, select(Volunteer)) <= 70
    assert _count(session, select(Youth)) == 40 and _count(session, select(Household)) == 15
    match_states = {s for s in session.exec(select(Match.status))}
    assert {"active", "closed"} <= match_states
    assert _count(session, select(MeetingLog)) > 20
    assert _count(session, select(Request).where(Request.status == "waiting")) > 10
    closed = session.exec(select(Match).where(Match.status == "closed")).all()
    assert all(m.closure_reason for m in closed)


def test_the_printed_demo_logins_work_with_the_printed_password(engine, session):
    build_demo(engine, seed=1, password="demo-password-1", today=TODAY)
    logins = demo_logins(engine)
    assert [role for role, _ in logins] == ["admin", "coordinator", "volunteer", "referrer"]
    for _, email in logins:
        user = session.exec(select(User).where(User.email == email)).one()
        assert verify_password(user, "demo-password-1")
    volunteer_user = session.exec(select(User).where(User.email == logins[2][1])).one()
    own = session.exec(select(Volunteer).where(Volunteer.user_id == volunteer_user.id)).one()
    assert own.status == "approved"


def test_the_same_seed_gives_the_same_demo(app, engine, session, tmp_path):
    build_demo(engine, seed=7, today=TODAY)
    first = sorted((v.first_name, v.last_name, v.postcode) for v in session.exec(select(Volunteer)))
    from models.db import create_schema, make_engine

    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    create_schema(other)
    build_demo(other, seed=7, today=TODAY)
    from sqlmodel import Session

    with Session(other) as s2:
        second = sorted((v.first_name, v.last_name, v.postcode) for v in s2.exec(select(Volunteer)))
    assert first == second


def test_a_benchmark_organisation_has_the_asked_number_of_people(engine, session):
    build_demo(engine, seed=2, volunteers=300, requests=200, today=TODAY)
    assert _count(session, select(Volunteer)) == 300
    assert _count(session, select(Request).where(Request.status == "waiting")) == 200


def test_the_demo_matching_never_proposes_a_heavy_case_to_a_volunteer_below_the_minimum(engine, session):
    from matching.profiles import HEAVY_COMPLEXITY
    from matching.run import execute_run, start_run
    from models.child_protection import CERTIFICATE_STEP, certificate_holders, young_children_served
    from models.matchruns import Proposal
    from models.organisations import Program

    build_demo(engine, seed=1, today=TODAY)
    heavy_proposals = 0
    for program in session.exec(select(Program)).all():
        minimum = program.rules().min_experience_by_complexity
        assert minimum[2] >= 2 and minimum[3] >= 3  # Høj: experienced; Meget høj: the most experienced
        # Both demo programmes serve children under 15, so the børneattest is one of their steps.
        assert young_children_served(session, program, TODAY) and CERTIFICATE_STEP in program.required_steps
        run = start_run(session, program, by_user_id=None)
        result = execute_run(engine, run.id, TODAY)
        assert result.removed_by_rule["experience_minimum"] > 0  # the pool has volunteers the rule keeps out
        session.expire_all()
        proposals = session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()
        certified = certificate_holders(session, {p.volunteer_id for p in proposals})
        for p in proposals:
            request, volunteer = session.get(Request, p.request_id), session.get(Volunteer, p.volunteer_id)
            assert volunteer.experience >= minimum[request.complexity], (request.complexity, volunteer.experience)
            assert p.volunteer_id in certified
            heavy_proposals += request.complexity >= HEAVY_COMPLEXITY
        # The demo's own history keeps the rule too.
        for match in session.exec(select(Match).where(Match.program_id == program.id)):
            request, volunteer = session.get(Request, match.request_id), session.get(Volunteer, match.volunteer_id)
            assert volunteer.experience >= minimum[request.complexity]
    assert heavy_proposals > 0  # heavy cases are proposed, to volunteers with the experience for them


def test_the_demo_has_two_referring_units_three_referrers_and_referrals_in_every_state(engine, session):
    from models.referrals.tables import REFERRAL_STATUSES, Referral, ReferralStatus, ReferringUnit

    build_demo(engine, seed=1, password="demo-password-1", today=TODAY)
    assert _count(session, select(ReferringUnit)) == 2
    assert _count(session, select(User).where(User.role == "referrer")) == 3
    assert {s for s in session.exec(select(Referral.status))} == set(REFERRAL_STATUSES)
    accepted = session.exec(select(Referral).where(Referral.status == "accepted")).all()
    assert accepted and all(r.request_id and r.youth_id for r in accepted)
    assert _count(session, select(ReferralStatus).where(ReferralStatus.sent_at.is_not(None))) >= 1
