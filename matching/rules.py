"""Hard rules: masks, never weights. A pair that breaks one is not a candidate, whatever its score."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matching.features import NO_GENDER, RequestFeatures, VolunteerFeatures
from matching.profiles import ProgramRules

RULES: tuple[str, ...] = (
    "approved", "capacity", "program", "supports", "age_eligible", "required_gender", "distance",
    "experience_minimum", "excluded", "already_matched",
)


def within_distance(km: np.ndarray, rules: ProgramRules) -> np.ndarray:
    """The distance rule: at most the program's maximum distance apart."""
    return km <= rules.max_distance_km


def rule_masks(
    r: RequestFeatures,
    v: VolunteerFeatures,
    km: np.ndarray,
    rules: ProgramRules,
    excluded: Iterable[tuple[int, int]] = (),
    matched: Iterable[tuple[int, int]] = (),
) -> dict[str, np.ndarray]:
    """Per rule, a (requests x volunteers) mask that is True where the rule holds.

    ``excluded`` and ``matched`` are (row, column) index pairs within this block.
    """
    shape = (len(r), len(v.ids))
    serves_youth = rules.serves in ("youth", "both")
    serves_family = rules.serves in ("family", "both")
    kind_ok = np.where(r.is_youth, serves_youth, serves_family)
    supports_ok = (v.supports[None, :] == 2) | (v.supports[None, :] == np.where(r.is_youth, 0, 1)[:, None])
    age_ok = ~r.is_youth | ((r.age >= rules.min_age) & (r.age <= rules.max_age))
    gender_ok = (r.required_gender[:, None] == NO_GENDER) | (r.required_gender[:, None] == v.gender[None, :])
    needed = np.asarray(rules.min_experience_by_complexity, dtype=np.int16)[np.clip(r.complexity, 0, 3)]
    masks = {
        "approved": np.broadcast_to(v.approved[None, :], shape),
        "capacity": np.broadcast_to((v.capacity > 0)[None, :], shape),
        "program": np.broadcast_to(kind_ok[:, None], shape),
        "supports": supports_ok,
        "age_eligible": np.broadcast_to(age_ok[:, None], shape),
        "required_gender": gender_ok,
        "distance": within_distance(km, rules),
        "experience_minimum": v.experience[None, :].astype(np.int16) >= needed[:, None],
    }
    for name, pairs in (("excluded", excluded), ("already_matched", matched)):
        mask = np.ones(shape, dtype=bool)
        pairs = list(pairs)
        if pairs:
            rows, cols = zip(*pairs, strict=True)
            mask[list(rows), list(cols)] = False
        masks[name] = mask
    return masks
