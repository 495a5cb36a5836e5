"""Why a pair scores what it scores, and who else a request could have.

Computed with the same feature, component and rule functions as the pool, on a one-pair block,
so an explanation always adds up to the score it explains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matching.components import COMPONENTS, all_components, combine
from matching.features import request_features, text_model, volunteer_features
from matching.geo import planar_km
from matching.profiles import (
    DAYPARTS,
    WEEKDAYS,
    ProgramRules,
    RequestProfile,
    VolunteerProfile,
    slots_of,
)
from matching.rules import RULES, heavy_room, is_heavy, required_experience, rule_masks
from matching.scoring import ScoredPool, pair_cosine
from matching.text import TextModel, document


@dataclass
class ComponentExplanation:
    name: str
    weight: float
    value: float  # in [0, 1]
    contribution: float  # weight * value / sum of weights: the part of the total
    detail: dict = field(default_factory=dict)


@dataclass
class RuleCheck:
    name: str
    held: bool


@dataclass
class PairExplanation:
    request_id: int
    volunteer_id: int
    total: float
    allowed: bool
    components: list[ComponentExplanation]
    rules: list[RuleCheck]

    @property
    def broken_rules(self) -> list[str]:
        return [r.name for r in self.rules if not r.held]

    def as_dict(self) -> dict:
        return {
            "total": round(self.total, 4),
            "allowed": self.allowed,
            "components": [vars(c) for c in self.components],
            "rules": [vars(r) for r in self.rules],
        }


def experience_standing(request: RequestProfile, volunteer: VolunteerProfile, rules: ProgramRules) -> dict:
    """The volunteer's experience against what the request's complexity needs, with warnings.

    ``warnings``: "experience_at_minimum" when the volunteer has just the least experience the
    program allows for this complexity (and the case is heavy or needs any experience at all);
    "last_heavy_place" when this heavy case would use the volunteer's last place under the cap.
    The hard rules themselves are ``experience_minimum`` and ``heavy_cases`` in matching.rules.
    """
    needed = int(required_experience(request.complexity, rules))
    heavy = bool(is_heavy(request.complexity))
    cap = rules.max_high_complexity_per_volunteer
    warnings = []
    if volunteer.experience == needed and (needed > 0 or heavy):
        warnings.append("experience_at_minimum")
    if heavy and cap is not None and int(heavy_room(volunteer.heavy_cases, rules)) == 1:
        warnings.append("last_heavy_place")
    return {"experience": volunteer.experience, "complexity": request.complexity, "required": needed,
            "heavy": heavy, "heavy_cases": volunteer.heavy_cases, "heavy_cap": cap, "warnings": warnings}


def explain_pair(
    request: RequestProfile,
    volunteer: VolunteerProfile,
    rules: ProgramRules,
    today: date,
    exclusions: Iterable[tuple[int, int]] = (),
    already_matched: Iterable[tuple[int, int]] = (),
    model: TextModel | None = None,
) -> PairExplanation:
    """Components with weights, values and the facts behind them, and every hard rule's verdict.

    Pass the pool's ``model`` (``ScoredPool.text_model``) to get exactly the pool's score; without
    it the interests are weighed in a text space made of this pair alone.
    """
    model = model or text_model([request], [volunteer])
    rf = request_features([request], today, model)
    vf = volunteer_features([volunteer], today, model)
    km = planar_km(rf.lat[:, None], rf.lon[:, None], vf.lat[None, :], vf.lon[None, :])
    pair = (request.id, volunteer.id)
    masks = rule_masks(rf, vf, km, rules, [(0, 0)] if pair in set(exclusions) else [],
                       [(0, 0)] if pair in set(already_matched) else [])
    ri = ci = np.zeros(1, dtype=np.int64)
    comps = all_components(rf, vf, ri, ci, km[0:1, 0], pair_cosine(rf, vf, ri, ci), rules)
    total = float(combine(comps, rules.weights)[0])
    weight_sum = sum(max(0.0, rules.weights.get(n, 0.0)) for n in COMPONENTS)
    details = _details(request, volunteer, rules, today, float(km[0, 0]), model)
    components = [
        ComponentExplanation(
            name=name,
            weight=float(rules.weights.get(name, 0.0)),
            value=round(float(comps[name][0]), 4),
            contribution=round(float(comps[name][0]) * max(0.0, rules.weights.get(name, 0.0)) / weight_sum, 4),
            detail=details[name],
        )
        for name in COMPONENTS
    ]
    checks = [RuleCheck(name, bool(masks[name][0, 0])) for name in RULES]
    return PairExplanation(request.id, volunteer.id, total, all(c.held for c in checks), components, checks)


def _details(request: RequestProfile, volunteer: VolunteerProfile, rules: ProgramRules, today: date, km: float,
             model: TextModel) -> dict[str, dict]:
    shared_slots = slots_of(request.availability & volunteer.availability)
    shared_words = sorted(
        t for t in model.terms(request.interests_text) & model.terms(volunteer.interests_text) if not t.startswith("tag_")
    )
    _ = document  # the same documents the text model was fitted on
    langs = {
        code: min(level, volunteer.languages[code])
        for code, level in request.languages.items()
        if code in volunteer.languages
    }
    return {
        "interests": {"shared_tags": sorted(set(request.interests) & set(volunteer.interests)),
                      "shared_words": shared_words[:10]},
        "languages": {"shared": dict(sorted(langs.items(), key=lambda kv: -kv[1]))},
        "distance": {"km": round(km, 1), "max_km": rules.max_distance_km},
        "availability": {"shared_slots": [f"{WEEKDAYS[d]}-{DAYPARTS[p]}" for d, p in shared_slots]},
        "age": {"volunteer_age": today.year - volunteer.birth_year, "youth_age": request.age,
                "wished_range": [volunteer.age_min, volunteer.age_max]},
        "wishes": {"mentor_gender_preferred": request.mentor_gender_preferred, "volunteer_gender": volunteer.gender,
                   "mentee_gender_wish": volunteer.mentee_gender_wish, "youth_gender": request.gender},
        "experience": experience_standing(request, volunteer, rules),
        "waiting": {"request_days": max(0, (today - request.waiting_since).days),
                    "volunteer_days": max(0, (today - volunteer.waiting_since).days),
                    "no_trusted_adult": request.no_trusted_adult},
    }


@dataclass
class Alternative:
    volunteer_index: int
    volunteer_id: int
    score: float


def alternatives(pool: ScoredPool, request_index: int, n: int = 3, exclude_volunteer: int | None = None) -> list[Alternative]:
    """The next best candidates of one request, best first."""
    if n <= 0:
        return []
    edges = pool.edges_of(request_index)
    cols, scores = pool.cols[edges], pool.scores[edges]
    order = np.lexsort((cols, -scores))
    out = []
    for k in order:
        v = int(cols[k])
        if v == exclude_volunteer:
            continue
        out.append(Alternative(v, int(pool.volunteer_ids[v]), float(scores[k])))
        if len(out) == n:
            break
    return out
