"""The pruned scoring (places within reach, rules on groups, whole blocks) against every pair.

The reference below scores a pool the plain way: every request against every volunteer, the
distance of every pair, every rule as a full mask, the components of the allowed pairs one by
one. The pool scoring must give exactly the same candidates, components, scores and counts.
"""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import scoring
from matching.components import BY_GROUP, COMPONENTS, all_components, combine, component
from matching.features import request_features, text_model, volunteer_features
from matching.geo import danish_postcodes, planar_km
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.rules import RULES, rule_masks
from matching.scoring import UNGROUPED, pair_cosine, score_pool
from matching.vocabulary import INTERESTS, LANGUAGES

TODAY = date(2026, 11, 22)
# Places near and far: Zealand towns within 30 km of each other, and Aalborg and Aarhus far away.
PLACES = [p for p in danish_postcodes().values() if p.postcode.startswith(("40", "41", "26", "46", "90", "80"))]
TAGS = list(INTERESTS)


def random_pool(seed: int, n_r: int, n_v: int, places: int = 12):  # noqa: ANN201
    rng = random.Random(seed)
    spots = rng.sample(PLACES, min(places, len(PLACES)))
    vols = [VolunteerProfile(
        id=1000 + i, birth_year=rng.randint(1950, 2005), gender=rng.choice(("female", "male", "other")),
        lat=(p := rng.choice(spots)).lat, lon=p.lon, waiting_since=TODAY - timedelta(days=rng.randint(0, 500)),
        languages={c: rng.randint(1, 3) for c in rng.sample(list(LANGUAGES), rng.randint(0, 3))},
        interests=tuple(rng.sample(TAGS, rng.randint(0, 4))), availability=rng.getrandbits(21),
        capacity=rng.randint(0, 2), experience=rng.randint(0, 3), supports=rng.choice(("youth", "family", "either")),
        age_min=rng.choice((0, 13, 15)), age_max=rng.choice((17, 99)),
        mentee_gender_wish=rng.choice((None, "female", "male")), approved=rng.random() < 0.9,
        heavy_cases=rng.choice((0, 0, 1, 2)), child_certificate=rng.random() < 0.8)
        for i in range(n_v)]
    reqs = []
    for i in range(n_r):
        p = rng.choice(spots)
        youth = rng.random() < 0.7
        reqs.append(RequestProfile(
            id=i, kind="youth" if youth else "family", lat=p.lat, lon=p.lon,
            waiting_since=TODAY - timedelta(days=rng.randint(0, 500)), age=rng.randint(11, 20) if youth else None,
            gender=rng.choice(("female", "male")) if youth else None,
            languages={c: rng.randint(1, 3) for c in rng.sample(list(LANGUAGES), rng.randint(0, 2))},
            interests=tuple(rng.sample(TAGS, rng.randint(0, 4))), availability=rng.getrandbits(21),
            complexity=rng.randint(0, 3), mentor_gender_required=rng.choice((None, None, "female")),
            mentor_gender_preferred=rng.choice((None, "male")), no_trusted_adult=rng.random() < 0.3,
            children_under_15=not youth and rng.random() < 0.4))
    pairs = [(rng.randrange(n_r), 1000 + rng.randrange(n_v)) for _ in range(4)] if n_r and n_v else []
    return reqs, vols, set(pairs[:2]), set(pairs[2:])


def every_pair(reqs, vols, rules, exclusions, matched):  # noqa: ANN001, ANN201
    """The plain way: every pair's distance and rules, then the components pair by pair."""
    model = text_model(reqs, vols)
    rf, vf = request_features(reqs, TODAY, model), volunteer_features(vols, TODAY, model)
    r_at = {r.id: i for i, r in enumerate(reqs)}
    v_at = {v.id: j for j, v in enumerate(vols)}
    km = planar_km(rf.lat[:, None], rf.lon[:, None], vf.lat[None, :], vf.lon[None, :])
    masks = rule_masks(rf, vf, km, rules, [(r_at[r], v_at[v]) for r, v in exclusions],
                       [(r_at[r], v_at[v]) for r, v in matched])
    allowed = np.logical_and.reduce(list(masks.values())) if masks else np.ones(km.shape, bool)
    ri, ci = np.nonzero(allowed)
    comps = all_components(rf, vf, ri, ci, km[ri, ci], pair_cosine(rf, vf, ri, ci), rules)
    removed = {name: int(mask.size - np.count_nonzero(mask)) for name, mask in masks.items()}
    return ri, ci, comps, combine(comps, rules.weights), removed


RULE_SETS = [
    ProgramRules(serves="both", min_age=13, max_age=18, max_distance_km=30),
    ProgramRules(serves="youth", min_age=0, max_age=99, max_distance_km=8,
                 min_experience_by_complexity=(0, 1, 2, 3)),
    ProgramRules(serves="family", max_distance_km=400, max_high_complexity_per_volunteer=None),
    ProgramRules(serves="both", max_distance_km=1),
]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 100_000), st.integers(0, 30), st.integers(0, 30), st.sampled_from(range(len(RULE_SETS))),
       st.sampled_from([None, 1, 3]))
def test_pruned_scoring_equals_scoring_every_pair(seed, n_r, n_v, which, block_size):
    rules = RULE_SETS[which]
    reqs, vols, exclusions, matched = random_pool(seed, n_r, n_v)
    pool = score_pool(reqs, vols, rules, TODAY, exclusions=exclusions, already_matched=matched,
                      block_size=block_size)
    ri, ci, comps, scores, removed = every_pair(reqs, vols, rules, exclusions, matched)
    assert np.array_equal(pool.rows, ri) and np.array_equal(pool.cols, ci)
    for name in COMPONENTS:
        assert np.array_equal(pool.components[name], comps[name]), name
    assert np.allclose(pool.scores, scores, rtol=0, atol=1e-12)
    assert pool.removed_by_rule == {name: removed.get(name, 0) for name in RULES}
    assert pool.pairs_allowed == len(ri) and pool.pairs_considered == n_r * n_v


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 30), st.integers(2, 30), st.integers(1, 6))
def test_the_best_k_per_request_are_the_best_of_every_pair(seed, n_r, n_v, k):
    rules = RULE_SETS[0]
    reqs, vols, exclusions, matched = random_pool(seed, n_r, n_v)
    pool = score_pool(reqs, vols, rules, TODAY, exclusions=exclusions, already_matched=matched, top_k=k)
    ri, _, _, scores, _ = every_pair(reqs, vols, rules, exclusions, matched)
    for r in range(n_r):
        best = np.sort(scores[ri == r])[::-1][:k]
        kept = np.sort(pool.scores[pool.edges_of(r)])[::-1]
        assert np.allclose(kept, best, rtol=0, atol=1e-6)


def test_places_beyond_reach_are_never_scored_and_the_limit_is_exact():
    # Two volunteers at the same place as the request, at the limit and just past it.
    reqs, vols, _, _ = random_pool(1, 1, 1, places=1)
    here = reqs[0]
    km_per_degree = planar_km(here.lat, here.lon, here.lat + 1.0, here.lon)
    at = replace(vols[0], id=1, lat=here.lat + 10 / km_per_degree, lon=here.lon, capacity=1, approved=True,
                 supports="either", experience=3)
    past = replace(at, id=2, lat=here.lat + 10.001 / km_per_degree)
    request = replace(here, kind="family", complexity=0, mentor_gender_required=None)
    rules = ProgramRules(serves="both", max_distance_km=float(planar_km(here.lat, here.lon, at.lat, at.lon)))
    pool = score_pool([request], [at, past], rules, TODAY)
    assert pool.cols.tolist() == [0] and pool.removed_by_rule["distance"] == 1


@pytest.mark.parametrize("which", range(len(RULE_SETS)))
def test_no_group_rule_reads_an_ungrouped_attribute(which):
    """Group rules are settled once per group of alike people; a rule that read a per-person
    attribute left out of the grouping (``scoring.UNGROUPED``) would be settled wrongly. Changing
    every such attribute must leave every group rule as it was."""
    rules = RULE_SETS[which]
    reqs, vols, _, _ = random_pool(7, 40, 40)
    model = text_model(reqs, vols)
    rf, vf = request_features(reqs, TODAY, model), volunteer_features(vols, TODAY, model)
    rng = np.random.default_rng(0)

    def shuffled(features):  # noqa: ANN001, ANN202
        changes = {}
        for f in fields(features):
            values = getattr(features, f.name)
            if f.name in UNGROUPED:
                changes[f.name] = values[rng.permutation(values.shape[0])]
        return replace(features, **changes)

    km = np.zeros((len(reqs), len(vols)))
    before = rule_masks(rf, vf, km, rules)
    after = rule_masks(shuffled(rf), shuffled(vf), km, rules)
    for name in before:
        if name not in scoring._NOT_BY_GROUP:
            assert np.array_equal(before[name], after[name]), f"the rule {name!r} reads an attribute in UNGROUPED"


@pytest.mark.parametrize("name", sorted(BY_GROUP))
def test_a_component_scored_by_group_reads_only_the_attributes_it_is_grouped_by(name):
    """Components in ``BY_GROUP`` are evaluated once per pair of groups; one that read another
    attribute would be wrong for the other members of a group. Changing every other attribute
    must leave the component as it was."""
    reqs, vols, _, _ = random_pool(11, 40, 40)
    model = text_model(reqs, vols)
    rf, vf = request_features(reqs, TODAY, model), volunteer_features(vols, TODAY, model)
    rng = np.random.default_rng(1)
    r_names, v_names = BY_GROUP[name]

    def shuffled(features, keep):  # noqa: ANN001, ANN202
        changes = {f.name: getattr(features, f.name)[rng.permutation(len(features.ids))]
                   for f in fields(features) if f.name not in keep}
        return replace(features, **changes)

    ri, ci = np.arange(len(reqs))[:, None], np.arange(len(vols))[None, :]
    rules = RULE_SETS[0]
    before = component(name, rf, vf, ri, ci, np.zeros(0), np.zeros(0), rules)
    after = component(name, shuffled(rf, r_names), shuffled(vf, v_names), ri, ci, np.zeros(0), np.zeros(0), rules)
    assert np.array_equal(before, after), f"{name} reads an attribute that BY_GROUP does not list"
