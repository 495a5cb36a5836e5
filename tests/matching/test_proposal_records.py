"""Proposals of a solved pool: the choice, then the next best alternatives, each with its breakdown."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.bench import _pool
from matching.explanation import alternatives, experience_standing, explain_pair
from matching.proposals import proposal_records
from matching.scoring import score_pool
from optimizer import assign_edges
from tests.matching.test_pruned_scoring import RULE_SETS, random_pool

TODAY = date(2026, 11, 22)


def _solved(seed: int, n_r: int, n_v: int, top_k: int | None):  # noqa: ANN202
    reqs, vols, exclusions, matched = random_pool(seed, n_r, n_v)
    rules = RULE_SETS[0]
    scored = score_pool(reqs, vols, rules, TODAY, exclusions=exclusions, already_matched=matched, top_k=top_k)
    result = assign_edges(n_r, n_v, scored.rows, scored.cols, scored.scores, capacity=scored.capacity)
    return reqs, vols, rules, scored, result


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 25), st.integers(1, 25), st.sampled_from([None, 2, 5]),
       st.integers(0, 4))
def test_each_matched_request_gets_its_choice_then_its_next_best_alternatives(seed, n_r, n_v, top_k, n_alt):
    _, _, rules, scored, result = _solved(seed, n_r, n_v, top_k)
    records = proposal_records(scored, result.pairs, rules.weights, n_alt)
    by_request: dict[int, list] = {}
    for record in records:
        by_request.setdefault(record.request_index, []).append(record)
    assert sorted(by_request) == sorted(r for r, _ in result.pairs)
    for r, v in result.pairs:
        mine = by_request[r]
        assert [p.rank for p in mine] == list(range(1, len(mine) + 1))
        assert mine[0].volunteer_index == v
        expected = alternatives(scored, r, n=n_alt, exclude_volunteer=v)
        assert [p.volunteer_index for p in mine[1:]] == [a.volunteer_index for a in expected]
        assert [p.score for p in mine[1:]] == [a.score for a in expected]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 15), st.integers(1, 15))
def test_a_breakdown_shows_each_component_and_adds_up_to_the_score(seed, n_r, n_v):
    reqs, vols, rules, scored, result = _solved(seed, n_r, n_v, None)
    for record in proposal_records(scored, result.pairs, rules.weights):
        parts = record.breakdown["components"]
        explanation = explain_pair(reqs[record.request_index], vols[record.volunteer_index], rules, TODAY,
                                   model=scored.text_model)
        assert [p["name"] for p in parts] == [c.name for c in explanation.components]
        assert [p["value"] for p in parts] == pytest.approx([c.value for c in explanation.components], abs=1e-4)
        assert record.breakdown["total"] == pytest.approx(record.score, abs=1e-4)
        assert sum(p["contribution"] for p in parts) == pytest.approx(record.score, abs=1e-3)


def test_no_pairs_no_proposals():
    _, _, rules, scored, _ = _solved(1, 3, 3, None)
    assert proposal_records(scored, [], rules.weights) == []


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 20), st.integers(1, 20))
def test_each_proposal_says_where_the_volunteers_experience_stands(seed, n_r, n_v):
    reqs, vols, rules, scored, result = _solved(seed, n_r, n_v, None)
    pool = _pool(reqs, vols, rules)
    for record in proposal_records(scored, result.pairs, rules.weights, 3, pool):
        expected = experience_standing(reqs[record.request_index], vols[record.volunteer_index], rules)
        assert record.breakdown["experience"] == expected
