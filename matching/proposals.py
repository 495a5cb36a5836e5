"""The proposals of a solved pool, as plain records: for each matched request the solver's choice
(rank 1) and the next best alternatives (rank 2, 3, ...), each with the breakdown of its score.

``matching.run.store_proposals`` stores them (one bulk INSERT). Built for
all requests at once (one sort of the candidate list), not request by request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matching.explanation import experience_standing
from matching.scoring import ScoredPool

if TYPE_CHECKING:  # a loaded pool: plain profiles and rules (no database is touched here)
    from models.pool import Pool


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    request_index: int
    volunteer_index: int
    rank: int  # 1 = the solver's choice
    score: float
    breakdown: dict


def proposal_records(scored: ScoredPool, pairs: Sequence[tuple[int, int]], weights: dict[str, float],
                     n_alternatives: int = 3, pool: Pool | None = None) -> list[ProposalRecord]:
    """Rank 1 = the chosen pair; 2.. = the request's next best candidates, best first (ties: the
    lower volunteer index), as ``explanation.alternatives`` orders them. With the ``pool`` the
    profiles came from, each breakdown also says where the volunteer's experience stands."""
    if not pairs:
        return []
    n_v = max(len(scored.volunteer_ids), 1)
    chosen_r = np.array([r for r, _ in pairs], dtype=np.int64)
    chosen_v = np.array([v for _, v in pairs], dtype=np.int64)
    key = scored.rows * n_v + scored.cols  # sorted: edges are by request, then volunteer
    chosen_edge = np.searchsorted(key, chosen_r * n_v + chosen_v)
    if np.any(key[np.minimum(chosen_edge, len(key) - 1)] != chosen_r * n_v + chosen_v):
        raise ValueError("a chosen pair is not among the scored candidates")
    alternative = _next_best(scored, chosen_r, chosen_edge, n_alternatives)
    usable = alternative >= 0

    edges, ranks, owners = [], [], []
    for i in range(len(pairs)):
        edges.append(int(chosen_edge[i]))
        ranks.append(1)
        owners.append(i)
        for rank, edge in enumerate(alternative[i][usable[i]].tolist(), start=2):
            edges.append(edge)
            ranks.append(rank)
            owners.append(i)
    edge_array = np.array(edges, dtype=np.int64)
    total_weight = sum(weights.values()) or 1.0
    names = list(scored.components)
    weight = {name: weights.get(name, 0.0) for name in names}
    # Components take few distinct values: each distinct one's entry (value and contribution
    # rounded by Python's round, as stored before) is built once and shared by the proposals
    # that have it (read only: they are only turned into JSON).
    entries = []
    for name in names:
        distinct, where = np.unique(scored.components[name][edge_array], return_inverse=True)
        built = [{"name": name, "weight": weight[name], "value": round(x, 4),
                  "contribution": round(x * weight[name] / total_weight, 4)} for x in distinct.tolist()]
        entries.append([built[i] for i in where.ravel().tolist()])
    scores = scored.scores[edge_array].tolist()
    volunteers = scored.cols[edge_array].tolist()
    requests = chosen_r[np.array(owners, dtype=np.int64)].tolist()
    per_record = zip(*entries, strict=True) if entries else [()] * len(ranks)
    records = [
        ProposalRecord(requests[k], volunteers[k], edge_rank, scores[k],
                       {"components": list(components), "total": round(scores[k], 4)})
        for k, (edge_rank, components) in enumerate(zip(ranks, per_record, strict=True))
    ]
    if pool is not None:
        # What the proposal card shows: the volunteer's experience and a warning at the limit. It
        # reads the request's complexity and the volunteer's experience and heavy cases (a test
        # checks this against calling it for every pair), so it is worked out once per such trio.
        standing: dict[tuple[int, int, int], dict] = {}
        for record in records:
            request, volunteer = pool.requests[record.request_index], pool.volunteers[record.volunteer_index]
            trio = (request.complexity, volunteer.experience, volunteer.heavy_cases)
            if trio not in standing:
                standing[trio] = experience_standing(request, volunteer, pool.rules)
            known = standing[trio]
            record.breakdown["experience"] = {**known, "warnings": list(known["warnings"])}
    return records


def _next_best(scored: ScoredPool, rows: np.ndarray, chosen_edge: np.ndarray, n: int) -> np.ndarray:
    """Per given request, the edges of its n best other candidates, best first (-1 = none left).

    Ties go to the lower volunteer index, as in ``explanation.alternatives``. n rounds of "the
    best of each request's segment" over the edge list (sorted by request, then volunteer):
    a few passes instead of sorting every candidate.
    """
    out = np.full((len(rows), n), -1, dtype=np.int64)
    if n <= 0 or len(scored.rows) == 0:
        return out
    bounds = np.searchsorted(scored.rows, np.arange(len(scored.request_ids) + 1))
    nonempty = np.flatnonzero(bounds[1:] > bounds[:-1])
    starts = bounds[nonempty]
    segment = np.repeat(np.arange(len(nonempty)), bounds[nonempty + 1] - starts)
    scores = scored.scores.astype(np.float64, copy=True)
    scores[chosen_edge] = -np.inf
    position = np.arange(len(scores))
    mine = np.searchsorted(nonempty, rows)
    for k in range(n):
        best = np.maximum.reduceat(scores, starts)
        first = np.minimum.reduceat(np.where(scores == best[segment], position, len(scores)), starts)
        left = best > -np.inf
        out[:, k] = np.where(left[mine], first[mine], -1)
        scores[first[left]] = -np.inf
    return out
