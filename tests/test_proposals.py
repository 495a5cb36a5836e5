"""Deciding on proposals: approval makes the whole match or nothing, and only one of two rivals wins."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from models.errors import Conflict, DomainError
from models.matches import CheckIn, Exclusion, Match
from models.matchruns import MatchRun, Proposal
from models.mentees import Request
from models.outbox import OutboxMessage
from models.proposals import (
    SoftConcerns,
    approve_proposal,
    check_pair,
    manual_match,
    reject_proposal,
)
from models.volunteers import Volunteer
from seed import builders as b

TODAY = date(2026, 11, 22)


@pytest.fixture
def pool(session, world):  # noqa: ANN001, ANN201
    """Two waiting youth requests and a free volunteer with one place, with a proposal for each."""
    program = world.program
    vol = b.make_volunteer(session, program, first_name="Carla", today=TODAY)
    r1 = b.make_request(session, program, youth=b.make_youth(session, world.organisation, today=TODAY), today=TODAY)
    r2 = b.make_request(session, program, youth=b.make_youth(session, world.organisation, today=TODAY), today=TODAY)
    run = MatchRun(organisation_id=world.organisation.id, program_id=program.id, status="done")
    session.add(run)
    session.flush()
    p1 = Proposal(organisation_id=world.organisation.id, run_id=run.id, request_id=r1.id, volunteer_id=vol.id, score=0.8)
    p2 = Proposal(organisation_id=world.organisation.id, run_id=run.id, request_id=r2.id, volunteer_id=vol.id, score=0.7)
    alt = Proposal(organisation_id=world.organisation.id, run_id=run.id, request_id=r1.id,
                   volunteer_id=world.other_volunteer.id, score=0.6, rank=2)
    session.add_all([p1, p2, alt])
    session.commit()
    return {"volunteer": vol, "r1": r1, "r2": r2, "p1": p1, "p2": p2, "alt": alt}


def test_approving_creates_the_match_and_everything_that_follows_in_one_go(session, world, pool):
    match = approve_proposal(session, pool["p1"].id, world.coordinator, TODAY, intro_note="Mødes på biblioteket")
    session.expire_all()
    assert match.status == "introduced" and match.coordinator_id == world.coordinator.id
    assert session.get(Request, pool["r1"].id).status == "matched"
    assert session.get(Proposal, pool["p1"].id).status == "approved"
    assert session.get(Proposal, pool["alt"].id).status == "superseded"  # the request's rivals
    assert session.get(Proposal, pool["p2"].id).status == "superseded"  # the volunteer is now full
    assert session.get(Volunteer, pool["volunteer"].id).pool_since is None
    assert len(session.exec(select(CheckIn).where(CheckIn.match_id == match.id)).all()) == 7
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "match_proposed")).one()
    assert mail.to_email == pool["volunteer"].email and "Vi har fundet en makker" in mail.subject


def test_a_decided_proposal_cannot_be_approved_again(session, world, pool):
    approve_proposal(session, pool["p1"].id, world.coordinator, TODAY)
    with pytest.raises(Conflict, match="already been decided"):
        approve_proposal(session, pool["p1"].id, world.coordinator, TODAY)


def test_rejecting_needs_a_reason_and_excludes_the_pair_for_good(session, world, pool):
    with pytest.raises(DomainError, match="why"):
        reject_proposal(session, pool["p1"].id, world.coordinator, "  ")
    reject_proposal(session, pool["p1"].id, world.coordinator, "Bor for langt fra hinanden i praksis")
    exclusion = session.exec(select(Exclusion).where(Exclusion.request_id == pool["r1"].id)).one()
    assert exclusion.volunteer_id == pool["volunteer"].id
    assert "excluded" in check_pair(session, pool["r1"], pool["volunteer"], TODAY).explanation.broken_rules


def test_a_manual_match_that_breaks_a_hard_rule_is_refused_with_the_rule_named(session, world, pool):
    pool["r1"].mentor_gender_required = "male"
    session.add(pool["r1"])
    session.commit()
    with pytest.raises(DomainError, match="another gender"):
        manual_match(session, pool["r1"].id, pool["volunteer"].id, world.coordinator, TODAY)
    session.expire_all()
    assert session.exec(select(Match).where(Match.request_id == pool["r1"].id)).first() is None


def test_a_manual_match_against_soft_wishes_needs_confirmation(session, world, pool):
    pool["r1"].mentor_gender_preferred = "male"
    session.add(pool["r1"])
    session.commit()
    with pytest.raises(SoftConcerns) as concerns:
        manual_match(session, pool["r1"].id, pool["volunteer"].id, world.coordinator, TODAY)
    assert any("gender" in c for c in concerns.value.concerns)
    match = manual_match(session, pool["r1"].id, pool["volunteer"].id, world.coordinator, TODAY, confirm_soft=True)
    assert match.status == "introduced"


def _race(engine, calls):  # noqa: ANN001, ANN202
    """Run the calls at the same instant from separate threads and sessions."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(i, call):  # noqa: ANN001, ANN202
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                outcomes[i] = call(s)
            except Exception as error:  # noqa: BLE001 - we want to see what each side got
                outcomes[i] = error

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("repeat", range(3))
def test_two_coordinators_approving_rivals_for_one_volunteer_one_wins_one_is_told(engine, session, world, pool, repeat):
    outcomes = _race(engine, [
        lambda s: approve_proposal(s, pool["p1"].id, world.coordinator, TODAY),
        lambda s: approve_proposal(s, pool["p2"].id, world.admin, TODAY),
    ])
    wins = [o for o in outcomes if isinstance(o, Match)]
    losses = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, outcomes
    assert "no free places" in losses[0].message or "already been decided" in losses[0].message
    session.expire_all()
    assert len(session.exec(select(Match).where(Match.volunteer_id == pool["volunteer"].id)).all()) == 1
    statuses = sorted(p.status for p in session.exec(select(Proposal).where(Proposal.volunteer_id == pool["volunteer"].id)))
    assert statuses == ["approved", "superseded"]


def test_two_coordinators_matching_one_request_to_two_volunteers_one_wins(engine, session, world, pool):
    outcomes = _race(engine, [
        lambda s: approve_proposal(s, pool["p1"].id, world.coordinator, TODAY),
        lambda s: approve_proposal(s, pool["alt"].id, world.admin, TODAY),
    ])
    assert sum(isinstance(o, Match) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
    session.expire_all()
    assert len(session.exec(select(Match).where(Match.request_id == pool["r1"].id)).all()) == 1
