"""Benchmarks of the solver alone (called by ``makker bench``): figures, never assertions."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from optimizer.solve import assign


def compare_with_scipy(n: int = 2000, seed: int = 0) -> dict:
    """Our solver and scipy's exact assignment on the same dense one-to-one n x n matrix."""
    scores = np.random.default_rng(seed).random((n, n))
    ours = assign(scores, objective="most-matched")
    started = time.perf_counter()
    rows, cols = linear_sum_assignment(scores, maximize=True)
    scipy_seconds = time.perf_counter() - started
    scipy_total = float(scores[rows, cols].sum())
    return {
        "n": n,
        "ours_seconds": ours.seconds,
        "ours_solver": ours.solver,
        "scipy_seconds": scipy_seconds,
        "ratio": ours.seconds / scipy_seconds if scipy_seconds else float("inf"),
        "ours_total": ours.total_score,
        "scipy_total": scipy_total,
        "totals_equal": abs(ours.total_score - scipy_total) <= 1e-6 * max(1.0, abs(scipy_total)),
    }
