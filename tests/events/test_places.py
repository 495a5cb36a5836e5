"""Places and the waiting list, as properties: whatever volunteers do in whatever order, the
event never has more people than places, nobody waits beside a free place, and places go
first come, first served — the same as a plain list model of a queue."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models.clock import utcnow
from models.errors import AlreadyDone
from models.events.operations import cancel_signup, change_capacity, sign_up
from models.events.tables import EventSignup
from seed import builders as b

ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("sign_up"), st.integers(0, 5)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("places"), st.integers(1, 4)),
), min_size=1, max_size=25)


class QueueModel:
    """The rule in plain Python: a list of places and a list of people waiting, in order."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.places, self.line = capacity, [], []

    def sign_up(self, who: int) -> None:
        if who in self.places or who in self.line:
            return
        (self.places if len(self.places) < self.capacity else self.line).append(who)

    def cancel(self, who: int) -> None:
        if who in self.places:
            self.places.remove(who)
            self._fill()
        elif who in self.line:
            self.line.remove(who)

    def set_places(self, capacity: int) -> bool:
        if capacity < len(self.places):
            return False
        self.capacity = capacity
        self._fill()
        return True

    def _fill(self) -> None:
        while self.line and len(self.places) < self.capacity:
            self.places.append(self.line.pop(0))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(capacity=st.integers(1, 3), actions=ACTIONS)
def test_places_and_the_waiting_list_follow_first_come_first_served(session, world, capacity, actions):
    event = b.make_event(session, [world.program], capacity=capacity, audience="all")
    people = [b.make_volunteer(session, world.program) for _ in range(6)]
    session.commit()
    model = QueueModel(capacity)
    now = utcnow() - timedelta(days=1)  # the event is a week ahead of this moment
    for step, (action, value) in enumerate(actions):
        moment = now + timedelta(seconds=step)  # the order of arrival is the order of the steps
        if action == "sign_up":
            with contextlib.suppress(AlreadyDone):
                sign_up(session, event.id, people[value].id, moment)
            model.sign_up(value)
        elif action == "cancel":
            with contextlib.suppress(AlreadyDone):
                cancel_signup(session, event.id, people[value].id, moment)
            model.cancel(value)
        else:
            allowed = model.set_places(value)
            try:
                change_capacity(session, event.id, value, world.coordinator, moment)
                assert allowed, "fewer places than taken were accepted"
            except Exception as error:  # noqa: BLE001 - a refusal must match the model's
                session.rollback()
                assert not allowed, error
        session.rollback()
        rows = list(session.exec(select(EventSignup).where(EventSignup.event_id == event.id)))
        by_id = {p.id: i for i, p in enumerate(people)}
        taken = {by_id[r.volunteer_id] for r in rows if r.status == "signed_up"}
        waiting = [by_id[r.volunteer_id] for r in sorted(rows, key=lambda r: (r.queued_at, r.id))
                   if r.status == "waiting"]
        assert taken == set(model.places), (action, value)
        assert waiting == model.line, (action, value)
        assert len(taken) <= model.capacity
        assert not waiting or len(taken) == model.capacity
