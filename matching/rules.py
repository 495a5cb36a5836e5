"""Hard rules: masks, never weights. A pair that breaks one is not a candidate, whatever its score."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matching.features import NO_GENDER, RequestFeatures, VolunteerFeatures
from matching.profiles import HEAVY_COMPLEXITY, ProgramRules

RULES: tuple[str, ...] = (
    "approved", "capacity", "program", "supports", "age_eligible", "required_gender", "distance",
    "experience_minimum", "heavy_cases", "child_certificate", "certificate_valid", "excluded", "already_matched",
)


def within_distance(km: np.ndarray, rules: ProgramRules) -> np.ndarray:
    """The distance rule: at most the program's maximum distance apart."""
    return km <= rules.max_distance_km


def required_experience(complexity: np.ndarray | int, rules: ProgramRules) -> np.ndarray:
    """The least volunteer experience a request of this complexity needs (the program's table)."""
    table = np.asarray(rules.min_experience_by_complexity, dtype=np.int16)
    return table[np.clip(np.asarray(complexity, dtype=np.int16), 0, len(table) - 1)]


def is_heavy(complexity: np.ndarray | int) -> np.ndarray:
    """A heavy case: it counts against the program's cap on heavy cases per volunteer."""
    return np.asarray(complexity) >= HEAVY_COMPLEXITY


def heavy_room(heavy_cases: np.ndarray | int, rules: ProgramRules) -> np.ndarray:
    """How many more heavy cases each volunteer may take (a large number when there is no cap)."""
    held = np.asarray(heavy_cases, dtype=np.int64)
    if rules.max_high_complexity_per_volunteer is None:
        return np.full(held.shape, np.iinfo(np.int32).max, dtype=np.int64)
    return np.maximum(0, int(rules.max_high_complexity_per_volunteer) - held)


def holds_everywhere(mask: np.ndarray) -> bool:
    """A mask that is one True broadcast over the block: nothing to combine or count."""
    return mask.size == 0 or (mask.strides == (0,) * mask.ndim and bool(mask.flat[0]))


def _either(row_ok: np.ndarray, column_ok: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """row_ok[:, None] | column_ok[None, :], without building the block when it is all True
    (no heavy case or child in the block, or every volunteer has room and a certificate)."""
    if row_ok.all() or column_ok.all():
        return np.broadcast_to(True, shape)
    return row_ok[:, None] | column_ok[None, :]


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
    needed = required_experience(r.complexity, rules)
    heavy = is_heavy(r.complexity)
    masks = {
        "approved": np.broadcast_to(v.approved[None, :], shape),
        "capacity": np.broadcast_to((v.capacity > 0)[None, :], shape),
        "program": np.broadcast_to(kind_ok[:, None], shape),
        "supports": supports_ok,
        "age_eligible": np.broadcast_to(age_ok[:, None], shape),
        "required_gender": gender_ok,
        "distance": within_distance(km, rules),
        "experience_minimum": v.experience[None, :].astype(np.int16) >= needed[:, None],
        # A volunteer who already holds as many heavy cases as the cap allows gets no other.
        "heavy_cases": _either(~heavy, heavy_room(v.heavy_cases, rules) > 0, shape),
        # A child under 15 only meets a volunteer with a børneattest received without remarks.
        "child_certificate": _either(~r.children_under_15, v.child_certificate, shape),
        # A børneattest past its renewal date: the volunteer gets no new proposal at all.
        "certificate_valid": np.broadcast_to(v.certificate_valid[None, :], shape),
    }
    for name, pairs in (("excluded", excluded), ("already_matched", matched)):
        mask = np.ones(shape, dtype=bool)
        pairs = list(pairs)
        if pairs:
            rows, cols = zip(*pairs, strict=True)
            mask[list(rows), list(cols)] = False
        masks[name] = mask
    return masks
