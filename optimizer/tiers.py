"""The fair objective: nobody past the waiting target is passed over by a newcomer.

Lexicographic, in this order (each level only breaks ties of the ones before it):

1. the most matched requests;
2. the most matched requests that are past the waiting target, the longest wait first;
3. the most volunteers past the target given a (first) mentee, the longest wait first;
4. the best total score.

"Longest wait first" within a level means: for every number of days t, as many as possible of
those who waited t days or more past the target are served. The sets of requests that can be
matched together form a matroid (a gammoid, also with the high-complexity gate), and so do the
sets of volunteers that can be given a mentee alongside a level-2 optimum (matroid intersection
exchange), so one optimum does this for every t at once and any weights that grow with the wait
find it. We use the smallest such weights, the *rank* of the wait among the distinct waits
(1 = the shortest wait past the target), which keeps every number small.

Exactly, with integers and no big multiplier across the score:

- Stage 1 (min-cost flow): cost -(1 + rank(request)) * U on each request's arc from the source
  and -rank(volunteer) on a first-unit arc from each volunteer to the sink (the rest of their
  capacity costs 0), with U = 1 + the sum of the volunteers' ranks, so level 2 outweighs level 3.
  Level 1 needs no multiplier of its own: every request's weight is positive (U * (1 + rank)), so
  the best set is a largest one. (OR-Tools' ``solve_max_flow_with_min_cost`` on weights U * rank
  gives the same optimum in the same time on 5,000 x 2,500 top-50, so the plain flow stays.)
- Stage 2 (min-cost flow, scores as costs): the levels 1-3 of stage 1 become flow constraints.
  The total flow is fixed; requests hang off a chain of hubs in order of wait, and the capacity
  of the chain arc below rank k keeps at least as many requests of rank >= k matched as in
  stage 1; the volunteers' first-unit arcs run into a chain of collectors whose arcs carry lower
  bounds (as supplies) with the same meaning. Every flow that meets these constraints is
  optimal for levels 1-3, and every such optimum meets them, so stage 2 finds the best score
  among exactly those.

When sibling groups need CP-SAT, the levels are solved one after the other there (the number
past the target, then the sum of their wait ranks), because all-or-none groups break the
matroid structure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True)
class WaitingPriority:
    """How many days past the waiting target each request and volunteer is (0 = within it).

    Only the order of the numbers counts. A volunteer who already has a mentee (or a locked
    pair) is not waiting for one: give them 0.
    """

    requests: Sequence[int] | np.ndarray
    volunteers: Sequence[int] | np.ndarray

    def arrays(self, n_requests: int, n_volunteers: int) -> tuple[np.ndarray, np.ndarray]:
        r = np.asarray(self.requests, dtype=np.int64).ravel()
        v = np.asarray(self.volunteers, dtype=np.int64).ravel()
        if r.shape != (n_requests,) or v.shape != (n_volunteers,):
            raise ValueError(f"waiting priority needs one entry per request ({n_requests}) and per volunteer "
                             f"({n_volunteers}), got {r.shape[0]} and {v.shape[0]}")
        if (r < 0).any() or (v < 0).any():
            raise ValueError("days past the waiting target must not be negative")
        return r, v


def wait_ranks(days: np.ndarray) -> np.ndarray:
    """0 stays 0; the distinct positive values become 1, 2, ... in increasing order."""
    days = np.asarray(days, dtype=np.int64)
    ranks = np.zeros(len(days), dtype=np.int64)
    past = days > 0
    if past.any():
        _, inverse = np.unique(days[past], return_inverse=True)
        ranks[past] = inverse + 1
    return ranks


def coarser(ranks: np.ndarray) -> np.ndarray:
    """Half as many distinct ranks (neighbours merged); 0 stays 0, order is kept."""
    return wait_ranks((ranks + 1) // 2)


@dataclass
class TieredFlow:
    """Edges chosen by the tiered flow, and what the levels came to."""

    chosen: np.ndarray  # bool per given edge
    matched: int
    rank_levels: tuple[int, int]  # distinct wait ranks used (requests, volunteers)
    coarsened: bool


def solve_tiered_flow(
    n_requests: int,
    n_volunteers: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: np.ndarray,
    capacity: np.ndarray,
    request_days: np.ndarray,
    volunteer_days: np.ndarray,
    high: np.ndarray | None = None,
    gate: np.ndarray | None = None,
) -> TieredFlow | None:
    """The lexicographic optimum over the given edges (integer ``weights``, higher is better).

    None when nobody with an edge is past the target: then it is the plain most-matched one.

    ``capacity`` is what each volunteer has left; ``high``/``gate``: high-complexity requests
    reach volunteer v only through a gate of capacity ``gate[v]``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    has_edge = np.zeros(n_requests, dtype=bool)
    has_edge[rows] = True
    reachable = np.zeros(n_volunteers, dtype=bool)
    reachable[cols] = True
    a = wait_ranks(np.where(has_edge, request_days, 0))
    b = wait_ranks(np.where(reachable & (capacity > 0), volunteer_days, 0))
    if not a.any() and not b.any():
        return None  # nobody past the target: the plain most-matched optimum is the fair one
    network = _Network(n_requests, n_volunteers, rows, cols, capacity, high, gate)
    coarsened = False
    while True:
        stage1 = network.stage1(a, b)
        if stage1 is not None:
            break
        # Costs too large for OR-Tools' int64 cost scaling: merge neighbouring waits (the counts
        # of levels 2 and 3 stay exact, only the order within them gets coarser).
        a, b, coarsened = coarser(a), coarser(b), True
    matched_requests, served = stage1
    flow_on_edges = network.stage2(weights, a, b, matched_requests, served)
    return TieredFlow(flow_on_edges > 0, int(flow_on_edges.sum()), (int(a.max(initial=0)), int(b.max(initial=0))),
                      coarsened)


class _Network:
    """Node numbering shared by both stages: source, requests, volunteers, sink, gates, extras."""

    def __init__(self, n_r: int, n_v: int, rows: np.ndarray, cols: np.ndarray, capacity: np.ndarray,
                 high: np.ndarray | None, gate: np.ndarray | None) -> None:
        self.n_r, self.n_v = n_r, n_v
        self.rows, self.cols, self.capacity = rows, cols, capacity
        self.source, self.sink = 0, n_r + n_v + 1
        self.gated = high is not None and gate is not None
        heads = 1 + n_r + cols
        gate_tails = gate_heads = gate_caps = np.zeros(0, np.int64)
        if self.gated:
            gate_nodes = self.sink + 1 + np.arange(n_v, dtype=np.int64)
            heads = np.where(np.asarray(high, dtype=bool)[rows], gate_nodes[cols], heads)
            gate_tails, gate_heads = gate_nodes, 1 + n_r + np.arange(n_v, dtype=np.int64)
            gate_caps = np.maximum(np.asarray(gate, dtype=np.int64), 0)
        self.pair_heads = heads
        self.gate_arcs = (gate_tails, gate_heads, gate_caps)
        self.first_free_node = self.sink + 1 + (n_v if self.gated else 0)

    def _flow(self, tails: list, heads: list, caps: list, costs: list) -> tuple[min_cost_flow.SimpleMinCostFlow,
                                                                              np.ndarray]:
        flow = min_cost_flow.SimpleMinCostFlow()
        tails_, heads_ = np.concatenate(tails), np.concatenate(heads)
        caps_, costs_ = np.concatenate(caps), np.concatenate(costs)
        flow.add_arcs_with_capacity_and_unit_cost(tails_, heads_, caps_, costs_)
        return flow, costs_

    def _volunteer_arcs(self, b: np.ndarray, first_heads: np.ndarray, first_costs: np.ndarray) -> tuple:
        """Volunteer -> sink: capacity; for a waiting one, a first-unit arc to ``first_heads``."""
        volunteer_nodes = 1 + self.n_r + np.arange(self.n_v, dtype=np.int64)
        waiting = (b > 0) & (self.capacity > 0)
        rest = np.where(waiting, self.capacity - 1, self.capacity)
        w = np.flatnonzero(waiting)
        tails = [volunteer_nodes, volunteer_nodes[w]]
        heads = [np.full(self.n_v, self.sink, np.int64), first_heads[w]]
        caps = [rest, np.ones(len(w), np.int64)]
        costs = [np.zeros(self.n_v, np.int64), first_costs[w]]
        return tails, heads, caps, costs, w

    def stage1(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Levels 1-3 only (no scores): which requests are matched, which volunteers served.

        Request r is worth U * (1 + rank) and a waiting volunteer's first mentee rank(v), with
        U = 1 + the sum of the volunteers' ranks: so one more request, or a longer wait, outweighs
        all of level 3. Level 1 needs no multiplier of its own: weights that are positive for every
        request make the best set a largest one (a basis of the matroid), and among those the one
        serving the longest waits first. None when the costs would overflow OR-Tools' cost
        scaling (the caller coarsens the ranks).
        """
        n_r, n_v, n_e = self.n_r, self.n_v, len(self.rows)
        big = int(b.sum()) + 1
        top = (int(a.max(initial=0)) + 1) * big
        nodes = self.first_free_node
        # OR-Tools multiplies costs by (nodes + 1) and its potentials can grow about nodes times more.
        if top > INT64_MAX // (4 * (nodes + 1)) // max(nodes, 1):
            return None
        g_t, g_h, g_c = self.gate_arcs
        v_tails, v_heads, v_caps, v_costs, waiting = self._volunteer_arcs(
            b, np.full(n_v, self.sink, np.int64), -b)
        flow, _ = self._flow(
            [np.zeros(n_r, np.int64), 1 + self.rows, g_t, *v_tails, [self.source]],
            [1 + np.arange(n_r, dtype=np.int64), self.pair_heads, g_h, *v_heads, [self.sink]],
            [np.ones(n_r, np.int64), np.ones(n_e, np.int64), g_c, *v_caps, [n_r]],
            [-(1 + a) * big, np.zeros(n_e, np.int64), np.zeros(len(g_t), np.int64), *v_costs, [0]],
        )
        # Every request's unit may go straight to the sink (unmatched) at no cost.
        flow.set_nodes_supplies(np.array([self.source, self.sink]), np.array([n_r, -n_r]))
        status = flow.solve()
        if status == flow.BAD_COST_RANGE:
            return None
        _check(flow, status, flow.OPTIMAL)
        matched = flow.flows(np.arange(n_r)) > 0
        start = n_r + n_e + len(g_t)
        out = flow.flows(np.arange(start, start + n_v))
        served = out > 0
        served[waiting] |= flow.flows(np.arange(start + n_v, start + n_v + len(waiting))) > 0
        return matched, served

    def stage2(self, weights: np.ndarray, a: np.ndarray, b: np.ndarray, matched: np.ndarray,
               served: np.ndarray) -> np.ndarray:
        """The best score among the flows that keep stage 1's levels."""
        n_r, n_v, n_e = self.n_r, self.n_v, len(self.rows)
        total = int(matched.sum())
        g_levels, h_levels = int(a.max(initial=0)), int(b.max(initial=0))
        # How many stage 1 served at each rank or longer: rho[k] = #(matched with rank >= k).
        rho = _at_least(a[matched], g_levels)
        served_waiting = served & (b > 0) & (self.capacity > 0)
        rho_v = _at_least(b[served_waiting], h_levels)
        hub0 = self.first_free_node  # hub k (0..G) is node hub0 + k
        col0 = hub0 + g_levels + 1  # collector j (1..H) is node col0 + j - 1
        hubs = hub0 + np.arange(g_levels + 1, dtype=np.int64)
        # Source -> top hub; hub k -> hub k-1 may carry at most total - rho[k].
        chain_tails = hubs[1:][::-1]
        chain_heads = hubs[:-1][::-1]
        ks = np.arange(g_levels, 0, -1)
        chain_caps = total - rho[ks]
        g_t, g_h, g_c = self.gate_arcs
        collectors = col0 + np.arange(h_levels, dtype=np.int64)
        first_heads = np.where(b > 0, col0 + np.maximum(b, 1) - 1, self.sink)
        v_tails, v_heads, v_caps, v_costs, _ = self._volunteer_arcs(b, first_heads, np.zeros(n_v, np.int64))
        # Collector j -> j-1 (collector 1 -> sink) carries at least rho_v[j]: a lower bound, i.e.
        # capacity minus the bound and the bound moved into the two nodes' supplies.
        n_with_rank = _at_least(b[(b > 0) & (self.capacity > 0)], h_levels)
        js = np.arange(h_levels, 0, -1)
        c_tails = collectors[js - 1]
        c_heads = np.where(js > 1, collectors[np.maximum(js - 2, 0)], self.sink)
        c_caps = n_with_rank[js] - rho_v[js]
        flow, _ = self._flow(
            [np.array([self.source]), chain_tails, hubs[a], 1 + self.rows, g_t, *v_tails, c_tails],
            [np.array([hubs[-1]]), chain_heads, 1 + np.arange(n_r, dtype=np.int64), self.pair_heads, g_h, *v_heads,
             c_heads],
            [np.array([total]), chain_caps, np.ones(n_r, np.int64), np.ones(n_e, np.int64), g_c, *v_caps, c_caps],
            [np.zeros(1 + g_levels + n_r, np.int64), -weights, np.zeros(len(g_t), np.int64), *v_costs,
             np.zeros(h_levels, np.int64)],
        )
        supply_nodes = [self.source, self.sink, *collectors.tolist()]
        supplies = [total, -total + int(rho_v[1]) if h_levels else -total]
        supplies += [int(rho_v[j + 1] - rho_v[j]) for j in range(1, h_levels + 1)]
        flow.set_nodes_supplies(np.array(supply_nodes, dtype=np.int64), np.array(supplies, dtype=np.int64))
        _check(flow, flow.solve(), flow.OPTIMAL)
        first_pair_arc = 1 + g_levels + n_r
        return flow.flows(np.arange(first_pair_arc, first_pair_arc + n_e))


def _at_least(ranks: np.ndarray, levels: int) -> np.ndarray:
    """out[k] = how many of ``ranks`` are >= k, for k = 0..levels+1."""
    counts = np.bincount(ranks, minlength=levels + 2)[: levels + 2]
    return np.cumsum(counts[::-1])[::-1]


def _check(flow: min_cost_flow.SimpleMinCostFlow, status: int, optimal: int) -> None:
    if status != optimal:
        raise RuntimeError(f"min-cost flow failed: {status}")


def cp_sat_levels(model, x: list, rows: np.ndarray, cols: np.ndarray, request_days: np.ndarray,  # noqa: ANN001
                  volunteer_days: np.ndarray) -> list:
    """Levels 2 and 3 as CP-SAT expressions over the pair variables ``x`` (one per edge).

    Each level in two steps, how many, then the sum of their wait ranks: with sibling groups the
    sets need not form a matroid, so the count is held first explicitly.
    """
    a = wait_ranks(np.asarray(request_days, dtype=np.int64))
    b = wait_ranks(np.asarray(volunteer_days, dtype=np.int64))
    levels = []
    past_pairs = [(var, int(a[r])) for var, r in zip(x, rows.tolist(), strict=True) if a[r] > 0]
    if past_pairs:
        levels.append(sum(var for var, _ in past_pairs))
        levels.append(sum(rank * var for var, rank in past_pairs))
    by_volunteer: dict[int, list] = {}
    for var, v in zip(x, cols.tolist(), strict=True):
        if b[v] > 0:
            by_volunteer.setdefault(v, []).append(var)
    served = []
    for v, vars_ in sorted(by_volunteer.items()):
        y = model.new_bool_var(f"served{v}")
        model.add(sum(vars_) >= y)  # served only if given at least one mentee
        served.append((y, int(b[v])))
    if served:
        levels.append(sum(y for y, _ in served))
        levels.append(sum(rank * y for y, rank in served))
    return levels
