"""The problem as the solvers see it: validated edges, capacities, locks; and the result type."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

OBJECTIVES = ("most-matched", "best-score")
# Scores are floats; solvers need integers. The largest |score| maps to SCALE, so ties and
# rounding can differ from the float optimum by at most n_requests / (2 * SCALE) of the range.
SCALE = 1_000_000


@dataclass(frozen=True)
class SideConstraints:
    """Constraints beyond capacity that some programs need (solved with CP-SAT)."""

    high_complexity: Sequence[bool] | None = None  # per request
    max_high_complexity_per_volunteer: int | None = None
    # Per volunteer: high-complexity requests they already hold outside this problem (open
    # matches); they use up part of the cap. None = none held.
    high_complexity_held: Sequence[int] | None = None
    # Requests of siblings: all matched to one volunteer, or the whole group left unmatched.
    sibling_groups: Sequence[Sequence[int]] = ()
    # No matched request's score may fall more than this below its best allowed option.
    max_regret: float | None = None
    time_limit_s: float = 60.0
    # "auto": min-cost flow unless sibling groups need CP-SAT; "cp_sat" forces CP-SAT.
    solver: str = "auto"

    @property
    def caps_high_complexity(self) -> bool:
        return self.high_complexity is not None and self.max_high_complexity_per_volunteer is not None

    @property
    def needs_cp_sat(self) -> bool:
        """Only siblings need CP-SAT: the complexity cap is a gate in the flow, regret a filter."""
        return self.solver == "cp_sat" or any(len(g) > 1 for g in self.sibling_groups)


@dataclass
class Assignment:
    pairs: list[tuple[int, int]]
    total_score: float
    optimal: bool
    seconds: float
    solver: str
    status: str = ""
    stats: dict = field(default_factory=dict)


@dataclass
class Edges:
    """A validated sparse problem: one entry per allowed pair, sorted by (request, volunteer)."""

    n_requests: int
    n_volunteers: int
    rows: np.ndarray  # int64
    cols: np.ndarray  # int64
    scores: np.ndarray  # float64
    capacity: np.ndarray  # int64 per volunteer
    locked: list[tuple[int, int]]


def _pairs(values: Iterable, what: str, n_requests: int, n_volunteers: int) -> list[tuple[int, int]]:
    out = []
    for item in values:
        try:
            r, v = (int(x) for x in item)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{what} pairs must be (request_index, volunteer_index), got {item!r}") from error
        if not (0 <= r < n_requests and 0 <= v < n_volunteers):
            raise ValueError(f"{what} pair {(r, v)} is outside {n_requests} requests x {n_volunteers} volunteers")
        out.append((r, v))
    return out


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, not {objective!r}")


def capacity_array(capacity: Sequence[int] | np.ndarray | None, n_volunteers: int) -> np.ndarray:
    """Capacities as int64, one per volunteer (1 each when not given)."""
    if capacity is None:
        return np.ones(n_volunteers, dtype=np.int64)
    cap = np.asarray(capacity)
    if cap.shape != (n_volunteers,):
        raise ValueError(f"capacity must have one entry per volunteer ({n_volunteers}), got shape {cap.shape}")
    if not np.all(np.isfinite(cap)) or np.any(cap != np.round(cap)):
        raise ValueError("capacity must be whole numbers")
    cap = cap.astype(np.int64)
    if (cap < 0).any():
        raise ValueError("capacity must not be negative")
    return cap


def locked_and_forbidden(locked: Iterable, forbidden: Iterable, n_requests: int,
                         n_volunteers: int) -> tuple[list[tuple[int, int]], set[tuple[int, int]]]:
    locked_pairs = _pairs(locked, "locked", n_requests, n_volunteers)
    forbidden_pairs = set(_pairs(forbidden, "forbidden", n_requests, n_volunteers))
    clash = sorted(set(locked_pairs) & forbidden_pairs)
    if clash:
        raise ValueError(f"the pair {clash[0]} is both locked and forbidden")
    return locked_pairs, forbidden_pairs


def check_locks(locked_pairs: list[tuple[int, int]], allowed: Callable[[tuple[int, int]], bool],
                cap: np.ndarray) -> None:
    """Each locked pair is allowed, at most one per request, and within its volunteer's capacity."""
    seen_requests: set[int] = set()
    load = np.zeros(len(cap), dtype=np.int64)
    for r, v in locked_pairs:
        if not allowed((r, v)):
            raise ValueError(f"the locked pair {(r, v)} is not allowed (no score for it)")
        if r in seen_requests:
            raise ValueError(f"request {r} is locked to more than one volunteer")
        seen_requests.add(r)
        load[v] += 1
        if load[v] > cap[v]:
            raise ValueError(f"the locks give volunteer {v} more requests than their capacity ({int(cap[v])})")


def build_edges(
    n_requests: int,
    n_volunteers: int,
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    capacity: Sequence[int] | np.ndarray | None,
    locked: Iterable,
    forbidden: Iterable,
    objective: str,
) -> Edges:
    check_objective(objective)
    if n_requests < 0 or n_volunteers < 0:
        raise ValueError("the numbers of requests and volunteers must not be negative")
    rows = np.asarray(rows, dtype=np.int64).ravel()
    cols = np.asarray(cols, dtype=np.int64).ravel()
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if not (len(rows) == len(cols) == len(scores)):
        raise ValueError(f"rows, cols and scores differ in length: {len(rows)}, {len(cols)}, {len(scores)}")
    if len(rows) and (rows.min() < 0 or rows.max() >= n_requests or cols.min() < 0 or cols.max() >= n_volunteers):
        raise ValueError("an edge points outside the requests or volunteers")
    if np.isinf(scores).any():
        raise ValueError("scores must be finite numbers (use NaN, or leave the pair out, for a pair not allowed)")
    cap = capacity_array(capacity, n_volunteers)
    nan = np.isnan(scores)
    if nan.any():
        keep = ~nan
        rows, cols, scores = rows[keep], cols[keep], scores[keep]
    # Sorted by (request, volunteer); dense input already is, so sort only when needed.
    key = rows * max(n_volunteers, 1) + cols
    if len(key) > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key, kind="stable")
        rows, cols, scores, key = rows[order], cols[order], scores[order], key[order]
        dup = key[1:] == key[:-1]
        if dup.any():
            i = int(np.argmax(dup))
            raise ValueError(f"the pair {(int(rows[i]), int(cols[i]))} is listed twice")
    locked_pairs, forbidden_pairs = locked_and_forbidden(locked, forbidden, n_requests, n_volunteers)
    if forbidden_pairs and len(rows):
        key = rows * max(n_volunteers, 1) + cols
        bad = np.array([r * max(n_volunteers, 1) + v for r, v in forbidden_pairs], dtype=np.int64)
        keep = ~np.isin(key, bad)
        rows, cols, scores = rows[keep], cols[keep], scores[keep]
    edge_set = set(zip(rows.tolist(), cols.tolist(), strict=True)) if locked_pairs else set()
    check_locks(locked_pairs, edge_set.__contains__, cap)
    return Edges(n_requests, n_volunteers, rows, cols, scores, cap, locked_pairs)


def dense_to_edges(scores: np.ndarray) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"scores must be a 2-D array (requests x volunteers), got {matrix.ndim} dimensions")
    n_requests, n_volunteers = matrix.shape
    allowed = ~np.isnan(matrix)
    if allowed.all():
        # The common dense case: every pair, in row-major order, without fancy indexing.
        rows = np.repeat(np.arange(n_requests, dtype=np.int64), n_volunteers)
        cols = np.tile(np.arange(n_volunteers, dtype=np.int64), n_requests)
        return n_requests, n_volunteers, rows, cols, matrix.ravel()
    rows, cols = np.nonzero(allowed)
    return n_requests, n_volunteers, rows, cols, matrix[rows, cols]


def integer_weights(scores: np.ndarray) -> tuple[np.ndarray, float]:
    """Scores scaled to integers: the largest |score| becomes SCALE."""
    top = float(np.max(np.abs(scores))) if len(scores) else 0.0
    factor = SCALE / top if top > 0 else 1.0
    return np.round(scores * factor).astype(np.int64), factor
