"""One person, several programmes (issue 15): joining, adding, approving with shared screening,
capacity per programme and leaving one programme while the others go on."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.clock import today
from models.errors import Conflict, DomainError
from models.matches import Match
from models.matchruns import Proposal
from models.members.operations import (
    approve_membership,
    join_program,
    leave_program,
    record_programme_step,
)
from models.members.queries import capacity_in, membership, memberships_of
from models.mentees import Request
from models.pool import load_pool
from models.proposals import manual_match
from seed import builders as b


def _fresh(session, model, record_id):  # noqa: ANN001, ANN202
    return session.get(model, record_id, populate_existing=True)


def test_every_new_volunteer_is_an_active_member_of_the_programme_they_signed_up_to(session, world):
    [first] = memberships_of(session, world.other_volunteer.id)
    assert (first.program_id, first.status, first.capacity) == (world.program.id, "active", 1)


def test_a_shared_step_done_once_counts_for_the_second_programme_and_only_its_own_course_is_left(session, world):
    family = world.family_program
    family.required_steps = ["interview", "boerneattest", "training"]
    session.add(family)
    session.commit()
    vid = world.volunteer.id
    join_program(session, vid, family.id, 2, world.volunteer_user, today())
    volunteer = _fresh(session, type(world.volunteer), vid)
    with pytest.raises(DomainError) as refused:
        approve_membership(session, vid, family.id, world.coordinator, today())
    assert refused.value.params["n"] == 1  # the interview and the børneattest count; the course does not
    assert membership(session, vid, family.id).status == "applied"
    record_programme_step(session, vid, family.id, "training", today(), world.coordinator, today())
    member = approve_membership(session, vid, family.id, world.coordinator, today())
    assert (member.status, member.capacity, member.approved_on) == ("active", 2, today())
    assert volunteer.id == vid and len(memberships_of(session, vid)) == 2  # one person, two places


def test_a_volunteer_cannot_apply_twice_or_to_another_organisations_programme(session, world, other_world):
    vid = world.volunteer.id
    with pytest.raises(Conflict):
        join_program(session, vid, world.program.id, 1, world.volunteer_user, today())
    with pytest.raises(DomainError) as foreign:
        join_program(session, vid, other_world.program.id, 1, world.volunteer_user, today())
    assert foreign.value.field == "program_id"
    assert len(memberships_of(session, vid)) == 1


def test_the_pool_of_a_programme_holds_only_its_active_members_with_that_programmes_capacity(session, world):
    family = world.family_program
    vid = world.other_volunteer.id
    assert vid not in {v.id for v in load_pool(session, family, today()).volunteers}
    b.join_programme(session, _fresh(session, type(world.volunteer), vid), family, status="applied", capacity=3)
    session.commit()
    assert vid not in {v.id for v in load_pool(session, family, today()).volunteers}
    member = membership(session, vid, family.id)
    member.status = "active"
    session.add(member)
    session.commit()
    pool = {v.id: v.capacity for v in load_pool(session, family, today()).volunteers}
    assert pool[vid] == 3
    # The youth programme still sees its own capacity of 1, untouched by the family place.
    assert {v.id: v.capacity for v in load_pool(session, world.program, today()).volunteers}[vid] == 1


def test_a_manual_match_is_refused_in_a_programme_the_volunteer_is_not_an_approved_member_of(session, world):
    with pytest.raises(DomainError):
        manual_match(session, world.family_request.id, world.other_volunteer.id, world.coordinator, today(),
                     confirm_soft=True)
    assert session.exec(select(Match).where(Match.request_id == world.family_request.id)).first() is None


def test_leaving_one_programme_closes_its_matches_and_keeps_the_other_programmes_match(session, world):
    vid = world.volunteer.id
    volunteer = _fresh(session, type(world.volunteer), vid)
    b.join_programme(session, volunteer, world.family_program, capacity=1)
    family_match = b.make_match(session, world.family_request, volunteer)
    session.commit()
    with pytest.raises(DomainError) as no_reason:
        leave_program(session, vid, world.family_program.id, world.volunteer_user, today(), "  ")
    assert no_reason.value.field == "reason"
    leave_program(session, vid, world.family_program.id, world.volunteer_user, today(), "For lidt tid")
    assert _fresh(session, Match, family_match.id).status == "closed"
    assert _fresh(session, Request, world.family_request.id).status == "waiting"
    assert _fresh(session, Match, world.match.id).status == "active"  # the youth programme goes on
    assert membership(session, vid, world.family_program.id).status == "left"
    assert membership(session, vid, world.program.id).status == "active"
    # The last programme cannot be left this way: that is withdrawing, which has its own page.
    with pytest.raises(DomainError):
        leave_program(session, vid, world.program.id, world.volunteer_user, today(), "Stopper")


def test_open_proposals_of_the_programme_left_are_settled_and_others_stay(session, world):
    vid = world.other_volunteer.id
    volunteer = _fresh(session, type(world.volunteer), vid)
    b.join_programme(session, volunteer, world.family_program)
    family_proposal = Proposal(organisation_id=world.organisation.id, run_id=world.run.id,
                               request_id=world.family_request.id, volunteer_id=vid, score=0.5, breakdown={})
    session.add(family_proposal)
    session.commit()
    leave_program(session, vid, world.family_program.id, world.coordinator, today(), "Vil kun være mentor")
    assert _fresh(session, Proposal, family_proposal.id).status == "superseded"
    assert capacity_in(session, vid, world.family_program.id) == 0
    assert capacity_in(session, vid, world.program.id) == 1
