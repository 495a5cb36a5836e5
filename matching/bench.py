"""Benchmarks of the matching pipeline on plain profiles (``makker bench``): figures, not tests."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel

from matching.fairness import WAITING_PRIORITIES, scoring_rules, waiting_outcome
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from matching.run import (
    _side_constraints,
    heavy_caps_left,
    judge_waiting,
    solve_pool,
    store_proposals,
)
from matching.scoring import score_pool
from models.matchruns import MatchRun
from models.pool import Pool
from optimizer import assign_edges, greedy_assign


def _pool(requests: Sequence[RequestProfile], volunteers: Sequence[VolunteerProfile], rules: ProgramRules) -> Pool:
    return Pool(program_id=0, rules=rules, requests=list(requests), volunteers=list(volunteers),
                exclusions=frozenset(), already_matched=frozenset())


def time_pipeline(requests, volunteers, rules: ProgramRules, today: date, top_k: int | None) -> dict:  # noqa: ANN001
    """Profiles to stored proposals, the whole call a coordinator waits for (less loading the pool), by phase.

    The run's own steps (``solve_pool``, ``judge_waiting``, ``store_proposals``), with the
    program's waiting priority (the default, strict, solves the fair objective). Phases: features
    (text model and arrays), score (hard rules and components, the best K kept), solve (the
    optimizer), waiting (who past the target was served or passed over) and proposals
    (``store_proposals``: each choice with its alternatives and breakdowns, inserted and committed
    into a throwaway SQLite database with the app's tables; foreign keys are not checked there,
    so no people need to exist). Seconds are wall-clock; ``cpu_s`` is the process's CPU time
    over the whole call (steadier on a shared machine).
    """
    import models.tables  # noqa: F401 - every table, for create_all

    pool = _pool(requests, volunteers, replace(rules, top_k=top_k))  # None: every allowed pair
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/proposals.db")
        SQLModel.metadata.create_all(engine)
        started, cpu = time.perf_counter(), time.process_time()
        scored, result, phases = solve_pool(pool, today, top_k=top_k)
        waiting_started = time.perf_counter()
        waiting = judge_waiting(pool, scored, result, today)
        waiting_s = time.perf_counter() - waiting_started
        proposals_started = time.perf_counter()
        with Session(engine) as session:
            stored = store_proposals(session, MatchRun(id=1, organisation_id=1, program_id=1), pool, scored, result,
                                     waiting)
            session.commit()
        proposals = time.perf_counter() - proposals_started
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    return {
        "requests": len(requests), "volunteers": len(volunteers), "top_k": top_k,
        "candidate_pairs": int(len(scored.scores)), "allowed_pairs": int(scored.pairs_allowed),
        "features_s": phases["features"], "score_s": phases["score"], "solve_s": phases["solve"],
        "waiting_s": waiting_s, "proposals_s": proposals, "total_s": total, "cpu_s": cpu,
        "matched": len(result.pairs), "proposals": stored, "total_score": result.total_score,
        "solver": result.solver, "optimal": result.optimal, "waiting_priority": rules.waiting_priority,
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


def waiting_fairness(requests, volunteers, rules: ProgramRules, today: date, top_k: int | None = None) -> dict:  # noqa: ANN001
    """Waiting figures of one pool under each waiting priority and for the greedy baseline.

    Per setting: matched, mean score (and without the waiting part, one yardstick for all),
    and for requests and volunteers: past the target, served, passed over by a newcomer and by
    a shorter wait; plus the seconds of the whole solve the coordinator waits for.
    """
    pool = _pool(requests, volunteers, rules)
    figures: dict = {"requests": len(requests), "volunteers": len(volunteers)}
    scored_by_rules: dict = {}
    for priority in WAITING_PRIORITIES:
        key = priority == "off"
        started = time.perf_counter()
        scored, result, phases = solve_pool(pool, today, top_k=top_k, priority=priority,
                                            scored=scored_by_rules.get(key))
        scored_by_rules[key] = scored
        outcome = judge_waiting(pool, scored, result, today, priority=priority, with_passes=False)
        figures[priority] = {**outcome.as_dict(), "solve_s": phases["solve"],
                             "seconds": time.perf_counter() - started}
    # The coordinator's spreadsheet: longest waiting first takes the best free volunteer (within
    # the same hard rules and the same cap on high-complexity requests per volunteer).
    scored = scored_by_rules[False]
    side = _side_constraints(pool, scored)
    order = np.argsort([r.waiting_since for r in requests], kind="stable")
    greedy = greedy_assign(len(requests), len(volunteers), scored.rows, scored.cols, scored.scores,
                           capacity=scored.capacity, order=order.tolist(),
                           high=side.high_complexity if side is not None else None,
                           max_high=heavy_caps_left(side, len(volunteers)) if side is not None
                           and side.caps_high_complexity else None)
    capped = side is not None and side.caps_high_complexity
    rules_ = scoring_rules(rules) if capped else replace(scoring_rules(rules), max_high_complexity_per_volunteer=None)
    outcome = waiting_outcome(requests, volunteers, rules_, today, scored.rows, scored.cols, scored.scores,
                              scored.components, scored.capacity, greedy.pairs,
                              high=np.asarray(side.high_complexity, dtype=bool) if capped else None,
                              sibling_groups=side.sibling_groups if side is not None else (), with_passes=False,
                              high_caps=heavy_caps_left(side, len(volunteers)) if capped else None)
    figures["greedy"] = {**outcome.as_dict(), "priority": "greedy"}
    return figures


def fair_solve_seconds(requests, volunteers, rules: ProgramRules, today: date, top_k: int | None,  # noqa: ANN001
                       repeats: int = 2) -> dict:
    """The price of strict in seconds: the same scored pool solved strict and weighed, in turns.

    The fastest of ``repeats`` runs counts (wall clock and CPU), so other processes on a shared
    machine disturb the ratio less.
    """
    pool = _pool(requests, volunteers, rules)
    scored = score_pool(requests, volunteers, scoring_rules(rules), today, top_k=top_k)
    out: dict = {"requests": len(requests), "volunteers": len(volunteers), "top_k": top_k,
                 "candidate_pairs": int(len(scored.scores))}
    for _ in range(repeats):
        for priority in ("weighed", "strict"):
            wall, cpu = time.perf_counter(), time.process_time()
            _scored, result, _ = solve_pool(pool, today, top_k=top_k, priority=priority, scored=scored)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            row = out.setdefault(priority, {"wall_s": wall, "cpu_s": cpu, "matched": len(result.pairs)})
            row["wall_s"], row["cpu_s"] = min(row["wall_s"], wall), min(row["cpu_s"], cpu)
    out["cpu_ratio"] = out["strict"]["cpu_s"] / out["weighed"]["cpu_s"] if out["weighed"]["cpu_s"] else float("inf")
    return out
