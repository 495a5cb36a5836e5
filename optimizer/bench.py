"""Benchmarks of the solver alone (called by ``makker bench``): figures, never assertions."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.solve import assign


def compare_with_scipy(n: int = 2000, seed: int = 0, repeats: int = 3) -> dict:
    """Our solver and scipy's exact assignment on the same dense one-to-one n x n matrix.

    Each is timed ``repeats`` times and the fastest run counts (the usual way to leave out
    noise from other processes on a shared machine).
    """
    scores = np.random.default_rng(seed).random((n, n))
    ours_times, scipy_times = [], []
    for _ in range(repeats):
        ours = assign(scores, objective="most-matched")
        ours_times.append(ours.seconds)
        started = time.perf_counter()
        rows, cols = linear_sum_assignment(scores, maximize=True)
        scipy_times.append(time.perf_counter() - started)
    scipy_seconds = min(scipy_times)
    scipy_total = float(scores[rows, cols].sum())
    return {
        "n": n,
        "repeats": repeats,
        "ours_seconds": min(ours_times),
        "ours_solver": ours.solver,
        "scipy_seconds": scipy_seconds,
        "ratio": min(ours_times) / scipy_seconds if scipy_seconds else float("inf"),
        "ours_total": ours.total_score,
        "scipy_total": scipy_total,
        "totals_equal": abs(ours.total_score - scipy_total) <= 1e-6 * max(1.0, abs(scipy_total)),
    }
