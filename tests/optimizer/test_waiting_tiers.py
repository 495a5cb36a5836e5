"""The fair objective against a brute-force reference: every assignment of a small pool is tried.

Levels (``optimizer.tiers``): most matches; then those past the waiting target, longest wait
first; then volunteers past the target given a mentee, longest wait first; then the score.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import SideConstraints, WaitingPriority, assign
from optimizer.tiers import coarser, solve_tiered_flow, wait_ranks

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pools(draw, max_requests: int = 6, max_volunteers: int = 4):  # noqa: ANN001, ANN201
    """Small pools; waits drawn from few values so that ties happen."""
    n_r = draw(st.integers(1, max_requests))
    n_v = draw(st.integers(1, max_volunteers))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = np.round(rng.uniform(0.0, 1.0, size=(n_r, n_v)), 3)
    scores[rng.random((n_r, n_v)) < draw(st.floats(0.0, 0.6))] = np.nan
    capacity = rng.integers(0, 3, size=n_v)
    request_days = rng.choice([0, 0, 3, 10, 10, 40], size=n_r)
    volunteer_days = rng.choice([0, 0, 5, 5, 30], size=n_v)
    return scores, capacity, request_days, volunteer_days


def feasible_assignments(scores, capacity, high=None, max_high=None, groups=()):  # noqa: ANN001, ANN201
    """Every assignment that keeps the hard rules: a list of (request, volunteer) pairs."""
    n_r, n_v = scores.shape
    options = [[None] + [v for v in range(n_v) if not np.isnan(scores[r, v])] for r in range(n_r)]
    for choice in itertools.product(*options):
        load = np.zeros(n_v, int)
        heavy = np.zeros(n_v, int)
        for r, v in enumerate(choice):
            if v is not None:
                load[v] += 1
                heavy[v] += bool(high is not None and high[r])
        if (load > capacity).any() or (max_high is not None and (heavy > max_high).any()):
            continue
        if any(len({choice[r] for r in g}) != 1 for g in groups):
            continue  # siblings: all with one volunteer, or all waiting
        yield [(r, v) for r, v in enumerate(choice) if v is not None]


def longest_first(ranks: np.ndarray, chosen: np.ndarray) -> tuple[int, ...]:
    """How many chosen have rank >= k, for k from the highest rank down: compared as a tuple,
    the bigger is the one that serves the longest waits first."""
    top = int(ranks.max(initial=0))
    return tuple(int(np.sum(chosen & (ranks >= k))) for k in range(top, 0, -1))


def served_volunteers(pairs, n_v: int) -> np.ndarray:  # noqa: ANN001
    served = np.zeros(n_v, bool)
    for _, v in pairs:
        served[v] = True
    return served


def levels(pairs, scores, request_days, volunteer_days) -> tuple:  # noqa: ANN001
    n_r, n_v = scores.shape
    a, b = wait_ranks(request_days), wait_ranks(volunteer_days)
    matched = np.zeros(n_r, bool)
    for r, _ in pairs:
        matched[r] = True
    total = round(sum(scores[r, v] for r, v in pairs), 6)
    return (len(pairs), longest_first(a, matched), longest_first(b, served_volunteers(pairs, n_v)), total)


def counted_levels(pairs, scores, request_days, volunteer_days) -> tuple:  # noqa: ANN001
    """The CP-SAT reading: how many past the target, then the sum of their wait ranks."""
    n_r, n_v = scores.shape
    a, b = wait_ranks(request_days), wait_ranks(volunteer_days)
    matched = np.zeros(n_r, bool)
    for r, _ in pairs:
        matched[r] = True
    served = served_volunteers(pairs, n_v)
    total = round(sum(scores[r, v] for r, v in pairs), 6)
    return (len(pairs), int(np.sum(matched & (a > 0))), int(a[matched].sum()), int(np.sum(served & (b > 0))),
            int(b[served].sum()), total)


@SETTINGS
@given(pools())
def test_the_fair_objective_attains_the_lexicographic_optimum(pool):
    scores, capacity, request_days, volunteer_days = pool
    result = assign(scores, capacity=capacity, waiting=WaitingPriority(request_days, volunteer_days))
    best = max(levels(p, scores, request_days, volunteer_days) for p in feasible_assignments(scores, capacity))
    assert levels(result.pairs, scores, request_days, volunteer_days) == best
    assert result.optimal and result.stats["objective"] == "fair"


@SETTINGS
@given(pools())
def test_one_optimum_serves_the_longest_waits_first_for_every_number_of_days(pool):
    # The matroid property the flow relies on: among the most-matched assignments, one is best
    # for every threshold of days at once, on both sides; so counting then summing ranks agrees.
    scores, capacity, request_days, volunteer_days = pool
    everything = list(feasible_assignments(scores, capacity))
    by_levels = max(everything, key=lambda p: levels(p, scores, request_days, volunteer_days))
    by_counts = max(everything, key=lambda p: counted_levels(p, scores, request_days, volunteer_days))
    assert levels(by_levels, scores, request_days, volunteer_days) == levels(by_counts, scores, request_days,
                                                                             volunteer_days)


@SETTINGS
@given(pools())
def test_the_fair_objective_matches_as_many_as_most_matched(pool):
    scores, capacity, request_days, volunteer_days = pool
    fair = assign(scores, capacity=capacity, waiting=WaitingPriority(request_days, volunteer_days))
    plain = assign(scores, capacity=capacity)
    assert len(fair.pairs) == len(plain.pairs)
    assert fair.total_score <= plain.total_score + 1e-9  # the price, never a gain


def passed_over(pairs, scores, capacity, request_days, volunteer_days) -> list[str]:  # noqa: ANN001
    """Every swap that would serve someone past the target who waited longer (should be none)."""
    n_r, n_v = scores.shape
    mate = dict(pairs)
    mentees: dict[int, list[int]] = {v: [] for v in range(n_v)}
    for r, v in pairs:
        mentees[v].append(r)
    found = []
    for r in range(n_r):
        if request_days[r] == 0 or r in mate:
            continue
        for v in range(n_v):
            if np.isnan(scores[r, v]) or capacity[v] == 0:
                continue
            if len(mentees[v]) < capacity[v]:
                found.append(f"request {r} left while volunteer {v} had room")
            shorter = [x for x in mentees[v] if request_days[x] < request_days[r]]
            if shorter:
                found.append(f"request {r} passed over by request {shorter[0]} at volunteer {v}")
    for v in range(n_v):
        if volunteer_days[v] == 0 or mentees[v] or capacity[v] == 0:
            continue
        for r in range(n_r):
            if np.isnan(scores[r, v]):
                continue
            if r not in mate:
                found.append(f"volunteer {v} left while request {r} waited")
                continue
            other = mate[r]
            if len(mentees[other]) > 1 or volunteer_days[other] < volunteer_days[v]:
                found.append(f"volunteer {v} passed over by volunteer {other} for request {r}")
    return found


@SETTINGS
@given(pools(max_requests=9, max_volunteers=6))
def test_nobody_past_the_target_is_passed_over_by_someone_who_waited_less(pool):
    scores, capacity, request_days, volunteer_days = pool
    result = assign(scores, capacity=capacity, waiting=WaitingPriority(request_days, volunteer_days))
    assert passed_over(result.pairs, scores, capacity, request_days, volunteer_days) == []


@SETTINGS
@given(pools(), st.integers(0, 1), st.data())
def test_with_the_complexity_cap_the_flow_still_attains_the_optimum(pool, max_high, data):
    scores, capacity, request_days, volunteer_days = pool
    high = data.draw(st.lists(st.booleans(), min_size=scores.shape[0], max_size=scores.shape[0]))
    side = SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=max_high)
    result = assign(scores, capacity=capacity, side=side, waiting=WaitingPriority(request_days, volunteer_days))
    assert result.solver == "min_cost_flow"
    best = max(levels(p, scores, request_days, volunteer_days)
               for p in feasible_assignments(scores, capacity, high, max_high))
    assert levels(result.pairs, scores, request_days, volunteer_days) == best


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_requests=5), st.integers(0, 1), st.data())
def test_with_siblings_cp_sat_attains_the_counted_optimum(pool, max_high, data):
    scores, capacity, request_days, volunteer_days = pool
    n_r = scores.shape[0]
    high = data.draw(st.lists(st.booleans(), min_size=n_r, max_size=n_r))
    group = sorted(data.draw(st.sets(st.integers(0, n_r - 1), min_size=min(2, n_r), max_size=3)))
    groups = [group] if len(group) > 1 else []
    side = SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=max_high, sibling_groups=groups,
                           solver="cp_sat")
    result = assign(scores, capacity=capacity, side=side, waiting=WaitingPriority(request_days, volunteer_days))
    assert result.solver == "cp_sat" and result.optimal
    best = max(counted_levels(p, scores, request_days, volunteer_days)
               for p in feasible_assignments(scores, capacity, high, max_high, groups))
    assert counted_levels(result.pairs, scores, request_days, volunteer_days) == best


@SETTINGS
@given(pools(), st.data())
def test_locked_pairs_stay_and_their_volunteer_counts_as_served(pool, data):
    scores, capacity, request_days, volunteer_days = pool
    allowed = [(int(r), int(v)) for r, v in np.argwhere(~np.isnan(scores)) if capacity[v] > 0]
    locked = [data.draw(st.sampled_from(allowed))] if allowed else []
    result = assign(scores, capacity=capacity, locked=locked, waiting=WaitingPriority(request_days, volunteer_days))
    assert set(locked) <= set(result.pairs)
    # The same as solving the rest with the locked request gone, its volunteer one place down and
    # no longer waiting for a mentee.
    rest, cap, vdays = scores.copy(), capacity.copy(), volunteer_days.copy()
    for r, v in locked:
        rest[r, :] = np.nan
        cap[v] -= 1
        vdays[v] = 0
    best = max(levels(p, rest, request_days, vdays) for p in feasible_assignments(rest, cap))
    others = [(r, v) for r, v in result.pairs if (r, v) not in locked]
    assert levels(others, rest, request_days, vdays) == best


def test_a_newcomer_with_a_better_score_does_not_take_the_volunteer_of_a_long_wait():
    # One volunteer; the newcomer fits better (0.9) than the request waiting 200 days past target.
    scores = np.array([[0.9], [0.5]])
    assert assign(scores).pairs == [(0, 0)]
    assert assign(scores, waiting=WaitingPriority([0, 200], [0])).pairs == [(1, 0)]


def test_the_longest_wait_past_the_target_is_served_first():
    scores = np.array([[0.9], [0.8], [0.1]])
    assert assign(scores, waiting=WaitingPriority([10, 20, 300], [0])).pairs == [(2, 0)]


def test_a_volunteer_past_the_target_gets_a_first_mentee_before_another_gets_a_second():
    # Volunteer 0 (capacity 2) fits both requests best; volunteer 1 has waited 100 days past target.
    scores = np.array([[0.9, 0.4], [0.8, 0.3]])
    plain = assign(scores, capacity=[2, 1])
    assert plain.pairs == [(0, 0), (1, 0)]
    fair = assign(scores, capacity=[2, 1], waiting=WaitingPriority([0, 0], [0, 100]))
    assert sorted(v for _, v in fair.pairs) == [0, 1]
    assert fair.pairs == [(0, 0), (1, 1)]  # and the better of the two ways to do it


def test_ranks_keep_only_the_order_and_coarser_ranks_keep_it_too():
    days = np.array([0, 400, 3, 3, 91, 0])
    ranks = wait_ranks(days)
    assert ranks.tolist() == [0, 3, 1, 1, 2, 0]
    merged = coarser(ranks)
    assert merged[0] == merged[5] == 0 and (merged[1:5] > 0).all()
    order = np.argsort(days, kind="stable")
    assert np.all(np.diff(merged[order]) >= 0)


def test_coarsening_keeps_the_counts_past_the_target_exact(monkeypatch):
    # Force the overflow branch: the tiers still match the most past-target requests.
    import optimizer.tiers as tiers

    calls = {"n": 0}
    original = tiers._Network.stage1

    def tight(self, a, b):  # noqa: ANN001, ANN202
        calls["n"] += 1
        return None if calls["n"] == 1 else original(self, a, b)

    monkeypatch.setattr(tiers._Network, "stage1", tight)
    rows, cols = np.array([0, 1, 2]), np.array([0, 0, 0])
    flow = solve_tiered_flow(3, 1, rows, cols, np.array([9, 5, 1]), np.array([1]), np.array([0, 7, 3]),
                             np.array([0]))
    assert flow.coarsened and flow.chosen.tolist() == [False, True, False]


def test_waiting_priority_needs_one_entry_per_person_and_the_most_matched_objective():
    with pytest.raises(ValueError, match="one entry per request"):
        assign(np.zeros((2, 2)), waiting=WaitingPriority([0], [0, 0]))
    with pytest.raises(ValueError, match="negative"):
        assign(np.zeros((1, 1)), waiting=WaitingPriority([-1], [0]))
    with pytest.raises(ValueError, match="most-matched"):
        assign(np.zeros((1, 1)), objective="best-score", waiting=WaitingPriority([0], [0]))
