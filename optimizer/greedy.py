"""The baseline a coordinator with a spreadsheet would use: first come, best free volunteer."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from optimizer.problem import Assignment, build_edges


def greedy_assign(
    n_requests: int,
    n_volunteers: int,
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    scores: Sequence[float] | np.ndarray,
    capacity: Sequence[int] | np.ndarray | None = None,
    order: Sequence[int] | None = None,
    high: Sequence[bool] | None = None,
    max_high: int | Sequence[int] | np.ndarray | None = None,
) -> Assignment:
    """Requests in ``order`` (e.g. longest waiting first) each take their best free volunteer;
    with ``high``/``max_high``, a volunteer takes at most ``max_high`` high-complexity requests."""
    started = time.perf_counter()
    edges = build_edges(n_requests, n_volunteers, rows, cols, scores, capacity, (), (), "most-matched")
    cap = edges.capacity.copy()
    capped = high is not None and max_high is not None
    heavy = np.asarray(high, dtype=bool) if capped else np.zeros(n_requests, dtype=bool)
    # One cap for all, or one per volunteer (e.g. less for one who already holds heavy cases).
    heavy_left = np.array(np.broadcast_to(np.asarray(max_high if capped else 0, dtype=np.int64), (n_volunteers,)))
    starts = np.searchsorted(edges.rows, np.arange(n_requests + 1))
    pairs, total = [], 0.0
    for r in order if order is not None else range(n_requests):
        lo, hi = starts[r], starts[r + 1]
        if lo == hi:
            continue
        cols_r, scores_r = edges.cols[lo:hi], edges.scores[lo:hi]
        free = cap[cols_r] > 0
        if heavy[r]:
            free &= heavy_left[cols_r] > 0
        if not free.any():
            continue
        best = int(np.argmax(np.where(free, scores_r, -np.inf)))
        v = int(cols_r[best])
        cap[v] -= 1
        heavy_left[v] -= heavy[r]
        pairs.append((int(r), v))
        total += float(scores_r[best])
    return Assignment(sorted(pairs), total, False, time.perf_counter() - started, "greedy", "HEURISTIC")
