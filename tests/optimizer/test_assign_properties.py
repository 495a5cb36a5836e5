"""The optimizer against exact references (scipy), and its hard rules, on random instances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from optimizer import SideConstraints, assign, assign_edges

BIG = 1e6


@st.composite
def instances(draw):  # noqa: ANN001, ANN201
    n_r = draw(st.integers(0, 7))
    n_v = draw(st.integers(0, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.uniform(-0.2, 1.0, size=(n_r, n_v)), 3)
    scores[rng.random((n_r, n_v)) < draw(st.floats(0, 0.6))] = np.nan
    capacity = rng.integers(0, 4, size=n_v)
    allowed = np.argwhere(~np.isnan(scores)) if n_r and n_v else np.empty((0, 2), int)
    n_forbid = draw(st.integers(0, min(3, len(allowed))))
    forbidden = [tuple(map(int, allowed[i])) for i in rng.choice(len(allowed), n_forbid, replace=False)] if n_forbid else []
    return scores, capacity, forbidden


def _expanded(scores, capacity, forbidden):  # noqa: ANN001, ANN202
    """Capacities as repeated columns; not-allowed pairs as NaN."""
    s = scores.copy()
    for r, v in forbidden:
        s[r, v] = np.nan
    cols = [v for v in range(s.shape[1]) for _ in range(int(capacity[v]))]
    return s[:, cols] if cols else np.empty((s.shape[0], 0))


def exact_best_score(scores, capacity, forbidden) -> float:  # noqa: ANN001
    s = _expanded(scores, capacity, forbidden)
    n_r = s.shape[0]
    if n_r == 0:
        return 0.0
    # A dummy zero column per request lets a request stay unmatched; bad pairs cost nothing either.
    gain = np.where(np.isnan(s) | (s <= 0), 0.0, s)
    full = np.hstack([gain, np.zeros((n_r, n_r))])
    r, c = linear_sum_assignment(full, maximize=True)
    return float(full[r, c].sum())


def exact_most_matched(scores, capacity, forbidden) -> tuple[int, float]:  # noqa: ANN001
    s = _expanded(scores, capacity, forbidden)
    n_r = s.shape[0]
    if n_r == 0 or s.shape[1] == 0:
        return 0, 0.0
    allowed = ~np.isnan(s)
    count = int((maximum_bipartite_matching(csr_matrix(allowed.astype(int)), perm_type="column") >= 0).sum())
    gain = np.where(allowed, BIG + np.nan_to_num(s), 0.0)
    full = np.hstack([gain, np.zeros((n_r, n_r))])
    r, c = linear_sum_assignment(full, maximize=True)
    chosen = full[r, c]
    return count, float((chosen[chosen > 0] - BIG).sum())


def check_hard_rules(result, scores, capacity, forbidden, locked=()) -> None:  # noqa: ANN001
    requests = [r for r, _ in result.pairs]
    assert len(requests) == len(set(requests)), "a request got two volunteers"
    load = np.bincount([v for _, v in result.pairs], minlength=scores.shape[1]) if result.pairs else np.zeros(1)
    assert np.all(load[: len(capacity)] <= capacity), "a volunteer got more than their capacity"
    for r, v in result.pairs:
        assert not np.isnan(scores[r, v]), "a pair that is not allowed was chosen"
        assert (r, v) not in set(forbidden), "a forbidden pair was chosen"
    assert set(locked) <= set(result.pairs), "a locked pair was dropped"


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_best_score_equals_the_exact_optimum(instance):
    scores, capacity, forbidden = instance
    result = assign(scores, capacity=capacity, forbidden=forbidden, objective="best-score")
    check_hard_rules(result, scores, capacity, forbidden)
    assert result.total_score == pytest.approx(exact_best_score(scores, capacity, forbidden), abs=1e-6)
    assert result.optimal
    assert all(scores[r, v] > 0 for r, v in result.pairs), "best-score took a pair that does not add"


@SETTINGS
@given(instances())
def test_most_matched_matches_as_many_as_possible_then_scores_best(instance):
    scores, capacity, forbidden = instance
    result = assign(scores, capacity=capacity, forbidden=forbidden, objective="most-matched")
    check_hard_rules(result, scores, capacity, forbidden)
    count, total = exact_most_matched(scores, capacity, forbidden)
    assert len(result.pairs) == count
    assert result.total_score == pytest.approx(total, abs=1e-6)


@SETTINGS
@given(instances(), st.data())
def test_locked_pairs_are_kept_and_the_rest_is_optimal(instance, data):
    scores, capacity, forbidden = instance
    allowed = [(int(r), int(v)) for r, v in np.argwhere(~np.isnan(scores)) if (r, v) not in set(forbidden)]
    locked, load, used = [], np.zeros(scores.shape[1] if scores.ndim == 2 else 0, int), set()
    for r, v in data.draw(st.lists(st.sampled_from(allowed), max_size=3)) if allowed else []:
        if r not in used and load[v] < capacity[v]:
            locked.append((r, v))
            used.add(r)
            load[v] += 1
    result = assign(scores, capacity=capacity, forbidden=forbidden, locked=locked, objective="best-score")
    check_hard_rules(result, scores, capacity, forbidden, locked)
    # The rest is the exact optimum of the problem without the locked requests and capacity.
    rest = scores.copy()
    cap = capacity.copy()
    for r, v in locked:
        rest[r, :] = np.nan
        cap[v] -= 1
    expected = exact_best_score(rest, cap, forbidden) + sum(scores[r, v] for r, v in locked)
    assert result.total_score == pytest.approx(expected, abs=1e-6)


@SETTINGS
@given(instances())
def test_a_sparse_candidate_list_gives_the_same_as_the_dense_matrix(instance):
    scores, capacity, forbidden = instance
    rows, cols = np.nonzero(~np.isnan(scores)) if scores.size else (np.array([], int), np.array([], int))
    dense = assign(scores, capacity=capacity, forbidden=forbidden)
    sparse = assign_edges(scores.shape[0], scores.shape[1], rows, cols, scores[rows, cols], capacity=capacity,
                          forbidden=forbidden)
    assert sparse.total_score == pytest.approx(dense.total_score, abs=1e-9)
    assert len(sparse.pairs) == len(dense.pairs)


@SETTINGS
@given(instances())
def test_the_same_input_gives_the_same_assignment(instance):
    scores, capacity, forbidden = instance
    first = assign(scores, capacity=capacity, forbidden=forbidden)
    assert assign(scores.copy(), capacity=capacity.copy(), forbidden=list(forbidden)).pairs == first.pairs


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from(["most-matched", "best-score"]))
def test_cp_sat_with_no_active_side_constraint_agrees_with_min_cost_flow(instance, objective):
    scores, capacity, forbidden = instance
    plain = assign(scores, capacity=capacity, forbidden=forbidden, objective=objective)
    side = SideConstraints(solver="cp_sat")
    cp = assign(scores, capacity=capacity, forbidden=forbidden, objective=objective, side=side)
    assert cp.solver == "cp_sat" and cp.optimal
    assert len(cp.pairs) == len(plain.pairs)
    assert cp.total_score == pytest.approx(plain.total_score, abs=1e-5)


@settings(max_examples=80, deadline=None)
@given(instances(), st.integers(0, 2), st.sampled_from(["most-matched", "best-score"]), st.data())
def test_the_complexity_gate_in_the_flow_is_as_good_as_cp_sat(instance, cap_high, objective, data):
    scores, capacity, forbidden = instance
    high = data.draw(st.lists(st.booleans(), min_size=scores.shape[0], max_size=scores.shape[0]))
    flow = assign(scores, capacity=capacity, forbidden=forbidden, objective=objective,
                  side=SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=cap_high))
    exact = assign(scores, capacity=capacity, forbidden=forbidden, objective=objective,
                   side=SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=cap_high,
                                        solver="cp_sat"))
    assert flow.solver == "min_cost_flow" and exact.solver == "cp_sat"
    assert len(flow.pairs) == len(exact.pairs)
    assert flow.total_score == pytest.approx(exact.total_score, abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(instances(), st.integers(0, 1), st.data())
def test_side_constraints_always_hold(instance, cap_high, data):
    scores, capacity, forbidden = instance
    n_r = scores.shape[0]
    high = data.draw(st.lists(st.booleans(), min_size=n_r, max_size=n_r))
    group = sorted(data.draw(st.sets(st.integers(0, max(n_r - 1, 0)), max_size=3))) if n_r else []
    regret = data.draw(st.one_of(st.none(), st.floats(0, 0.5)))
    side = SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=cap_high,
                           sibling_groups=[group] if len(group) > 1 else [], max_regret=regret)
    result = assign(scores, capacity=capacity, forbidden=forbidden, side=side)
    assert result.solver == ("cp_sat" if len(group) > 1 else "min_cost_flow")
    check_hard_rules(result, scores, capacity, forbidden)
    for v in range(scores.shape[1]):
        assert sum(1 for r, vv in result.pairs if vv == v and high[r]) <= cap_high
    if len(group) > 1:
        mates = {v for r, v in result.pairs if r in group}
        matched = [r for r, _ in result.pairs if r in group]
        assert len(matched) in (0, len(group)) and len(mates) <= 1
    if regret is not None:
        for r, v in result.pairs:
            best = np.nanmax(np.where([(r, c) in set(forbidden) for c in range(scores.shape[1])], np.nan, scores[r]))
            assert best - scores[r, v] <= regret + 1e-9


@settings(max_examples=60, deadline=None)
@given(instances(), st.integers(0, 2), st.sampled_from(["most-matched", "best-score"]), st.data())
def test_heavy_cases_a_volunteer_already_holds_count_against_the_cap_in_flow_and_cp_sat(instance, cap_high,
                                                                                       objective, data):
    scores, capacity, forbidden = instance
    n_r, n_v = scores.shape
    high = data.draw(st.lists(st.booleans(), min_size=n_r, max_size=n_r))
    held = data.draw(st.lists(st.integers(0, 3), min_size=n_v, max_size=n_v))
    results = [assign(scores, capacity=capacity, forbidden=forbidden, objective=objective,
                      side=SideConstraints(high_complexity=high, max_high_complexity_per_volunteer=cap_high,
                                           high_complexity_held=held, solver=solver))
               for solver in ("auto", "cp_sat")]
    for result in results:
        check_hard_rules(result, scores, capacity, forbidden)
        for v in range(n_v):
            assert sum(1 for r, vv in result.pairs if vv == v and high[r]) <= max(0, cap_high - held[v])
    flow, exact = results
    assert len(flow.pairs) == len(exact.pairs)
    assert flow.total_score == pytest.approx(exact.total_score, abs=1e-5)
