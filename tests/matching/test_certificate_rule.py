"""A børneattest that has run out is a hard rule: no pair of that volunteer is ever a candidate,
whatever the scores, and the same rule refuses the pair one by one (manual matches)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.explanation import explain_pair
from matching.scoring import score_pool
from optimizer import assign_edges
from tests.matching.test_scoring_properties import RULES, TODAY, random_pool


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20), st.integers(1, 20), st.floats(0.0, 1.0))
def test_a_volunteer_whose_boerneattest_ran_out_is_never_a_candidate_nor_assigned(seed, n_r, n_v, share):
    reqs, vols, _ = random_pool(seed, n_r, n_v)
    rng = random.Random(seed)
    vols = [replace(v, certificate_valid=rng.random() >= share) for v in vols]
    expired = {v.id for v in vols if not v.certificate_valid}
    pool = score_pool(reqs, vols, RULES, TODAY)
    assert not {vols[c].id for c in pool.cols} & expired
    # What the rule removes is every pair of those volunteers that the other rules let through.
    without_rule = score_pool(reqs, [replace(v, certificate_valid=True) for v in vols], RULES, TODAY)
    kept = {(reqs[r].id, vols[c].id) for r, c in zip(without_rule.rows, without_rule.cols, strict=True)}
    assert {(reqs[r].id, vols[c].id) for r, c in zip(pool.rows, pool.cols, strict=True)} == {
        pair for pair in kept if pair[1] not in expired}
    result = assign_edges(len(reqs), len(vols), pool.rows, pool.cols, pool.scores, capacity=pool.capacity)
    assert not {vols[v].id for _r, v in result.pairs} & expired
    for req in reqs[:3]:
        for vol in vols:
            held = {rule.name: rule.held for rule in explain_pair(req, vol, RULES, TODAY).rules}
            assert held["certificate_valid"] == vol.certificate_valid
