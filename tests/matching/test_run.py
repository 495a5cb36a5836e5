"""A match run over the database: proposals with explanations, rules kept, earlier runs superseded."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from matching.run import execute_run, start_run
from models.lifecycle import open_match_count
from models.matches import Exclusion, Match
from models.matchruns import MatchRun, Proposal
from models.mentees import Request
from models.organisations import Program
from models.volunteers import Volunteer
from seed import builders as b
from seed.demo import build_demo

TODAY = date(2026, 11, 22)


def _run(engine, session, program, **kw):  # noqa: ANN001, ANN003, ANN202
    run = start_run(session, program, by_user_id=None)
    return run, execute_run(engine, run.id, TODAY, **kw)


def test_the_demo_programs_run_end_to_end_and_every_proposal_is_explained(engine, session):
    build_demo(engine, seed=1, today=TODAY)
    for program in session.exec(select(Program)).all():
        run, result = _run(engine, session, program)
        assert result.matched_requests > 0
        session.expire_all()
        proposals = session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()
        assert proposals and all(p.breakdown["components"] and p.breakdown["total"] == pytest.approx(p.score, abs=1e-3)
                                 for p in proposals)
        firsts = [p for p in proposals if p.rank == 1]
        assert len({p.request_id for p in firsts}) == len(firsts) == result.matched_requests
        assert session.get(MatchRun, run.id).status == "done"


def test_proposals_respect_capacity_left_after_open_matches_and_never_repeat_an_excluded_pair(engine, session):
    build_demo(engine, seed=1, today=TODAY)
    program = session.exec(select(Program).where(Program.slug == "unge-mentorer")).one()
    run, _ = _run(engine, session, program)
    firsts = session.exec(select(Proposal).where(Proposal.run_id == run.id, Proposal.rank == 1)).all()
    load: dict[int, int] = {}
    for p in firsts:
        load[p.volunteer_id] = load.get(p.volunteer_id, 0) + 1
    for volunteer_id, n in load.items():
        volunteer = session.get(Volunteer, volunteer_id)
        assert volunteer.status == "approved"
        assert n + open_match_count(session, volunteer_id) <= volunteer.capacity
    excluded = {(e.request_id, e.volunteer_id) for e in session.exec(select(Exclusion))}
    matched_before = {(m.request_id, m.volunteer_id) for m in session.exec(select(Match))}
    proposals = session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()
    assert not {(p.request_id, p.volunteer_id) for p in proposals} & (excluded | matched_before)
    assert all(session.get(Request, p.request_id).status == "waiting" for p in proposals)


def test_a_new_run_supersedes_the_open_proposals_of_the_last(engine, session):
    world_org = b.make_organisation(session)
    program = b.make_program(session, world_org)
    youth = b.make_youth(session, world_org, today=TODAY)
    b.make_request(session, program, youth=youth, today=TODAY)
    b.make_volunteer(session, program, today=TODAY)
    session.commit()
    first, _ = _run(engine, session, program)
    second, _ = _run(engine, session, program)
    session.expire_all()
    statuses = {p.run_id: p.status for p in session.exec(select(Proposal))}
    assert statuses == {first.id: "superseded", second.id: "proposed"}


def test_a_dry_run_stores_nothing(engine, session):
    org = b.make_organisation(session)
    program = b.make_program(session, org)
    b.make_request(session, program, youth=b.make_youth(session, org, today=TODAY), today=TODAY)
    b.make_volunteer(session, program, today=TODAY)
    session.commit()
    _, result = _run(engine, session, program, dry_run=True)
    assert result.matched_requests == 1 and result.run_id is None
    session.expire_all()
    assert session.exec(select(Proposal)).all() == [] and session.exec(select(MatchRun)).all() == []


def test_a_run_that_fails_is_marked_failed_with_the_reason(engine, session, monkeypatch):
    org = b.make_organisation(session)
    program = b.make_program(session, org, weights={name: 0.0 for name in ("interests", "languages", "distance",
                                                                        "availability", "age", "wishes",
                                                                        "experience", "waiting")})
    b.make_request(session, program, youth=b.make_youth(session, org, today=TODAY), today=TODAY)
    b.make_volunteer(session, program, today=TODAY)
    session.commit()
    run = start_run(session, program, by_user_id=None)
    with pytest.raises(ValueError, match="weight"):
        execute_run(engine, run.id, TODAY)
    session.expire_all()
    failed = session.get(MatchRun, run.id)
    assert failed.status == "failed" and "weight" in failed.error
