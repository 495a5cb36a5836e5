"""Benchmarks of the solver alone (called by ``makker bench``): figures, never assertions."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.problem import dense_to_edges
from optimizer.solve import assign, assign_edges

# The two kinds of dense matrix: real weighted scores come in steps (many ties); random floats don't.
MATRICES: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "steps_of_0.001": lambda rng, n: np.round(rng.random((n, n)), 3),
    "uniform": lambda rng, n: rng.random((n, n)),
}


def _timed(call: Callable[[], object]) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _plain(scores: np.ndarray):  # noqa: ANN202 - the plain path as ``assign`` took it before the dense one
    n_r, n_v, rows, cols, values = dense_to_edges(scores)
    return assign_edges(n_r, n_v, rows, cols, values, objective="most-matched")


def compare_with_scipy(n: int = 2000, seed: int = 0, repeats: int = 3, kind: str = "uniform") -> dict:
    """``optimizer.assign`` and scipy's exact assignment on the same dense one-to-one n x n matrix.

    Both are timed as the whole call a user waits for (from the matrix to the result, every
    conversion included), ``repeats`` times, interleaved, and the fastest run counts (the usual
    way to leave out noise from other processes on a shared machine); CPU seconds are given too,
    as they are steadier there. The plain path (every pair as an edge, as ``assign`` worked
    before the dense path) is timed once as the before figure.
    """
    scores = MATRICES[kind](np.random.default_rng(seed), n)
    ours_wall, ours_cpu, scipy_wall, scipy_cpu = [], [], [], []
    for _ in range(repeats):
        ours, wall, cpu = _timed(lambda: assign(scores, objective="most-matched"))
        ours_wall.append(wall)
        ours_cpu.append(cpu)
        (rows, cols), wall, cpu = _timed(lambda: linear_sum_assignment(scores, maximize=True))
        scipy_wall.append(wall)
        scipy_cpu.append(cpu)
    plain, plain_wall, plain_cpu = _timed(lambda: _plain(scores))
    scipy_seconds, scipy_cpu_seconds = min(scipy_wall), min(scipy_cpu)
    scipy_total = float(scores[rows, cols].sum())

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("inf")

    return {
        "n": n,
        "kind": kind,
        "repeats": repeats,
        "ours_seconds": min(ours_wall),
        "ours_reported_seconds": ours.seconds,
        "ours_cpu_seconds": min(ours_cpu),
        "ours_solver": ours.solver,
        "ours_method": ours.stats.get("method", "plain"),
        "ours_rounds": ours.stats.get("rounds"),
        "ours_candidate_pairs": ours.stats.get("candidate_pairs"),
        "ours_phases": ours.stats.get("seconds", {}),
        "scipy_seconds": scipy_seconds,
        "scipy_cpu_seconds": scipy_cpu_seconds,
        "ratio": ratio(min(ours_wall), scipy_seconds),
        "cpu_ratio": ratio(min(ours_cpu), scipy_cpu_seconds),
        "plain_seconds": plain_wall,
        "plain_cpu_seconds": plain_cpu,
        "plain_ratio": ratio(plain_wall, scipy_seconds),
        "plain_cpu_ratio": ratio(plain_cpu, scipy_cpu_seconds),
        "ours_total": ours.total_score,
        "scipy_total": scipy_total,
        "totals_equal": abs(ours.total_score - scipy_total) <= 1e-6 * max(1.0, abs(scipy_total)),
        "plain_totals_equal": abs(plain.total_score - scipy_total) <= 1e-6 * max(1.0, abs(scipy_total)),
    }


def dense_figures(n: int = 2000, seed: int = 0, repeats: int = 3) -> dict:
    """The whole-call comparison on both kinds of matrix."""
    return {kind: compare_with_scipy(n, seed, repeats, kind) for kind in MATRICES}
