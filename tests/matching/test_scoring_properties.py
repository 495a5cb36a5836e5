"""Properties of pool scoring on random pools: bounded, masked, top-K exact, block-independent."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.explanation import explain_pair
from matching.geo import danish_postcodes
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.scoring import score_pool
from matching.vocabulary import INTERESTS, LANGUAGES

TODAY = date(2026, 11, 22)
PLACES = [p for p in danish_postcodes().values() if p.postcode.startswith(("40", "41", "26", "46"))]
TAGS = list(INTERESTS)
WORDS = ["fodbold", "musik", "bage", "lektier", "natur", "gaming", "dans", "kampsport", "læser", ""]


def random_pool(seed: int, n_r: int, n_v: int):  # noqa: ANN201
    rng = random.Random(seed)
    def place():  # noqa: ANN202
        return rng.choice(PLACES)
    vols = []
    for i in range(n_v):
        p = place()
        vols.append(VolunteerProfile(
            id=100 + i, birth_year=rng.randint(1950, 2005), gender=rng.choice(("female", "male", "other")),
            lat=p.lat, lon=p.lon, waiting_since=TODAY - timedelta(days=rng.randint(0, 500)),
            languages={c: rng.randint(1, 3) for c in rng.sample(list(LANGUAGES), rng.randint(1, 3))},
            interests=tuple(rng.sample(TAGS, rng.randint(0, 4))), interests_text=" ".join(rng.sample(WORDS, 2)),
            availability=rng.getrandbits(21), capacity=rng.randint(0, 2), experience=rng.randint(0, 3),
            supports=rng.choice(("youth", "family", "either")), mentee_gender_wish=rng.choice((None, "female", "male")),
            approved=rng.random() < 0.9, heavy_cases=rng.choice((0, 0, 1, 2)),
            child_certificate=rng.random() < 0.7))
    reqs = []
    for i in range(n_r):
        p = place()
        youth = rng.random() < 0.7
        reqs.append(RequestProfile(
            id=i, kind="youth" if youth else "family", lat=p.lat, lon=p.lon,
            waiting_since=TODAY - timedelta(days=rng.randint(0, 500)), age=rng.randint(11, 20) if youth else None,
            gender=rng.choice(("female", "male")) if youth else None,
            languages={c: rng.randint(1, 3) for c in rng.sample(list(LANGUAGES), rng.randint(1, 2))},
            interests=tuple(rng.sample(TAGS, rng.randint(0, 4))), interests_text=" ".join(rng.sample(WORDS, 2)),
            availability=rng.getrandbits(21), complexity=rng.randint(0, 3),
            mentor_gender_required=rng.choice((None, None, "female")), mentor_gender_preferred=rng.choice((None, "male")),
            no_trusted_adult=rng.random() < 0.3, children_under_15=not youth and rng.random() < 0.5))
    exclusions = {(rng.randrange(n_r), 100 + rng.randrange(n_v)) for _ in range(3)} if n_r and n_v else set()
    return reqs, vols, exclusions


RULES = ProgramRules(serves="both", min_age=13, max_age=18, max_distance_km=30)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20), st.integers(1, 20),
       st.lists(st.integers(0, 3), min_size=4, max_size=4), st.one_of(st.none(), st.integers(0, 3)))
def test_no_candidate_breaks_the_experience_heavy_case_or_child_certificate_rules(seed, n_r, n_v, mins, cap):
    mins = tuple(sorted(mins))
    rules = ProgramRules(serves="both", min_age=11, max_age=20, max_distance_km=30,
                         min_experience_by_complexity=mins, max_high_complexity_per_volunteer=cap)
    reqs, vols, _ = random_pool(seed, n_r, n_v)
    pool = score_pool(reqs, vols, rules, TODAY)
    for r, c in zip(pool.rows, pool.cols, strict=True):
        req, vol = reqs[r], vols[c]
        assert vol.experience >= mins[req.complexity]
        if req.complexity >= 2 and cap is not None:
            assert vol.heavy_cases < cap
        if req.children_under_15 or (req.age is not None and req.age < 15):
            assert vol.child_certificate


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 25), st.integers(1, 25))
def test_scores_are_in_unit_range_and_only_allowed_pairs_appear(seed, n_r, n_v):
    reqs, vols, excl = random_pool(seed, n_r, n_v)
    pool = score_pool(reqs, vols, RULES, TODAY, exclusions=excl)
    assert np.all((pool.scores >= 0) & (pool.scores <= 1))
    for name, values in pool.components.items():
        assert np.all((values >= 0) & (values <= 1)), name
    for r, c in zip(pool.rows, pool.cols, strict=True):
        assert (reqs[r].id, vols[c].id) not in excl
        assert explain_pair(reqs[r], vols[c], RULES, TODAY, exclusions=excl).allowed


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20), st.integers(2, 25), st.integers(1, 5))
def test_top_k_keeps_exactly_the_k_best_allowed_per_request(seed, n_r, n_v, k):
    reqs, vols, excl = random_pool(seed, n_r, n_v)
    full = score_pool(reqs, vols, RULES, TODAY, exclusions=excl)
    top = score_pool(reqs, vols, RULES, TODAY, exclusions=excl, top_k=k)
    for r in range(n_r):
        all_scores = np.sort(full.scores[full.edges_of(r)])[::-1]
        kept = np.sort(top.scores[top.edges_of(r)])[::-1]
        assert len(kept) == min(k, len(all_scores))
        assert np.allclose(kept, all_scores[: len(kept)])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20), st.integers(1, 20), st.integers(1, 7))
def test_the_block_size_does_not_change_the_result(seed, n_r, n_v, block):
    reqs, vols, excl = random_pool(seed, n_r, n_v)
    a = score_pool(reqs, vols, RULES, TODAY, exclusions=excl)
    b = score_pool(reqs, vols, RULES, TODAY, exclusions=excl, block_size=block)
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.cols, b.cols)
    assert np.allclose(a.scores, b.scores)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12), st.integers(1, 12))
def test_an_explanation_adds_up_to_the_pooled_score(seed, n_r, n_v):
    reqs, vols, excl = random_pool(seed, n_r, n_v)
    pool = score_pool(reqs, vols, RULES, TODAY, exclusions=excl)
    for e in range(min(len(pool.scores), 15)):
        r, c = int(pool.rows[e]), int(pool.cols[e])
        explanation = explain_pair(reqs[r], vols[c], RULES, TODAY, exclusions=excl, model=pool.text_model)
        assert explanation.total == pytest.approx(float(pool.scores[e]), abs=1e-6)


def test_the_same_pool_scores_the_same_twice():
    reqs, vols, excl = random_pool(3, 30, 30)
    a, b = score_pool(reqs, vols, RULES, TODAY, top_k=5), score_pool(reqs, vols, RULES, TODAY, top_k=5)
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.cols, b.cols) and np.array_equal(a.scores, b.scores)


def test_weights_change_the_ranking_but_not_the_candidates():
    reqs, vols, _ = random_pool(5, 10, 20)
    near = score_pool(reqs, vols, ProgramRules(serves="both", max_distance_km=30, weights={"distance": 1.0}), TODAY)
    talk = score_pool(reqs, vols, ProgramRules(serves="both", max_distance_km=30, weights={"languages": 1.0}), TODAY)
    assert np.array_equal(near.rows, talk.rows) and np.array_equal(near.cols, talk.cols)
    assert np.allclose(near.scores, near.components["distance"])


def test_an_empty_side_of_a_pool_gives_no_candidates():
    reqs, vols, _ = random_pool(1, 3, 3)
    assert len(score_pool(reqs, [], RULES, TODAY).scores) == 0
    assert len(score_pool([], vols, RULES, TODAY).scores) == 0
    assert len(score_pool([], [], RULES, TODAY, top_k=5).scores) == 0
