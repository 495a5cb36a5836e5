"""Solving: min-cost flow for the plain problem, CP-SAT when side constraints are active."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
from ortools.graph.python import linear_sum_assignment, min_cost_flow
from ortools.sat.python import cp_model

from optimizer.certified import assign_dense
from optimizer.problem import (
    Assignment,
    Edges,
    SideConstraints,
    build_edges,
    dense_to_edges,
    integer_weights,
)
from optimizer.tiers import WaitingPriority, cp_sat_levels, solve_tiered_flow


def assign(
    scores: np.ndarray,
    capacity: Sequence[int] | np.ndarray | None = None,
    locked: Iterable = (),
    forbidden: Iterable = (),
    objective: str = "most-matched",
    side: SideConstraints | None = None,
    waiting: WaitingPriority | None = None,
) -> Assignment:
    """The best assignment for a dense requests x volunteers score matrix (NaN = not allowed).

    ``seconds`` of the result is the whole call, the conversion of the matrix included.
    """
    started = time.perf_counter()
    result = None
    if waiting is None and (side is None or not (side.caps_high_complexity or side.needs_cp_sat
                                                 or side.max_regret is not None)):
        # Large plain problems: the best candidates per request, proven optimal for every pair.
        result = assign_dense(scores, capacity, locked, forbidden, objective)
    if result is None:
        n_requests, n_volunteers, rows, cols, values = dense_to_edges(scores)
        result = assign_edges(n_requests, n_volunteers, rows, cols, values, capacity, locked, forbidden, objective,
                              side, waiting)
    result.seconds = time.perf_counter() - started
    return result


def assign_edges(
    n_requests: int,
    n_volunteers: int,
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    capacity: Sequence[int] | np.ndarray | None = None,
    locked: Iterable = (),
    forbidden: Iterable = (),
    objective: str = "most-matched",
    side: SideConstraints | None = None,
    waiting: WaitingPriority | None = None,
) -> Assignment:
    """The best assignment over a sparse candidate list; a pair not listed is not allowed.

    With ``waiting`` (most-matched only), the objective is the fair lexicographic one of
    ``optimizer.tiers``: most matches, then those past the waiting target, then the score.
    """
    started = time.perf_counter()
    edges = build_edges(n_requests, n_volunteers, rows, cols, scores, capacity, locked, forbidden, objective)
    priority = None
    if waiting is not None:
        if objective != "most-matched":
            raise ValueError("waiting priority works with the most-matched objective only")
        priority = waiting.arrays(n_requests, n_volunteers)
    if side is not None:
        _check_side(side, n_requests)
        if side.max_regret is not None:
            edges = _within_regret(edges, side.max_regret)
    if side is not None and side.caps_high_complexity and edges.locked:
        locked_high = np.bincount([v for r, v in edges.locked if side.high_complexity[r]], minlength=n_volunteers)
        if (locked_high > _high_caps(side, n_volunteers)).any():
            raise ValueError("the locks give a volunteer more high-complexity requests than allowed")
    if side is not None and side.needs_cp_sat:
        result = _solve_cp_sat(edges, objective, side, priority)
    else:
        cap_high = side is not None and side.caps_high_complexity
        result = _solve_flow(
            edges, objective,
            high=np.asarray(side.high_complexity, dtype=bool) if cap_high else None,
            max_high=_high_caps(side, n_volunteers) if cap_high else None,
            priority=priority,
        )
    if priority is not None:
        result.stats["objective"] = "fair"
    result.seconds = time.perf_counter() - started
    return result


# --- min-cost flow ------------------------------------------------------------------------------

def _result(edges: Edges, chosen: np.ndarray, optimal: bool, solver: str, status: str) -> Assignment:
    pairs = sorted(zip(edges.rows[chosen].tolist(), edges.cols[chosen].tolist(), strict=True))
    total = float(edges.scores[chosen].sum()) if chosen.any() else 0.0
    return Assignment(pairs=[(int(r), int(v)) for r, v in pairs], total_score=total, optimal=optimal, seconds=0.0,
                      solver=solver, status=status)


def _free_part(edges: Edges) -> tuple[np.ndarray, np.ndarray]:
    """Edges still open after the locks (mask) and the capacity left for them."""
    cap = edges.capacity.copy()
    chosen = np.zeros(len(edges.rows), dtype=bool)
    if not edges.locked:
        return np.ones(len(edges.rows), dtype=bool), cap
    locked_requests = np.zeros(edges.n_requests, dtype=bool)
    key = edges.rows * max(edges.n_volunteers, 1) + edges.cols
    for r, v in edges.locked:
        locked_requests[r] = True
        cap[v] -= 1
        chosen |= key == r * max(edges.n_volunteers, 1) + v
    return ~locked_requests[edges.rows], cap


def _locked_mask(edges: Edges) -> np.ndarray:
    mask = np.zeros(len(edges.rows), dtype=bool)
    if edges.locked:
        key = edges.rows * max(edges.n_volunteers, 1) + edges.cols
        wanted = np.array([r * max(edges.n_volunteers, 1) + v for r, v in edges.locked], dtype=np.int64)
        mask = np.isin(key, wanted)
    return mask


def _high_caps(side: SideConstraints, n_volunteers: int) -> np.ndarray:
    """Per volunteer: how many high-complexity requests this problem may still give them."""
    caps = np.full(n_volunteers, int(side.max_high_complexity_per_volunteer), dtype=np.int64)
    if side.high_complexity_held is not None:
        held = np.asarray(side.high_complexity_held, dtype=np.int64)
        if held.shape != (n_volunteers,):
            raise ValueError(f"high_complexity_held needs one entry per volunteer ({n_volunteers})")
        caps = np.maximum(0, caps - held)
    return caps


def _solve_flow(edges: Edges, objective: str, high: np.ndarray | None = None,
                max_high: np.ndarray | None = None,
                priority: tuple[np.ndarray, np.ndarray] | None = None) -> Assignment:
    open_mask, cap = _free_part(edges)
    locked = _locked_mask(edges)
    weights, _ = integer_weights(edges.scores)
    usable = open_mask & (cap[edges.cols] > 0)
    if objective == "best-score":
        usable &= weights > 0  # a pair is taken only if it adds
    idx = np.flatnonzero(usable)
    chosen = locked.copy()
    if len(idx) == 0:
        return _result(edges, chosen, True, "min_cost_flow", "OPTIMAL")

    rows, cols, w = edges.rows[idx], edges.cols[idx], weights[idx]
    gated = high is not None and max_high is not None
    gate_left = None
    if gated:
        # Locked high-complexity requests use up part of their volunteer's gate.
        gate_left = np.array(max_high, dtype=np.int64)
        for r, v in edges.locked:
            if high[r]:
                gate_left[v] -= 1
        if (gate_left < 0).any():
            raise ValueError("the locks give a volunteer more high-complexity requests than allowed")
    fast = None if gated else _dense_one_to_one(rows, cols, cap, edges.n_requests, edges.n_volunteers, objective, w)
    # (A complete square one-to-one problem matches everyone, so the tiers change nothing there.)
    tiered = None
    if fast is None and priority is not None:
        request_days, volunteer_days = priority
        tiered = solve_tiered_flow(edges.n_requests, edges.n_volunteers, rows, cols, w, cap, request_days,
                                   _without_locked(volunteer_days, edges), high if gated else None, gate_left)
    if tiered is not None:
        chosen[idx[tiered.chosen]] = True
        result = _result(edges, chosen, True, "min_cost_flow", "OPTIMAL")
        result.stats.update({"wait_rank_levels": list(tiered.rank_levels),
                             "wait_ranks_coarsened": tiered.coarsened})
        return result
    if fast is not None:
        chosen[idx[fast]] = True
        return _result(edges, chosen, True, "linear_sum_assignment", "OPTIMAL")

    n_r, n_v = edges.n_requests, edges.n_volunteers
    # Nodes: source, requests, volunteers, sink, then (when gated) one high-complexity gate per
    # volunteer: high-complexity requests reach their volunteer only through it (capacity N).
    source, sink = 0, n_r + n_v + 1
    request_nodes = np.arange(n_r, dtype=np.int64)
    volunteer_nodes = np.arange(n_v, dtype=np.int64)
    heads_of_pairs = 1 + n_r + cols
    gate_tails = gate_heads = gate_caps = np.zeros(0, np.int64)
    if gated:
        gate = sink + 1 + volunteer_nodes
        heads_of_pairs = np.where(high[rows], gate[cols], heads_of_pairs)
        gate_tails, gate_heads = gate, 1 + n_r + volunteer_nodes
        gate_caps = gate_left
    tails = np.concatenate([np.zeros(n_r, np.int64), 1 + rows, 1 + n_r + volunteer_nodes, [source], gate_tails])
    heads = np.concatenate([1 + request_nodes, heads_of_pairs, np.full(n_v, sink, np.int64), [sink], gate_heads])
    capacities = np.concatenate([np.ones(n_r, np.int64), np.ones(len(rows), np.int64), np.maximum(cap, 0), [n_r],
                                 gate_caps])
    costs = np.concatenate([np.zeros(n_r, np.int64), -w.astype(np.int64), np.zeros(n_v, np.int64), [0],
                            np.zeros(len(gate_tails), np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    if objective == "most-matched":
        # The most requests matched, then the best score among those: OR-Tools' maximum flow of
        # least cost (no bypass arc, no bonus per pair: half the time of a large bonus).
        bypass = np.arange(len(tails)) != n_r + len(rows) + n_v
        flow.add_arcs_with_capacity_and_unit_cost(tails[bypass], heads[bypass], capacities[bypass], costs[bypass])
        flow.set_nodes_supplies(np.array([source, sink]), np.array([n_r, -n_r]))
        status = flow.solve_max_flow_with_min_cost()
    else:
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
        # Every request's unit may go straight to the sink (unmatched) at no cost.
        flow.set_nodes_supplies(np.array([source, sink]), np.array([n_r, -n_r]))
        status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    arc_flows = flow.flows(np.arange(n_r, n_r + len(rows)))
    chosen[idx[arc_flows > 0]] = True
    return _result(edges, chosen, True, "min_cost_flow", "OPTIMAL")


def _without_locked(volunteer_days: np.ndarray, edges: Edges) -> np.ndarray:
    """A volunteer with a locked pair already has a mentee: no waiting priority."""
    days = np.array(volunteer_days, dtype=np.int64)
    for _r, v in edges.locked:
        days[v] = 0
    return days


def _dense_one_to_one(rows, cols, cap, n_r: int, n_v: int, objective: str, w) -> np.ndarray | None:  # noqa: ANN001
    """Complete square one-to-one problems: OR-Tools' assignment solver is much faster there.

    Every request has every volunteer, so the most-matched optimum is a perfect matching, and so
    is the best-score one when every weight is positive; the assignment solver finds the best.
    (Raw weights: adding the same bonus to every pair would only slow its cost scaling.)
    """
    if n_r != n_v or n_r == 0 or len(rows) != n_r * n_v or not np.all(cap == 1):
        return None
    if objective == "best-score" and np.any(w <= 0):
        return None
    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    solver.add_arcs_with_cost(rows, cols, -w.astype(np.int64))
    if solver.solve() != solver.OPTIMAL:
        return None
    mate = np.fromiter((solver.right_mate(i) for i in range(n_r)), dtype=np.int64, count=n_r)
    # Edges are sorted by (request, volunteer) and complete, so the edge of (r, v) is r * n + v.
    return np.arange(n_r, dtype=np.int64) * n_v + mate


# --- side constraints with CP-SAT -----------------------------------------------------------

def _check_side(side: SideConstraints, n_requests: int) -> None:
    if side.high_complexity is not None and len(side.high_complexity) != n_requests:
        raise ValueError(f"high_complexity needs one entry per request ({n_requests})")
    if side.max_high_complexity_per_volunteer is not None and side.max_high_complexity_per_volunteer < 0:
        raise ValueError("max_high_complexity_per_volunteer must not be negative")
    if side.high_complexity_held is not None and np.any(np.asarray(side.high_complexity_held) < 0):
        raise ValueError("high_complexity_held must not be negative")
    if side.max_regret is not None and side.max_regret < 0:
        raise ValueError("max_regret must not be negative")
    seen: set[int] = set()
    for group in side.sibling_groups:
        for r in group:
            if not 0 <= int(r) < n_requests:
                raise ValueError(f"sibling group names request {r}, which does not exist")
            if int(r) in seen:
                raise ValueError(f"request {r} is in more than one sibling group")
            seen.add(int(r))


def _within_regret(edges: Edges, max_regret: float) -> Edges:
    """Drop pairs more than max_regret below the request's best option (locks are kept)."""
    if len(edges.rows) == 0:
        return edges
    best = np.full(edges.n_requests, -np.inf)
    np.maximum.at(best, edges.rows, edges.scores)
    keep = (best[edges.rows] - edges.scores <= max_regret + 1e-12) | _locked_mask(edges)
    return Edges(edges.n_requests, edges.n_volunteers, edges.rows[keep], edges.cols[keep], edges.scores[keep],
                 edges.capacity, edges.locked)


def _solve_cp_sat(edges: Edges, objective: str, side: SideConstraints,
                  priority: tuple[np.ndarray, np.ndarray] | None = None) -> Assignment:
    weights, _ = integer_weights(edges.scores)
    locked = _locked_mask(edges)
    usable = locked | (weights > 0) if objective == "best-score" else np.ones(len(edges.rows), dtype=bool)
    idx = np.flatnonzero(usable)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in idx]
    by_request: dict[int, list] = {}
    by_volunteer: dict[int, list] = {}
    edge_var: dict[tuple[int, int], object] = {}
    for var, i in zip(x, idx, strict=True):
        r, v = int(edges.rows[i]), int(edges.cols[i])
        by_request.setdefault(r, []).append(var)
        by_volunteer.setdefault(v, []).append((r, var))
        edge_var[(r, v)] = var
        if locked[i]:
            model.add(var == 1)
    for vars_ in by_request.values():
        model.add_at_most_one(vars_)
    for v, items in by_volunteer.items():
        model.add(sum(var for _, var in items) <= int(edges.capacity[v]))
    if side.high_complexity is not None and side.max_high_complexity_per_volunteer is not None:
        high = [bool(h) for h in side.high_complexity]
        caps = _high_caps(side, edges.n_volunteers)
        for v, items in by_volunteer.items():
            heavy = [var for r, var in items if high[r]]
            if heavy:
                model.add(sum(heavy) <= int(caps[v]))
    for group in side.sibling_groups:
        group = [int(r) for r in group]
        if len(group) < 2:
            continue
        volunteers = set.intersection(*(set(v for (rr, v) in edge_var if rr == r) for r in group))
        for r in group:
            for (rr, v), var in edge_var.items():
                if rr == r and v not in volunteers:
                    model.add(var == 0)  # this volunteer cannot take the whole group
        for v in volunteers:
            first = edge_var[(group[0], v)]
            for r in group[1:]:
                model.add(edge_var[(r, v)] == first)
    score = sum(int(weights[i]) * var for var, i in zip(x, idx, strict=True))
    # Lexicographic: each level is maximised, then held at its optimum while the next one is.
    levels = []
    if objective == "most-matched" and x:
        levels.append(sum(x))
        if priority is not None:
            request_days, volunteer_days = priority
            levels += cp_sat_levels(model, x, edges.rows[idx], edges.cols[idx], request_days,
                                    _without_locked(volunteer_days, edges))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # deterministic: the same input gives the same answer
    solver.parameters.max_time_in_seconds = side.time_limit_s
    # The full LP relaxation at every node: the "served" indicators of the waiting levels leave
    # the default one so weak that a 33 x 120 pool ran into the time limit (0.3 s with it).
    solver.parameters.linearization_level = 2
    optimal = True
    for level in levels:
        model.maximize(level)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise ValueError("the locks and side constraints cannot all hold at once")
        optimal &= status == cp_model.OPTIMAL
        model.add(level >= int(round(solver.objective_value)))
        model.clear_hints()
        for var in x:
            model.add_hint(var, bool(solver.value(var)))
        model.clear_objective()
    model.maximize(score)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValueError("the locks and side constraints cannot all hold at once")
    optimal &= status == cp_model.OPTIMAL
    chosen = np.zeros(len(edges.rows), dtype=bool)
    for var, i in zip(x, idx, strict=True):
        if solver.value(var):
            chosen[i] = True
    return _result(edges, chosen, optimal, "cp_sat", solver.status_name(status))
