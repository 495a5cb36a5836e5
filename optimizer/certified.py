"""Large problems solved on their best candidates, then proven optimal for every pair.

A 2000 x 2000 score matrix has four million pairs, but an optimal assignment uses pairs near
the top of each request's list. So the problem is solved
as a min-cost flow over each request's K best pairs, and that flow is then proven optimal for
all pairs by linear-programming duality: node potentials taken from the sparse optimum (shortest
paths in its residual graph) give every pair left out a reduced cost; when none is negative, no
pair left out could improve the flow. Pairs that could are added and the flow is solved again;
when that does not settle within a few rounds, ``None`` tells the caller to solve it whole.

Everything runs on integer weights, as the plain solver does, so the answer is exactly optimal
for them (not an approximation): a pair missing from the candidates can never be missed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.problem import (
    SCALE,
    Assignment,
    capacity_array,
    check_locks,
    check_objective,
    locked_and_forbidden,
)

# A cell that is not an arc (not allowed, forbidden, or not worth taking).
NOT_ALLOWED = np.int64(-(1 << 62))
# Weights beyond this are left to the plain solver (exact 64-bit potentials and selection keys).
MAX_WEIGHT = 1 << 50
# Below this many cells the plain solver is as fast and the certificate is not worth its set-up.
DENSE_MIN_CELLS = 40_000
# Rounds of "add the pairs that could improve, solve again" before handing over to the plain solver.
MAX_ROUNDS = 6
# Pairs added per request in a round (the ones with the most negative reduced cost).
ADD_PER_ROUND = 8
# A round must at least halve the pairs that could still improve, or the plain solver takes over.
SETTLING = 0.5
# Exact ties are broken by a fixed pseudo-random byte per cell, so that requests whose best
# pairs tie spread over different volunteers instead of all taking the same first columns.
TIE_BITS = 8
_KEY_MIN = np.int64(-(1 << 63))


def default_k(n_volunteers: int) -> int:
    """Candidates per request: enough that random and tie-heavy 2000 x 2000 matrices settle at once."""
    return int(min(n_volunteers, max(16, 2 * np.log2(max(n_volunteers, 2)))))


@dataclass
class TopKSolution:
    rows: np.ndarray  # request of each chosen pair
    cols: np.ndarray  # volunteer of each chosen pair
    rounds: int
    candidate_pairs: int
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, summed over rounds


@dataclass
class _Network:
    """What every round's flow shares: sizes, capacities and the optional gates and bonuses."""

    n_r: int
    n_v: int
    cap: np.ndarray
    cardinality_first: bool
    unmatched_cost: int
    bonus: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        return self.n_r + self.n_v + 2


# Pricing: given the potentials and the pairs carrying flow, the pairs left out that could still
# improve the flow, as (rows, cols).
Pricing = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _rounds(net: _Network, rows: np.ndarray, cols: np.ndarray, weight_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
            price: Pricing, max_rounds: int, seconds: dict[str, float]) -> TopKSolution | None:
    """Solve over the candidates, price the rest, add what could improve; until nothing could."""
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[phase] = seconds.get(phase, 0.0) + now - clock
        clock = now

    potentials = None
    previous = len(rows)
    for round_no in range(1, max_rounds + 1):
        flows = _solve_flow(net, rows, cols, weight_of(rows, cols))
        lap("flow")
        if flows is None:
            return None
        chosen, tails, heads, costs = flows
        potentials = _potentials(tails, heads, costs, net.n_nodes, potentials)
        lap("potentials")
        if potentials is None:
            return None
        add_rows, add_cols = price(potentials, rows[chosen], cols[chosen])
        lap("check")
        if len(add_rows) == 0:
            return TopKSolution(rows[chosen], cols[chosen], round_no, len(rows), seconds)
        if len(add_rows) > len(rows) or len(add_rows) > SETTLING * previous:
            return None  # not settling (e.g. everybody's best volunteers are the same few)
        previous = len(add_rows)
        rows, cols = _sorted_pairs(np.concatenate([rows, add_rows]), np.concatenate([cols, add_cols]), net.n_v)
    return None


def _network(n_r: int, n_v: int, cap: np.ndarray, cardinality_first: bool, top: int,
             bonus: np.ndarray | None) -> _Network | None:
    top = max(top, int(np.abs(bonus).max(initial=0)) if bonus is not None else 0)
    # An unmatched request pays more than any difference in weight can win back: cardinality first.
    unmatched_cost = 2 * 2 * top * (min(n_r, int(cap.sum())) + 1) if cardinality_first else 0
    net = _Network(n_r, n_v, cap, cardinality_first, unmatched_cost, bonus)
    # Potentials are sums of at most n_nodes costs: keep them, and weight + potential, in int64.
    if top >= MAX_WEIGHT or (net.n_nodes + 2) * (max(top, unmatched_cost) + 1) >= 1 << 61:
        return None
    return net


def solve_top_k(
    weights: np.ndarray,
    capacity: np.ndarray,
    cardinality_first: bool,
    k: int | None = None,
    max_rounds: int = MAX_ROUNDS,
    volunteer_bonus: np.ndarray | None = None,
) -> TopKSolution | None:
    """The best b-matching over a dense requests x volunteers matrix of integer weights.

    Each request takes at most one volunteer, each volunteer at most ``capacity``; a cell equal to
    ``NOT_ALLOWED`` is no pair. ``cardinality_first``: as many requests matched as possible, then
    the greatest total weight; otherwise the greatest total weight (a request may stay unmatched).
    ``volunteer_bonus`` (optional, per volunteer, >= 0) is earned once by a volunteer who gets at
    least one request. Returns None when the certificate does not settle in ``max_rounds``
    rounds or the weights are too large; the caller then solves the whole matrix.
    ``weights`` is read, never changed.
    """
    weights = np.asarray(weights)
    if weights.dtype != np.int64 or weights.ndim != 2:
        raise ValueError("weights must be a 2-D int64 matrix")
    n_r, n_v = weights.shape
    cap = np.asarray(capacity, dtype=np.int64)
    bonus = None if volunteer_bonus is None else np.asarray(volunteer_bonus, dtype=np.int64)
    if n_r == 0 or n_v == 0:
        return TopKSolution(np.zeros(0, np.int64), np.zeros(0, np.int64), 0, 0)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    arcs = weights != NOT_ALLOWED
    everything = bool(arcs.all())
    live = cap > 0
    top = max(int(weights.max(initial=0, where=arcs)), -int(weights.min(initial=0, where=arcs)))
    net = _network(n_r, n_v, cap, cardinality_first, top, bonus)
    if net is None:
        return None
    k = default_k(n_v) if k is None else max(1, min(int(k), n_v))
    rows, cols = _candidates(weights, arcs, everything, live, k)
    seconds["select"] = time.perf_counter() - started
    buffer = np.empty_like(weights)

    def price(potentials: np.ndarray, chosen_rows: np.ndarray, chosen_cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _improving_cells(weights, potentials, chosen_rows, chosen_cols, live, buffer)

    return _rounds(net, rows, cols, lambda r, c: weights[r, c], price, max_rounds, seconds)


def _tie_noise(n_r: int, n_v: int) -> np.ndarray:
    # Fixed seed: the same input always gives the same candidates, hence the same answer.
    return np.random.default_rng(20261122).integers(0, 1 << TIE_BITS, size=(n_r, n_v), dtype=np.uint8)


def _candidates(weights: np.ndarray, arcs: np.ndarray, everything: bool, live: np.ndarray,
                k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k heaviest allowed pairs of every request (fewer where a request has fewer), sorted."""
    n_r, n_v = weights.shape
    if k >= n_v:
        rows, cols = np.nonzero(arcs & live[None, :])
        return rows.astype(np.int64), cols.astype(np.int64)
    key = np.left_shift(weights, TIE_BITS)
    np.bitwise_or(key, _tie_noise(n_r, n_v), out=key)
    if not everything:
        key[~arcs] = _KEY_MIN
    best = np.argpartition(key, n_v - k, axis=1)[:, n_v - k:]
    rows = np.repeat(np.arange(n_r, dtype=np.int64), k)
    cols = best.ravel().astype(np.int64)
    keep = arcs[rows, cols] & live[cols]
    rows, cols = rows[keep], cols[keep]
    # A volunteer no request ranks high (one everybody else outshines) still needs a few
    # candidates, or the flow cannot use them: their own best requests.
    degree = np.bincount(cols, minlength=n_v)
    lonely = np.flatnonzero((degree < k // 2) & live & (degree < n_r))
    if len(lonely):
        kc = min(k, n_r)
        best_rows = np.argpartition(key[:, lonely], n_r - kc, axis=0)[n_r - kc:, :]
        more_rows = best_rows.ravel().astype(np.int64)
        more_cols = np.tile(lonely, kc)
        fine = arcs[more_rows, more_cols]
        rows = np.concatenate([rows, more_rows[fine]])
        cols = np.concatenate([cols, more_cols[fine]])
    return _sorted_pairs(rows, cols, n_v)


def _sorted_pairs(rows: np.ndarray, cols: np.ndarray, n_v: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sorted by (request, volunteer), each once."""
    pair_key = np.sort(rows * n_v + cols)
    if len(pair_key) > 1:
        pair_key = pair_key[np.concatenate([[True], pair_key[1:] != pair_key[:-1]])]
    return pair_key // n_v, pair_key % n_v


def _solve_flow(net: _Network, rows: np.ndarray, cols: np.ndarray,
                w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Min-cost flow over the candidate pairs: the chosen pairs and the residual graph's arcs.

    Nodes: source 0, requests 1..n_r, volunteers, sink.
    A request's unit that is not matched goes straight to the sink over the last arc (costing
    ``unmatched_cost``). With ``cardinality_first`` OR-Tools finds the maximum flow of least cost
    without that arc (much faster than a large cost on it) and the arc's flow is what is left.
    """
    n_r, n_v, cap = net.n_r, net.n_v, net.cap
    source, sink = 0, n_r + n_v + 1
    volunteers = 1 + n_r + np.arange(n_v, dtype=np.int64)
    if net.bonus is None:
        v_tails, v_heads, v_caps, v_costs = volunteers, np.full(n_v, sink), cap, np.zeros(n_v, np.int64)
    else:
        # The first request of a volunteer earns the bonus, the rest nothing.
        first = np.minimum(cap, 1)
        v_tails = np.concatenate([volunteers, volunteers])
        v_heads = np.full(2 * n_v, sink)
        v_caps = np.concatenate([first, cap - first])
        v_costs = np.concatenate([-net.bonus, np.zeros(n_v, np.int64)])
    tails = np.concatenate([np.zeros(n_r, np.int64), 1 + rows, v_tails, [source]])
    heads = np.concatenate([1 + np.arange(n_r, dtype=np.int64), 1 + n_r + cols, v_heads, [sink]])
    caps = np.concatenate([np.ones(n_r, np.int64), np.ones(len(rows), np.int64), np.maximum(v_caps, 0), [n_r]])
    costs = np.concatenate([np.zeros(n_r, np.int64), -w, v_costs, [net.unmatched_cost]])
    flow = min_cost_flow.SimpleMinCostFlow()
    n_arcs = len(tails) - 1 if net.cardinality_first else len(tails)
    flow.add_arcs_with_capacity_and_unit_cost(tails[:n_arcs], heads[:n_arcs], caps[:n_arcs], costs[:n_arcs])
    flow.set_nodes_supplies(np.array([source, sink]), np.array([n_r, -n_r]))
    status = flow.solve_max_flow_with_min_cost() if net.cardinality_first else flow.solve()
    if status != flow.OPTIMAL:
        return None
    flows = flow.flows(np.arange(n_arcs))
    if net.cardinality_first:
        flows = np.concatenate([flows, [n_r - flow.maximum_flow()]])
    forward, backward = flows < caps, flows > 0
    residual_tails = np.concatenate([tails[forward], heads[backward]])
    residual_heads = np.concatenate([heads[forward], tails[backward]])
    residual_costs = np.concatenate([costs[forward], -costs[backward]])
    chosen = flows[n_r:n_r + len(rows)] > 0
    return chosen, residual_tails, residual_heads, residual_costs


def _potentials(tails: np.ndarray, heads: np.ndarray, costs: np.ndarray, n_nodes: int,
                start: np.ndarray | None) -> np.ndarray | None:
    """Potentials p with p[head] <= p[tail] + cost on every residual arc (Bellman-Ford, vectorised).

    Any fixed point will do, so the last round's potentials are a warm start, and each pass
    relaxes only the arcs leaving a node that changed in the pass before. None means a negative
    cycle: the flow was not optimal (never expected from OR-Tools; the caller falls back).
    """
    order = np.argsort(tails, kind="stable")
    tails, heads, costs = tails[order], heads[order], costs[order]
    first_arc = np.searchsorted(tails, np.arange(n_nodes + 1))
    p = np.zeros(n_nodes, dtype=np.int64) if start is None else np.minimum(start, 0)
    arcs = np.arange(len(tails))
    for _ in range(n_nodes + 1):
        if len(arcs) == 0:
            return p
        relaxed = p.copy()
        np.minimum.at(relaxed, heads[arcs], p[tails[arcs]] + costs[arcs])
        changed = np.flatnonzero(relaxed < p)
        p = relaxed
        if len(changed) == 0:
            return p
        lo, hi = first_arc[changed], first_arc[changed + 1]
        counts = hi - lo
        arcs = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    return None


def _improving_cells(weights: np.ndarray, potentials: np.ndarray, chosen_rows: np.ndarray, chosen_cols: np.ndarray,
                     live: np.ndarray, buffer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells with a negative reduced cost (weight > p[request] - p[volunteer]), the worst per request.

    Chosen pairs carry flow and are exempt; every other candidate holds by construction.
    """
    n_r, n_v = weights.shape
    p_request = potentials[1:1 + n_r]
    np.add(weights, potentials[1 + n_r:1 + n_r + n_v][None, :], out=buffer)
    buffer[chosen_rows, chosen_cols] = NOT_ALLOWED
    if not live.all():
        buffer[:, ~live] = NOT_ALLOWED
    bad = np.flatnonzero(buffer.max(axis=1) > p_request)
    if len(bad) == 0:
        return bad, bad
    excess = buffer[bad] - p_request[bad, None]
    m = min(ADD_PER_ROUND, n_v)
    worst = np.argpartition(excess, n_v - m, axis=1)[:, n_v - m:]
    improving = np.take_along_axis(excess, worst, axis=1).ravel() > 0
    return np.repeat(bad, m)[improving], worst.ravel()[improving].astype(np.int64)


# --- the dense entry point of ``optimizer.assign`` -------------------------------------------

def assign_dense(
    scores: Any,
    capacity: Any = None,
    locked: Any = (),
    forbidden: Any = (),
    objective: str = "most-matched",
    k: int | None = None,
    min_cells: int = DENSE_MIN_CELLS,
) -> Assignment | None:
    """``optimizer.assign`` without side constraints, through the certified top-K flow.

    Validates as the plain solver does (the same messages) and returns None when this path does
    not apply (a small matrix) or does not settle; the caller then takes the plain path.
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"scores must be a 2-D array (requests x volunteers), got {matrix.ndim} dimensions")
    n_r, n_v = matrix.shape
    if n_r * n_v < min_cells:
        return None
    check_objective(objective)
    if np.isinf(matrix).any():
        raise ValueError("scores must be finite numbers (use NaN, or leave the pair out, for a pair not allowed)")
    cap = capacity_array(capacity, n_v)
    locked_pairs, forbidden_pairs = locked_and_forbidden(locked, forbidden, n_r, n_v)
    if forbidden_pairs:
        matrix = matrix.copy()
        fr, fc = np.array(sorted(forbidden_pairs), dtype=np.int64).T
        matrix[fr, fc] = np.nan
    check_locks(locked_pairs, lambda pair: not np.isnan(matrix[pair]), cap)

    allowed = ~np.isnan(matrix)
    everything = bool(allowed.all())
    # The same integer weights as the plain solver: the largest |score| becomes SCALE.
    high, low = (np.fmax.reduce(matrix, axis=None), np.fmin.reduce(matrix, axis=None)) if allowed.any() else (0, 0)
    top = max(abs(float(high)), abs(float(low))) if allowed.any() else 0.0
    factor = SCALE / top if top > 0 else 1.0
    scaled = np.multiply(matrix, factor)
    np.rint(scaled, out=scaled)
    if not everything:
        scaled[~allowed] = 0.0
    weights = scaled.astype(np.int64)
    del scaled
    if not everything:
        weights[~allowed] = NOT_ALLOWED

    cap_left = cap.copy()
    for _, v in locked_pairs:
        cap_left[v] -= 1
    if locked_pairs:
        weights[[r for r, _ in locked_pairs], :] = NOT_ALLOWED
    if objective == "best-score":
        weights[weights <= 0] = NOT_ALLOWED  # a pair is taken only if it adds
    solution = solve_top_k(weights, cap_left, cardinality_first=objective == "most-matched", k=k)
    if solution is None:
        return None
    pairs = sorted([*locked_pairs, *zip(solution.rows.tolist(), solution.cols.tolist(), strict=True)])
    chosen_r = np.array([r for r, _ in pairs], dtype=np.int64)
    chosen_c = np.array([v for _, v in pairs], dtype=np.int64)
    total = float(matrix[chosen_r, chosen_c].sum()) if pairs else 0.0
    return Assignment(pairs=[(int(r), int(v)) for r, v in pairs], total_score=total, optimal=True, seconds=0.0,
                      solver="min_cost_flow", status="OPTIMAL",
                      stats={"method": "top-k certified", "k": k if k is not None else default_k(n_v),
                             "rounds": solution.rounds, "candidate_pairs": solution.candidate_pairs,
                             "seconds": {name: round(v, 4) for name, v in solution.seconds.items()}})
