"""Waiting fairness on generated pools: with the strict default nobody past the target is passed
over by a newcomer, on either side, and no fewer are matched; the figures and reasons agree with
plain loops over the same assignment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.fairness import days_waited
from matching.profiles import ProgramRules
from matching.run import compare_priorities, judge_waiting, solve_pool
from models.pool import Pool
from seed.benchmark_pool import generate_pool

TODAY = date(2026, 11, 22)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pool(n_r: int, n_v: int, seed: int, rules: ProgramRules | None = None, siblings: int = 0) -> Pool:
    requests, volunteers = generate_pool(n_r, n_v, seed=seed, today=TODAY)
    rng = np.random.default_rng(seed)
    for k in range(siblings):  # a few pairs of siblings who should share a volunteer
        a, c = (int(i) for i in rng.choice(n_r, 2, replace=False))
        requests[a] = replace(requests[a], sibling_group=f"s{k}", lat=requests[c].lat, lon=requests[c].lon)
        requests[c] = replace(requests[c], sibling_group=f"s{k}")
    return Pool(program_id=0, rules=rules or ProgramRules(), requests=requests, volunteers=volunteers,
                exclusions=frozenset(), already_matched=frozenset())


pools = st.tuples(st.integers(30, 160), st.integers(30, 160), st.integers(0, 10_000))


@SETTINGS
@given(pools)
def test_strict_passes_nobody_over_and_matches_as_many_as_weighing(shape):
    pool = _pool(*shape)
    outcomes = compare_priorities(pool, TODAY)
    strict, weighed = outcomes["strict"], outcomes["weighed"]
    assert strict.matched == weighed.matched == outcomes["off"].matched
    for side in (strict.requests, strict.volunteers):
        # Only a rule can force a pass (the cap on heavy cases here); the proposal then names it.
        assert side.passed_over == side.passed_over_forced_by_rule
    assert strict.requests.served >= weighed.requests.served
    assert strict.mean_score <= weighed.mean_score + 1e-9  # the price is paid in score, never in matches


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(st.integers(20, 70), st.integers(20, 70), st.integers(0, 10_000)))
def test_a_pass_by_a_shorter_wait_under_strict_is_always_forced_by_a_named_rule(shape):
    # Sibling groups send the pool to CP-SAT, whose levels are slower: smaller pools here.
    n_r, n_v, seed = shape
    pool = _pool(n_r, n_v, seed, siblings=3)
    scored, result, _ = solve_pool(pool, TODAY)
    outcome = judge_waiting(pool, scored, result, TODAY)
    reasons = {reason for reason, _ in outcome.request_reasons.values()}
    reasons |= {reason for reason, _ in outcome.volunteer_reasons.values()}
    assert "passed_over" not in reasons
    if outcome.requests.passed_over_by_shorter_wait:
        noted = {reason for passes in outcome.request_passes.values() for _, reason in passes}
        assert noted and noted <= {"complexity_cap", "sibling_group"}


@SETTINGS
@given(pools, st.sampled_from(["strict", "weighed", "off"]))
def test_the_figures_agree_with_plain_loops_over_the_assignment(shape, priority):
    pool = _pool(*shape)
    scored, result, _ = solve_pool(pool, TODAY, priority=priority)
    outcome = judge_waiting(pool, scored, result, TODAY, priority=priority)
    target = pool.rules.waiting_target_days
    rd = days_waited([r.waiting_since for r in pool.requests], TODAY)
    vd = days_waited([v.waiting_since for v in pool.volunteers], TODAY)
    mate = dict(result.pairs)
    mentees: dict[int, list[int]] = {}
    for r, v in result.pairs:
        mentees.setdefault(v, []).append(r)
    candidates: dict[int, list[int]] = {}
    takers: dict[int, list[int]] = {}
    for r, v in zip(scored.rows.tolist(), scored.cols.tolist(), strict=True):
        candidates.setdefault(r, []).append(v)
        takers.setdefault(v, []).append(r)
    passed = sum(1 for r in range(len(rd)) if rd[r] > target and r not in mate
                 and any(rd[x] < target for v in candidates.get(r, []) for x in mentees.get(v, [])))
    waiting_v = [v for v in range(len(vd)) if vd[v] > target and pool.volunteers[v].mentees == 0]
    passed_v = sum(1 for v in waiting_v if v not in mentees
                   and any(r in mate and vd[mate[r]] < target for r in takers.get(v, [])))
    assert outcome.requests.passed_over == passed and outcome.volunteers.passed_over == passed_v
    assert outcome.requests.past_target == int((rd > target).sum())
    assert outcome.requests.served == sum(1 for r in mate if rd[r] > target)
    assert outcome.volunteers.past_target == len(waiting_v)
    assert outcome.matched == len(result.pairs)
    assert np.isclose(outcome.mean_score, result.total_score / max(len(result.pairs), 1))
    # Everyone past the target without a proposal has exactly one reason; "no allowed pair"
    # exactly when they had no candidate, "taken by a longer wait" only when every candidate
    # volunteer is full with people who waited at least as long.
    unserved = {r for r in range(len(rd)) if rd[r] > target and r not in mate}
    assert set(outcome.request_reasons) == unserved
    for r, (reason, days_past) in outcome.request_reasons.items():
        assert days_past == rd[r] - target
        assert (reason == "no_allowed_pair") == (not candidates.get(r))
        if reason == "taken_by_longer_wait":
            for v in candidates[r]:
                assert len(mentees.get(v, [])) >= scored.capacity[v]
                assert all(rd[x] >= rd[r] for x in mentees[v])
    for v, (reason, _days) in outcome.volunteer_reasons.items():
        assert v not in mentees and (reason == "no_allowed_pair") == (not takers.get(v))
        if reason == "taken_by_longer_wait":
            assert all(r in mate and vd[mate[r]] >= vd[v] for r in takers[v])


def test_a_volunteer_who_already_has_a_mentee_is_not_waiting_for_one():
    pool = _pool(40, 40, seed=3)
    first = pool.volunteers[0]
    long_ago = TODAY - timedelta(days=400)
    pool.volunteers[0] = replace(first, waiting_since=long_ago, mentees=1, capacity=1)
    scored, result, _ = solve_pool(pool, TODAY)
    outcome = judge_waiting(pool, scored, result, TODAY)
    assert 0 not in outcome.volunteer_reasons
    pool.volunteers[0] = replace(first, waiting_since=long_ago, mentees=0)
    again = judge_waiting(pool, *solve_pool(pool, TODAY)[:2], TODAY)
    assert again.volunteers.past_target == outcome.volunteers.past_target + 1


def test_off_leaves_waiting_out_of_the_score_and_strict_keeps_it():
    pool = _pool(60, 40, seed=11)
    off_scored, _, _ = solve_pool(pool, TODAY, priority="off")
    strict_scored, _, _ = solve_pool(pool, TODAY, priority="strict")
    assert off_scored.weights["waiting"] == 0 and strict_scored.weights["waiting"] == pool.rules.weights["waiting"]


def test_a_longer_target_means_fewer_are_past_it():
    pool = _pool(80, 50, seed=4)
    short = judge_waiting(pool, *solve_pool(pool, TODAY)[:2], TODAY)
    longer = replace(pool, rules=replace(pool.rules, waiting_target_days=300))
    long_ = judge_waiting(longer, *solve_pool(longer, TODAY)[:2], TODAY)
    assert long_.requests.past_target < short.requests.past_target
    assert long_.volunteers.past_target < short.volunteers.past_target
