"""The soft components of a pair's score.

Each takes the request and volunteer features and two index arrays naming pairs (request row,
volunteer row), and returns one value in [0, 1] per pair; the docstring says what 0 and 1 mean.
The pool is scored with them on its allowed pairs, and one pair is explained with the very same
functions, so an explanation never disagrees with the score it explains.
"""

from __future__ import annotations

import numpy as np

from matching.features import NO_GENDER, RequestFeatures, VolunteerFeatures
from matching.profiles import ProgramRules

# A TF-IDF cosine of this much is already a strong overlap of interests in practice.
INTERESTS_FULL_AT = 0.6
# Shared free slots a week that count as fully compatible calendars.
SLOTS_FULL_AT = 3
# Age difference (mentor minus youth) that reads as a grown-up friend, not a peer or a grandparent.
AGE_BAND = (8.0, 40.0)
# What a gap in experience against the request's complexity leaves of the component.
EXPERIENCE_BY_GAP = np.array([1.0, 0.4, 0.1, 0.0], dtype=np.float32)
NO_TRUSTED_ADULT_BOOST = 0.25

COMPONENTS: tuple[str, ...] = (
    "interests", "languages", "distance", "availability", "age", "wishes", "experience", "waiting",
)


def interests(cosine: np.ndarray) -> np.ndarray:
    """0 = nothing in common; 1 = strongly overlapping interests (TF-IDF cosine of tags and own
    words of 0.6 or more)."""
    return np.minimum(1.0, cosine / INTERESTS_FULL_AT).astype(np.float32)


def languages(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """0 = no language in common; 1 = a language both speak fluently (the best shared one counts,
    at the lower of the two levels). A family speaking Arabic and a little Danish scores 1 with
    a fluent Arabic speaker and 1/3 with a Danish-only volunteer."""
    # The best shared level is the number of levels t at which both speak some language at t or
    # better (see features._language_sets): three AND-s of bitmasks, elementwise over the pairs.
    shared = np.zeros(np.broadcast_shapes(np.shape(ri), np.shape(ci)), dtype=np.float32)
    for t in range(3):
        shared += (r.language_sets[ri, t] & v.language_sets[ci, t]) != 0
    return shared / np.float32(3.0)


def distance(km: np.ndarray, rules: ProgramRules) -> np.ndarray:
    """1 = same place; falls linearly to 0 at the program's maximum distance."""
    return np.clip(1.0 - km / rules.max_distance_km, 0.0, 1.0).astype(np.float32)


def availability(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """0 = never free at the same time; 1 = at least three shared slots a week (or all of the
    request's, if it gave fewer). 0.5 when the request gave no times (unknown)."""
    shared = np.bitwise_count(r.slot_mask[ri] & v.slot_mask[ci]).astype(np.float32)
    wanted = np.minimum(np.bitwise_count(r.slot_mask[ri]), SLOTS_FULL_AT).astype(np.float32)
    return np.where(wanted > 0, np.minimum(1.0, shared / np.maximum(wanted, 1)), 0.5).astype(np.float32)


def age(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """1 = mentor 8-40 years older than the youth and the youth within the volunteer's wished age
    range; less for a near-peer or a much older mentor; halved outside the wished range.
    1 for family requests (nothing against it)."""
    youth_age = r.age[ri]
    diff = v.age[ci] - youth_age
    low, high = AGE_BAND
    band = np.where(diff < low, np.clip((diff - 2.0) / (low - 2.0), 0.0, 1.0),
                    np.where(diff > high, np.clip(1.0 - (diff - high) / 30.0, 0.3, 1.0), 1.0))
    within = (youth_age >= v.age_min[ci]) & (youth_age <= v.age_max[ci])
    value = band * np.where(within, 1.0, 0.5)
    return np.where(r.is_youth[ri], value, 1.0).astype(np.float32)


def wishes(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """The share of soft wishes met: the request's preferred mentor gender and the volunteer's
    wished gender of a youth. 1 = all met (or no wishes), 0 = none met."""
    pref = r.preferred_gender[ri]
    has_pref = pref != NO_GENDER
    wish = v.mentee_gender_wish[ci]
    has_wish = (wish != NO_GENDER) & r.is_youth[ri]
    met = (has_pref & (pref == v.gender[ci])).astype(np.float32) + (has_wish & (wish == r.gender[ri]))
    count = has_pref.astype(np.float32) + has_wish
    return np.where(count > 0, met / np.maximum(count, 1), 1.0).astype(np.float32)


def experience(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """1 = the volunteer's experience matches or exceeds the request's complexity; 0.4 one level
    short, 0.1 two levels, 0 three (8 of 10 Roskilde matches with known crime broke off)."""
    gap = np.clip(r.complexity[ri].astype(np.int16) - v.experience[ci].astype(np.int16), 0, 3)
    return EXPERIENCE_BY_GAP[gap]


def waiting(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray, rules: ProgramRules) -> np.ndarray:
    """0 = both just joined the pool; 1 = both have waited the program's target time or longer.
    The request weighs 60 %, the volunteer 40 %; a youth with no trusted adult outside the
    system gets a boost of 0.25 on their side (they gain most from a mentor)."""
    target = float(max(rules.waiting_target_days, 1))
    wr = np.minimum(1.0, r.waiting_days[ri] / target) + np.where(r.no_trusted_adult[ri], NO_TRUSTED_ADULT_BOOST, 0.0)
    wv = np.minimum(1.0, v.waiting_days[ci] / target)
    return np.minimum(1.0, 0.6 * wr + 0.4 * wv).astype(np.float32)


def component(
    name: str, r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray, km: np.ndarray,
    cosine: np.ndarray, rules: ProgramRules,
) -> np.ndarray:
    """One component, by name, for the pairs (ri[k], ci[k])."""
    if name == "interests":
        return interests(cosine)
    if name == "distance":
        return distance(km, rules)
    if name == "waiting":
        return waiting(r, v, ri, ci, rules)
    return PAIR_COMPONENTS[name](r, v, ri, ci)


def all_components(
    r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray, km: np.ndarray, cosine: np.ndarray,
    rules: ProgramRules,
) -> dict[str, np.ndarray]:
    """Every component for the pairs (ri[k], ci[k]).

    The index arrays may also broadcast (rows as a column, columns as a row): then each
    component is the whole block of pairs, computed without gathering pair by pair.
    """
    return {name: component(name, r, v, ri, ci, km, cosine, rules) for name in COMPONENTS}


# The components that read only the features of the pair (no distance, text or program rule).
PAIR_COMPONENTS = {"languages": languages, "availability": availability, "age": age, "wishes": wishes,
                   "experience": experience}
# Of those, the ones that read only a few discrete attributes (request's, volunteer's): a pool
# evaluates them once per pair of groups of people alike in these (a table) instead of pair by
# pair. A test changes every other attribute and checks that these components do not move.
BY_GROUP: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "languages": (("language_sets",), ("language_sets",)),
    "age": (("age", "is_youth"), ("age", "age_min", "age_max")),
    "wishes": (("preferred_gender", "is_youth", "gender"), ("mentee_gender_wish", "gender")),
    "experience": (("complexity",), ("experience",)),
}


def combine(components: dict[str, np.ndarray], weights: dict[str, float], dtype: type = np.float64) -> np.ndarray:
    """The weighted mean of the components: in [0, 1] because the weights are normalised.

    ``dtype`` float32 is for ranking candidates only (half the memory traffic); stored scores
    are float64.
    """
    total_weight = sum(max(0.0, weights.get(name, 0.0)) for name in COMPONENTS)
    if total_weight <= 0:
        raise ValueError("at least one scoring weight must be positive")
    total = np.zeros(np.broadcast_shapes(*(np.shape(c) for c in components.values())), dtype=dtype)
    for name in COMPONENTS:
        w = max(0.0, weights.get(name, 0.0))
        if w:
            total += w * components[name]  # the product in float32, as the components are
    total /= total_weight
    return np.clip(total, 0.0, 1.0, out=total)
