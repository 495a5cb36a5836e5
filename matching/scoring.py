"""Scoring a whole pool in blocks: masks first, then the components of the allowed pairs only,
and the best K candidates per request kept for the optimizer."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matching.components import COMPONENTS, all_components, combine
from matching.features import (
    RequestFeatures,
    VolunteerFeatures,
    request_features,
    text_model,
    volunteer_features,
)
from matching.geo import planar_km
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.rules import RULES, holds_everywhere, is_heavy, rule_masks
from matching.text import TextModel

# Cells (requests x volunteers) handled at once: bounds memory at a few hundred MB.
BLOCK_CELLS = 2_000_000


@dataclass
class ScoredPool:
    """The candidate pairs of a pool with their scores and component values (one entry per edge)."""

    request_ids: np.ndarray
    volunteer_ids: np.ndarray
    rows: np.ndarray  # request index of each candidate pair
    cols: np.ndarray  # volunteer index of each candidate pair
    scores: np.ndarray  # total score in [0, 1]
    components: dict[str, np.ndarray]
    capacity: np.ndarray  # per volunteer
    high_complexity: np.ndarray  # per request: a heavy case (complexity >= HEAVY_COMPLEXITY)
    weights: dict[str, float]
    pairs_considered: int = 0
    pairs_allowed: int = 0
    removed_by_rule: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    text_model: TextModel | None = None
    # Per volunteer: heavy cases already held in open matches (they count against the cap).
    heavy_cases: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def edges_of(self, request_index: int) -> slice:
        """The slice of the edge arrays that belongs to one request (edges are sorted by request)."""
        lo, hi = np.searchsorted(self.rows, [request_index, request_index + 1])
        return slice(int(lo), int(hi))


def _index_pairs(pairs: Iterable[tuple[int, int]], request_index: dict[int, int], volunteer_index: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    for request_id, volunteer_id in pairs:
        r, v = request_index.get(request_id), volunteer_index.get(volunteer_id)
        if r is not None and v is not None:
            rows.append(r)
            cols.append(v)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def _in_block(rows: np.ndarray, cols: np.ndarray, start: int, stop: int) -> list[tuple[int, int]]:
    keep = (rows >= start) & (rows < stop)
    return list(zip((rows[keep] - start).tolist(), cols[keep].tolist(), strict=True))


def pair_cosine(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """TF-IDF cosine of given pairs (rows are L2-normalised, so a dot product)."""
    if len(ri) == 0 or r.text.shape[1] == 0:
        return np.zeros(len(ri), dtype=np.float32)
    # A block's product is small enough to make dense; gathering from it beats sparse indexing.
    product = (r.text @ v.text.T).toarray()
    return product[ri, ci].astype(np.float32)


def score_block(
    r: RequestFeatures,
    v: VolunteerFeatures,
    rules: ProgramRules,
    excluded: list[tuple[int, int]] = (),  # type: ignore[assignment]
    matched: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Allowed pairs of one block: (rows, cols, scores, components, rule masks)."""
    km = planar_km(r.lat[:, None], r.lon[:, None], v.lat[None, :], v.lon[None, :])
    masks = rule_masks(r, v, km, rules, excluded, matched)
    allowed = np.ones(km.shape, dtype=bool)
    for mask in masks.values():
        if not holds_everywhere(mask):  # a rule that holds for the whole block costs nothing
            allowed &= mask
    ri, ci = np.nonzero(allowed)
    comps = all_components(r, v, ri, ci, km[ri, ci], pair_cosine(r, v, ri, ci), rules)
    return ri, ci, combine(comps, rules.weights), comps, masks


def score_pool(
    requests: Sequence[RequestProfile],
    volunteers: Sequence[VolunteerProfile],
    rules: ProgramRules,
    today: date,
    exclusions: Iterable[tuple[int, int]] = frozenset(),
    already_matched: Iterable[tuple[int, int]] = frozenset(),
    top_k: int | None = None,
    block_size: int | None = None,
) -> ScoredPool:
    """Every allowed pair of the pool with its score, or the best ``top_k`` per request.

    ``exclusions`` and ``already_matched`` are (request id, volunteer id) pairs never to propose.
    """
    started = time.perf_counter()
    model = text_model(requests, volunteers)
    rf = request_features(requests, today, model)
    vf = volunteer_features(volunteers, today, model)
    request_index = {int(i): k for k, i in enumerate(rf.ids)}
    volunteer_index = {int(i): k for k, i in enumerate(vf.ids)}
    ex_rows, ex_cols = _index_pairs(exclusions, request_index, volunteer_index)
    m_rows, m_cols = _index_pairs(already_matched, request_index, volunteer_index)
    features_seconds = time.perf_counter() - started

    started = time.perf_counter()
    n_r, n_v = len(rf), len(vf.ids)
    if block_size is None:
        block_size = max(1, BLOCK_CELLS // max(n_v, 1))
    keep_k = top_k if top_k is not None and top_k < n_v else None
    out_rows, out_cols, out_scores = [], [], []
    out_comps: dict[str, list[np.ndarray]] = {name: [] for name in COMPONENTS}
    removed = dict.fromkeys(RULES, 0)
    allowed_total = 0
    for start in range(0, n_r, block_size):
        stop = min(n_r, start + block_size)
        block = rf.block(start, stop)
        ri, ci, total, comps, masks = score_block(
            block, vf, rules, _in_block(ex_rows, ex_cols, start, stop), _in_block(m_rows, m_cols, start, stop)
        )
        for name, mask in masks.items():
            if not holds_everywhere(mask):
                removed[name] += int(mask.size - np.count_nonzero(mask))
        allowed_total += len(ri)
        if keep_k is not None and len(ri):
            keep = _top_k_per_row(ri, ci, total, keep_k, stop - start, n_v)
            ri, ci, total = ri[keep], ci[keep], total[keep]
            comps = {name: values[keep] for name, values in comps.items()}
        out_rows.append(ri + start)
        out_cols.append(ci)
        out_scores.append(total)
        for name in COMPONENTS:
            out_comps[name].append(comps[name])
    rows = np.concatenate(out_rows) if out_rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(out_cols) if out_cols else np.zeros(0, dtype=np.int64)
    scores = np.concatenate(out_scores) if out_scores else np.zeros(0)
    components = {
        name: (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)) for name, parts in out_comps.items()
    }
    order = np.lexsort((cols, rows))  # deterministic: by request, then volunteer
    score_seconds = time.perf_counter() - started
    return ScoredPool(
        request_ids=rf.ids,
        volunteer_ids=vf.ids,
        rows=rows[order].astype(np.int64),
        cols=cols[order].astype(np.int64),
        scores=scores[order].astype(np.float64),
        components={name: values[order] for name, values in components.items()},
        capacity=vf.capacity.copy(),
        high_complexity=is_heavy(rf.complexity),
        weights=dict(rules.weights),
        pairs_considered=n_r * n_v,
        pairs_allowed=allowed_total,
        removed_by_rule=removed,
        phases={"features": features_seconds, "score": score_seconds},
        text_model=model,
        heavy_cases=vf.heavy_cases.astype(np.int64),
    )


def _top_k_per_row(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, k: int, n_rows: int,
                   n_cols: int) -> np.ndarray:
    """Positions (in the pair arrays) of the k best-scored pairs of each row."""
    # A dense block with -1 for pairs that are not allowed, then a linear-time partition per row.
    dense = np.full((n_rows, n_cols), -1.0)
    position = np.full((n_rows, n_cols), -1, dtype=np.int64)
    dense[rows, cols] = scores
    position[rows, cols] = np.arange(len(rows))
    best = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    chosen = np.take_along_axis(position, best, axis=1).ravel()
    return np.sort(chosen[chosen >= 0])
