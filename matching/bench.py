"""Benchmarks of the matching pipeline on plain profiles (``makker bench``): figures, not tests."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from datetime import date

import numpy as np
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel

from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.run import _side_constraints, store_proposals
from matching.scoring import score_pool
from models.matchruns import MatchRun
from models.pool import Pool
from optimizer import assign_edges, greedy_assign


def _pool(requests: Sequence[RequestProfile], volunteers: Sequence[VolunteerProfile], rules: ProgramRules) -> Pool:
    return Pool(program_id=0, rules=rules, requests=list(requests), volunteers=list(volunteers),
                exclusions=frozenset(), already_matched=frozenset())


def time_pipeline(requests, volunteers, rules: ProgramRules, today: date, top_k: int | None) -> dict:  # noqa: ANN001
    """Profiles to stored proposals, the whole call a coordinator waits for (less loading the pool), by phase.

    Phases: features (text model and arrays), score (hard rules and components, the best K kept),
    solve (the optimizer) and proposals (``store_proposals`` itself: each choice with its
    alternatives and breakdowns, inserted and committed into a throwaway SQLite database with the
    app's tables; foreign keys are not checked there, so no people need to exist). Seconds are
    wall-clock; ``cpu_s`` is the process's CPU time over the whole call (steadier on a shared machine).
    """
    import models.tables  # noqa: F401 - every table, for create_all

    pool = _pool(requests, volunteers, rules)
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/proposals.db")
        SQLModel.metadata.create_all(engine)
        started, cpu = time.perf_counter(), time.process_time()
        scored = score_pool(requests, volunteers, rules, today, top_k=top_k)
        side = _side_constraints(pool, scored)
        solve_started = time.perf_counter()
        result = assign_edges(len(requests), len(volunteers), scored.rows, scored.cols, scored.scores,
                              capacity=scored.capacity, side=side)
        solve = time.perf_counter() - solve_started
        proposals_started = time.perf_counter()
        with Session(engine) as session:
            stored = store_proposals(session, MatchRun(id=1, organisation_id=1, program_id=1), pool, scored, result)
            session.commit()
        proposals = time.perf_counter() - proposals_started
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    return {
        "requests": len(requests), "volunteers": len(volunteers), "top_k": top_k,
        "candidate_pairs": int(len(scored.scores)), "allowed_pairs": int(scored.pairs_allowed),
        "features_s": scored.phases["features"], "score_s": scored.phases["score"], "solve_s": solve,
        "proposals_s": proposals, "total_s": total, "cpu_s": cpu,
        "matched": len(result.pairs), "proposals": stored, "total_score": result.total_score,
        "solver": result.solver, "optimal": result.optimal,
    }


def top_k_gap(requests, volunteers, rules: ProgramRules, today: date, k: int) -> dict:  # noqa: ANN001
    """The best-K-per-request candidate list against all allowed pairs: how much is lost."""
    results = {}
    for name, top_k in (("dense", None), ("top_k", k)):
        scored = score_pool(requests, volunteers, rules, today, top_k=top_k)
        side = _side_constraints(_pool(requests, volunteers, rules), scored)
        started = time.perf_counter()
        result = assign_edges(len(requests), len(volunteers), scored.rows, scored.cols, scored.scores,
                              capacity=scored.capacity, side=side)
        results[name] = {"pairs": int(len(scored.scores)), "matched": len(result.pairs),
                         "total": result.total_score, "solve_s": time.perf_counter() - started}
    dense, top = results["dense"], results["top_k"]
    gap = 100.0 * (dense["total"] - top["total"]) / dense["total"] if dense["total"] else 0.0
    return {"k": k, "dense": dense, "top_k": top, "gap_percent": gap,
            "matched_difference": dense["matched"] - top["matched"]}


def against_greedy(requests, volunteers, rules: ProgramRules, today: date, top_k: int | None) -> dict:  # noqa: ANN001
    """The optimizer against a coordinator's greedy: longest waiting first takes its best free volunteer."""
    scored = score_pool(requests, volunteers, rules, today, top_k=top_k)
    optimal = assign_edges(len(requests), len(volunteers), scored.rows, scored.cols, scored.scores,
                           capacity=scored.capacity)
    order = np.argsort([r.waiting_since for r in requests], kind="stable")
    greedy = greedy_assign(len(requests), len(volunteers), scored.rows, scored.cols, scored.scores,
                           capacity=scored.capacity, order=order.tolist())
    return {
        "optimizer": {"matched": len(optimal.pairs), "total_score": optimal.total_score},
        "greedy": {"matched": len(greedy.pairs), "total_score": greedy.total_score},
        "more_matched": len(optimal.pairs) - len(greedy.pairs),
        "score_gain_percent": 100.0 * (optimal.total_score - greedy.total_score) / greedy.total_score
        if greedy.total_score else 0.0,
    }
