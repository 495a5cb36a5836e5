"""Teams around families (optimizer.teams): never a broken rule, the optimum on small cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.teams import (
    brute_force_teams,
    build_problem,
    check_assignment,
    compose_teams,
    greedy_teams,
)


@st.composite
def problems(draw, max_families: int = 3, max_actors: int = 4):  # noqa: ANN001, ANN201
    n_f = draw(st.integers(1, max_families))
    n_a = draw(st.integers(1, max_actors))
    n_k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    needs = [sorted(set(rng.choice(n_k, size=rng.integers(0, n_k + 1)).tolist())) for _ in range(n_f)]
    competences = [sorted(set(rng.choice(n_k, size=rng.integers(0, 3)).tolist())) for _ in range(n_a)]
    capacity = rng.integers(0, 3, size=n_a)
    allowed = rng.random((n_f, n_a)) > draw(st.floats(0, 0.5))
    rows, cols = np.nonzero(allowed)
    fit = np.round(rng.random(len(rows)), 2)
    primary = np.round(rng.random(len(rows)), 2)
    primary[rng.random(len(rows)) < 0.2] = np.nan  # some may not be primary contact
    sizes = rng.integers(0, 4, size=n_f)
    return dict(needs=needs, actor_competences=competences, capacity=capacity, rows=rows, cols=cols, fit=fit,
                primary_fit=primary, max_team_size=sizes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_the_proposed_teams_are_the_best_possible_on_small_cases(kwargs):
    problem = build_problem(**kwargs)
    best, _members, _primary = brute_force_teams(problem)
    result = compose_teams(**kwargs, time_limit_s=10)
    assert result.optimal
    assert result.objective == best
    assert not check_assignment(problem, result.members, result.primary)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_families=8, max_actors=10))
def test_no_team_breaks_a_rule_and_every_team_has_one_primary_contact(kwargs):
    problem = build_problem(**kwargs)
    result = compose_teams(**kwargs, time_limit_s=5)
    assert not check_assignment(problem, result.members, result.primary)
    load = np.zeros(problem.n_actors, dtype=int)
    allowed = set(zip(problem.rows.tolist(), problem.cols.tolist(), strict=True))
    for f, team in enumerate(result.members):
        assert all((f, a) in allowed for a in team)  # hard rules are masks: never a pair not allowed
        assert (result.primary[f] in team) if team else result.primary[f] is None
        for a in team:
            load[a] += 1
        have = set().union(*(problem.competences[a] for a in team)) if team else set()
        assert set(result.covered[f]) == {k for k in problem.needs[f] if k in have}
        assert set(result.covered[f]) | set(result.uncovered[f]) == set(problem.needs[f])
    assert (load <= problem.capacity).all()
    assert 0.0 <= result.gap <= 1.0
    greedy = greedy_teams(problem)
    assert not check_assignment(problem, *greedy)


def test_coverage_comes_before_team_size_and_size_before_fit():
    # Family 0 needs school (0) and job (1). Actor 0 has both; actors 1 and 2 one each but fit better.
    result = compose_teams(needs=[[0, 1]], actor_competences=[[0, 1], [0], [1]], capacity=[1, 1, 1],
                           rows=[0, 0, 0], cols=[0, 1, 2], fit=[0.1, 1.0, 1.0])
    assert result.members == [[0]] and result.primary == [0] and result.uncovered == [[]]


def test_an_actor_at_capacity_is_not_given_to_a_second_family_and_the_primary_fits_best():
    result = compose_teams(needs=[[0], [0]], actor_competences=[[0], [0], []], capacity=[1, 1, 1],
                           rows=[0, 0, 1, 1, 0], cols=[0, 2, 0, 1, 1], fit=[0.5, 0.2, 0.9, 0.1, 0.3],
                           primary_fit=[0.1, 0.2, 0.9, 0.1, 0.3])
    assert sorted(m for team in result.members for m in team).count(0) == 1
    assert result.uncovered == [[], []]


def test_locked_members_and_primary_contact_stay():
    result = compose_teams(needs=[[0]], actor_competences=[[0], []], capacity=[1, 1], rows=[0, 0], cols=[0, 1],
                           fit=[1.0, 0.0], locked=[(0, 1)], locked_primary=[1])
    assert 1 in result.members[0] and result.primary == [1]


def test_a_family_without_any_allowed_actor_gets_no_team_rather_than_a_wrong_one():
    result = compose_teams(needs=[[0], [1]], actor_competences=[[0]], capacity=[1], rows=[0], cols=[0], fit=[1.0],
                           primary_fit=[math.nan])
    assert result.members == [[], []] and result.primary == [None, None]


@pytest.mark.parametrize("bad", [
    dict(capacity=[-1]), dict(fit=[1.5]), dict(rows=[0, 0], cols=[0, 0], fit=[0.1, 0.2]), dict(locked=[(0, 3)]),
])
def test_bad_input_is_refused_with_what_is_wrong(bad):
    kwargs = dict(needs=[[0]], actor_competences=[[0]], capacity=[1], rows=[0], cols=[0], fit=[0.5])
    kwargs.update(bad)
    with pytest.raises(ValueError):
        compose_teams(**kwargs)
