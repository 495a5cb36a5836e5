"""Scoring a whole pool: the hard rules prune first, then the components of the allowed pairs.

Pairs are never enumerated request by volunteer. People live at a few thousand places (postcode
coordinates), so the distance limit is settled between places, once: each request meets only
the volunteers of places within reach, found through a grid of cells as wide as the limit. The
other hard rules read a handful of discrete attributes, so they are settled once between groups
of people alike in all of them (a table of group x group). Each block of nearby requests is then
scored against its reachable volunteers with the component functions on the whole block at once
(broadcast, float32), and the best K per request are kept for the optimizer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matching.components import BY_GROUP, COMPONENTS, all_components, combine, component, distance
from matching.features import (
    RequestFeatures,
    VolunteerFeatures,
    request_features,
    text_model,
    volunteer_features,
)
from matching.geo import EARTH_RADIUS_KM, planar_km
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.rules import RULES, is_heavy, rule_masks, within_distance
from matching.text import TextModel

# Cells (requests x volunteers) scored at once: bounds memory (a few tens of MB per block).
BLOCK_CELLS = 1_000_000
# Requests are blocked by squares this fraction of the distance limit wide, so that one block's
# reachable volunteers are nearly all within reach of each of its requests.
BLOCK_SQUARE = 0.25
# Rules settled by place (distance) or by listed pair, not by the group table.
_NOT_BY_GROUP = ("distance", "excluded", "already_matched")
# Features that vary person by person and that no group rule reads (a test checks this).
UNGROUPED = frozenset({"ids", "lat", "lon", "waiting_days", "slot_mask", "text", "languages", "language_sets"})


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


def pair_cosine(r: RequestFeatures, v: VolunteerFeatures, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """TF-IDF cosine of given pairs (rows are L2-normalised, so a dot product)."""
    if len(ri) == 0 or r.text.shape[1] == 0:
        return np.zeros(len(ri), dtype=np.float32)
    # A block's product is small enough to make dense; gathering from it beats sparse indexing.
    product = (r.text @ v.text.T).toarray()
    return product[ri, ci].astype(np.float32)




def block_cosine(r: RequestFeatures, v: VolunteerFeatures) -> np.ndarray:
    """TF-IDF cosine of every request of a block with every candidate (rows x candidates, float32)."""
    if len(r) == 0 or len(v.ids) == 0 or r.text.shape[1] == 0:
        return np.zeros((len(r), len(v.ids)), dtype=np.float32)
    return (r.text @ v.text.T).toarray().astype(np.float32)


# --- places: the distance limit settled between places, not between people -------------------

@dataclass
class _Places:
    of: np.ndarray  # place index of each person
    lat: np.ndarray
    lon: np.ndarray


def _places(lat: np.ndarray, lon: np.ndarray) -> _Places:
    if len(lat) == 0:
        return _Places(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    unique, inverse = np.unique(np.stack([lat, lon], axis=1), axis=0, return_inverse=True)
    return _Places(inverse.ravel().astype(np.int64), unique[:, 0].copy(), unique[:, 1].copy())


def _plane(places: _Places, scale: float, size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid cells (x, y) of each place on an equirectangular plane, and which places have coordinates."""
    known = np.isfinite(places.lat) & np.isfinite(places.lon)
    if not np.isfinite(size):
        zero = np.zeros(len(places.lat), np.int64)
        return zero, zero, known
    x = np.where(known, EARTH_RADIUS_KM * np.radians(places.lon) * scale / size, 0.0)
    y = np.where(known, EARTH_RADIUS_KM * np.radians(places.lat) / size, 0.0)
    return np.floor(x).astype(np.int64), np.floor(y).astype(np.int64), known


def _near_places(rp: _Places, vp: _Places, rules: ProgramRules) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (request place, volunteer place, km) within the distance limit, sorted by place pair."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    if len(rp.lat) == 0 or len(vp.lat) == 0:
        return empty
    # The plane is scaled by the smallest cosine of a request's latitude, so distances on it are
    # never longer than planar_km's: a pair within the limit lies in the same or a neighbouring
    # cell when cells are as wide as the limit (a little wider, against rounding).
    known = np.isfinite(rp.lat)
    scale = float(np.cos(np.radians(np.abs(rp.lat[known]))).min()) if known.any() else 1.0
    size = max(float(rules.max_distance_km) * 1.001, 1.0) if np.isfinite(rules.max_distance_km) else np.inf
    rx, ry, r_known = _plane(rp, scale, size)
    vx, vy, v_known = _plane(vp, scale, size)
    v_cells: dict[tuple[int, int], np.ndarray] = {}
    v_order = np.lexsort((vy, vx))
    v_order = v_order[v_known[v_order]]
    if len(v_order):
        keys = np.stack([vx[v_order], vy[v_order]], axis=1)
        cuts = np.flatnonzero(np.any(keys[1:] != keys[:-1], axis=1)) + 1
        for part in np.split(v_order, cuts):
            v_cells[(int(vx[part[0]]), int(vy[part[0]]))] = part
    r_order = np.lexsort((ry, rx))
    r_order = r_order[r_known[r_order]]
    if len(r_order) == 0 or not v_cells:
        return empty
    keys = np.stack([rx[r_order], ry[r_order]], axis=1)
    cuts = np.flatnonzero(np.any(keys[1:] != keys[:-1], axis=1)) + 1
    out_r, out_v, out_km = [], [], []
    for part in np.split(r_order, cuts):
        cx, cy = int(rx[part[0]]), int(ry[part[0]])
        around = [v_cells[(cx + dx, cy + dy)] for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (cx + dx, cy + dy) in v_cells]
        if not around:
            continue
        candidates = np.concatenate(around)
        km = planar_km(rp.lat[part][:, None], rp.lon[part][:, None], vp.lat[candidates][None, :],
                       vp.lon[candidates][None, :])
        i, j = np.nonzero(within_distance(km, rules))
        out_r.append(part[i])
        out_v.append(candidates[j])
        out_km.append(km[i, j])
    if not out_r:
        return empty
    r_place, v_place, km = np.concatenate(out_r), np.concatenate(out_v), np.concatenate(out_km)
    order = np.lexsort((v_place, r_place))
    return r_place[order], v_place[order], km[order]


# --- groups: the other hard rules settled between groups of people alike -----------------------

def _groups(features: RequestFeatures | VolunteerFeatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """People alike in every attribute a group rule may read: (group of each, one of each group, sizes).

    Every one-value-per-person feature counts except those in ``UNGROUPED`` (coordinates, text,
    slots, waiting days, ids), so a new rule on a new attribute is grouped correctly by itself.
    """
    n = len(features.ids)
    key = np.zeros(n, dtype=np.int64)
    for name, values in vars(features).items():
        if name in UNGROUPED or not isinstance(values, np.ndarray) or values.ndim != 1:
            continue
        _, code = np.unique(values, return_inverse=True)
        # Renumber after each attribute so that the combined key stays small.
        _, key = np.unique(key * (int(code.max(initial=0)) + 1) + code.ravel(), return_inverse=True)
        key = key.ravel().astype(np.int64)
    _, first, group_of, sizes = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    return group_of.ravel().astype(np.int64), first.astype(np.int64), sizes.astype(np.int64)


def _group_by(features: RequestFeatures | VolunteerFeatures, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """People alike in the named attributes: (group of each, one of each group)."""
    key = np.zeros(len(features.ids), dtype=np.int64)
    for name in names:
        values = getattr(features, name)
        _, code = np.unique(values, axis=0 if values.ndim > 1 else None, return_inverse=True)
        _, key = np.unique(key * (int(code.max(initial=0)) + 1) + code.ravel(), return_inverse=True)
        key = key.ravel().astype(np.int64)
    _, first, group_of = np.unique(key, return_index=True, return_inverse=True)
    return group_of.ravel().astype(np.int64), first.astype(np.int64)


@dataclass
class _Table:
    """A component's value for each pair of groups, and each person's group."""

    request_group: np.ndarray
    volunteer_group: np.ndarray
    values: np.ndarray  # float32, request groups x volunteer groups, times the component's weight share


# A component goes by group only while its table stays small.
MAX_TABLE = 4_000_000


def _component_tables(rf: RequestFeatures, vf: VolunteerFeatures, rules: ProgramRules) -> dict[str, _Table]:
    """The components of ``BY_GROUP``, evaluated once per pair of groups by the component itself."""
    total_weight = sum(max(0.0, rules.weights.get(name, 0.0)) for name in COMPONENTS)
    tables = {}
    for name, (r_names, v_names) in BY_GROUP.items():
        weight = max(0.0, rules.weights.get(name, 0.0))
        if not weight or total_weight <= 0:
            continue
        r_group, r_first = _group_by(rf, r_names)
        v_group, v_first = _group_by(vf, v_names)
        if len(r_first) * len(v_first) > MAX_TABLE:
            continue
        values = component(name, rf.take(r_first), vf.take(v_first), np.arange(len(r_first))[:, None],
                           np.arange(len(v_first))[None, :], np.zeros(0), np.zeros(0), rules)
        share = np.float32(weight / total_weight)
        tables[name] = _Table(r_group, v_group, np.broadcast_to(values, (len(r_first), len(v_first))) * share)
    return tables


def _group_rules(rf: RequestFeatures, vf: VolunteerFeatures, rules: ProgramRules,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Request groups x volunteer groups: where every group rule holds; and what each rule removes."""
    r_group, r_first, r_sizes = _groups(rf)
    v_group, v_first, v_sizes = _groups(vf)
    r_rep, v_rep = rf.take(r_first), vf.take(v_first)
    table = np.ones((len(r_first), len(v_first)), dtype=bool)
    removed: dict[str, int] = {}
    step = max(1, 4_000_000 // max(len(v_first), 1))
    for start in range(0, len(r_first), step):
        stop = min(len(r_first), start + step)
        part = r_rep.block(start, stop)
        masks = rule_masks(part, v_rep, np.zeros((stop - start, len(v_first))), rules)
        for name, mask in masks.items():
            if name in _NOT_BY_GROUP:
                continue
            table[start:stop] &= mask
            failing = r_sizes[start:stop] @ (~mask).astype(np.int64) @ v_sizes
            removed[name] = removed.get(name, 0) + int(failing)
    return r_group, v_group, table, removed


# --- the pool ----------------------------------------------------------------------------------

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
    ``block_size`` caps the requests scored at once (the result does not depend on it).
    """
    started = time.perf_counter()
    model = text_model(requests, volunteers)
    rf = request_features(requests, today, model)
    vf = volunteer_features(volunteers, today, model)
    request_index = {int(i): k for k, i in enumerate(rf.ids)}
    volunteer_index = {int(i): k for k, i in enumerate(vf.ids)}
    listed = {"excluded": _index_pairs(exclusions, request_index, volunteer_index),
              "already_matched": _index_pairs(already_matched, request_index, volunteer_index)}
    features_seconds = time.perf_counter() - started

    started = time.perf_counter()
    n_r, n_v = len(rf), len(vf.ids)
    r_group, v_group, table, removed = _group_rules(rf, vf, rules)
    rp, vp = _places(rf.lat, rf.lon), _places(vf.lat, vf.lon)
    near_r, near_v, near_km = _near_places(rp, vp, rules)
    within = np.bincount(rp.of, minlength=len(rp.lat))[near_r] * np.bincount(vp.of, minlength=len(vp.lat))[near_v]
    removed["distance"] = n_r * n_v - int(within.sum())
    for name, (rows, cols) in listed.items():
        removed[name] = len(np.unique(rows * max(n_v, 1) + cols)) if len(rows) else 0
    never = np.concatenate([rows * max(n_v, 1) + cols for rows, cols in listed.values()])
    removed = {name: removed.get(name, 0) for name in RULES}

    keep_k = top_k if top_k is not None and top_k < n_v else None
    tables = _component_tables(rf, vf, rules) if len(rf) and n_v else {}
    rows, cols, km, cosine, allowed_total = _score_blocks(
        rf, vf, rules, r_group, v_group, table, tables, rp, vp, near_r, near_v, near_km, never, keep_k, block_size)
    # The kept pairs get their components from the component functions, pair by pair, exactly as
    # an explanation computes them; the blocks only chose which pairs to keep.
    order = np.lexsort((cols, rows))  # deterministic: by request, then volunteer
    rows, cols, km, cosine = rows[order], cols[order], km[order], cosine[order]
    components = all_components(rf, vf, rows, cols, km, cosine, rules)
    scores = combine(components, rules.weights) if len(rows) else np.zeros(0)
    score_seconds = time.perf_counter() - started
    return ScoredPool(
        request_ids=rf.ids,
        volunteer_ids=vf.ids,
        rows=rows.astype(np.int64),
        cols=cols.astype(np.int64),
        scores=scores.astype(np.float64),
        components=components,
        capacity=vf.capacity.copy(),
        high_complexity=is_heavy(rf.complexity),
        weights=dict(rules.weights),
        pairs_considered=n_r * n_v,
        pairs_allowed=int(allowed_total),
        removed_by_rule=removed,
        phases={"features": features_seconds, "score": score_seconds},
        text_model=model,
        heavy_cases=vf.heavy_cases.astype(np.int64),
    )


def _gather(table: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """table[rows[i], cols[j]] for every i, j: whole rows first, then columns (several times faster
    than one broadcast fancy index, which computes and follows an index per cell)."""
    if table.shape[0] <= len(rows):
        return table[:, cols][rows]
    return table[rows][:, cols]


def _score_blocks(rf: RequestFeatures, vf: VolunteerFeatures, rules: ProgramRules, r_group: np.ndarray,
                  v_group: np.ndarray, table: np.ndarray, tables: dict[str, _Table], rp: _Places, vp: _Places,
                  near_r: np.ndarray, near_v: np.ndarray, near_km: np.ndarray, never: np.ndarray,
                  keep_k: int | None, block_size: int | None,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Blocks of requests close together, each against the volunteers within reach of any of them.

    Returns the kept pairs (rows, cols) with their distance and text cosine, and the number of
    allowed pairs.
    """
    n_v = len(vf.ids)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.float32), 0)
    open_r = np.flatnonzero(table.any(axis=1)[r_group]) if len(r_group) else np.zeros(0, np.int64)
    open_v = np.flatnonzero(table.any(axis=0)[v_group]) if len(v_group) else np.zeros(0, np.int64)
    if len(open_r) == 0 or len(open_v) == 0 or len(near_r) == 0:
        return empty
    # Open volunteers by place: the volunteers of place p are by_place[v_start[p]:v_start[p + 1]].
    by_place = open_v[np.argsort(vp.of[open_v], kind="stable")]
    v_start = np.searchsorted(vp.of[by_place], np.arange(len(vp.lat) + 1))
    near_start = np.searchsorted(near_r, np.arange(len(rp.lat) + 1))
    # Requests by square (a fraction of the limit wide), then by place.
    known = np.isfinite(rp.lat)
    scale = float(np.cos(np.radians(np.abs(rp.lat[known]))).min()) if known.any() else 1.0
    square = max(float(rules.max_distance_km) * BLOCK_SQUARE, 1e-3) if np.isfinite(rules.max_distance_km) else np.inf
    sx, sy, _ = _plane(rp, scale, square)
    place = rp.of[open_r]
    order = np.lexsort((open_r, place, sy[place], sx[place]))
    requests = open_r[order]
    squares = np.stack([sx[rp.of[requests]], sy[rp.of[requests]]], axis=1)
    cuts = np.flatnonzero(np.any(squares[1:] != squares[:-1], axis=1)) + 1
    # Listed pairs (exclusions, open matches) by request, and where a request or volunteer sits in
    # the block being scored.
    never = np.unique(never)
    never_rows, never_cols = never // max(n_v, 1), never % max(n_v, 1)
    row_at = np.full(len(rf), -1, dtype=np.int64)
    col_at = np.full(n_v, -1, dtype=np.int64)
    total_weight = sum(max(0.0, rules.weights.get(name, 0.0)) for name in COMPONENTS)
    if total_weight <= 0:
        raise ValueError("at least one scoring weight must be positive")
    out: list[tuple[np.ndarray, ...]] = []
    allowed_total = 0
    for rows in np.split(requests, cuts):
        r_places = np.unique(rp.of[rows])
        entries = np.concatenate([np.arange(near_start[p], near_start[p + 1]) for p in r_places])
        if len(entries) == 0:
            continue
        v_places = np.unique(near_v[entries])
        counts = v_start[v_places + 1] - v_start[v_places]
        if counts.sum() == 0:
            continue
        # Distances between this square's places and the places within reach (inf = out of reach),
        # and what they mean for the rule and the distance component.
        km_table = np.full((len(r_places), len(v_places)), np.inf)
        km_table[np.searchsorted(r_places, near_r[entries]), np.searchsorted(v_places, near_v[entries])] = near_km[entries]
        reach_table = within_distance(km_table, rules)
        near_table = (distance(km_table, rules) * np.float32(max(0.0, rules.weights.get("distance", 0.0)) / total_weight))
        first = np.repeat(v_start[v_places] - np.cumsum(counts) + counts, counts)
        cols = by_place[first + np.arange(int(counts.sum()))]
        col_place = np.repeat(np.arange(len(v_places)), counts)
        vb = vf.take(cols)
        col_at[cols] = np.arange(len(cols))
        step = max(1, BLOCK_CELLS // len(cols))
        if block_size is not None:
            step = min(step, max(1, int(block_size)))
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            allowed = _gather(table, r_group[chunk], v_group[cols])
            if len(never):
                row_at[chunk] = np.arange(len(chunk))
                i, j = row_at[never_rows], col_at[never_cols]
                hit = (i >= 0) & (j >= 0)
                allowed[i[hit], j[hit]] = False
                row_at[chunk] = -1
            chunk_places = np.searchsorted(r_places, rp.of[chunk])
            allowed &= _gather(reach_table, chunk_places, col_place)
            n_allowed = int(np.count_nonzero(allowed))
            if n_allowed == 0:
                continue
            allowed_total += n_allowed
            rb = rf.take(chunk)
            cosine = block_cosine(rb, vb)
            i, j = _best_of_block(rb, vb, chunk, cols, rules, tables, _gather(near_table, chunk_places, col_place),
                                  cosine, allowed, keep_k, total_weight)
            out.append((chunk[i], cols[j], km_table[chunk_places[i], col_place[j]], cosine[i, j]))
        col_at[cols] = -1
    if not out:
        return (*empty[:4], allowed_total)
    return (*(np.concatenate([part[n] for part in out]) for n in range(4)), allowed_total)


def _best_of_block(rb: RequestFeatures, vb: VolunteerFeatures, rows: np.ndarray, cols: np.ndarray,
                   rules: ProgramRules, tables: dict[str, _Table], near: np.ndarray, cosine: np.ndarray,
                   allowed: np.ndarray, keep_k: int | None, total_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The allowed pairs of one block to keep: all, or the best ``keep_k`` of each request.

    Ranked by the score in float32, on the whole block at once: components by group from their
    tables, the others by the component functions on broadcast index arrays.
    """
    if keep_k is None or keep_k >= len(cols):
        return np.nonzero(allowed)
    ri = np.arange(len(rows))[:, None]
    ci = np.arange(len(cols))[None, :]
    ranked = near.astype(np.float32, copy=True)
    for name in COMPONENTS:
        weight = max(0.0, rules.weights.get(name, 0.0))
        if name == "distance" or not weight:
            continue
        if name in tables:
            t = tables[name]
            ranked += _gather(t.values, t.request_group[rows], t.volunteer_group[cols])
        else:
            ranked += np.float32(weight / total_weight) * component(name, rb, vb, ri, ci, near, cosine, rules)
    ranked -= np.float32(2.0) * ~allowed  # below every allowed pair (arithmetic beats a masked write)
    best = np.argpartition(ranked, len(cols) - keep_k, axis=1)[:, len(cols) - keep_k:]
    i = np.repeat(np.arange(len(rows)), keep_k)
    j = best.ravel()
    fine = allowed[i, j]
    return i[fine], j[fine]
