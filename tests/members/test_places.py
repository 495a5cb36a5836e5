"""A place in one programme can be paused, resumed and given more or fewer places without
touching the person's other programmes (issue 15), from the volunteer's home page and from the
coordinator's page of the volunteer's programmes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.audit import AuditEvent
from models.clock import today
from models.errors import Conflict, DomainError
from models.matches import Match
from models.matchruns import Proposal
from models.members.operations import pause_membership, resume_membership, set_programme_capacity
from models.members.queries import capacity_in, membership
from models.pool import load_pool
from models.proposals import manual_match
from models.volunteers import Volunteer
from seed import builders as b


def _fresh(session, model, record_id):  # noqa: ANN001, ANN202
    session.rollback()  # the app (or an operation) wrote after this session's snapshot began
    return session.get(model, record_id, populate_existing=True)


def _pool_ids(session, program) -> set[int]:  # noqa: ANN001
    return {v.id for v in load_pool(session, program, today()).volunteers}


def _two_places(session, world, capacity: int = 1):  # noqa: ANN001, ANN202
    volunteer = _fresh(session, Volunteer, world.other_volunteer.id)
    b.join_programme(session, volunteer, world.family_program, capacity=capacity)
    session.commit()
    return volunteer.id


def test_a_paused_programme_proposes_nobody_there_and_the_other_programme_goes_on(session, world):
    vid = _two_places(session, world)
    family = world.family_program
    proposal = Proposal(organisation_id=world.organisation.id, run_id=world.run.id,
                        request_id=world.family_request.id, volunteer_id=vid, score=0.5, breakdown={})
    session.add(proposal)
    session.commit()
    assert vid in _pool_ids(session, family)
    pause_membership(session, vid, family.id, world.coordinator, today())
    assert membership(session, vid, family.id).status == "paused"
    assert vid not in _pool_ids(session, family) and vid in _pool_ids(session, world.program)
    assert _fresh(session, Proposal, proposal.id).status == "superseded"
    with pytest.raises(DomainError):  # no manual match in a paused place either (a hard rule)
        manual_match(session, world.family_request.id, vid, world.coordinator, today(), confirm_soft=True)
    with pytest.raises(Conflict):  # pausing twice says it is not active any more
        pause_membership(session, vid, family.id, world.coordinator, today())
    resume_membership(session, vid, family.id, world.coordinator, today())
    assert vid in _pool_ids(session, family)
    with pytest.raises(Conflict):
        resume_membership(session, vid, family.id, world.coordinator, today())


def test_pausing_the_only_programme_with_room_takes_the_person_off_the_waiting_list(session, world):
    vid = world.other_volunteer.id
    assert _fresh(session, Volunteer, vid).pool_since is not None
    pause_membership(session, vid, world.program.id, world.coordinator, today())
    assert _fresh(session, Volunteer, vid).pool_since is None
    resume_membership(session, vid, world.program.id, world.coordinator, today())
    assert _fresh(session, Volunteer, vid).pool_since == today()


def test_running_matches_go_on_through_a_pause(session, world):
    vid = world.volunteer.id
    pause_membership(session, vid, world.program.id, world.coordinator, today())
    assert _fresh(session, Match, world.match.id).status == "active"


def test_places_in_one_programme_never_go_below_its_running_matches(session, world):
    vid = _two_places(session, world, capacity=2)
    family = world.family_program
    b.make_match(session, world.family_request, _fresh(session, Volunteer, vid))
    session.commit()
    with pytest.raises(DomainError) as refused:
        set_programme_capacity(session, vid, family.id, 0, world.coordinator, today())
    assert refused.value.field == "capacity"
    set_programme_capacity(session, vid, family.id, 1, world.coordinator, today())
    assert (membership(session, vid, family.id).capacity, capacity_in(session, vid, family.id)) == (1, 0)
    set_programme_capacity(session, vid, family.id, 3, world.coordinator, today())
    assert capacity_in(session, vid, family.id) == 2
    # The first programme is untouched, and its capacity is still the profile's.
    assert membership(session, vid, world.program.id).capacity == _fresh(session, Volunteer, vid).capacity == 1


def test_the_first_programmes_places_are_the_profiles_capacity(session, world):
    vid = world.other_volunteer.id
    set_programme_capacity(session, vid, world.program.id, 4, world.coordinator, today())
    assert _fresh(session, Volunteer, vid).capacity == 4 == membership(session, vid, world.program.id).capacity


def test_a_place_that_was_never_held_or_ended_cannot_be_changed(session, world, other_world):
    vid = world.other_volunteer.id
    with pytest.raises(Conflict):
        pause_membership(session, vid, world.family_program.id, world.coordinator, today())
    with pytest.raises(DomainError) as foreign:
        set_programme_capacity(session, vid, other_world.program.id, 2, world.coordinator, today())
    assert foreign.value.field == "program_id"


# --- the pages ---------------------------------------------------------------------------------

def test_the_volunteer_pauses_and_resumes_one_programme_from_the_home_page(session, world, as_role):
    b.join_programme(session, _fresh(session, Volunteer, world.volunteer.id), world.family_program, capacity=1)
    session.commit()
    client = as_role("volunteer")
    home = client.get("/frivillig/").get_data(as_text=True)
    assert f"Sæt {world.family_program.name} på pause" in home
    page = client.post(f"/frivillig/programmer/{world.family_program.id}/pause",
                       follow_redirects=True).get_data(as_text=True)
    assert "er sat på pause" in page and f"Genoptag {world.family_program.name}" in page
    assert membership(session, world.volunteer.id, world.family_program.id).status == "paused"
    assert membership(session, world.volunteer.id, world.program.id).status == "active"
    page = client.post(f"/frivillig/programmer/{world.family_program.id}/genoptag",
                       follow_redirects=True).get_data(as_text=True)
    assert "er aktiv igen" in page
    assert _fresh(session, Volunteer, world.volunteer.id) is not None
    assert membership(session, world.volunteer.id, world.family_program.id).status == "active"
    assert session.exec(select(AuditEvent).where(AuditEvent.record_type == "Volunteer",
                                                 AuditEvent.record_id == world.volunteer.id,
                                                 AuditEvent.action == "update")).first() is not None


def test_the_coordinator_changes_the_places_and_bad_numbers_store_nothing(session, world, as_role):
    vid = _two_places(session, world, capacity=1)
    client = as_role("coordinator")
    url = f"/koordinator/frivillige/{vid}/programmer"
    assert "Unge eller familier ad gangen i" in client.get(url).get_data(as_text=True)
    page = client.post(f"{url}/{world.family_program.id}/pladser", data={"capacity": "3"},
                       follow_redirects=True).get_data(as_text=True)
    assert "3 ad gangen fra nu af" in page
    assert membership(session, vid, world.family_program.id).capacity == 3
    for bad in ("9", "x", ""):
        response = client.post(f"{url}/{world.family_program.id}/pladser", data={"capacity": bad})
        assert response.status_code == 302
        assert membership(session, vid, world.family_program.id).capacity == 3
    page = client.post(f"{url}/{world.family_program.id}/pladser", data={"capacity": "9"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Vælg mellem 1 og 5." in page


def test_another_organisations_place_is_not_found(session, world, other_world, as_role):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer/"
                           f"{other_world.program.id}/pause")
    assert response.status_code == 404
    response = client.post(f"/koordinator/frivillige/{other_world.volunteer.id}/programmer/"
                           f"{other_world.program.id}/pause")
    assert response.status_code == 404
