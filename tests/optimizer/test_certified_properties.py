"""The dense path (best K per request, proven optimal for every pair) against exact references.

Small K forces the rounds of "add the pairs that could improve, solve again" and the hand-over
to the plain solver, so these small instances exercise every branch a 2000 x 2000 matrix takes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

import optimizer.certified as certified
from optimizer import assign, assign_edges
from optimizer.certified import NOT_ALLOWED, assign_dense, solve_top_k

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BIG = 1e9


def reference(weights: np.ndarray, capacity: np.ndarray, cardinality_first: bool,
              bonus: np.ndarray | None = None) -> tuple[int, float]:
    """(requests matched, total weight + bonus) of the exact optimum, by scipy on an expanded matrix.

    A volunteer becomes one column per unit of capacity, the first carrying their bonus (the
    optimum always fills the first unit first, as the bonus is never negative); a zero column
    per request lets it stay unmatched.
    """
    n_r, n_v = weights.shape
    columns, first = [], []
    for v in range(n_v):
        for unit in range(int(capacity[v])):
            columns.append(v)
            first.append(unit == 0)
    if n_r == 0 or not columns:
        return 0, 0.0
    w = weights[:, columns].astype(float)
    allowed = weights[:, columns] != NOT_ALLOWED
    if bonus is not None:
        w = w + np.where(first, bonus[columns], 0)[None, :]
    gain = np.where(allowed, w + (BIG if cardinality_first else 0.0), 0.0)
    if not cardinality_first:
        gain = np.where(allowed, np.maximum(gain, 0.0), 0.0)
    full = np.hstack([gain, np.zeros((n_r, n_r))])
    r, c = linear_sum_assignment(full, maximize=True)
    real = (c < len(columns)) & allowed[r, np.minimum(c, len(columns) - 1)]
    if not cardinality_first:
        real &= full[r, c] > 0
        return int(real.sum()), float(full[r, c][real].sum())
    return int(real.sum()), float((full[r, c][real] - BIG).sum())


def value_of(rows, cols, weights, bonus=None) -> float:  # noqa: ANN001
    total = float(weights[rows, cols].sum()) if len(rows) else 0.0
    if bonus is not None and len(cols):
        total += float(bonus[np.unique(cols)].sum())
    return total


@st.composite
def integer_problems(draw):  # noqa: ANN001, ANN201
    n_r = draw(st.integers(0, 8))
    n_v = draw(st.integers(0, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Few distinct values: many ties, as in weighted scores.
    levels = draw(st.sampled_from([3, 10, 1000]))
    weights = rng.integers(-levels // 3, levels, size=(n_r, n_v)).astype(np.int64)
    weights[rng.random((n_r, n_v)) < draw(st.floats(0, 0.6))] = NOT_ALLOWED
    capacity = rng.integers(0, 4, size=n_v).astype(np.int64)
    bonus = rng.integers(0, levels, size=n_v).astype(np.int64) if draw(st.booleans()) else None
    return weights, capacity, bonus


def check_rules(rows, cols, weights, capacity) -> None:  # noqa: ANN001
    assert len(set(rows.tolist())) == len(rows), "a request got two volunteers"
    assert np.all(np.bincount(cols, minlength=len(capacity)) <= capacity), "a volunteer got more than their capacity"
    assert np.all(weights[rows, cols] != NOT_ALLOWED), "a pair that is not allowed was chosen"


@SETTINGS
@given(integer_problems(), st.booleans(), st.integers(1, 3))
def test_the_certified_top_k_flow_equals_the_exact_optimum_or_hands_over(problem, cardinality_first, k):
    weights, capacity, bonus = problem
    solution = solve_top_k(weights, capacity, cardinality_first, k=k, volunteer_bonus=bonus)
    matched, best = reference(weights, capacity, cardinality_first, bonus)
    if solution is None:
        return  # handed over to the plain solver (covered below through assign)
    check_rules(solution.rows, solution.cols, weights, capacity)
    if cardinality_first:
        assert len(solution.rows) == matched
    assert value_of(solution.rows, solution.cols, weights, bonus) == pytest.approx(best, abs=1e-6)


@SETTINGS
@given(integer_problems(), st.booleans())
def test_with_every_pair_as_a_candidate_the_flow_is_the_exact_optimum(problem, cardinality_first):
    weights, capacity, bonus = problem
    solution = solve_top_k(weights, capacity, cardinality_first, k=max(1, weights.shape[1]), volunteer_bonus=bonus)
    assert solution is not None
    matched, best = reference(weights, capacity, cardinality_first, bonus)
    check_rules(solution.rows, solution.cols, weights, capacity)
    assert value_of(solution.rows, solution.cols, weights, bonus) == pytest.approx(best, abs=1e-6)
    if cardinality_first:
        assert len(solution.rows) == matched


def test_the_weights_given_are_never_changed():
    rng = np.random.default_rng(3)
    weights = rng.integers(0, 100, size=(30, 20)).astype(np.int64)
    before = weights.copy()
    solve_top_k(weights, np.ones(20, np.int64), True, k=2)
    assert np.array_equal(weights, before)


@st.composite
def score_matrices(draw):  # noqa: ANN001, ANN201
    n_r = draw(st.integers(1, 9))
    n_v = draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = np.round(rng.uniform(-0.2, 1.0, size=(n_r, n_v)), draw(st.sampled_from([1, 3, 6])))
    scores[rng.random((n_r, n_v)) < draw(st.floats(0, 0.5))] = np.nan
    capacity = rng.integers(0, 4, size=n_v)
    allowed = np.argwhere(~np.isnan(scores))
    n_forbid = draw(st.integers(0, min(3, len(allowed))))
    picks = rng.choice(len(allowed), n_forbid, replace=False) if n_forbid else []
    forbidden = [tuple(map(int, allowed[i])) for i in picks]
    return scores, capacity, forbidden


def _plain(scores, capacity, forbidden, locked, objective):  # noqa: ANN001, ANN202
    rows, cols = np.nonzero(~np.isnan(scores))
    return assign_edges(scores.shape[0], scores.shape[1], rows, cols, scores[rows, cols], capacity=capacity,
                        locked=locked, forbidden=forbidden, objective=objective)


@SETTINGS
@given(score_matrices(), st.sampled_from(["most-matched", "best-score"]), st.integers(1, 3), st.data())
def test_the_dense_path_of_assign_gives_what_the_plain_solver_gives(problem, objective, k, data):
    scores, capacity, forbidden = problem
    allowed = [(int(r), int(v)) for r, v in np.argwhere(~np.isnan(scores)) if (r, v) not in set(forbidden)]
    locked, load, used = [], np.zeros(scores.shape[1], int), set()
    for r, v in data.draw(st.lists(st.sampled_from(allowed), max_size=2)) if allowed else []:
        if r not in used and load[v] < capacity[v]:
            locked.append((r, v))
            used.add(r)
            load[v] += 1
    result = assign_dense(scores, capacity, locked, forbidden, objective, k=k, min_cells=0)
    plain = _plain(scores, capacity, forbidden, locked, objective)
    if result is None:
        return
    assert result.optimal and result.stats["method"] == "top-k certified"
    assert set(locked) <= set(result.pairs)
    assert len(result.pairs) == len(plain.pairs)
    assert result.total_score == pytest.approx(plain.total_score, abs=1e-9)
    for r, v in result.pairs:
        assert not np.isnan(scores[r, v]) and (r, v) not in set(forbidden)


@pytest.mark.parametrize("kind", ["steps of 0.001", "uniform", "popular volunteers", "places on a map"])
@pytest.mark.parametrize("shape", [(300, 300), (400, 150)])
def test_assign_on_a_large_matrix_takes_the_dense_path_and_equals_scipy(kind, shape):
    rng = np.random.default_rng(7)
    n_r, n_v = shape
    if kind == "steps of 0.001":
        scores = np.round(rng.random(shape), 3)
    elif kind == "uniform":
        scores = rng.random(shape)
    elif kind == "popular volunteers":
        scores = np.round(0.6 * rng.random(n_v)[None, :] + 0.4 * rng.random(shape), 3)
    else:
        here, there = rng.random((n_r, 2)), rng.random((n_v, 2))
        scores = np.round(1 - np.sqrt(((here[:, None, :] - there[None, :, :]) ** 2).sum(-1)), 3)
    result = assign(scores)
    rows, cols = linear_sum_assignment(scores, maximize=True)
    assert result.stats.get("method") == "top-k certified"
    assert len(result.pairs) == min(shape)
    assert result.total_score == pytest.approx(float(scores[rows, cols].sum()), abs=1e-6)


def test_capacities_and_forbidden_pairs_on_a_large_matrix_match_the_expanded_exact_optimum():
    rng = np.random.default_rng(11)
    scores = np.round(rng.random((500, 200)), 3)
    scores[rng.random(scores.shape) < 0.3] = np.nan
    capacity = rng.integers(0, 4, size=200)
    forbidden = [(int(r), int(v)) for r, v in np.argwhere(~np.isnan(scores))[:50]]
    result = assign(scores, capacity=capacity, forbidden=forbidden, objective="best-score")
    assert result.stats.get("method") == "top-k certified"
    expanded = scores.copy()
    for r, v in forbidden:
        expanded[r, v] = np.nan
    columns = [v for v in range(200) for _ in range(int(capacity[v]))]
    gain = np.nan_to_num(expanded[:, columns], nan=0.0).clip(min=0)
    r, c = linear_sum_assignment(gain, maximize=True)
    assert result.total_score == pytest.approx(float(gain[r, c].sum()), abs=1e-6)
    assert not set(forbidden) & set(result.pairs)
    assert np.all(np.bincount([v for _, v in result.pairs], minlength=200) <= capacity)


def test_when_the_candidates_do_not_settle_the_plain_solver_takes_over_and_is_still_exact(monkeypatch):
    # Everybody ranks the same few volunteers first (a product of two factors): K best per
    # request are the same columns for all, the rounds stop settling and the plain path answers.
    rng = np.random.default_rng(5)
    scores = np.round(rng.random((250, 3)) @ rng.random((3, 250)) / 3, 3)
    monkeypatch.setattr(certified, "MAX_ROUNDS", 1)
    assert assign_dense(scores, k=1) is None
    result = assign(scores)
    rows, cols = linear_sum_assignment(scores, maximize=True)
    assert result.stats.get("method") != "top-k certified"
    assert result.total_score == pytest.approx(float(scores[rows, cols].sum()), abs=1e-6)


def test_weights_too_large_for_exact_potentials_are_left_to_the_plain_solver():
    weights = np.full((4, 4), 1 << 55, dtype=np.int64)
    assert solve_top_k(weights, np.ones(4, np.int64), True) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.full((300, 300), np.inf)}, "finite"),
        ({"capacity": [1]}, "one entry per volunteer"),
        ({"capacity": [-1] * 300}, "negative"),
        ({"locked": [(0, 0)], "forbidden": [(0, 0)]}, "both locked and forbidden"),
        ({"locked": [(0, 0), (0, 1)]}, "more than one volunteer"),
        ({"locked": [(0, 0), (1, 0)]}, "capacity"),
        ({"locked": [(500, 0)]}, "outside"),
        ({"objective": "fastest"}, "objective"),
    ],
)
def test_bad_input_to_a_large_matrix_is_refused_with_the_same_messages(kwargs, message):
    arguments = {"scores": np.full((300, 300), 0.5), **kwargs}
    with pytest.raises(ValueError, match=message):
        assign(**arguments)
