"""Small readable cases of the optimizer, and its answers to bad input."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import SideConstraints, assign, assign_edges, greedy_assign

NAN = np.nan


def test_most_matched_prefers_matching_everyone_to_one_perfect_pair():
    # Request 0 loves volunteer 0, but request 1 can only have volunteer 0.
    scores = np.array([[0.9, 0.1], [0.5, NAN]])
    assert assign(scores, objective="most-matched").pairs == [(0, 1), (1, 0)]
    assert assign(scores, objective="best-score").pairs == [(0, 0)]


def test_best_score_leaves_a_request_unmatched_rather_than_take_a_pair_that_does_not_add():
    assert assign(np.array([[-0.1, 0.0]]), objective="best-score").pairs == []
    assert assign(np.array([[-0.1, 0.0]]), objective="most-matched").pairs == [(0, 1)]


def test_a_volunteer_with_capacity_two_takes_two_requests():
    scores = np.array([[0.9], [0.8], [0.7]])
    result = assign(scores, capacity=[2])
    assert result.pairs == [(0, 0), (1, 0)] and result.total_score == pytest.approx(1.7)


def test_at_most_one_high_complexity_request_per_volunteer():
    scores = np.array([[0.9, 0.2], [0.8, 0.3]])
    side = SideConstraints(high_complexity=[True, True], max_high_complexity_per_volunteer=1)
    result = assign(scores, capacity=[2, 2], side=side)
    assert sorted(v for _, v in result.pairs) == [0, 1]


def test_siblings_go_to_the_same_volunteer_or_wait_together():
    scores = np.array([[0.9, 0.5], [0.2, 0.6], [0.1, 0.1]])
    side = SideConstraints(sibling_groups=[[0, 1]])
    result = assign(scores, capacity=[2, 2], side=side)
    assert (0, 1) in result.pairs and (1, 1) in result.pairs


def test_no_one_falls_far_below_their_best_option():
    # The global optimum would give request 1 a poor 0.1 when its best is 0.9.
    scores = np.array([[1.0, 0.95], [0.9, 0.1]])
    assert assign(scores).pairs == [(0, 1), (1, 0)]
    result = assign(scores, side=SideConstraints(max_regret=0.5), objective="most-matched")
    assert all(scores[r, v] >= scores[r].max() - 0.5 for r, v in result.pairs)


def test_greedy_takes_the_longest_waiting_first_and_can_do_worse():
    scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    rows, cols = np.nonzero(~np.isnan(scores))
    greedy = greedy_assign(2, 2, rows, cols, scores[rows, cols], order=[0, 1])
    best = assign(scores)
    assert greedy.pairs == [(0, 0), (1, 1)] and greedy.total_score < best.total_score


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: assign(np.zeros(3)), "2-D"),
        (lambda: assign(np.zeros((2, 2)), capacity=[1]), "one entry per volunteer"),
        (lambda: assign(np.zeros((2, 2)), capacity=[1, -1]), "negative"),
        (lambda: assign(np.array([[np.inf]])), "finite"),
        (lambda: assign(np.zeros((1, 1)), locked=[(0, 0)], forbidden=[(0, 0)]), "both locked and forbidden"),
        (lambda: assign(np.array([[NAN]]), locked=[(0, 0)]), "not allowed"),
        (lambda: assign(np.zeros((1, 2)), locked=[(0, 0), (0, 1)]), "more than one volunteer"),
        (lambda: assign(np.zeros((2, 1)), locked=[(0, 0), (1, 0)]), "capacity"),
        (lambda: assign(np.zeros((1, 1)), locked=[(5, 0)]), "outside"),
        (lambda: assign(np.zeros((1, 1)), objective="fastest"), "objective"),
        (lambda: assign_edges(2, 2, [0], [0, 1], [0.5]), "differ in length"),
        (lambda: assign_edges(2, 2, [0, 0], [1, 1], [0.5, 0.4]), "listed twice"),
        (lambda: assign_edges(1, 1, [0], [3], [0.5]), "outside"),
        (
            lambda: assign(np.array([[0.5, 0.5], [0.5, 0.5]]), locked=[(0, 0), (1, 0)], capacity=[2, 1],
                           side=SideConstraints(high_complexity=[True, True], max_high_complexity_per_volunteer=1)),
            "high-complexity",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_an_empty_pool_gives_an_empty_assignment():
    assert assign(np.zeros((0, 3))).pairs == [] and assign(np.zeros((3, 0))).pairs == []
