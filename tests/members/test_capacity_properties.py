"""Properties of capacity per programme (issue 15), over random worlds of volunteers in two
programmes with random places (active, applied, left, none), capacities and open matches:
the optimizer never proposes a volunteer outside a programme they are an active member of, its
proposals fit each programme's free places, and matching everything by hand never puts more
open matches in a programme than the volunteer's capacity there."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from matching.run import solve_pool
from models.clock import today
from models.errors import DomainError
from models.matches import OPEN_MATCH_STATUSES, Match
from models.members.tables import Membership
from models.pool import load_pool
from models.proposals import manual_match
from seed import builders as b

PLACE = st.tuples(st.integers(1, 3),  # capacity in the first programme
                  st.integers(0, 3),  # open matches there already
                  st.sampled_from([None, "active", "applied", "left", "paused"]),  # place in the second
                  st.integers(1, 3))  # capacity in the second


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PLACE, min_size=1, max_size=5), st.integers(1, 6), st.integers(1, 6))
def test_proposals_stay_in_the_programme_and_matches_never_exceed_its_capacity(session, places, n_first, n_second):
    day = today()
    org = b.make_organisation(session)
    first, second = b.make_program(session, org), b.make_program(session, org)
    coordinator = b.make_user(session, org, "coordinator")
    volunteers = []
    for capacity, already, place, capacity_second in places:
        volunteer = b.make_volunteer(session, first, capacity=capacity)
        for _ in range(min(already, capacity)):
            b.make_match(session, b.make_request(session, first, youth=b.make_youth(session, org)), volunteer)
        if place is not None:
            b.join_programme(session, volunteer, second, status=place, capacity=capacity_second)
        volunteers.append(volunteer)
    for program, n in ((first, n_first), (second, n_second)):
        for _ in range(n):
            b.make_request(session, program, youth=b.make_youth(session, org))
    session.commit()
    places_of = {(m.volunteer_id, m.program_id): m for m in session.exec(
        select(Membership).where(Membership.organisation_id == org.id))}

    def open_in(program_id: int) -> Counter:
        return Counter(session.exec(select(Match.volunteer_id).where(
            Match.program_id == program_id, Match.status.in_(OPEN_MATCH_STATUSES))).all())

    for program in (first, second):
        pool = load_pool(session, program, day)
        _scored, result, _ = solve_pool(pool, day)
        proposed = Counter(pool.volunteers[v].id for _r, v in result.pairs)
        already = open_in(program.id)
        for volunteer_id, n in proposed.items():
            place = places_of.get((volunteer_id, program.id))
            assert place is not None and place.status == "active", "proposed outside their programmes"
            assert already[volunteer_id] + n <= place.capacity
        # Everyone matched by hand with everyone: the capacity check on the locked rows holds.
        for request_id in [pool.requests[r].id for r, _v in result.pairs] + [p.id for p in pool.requests]:
            for volunteer in volunteers:
                try:
                    manual_match(session, request_id, volunteer.id, coordinator, day, confirm_soft=True)
                except DomainError:
                    session.rollback()
        for volunteer_id, n in open_in(program.id).items():
            place = places_of.get((volunteer_id, program.id))
            assert place is not None and place.status == "active" and n <= place.capacity
