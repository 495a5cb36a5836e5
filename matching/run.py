"""One match run for one program: load the pool, score, solve, store the proposals.

The only module of ``matching`` that touches the database (through ``models``). The web page,
the task queue's worker (``web/jobs``) and ``makker match`` all call ``start_run`` and ``execute_run``.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matching.fairness import (
    WAITING_PRIORITIES,
    WaitingOutcome,
    scoring_rules,
    waiting_outcome,
    waiting_priority,
)
from matching.proposals import proposal_records
from matching.scoring import ScoredPool, score_pool
from models.clock import utcnow
from models.jobs.leases import heartbeat
from models.matchruns import (
    RUN_LEASE_SECONDS,
    MatchRun,
    Proposal,
    WaitingReason,
    claim_run,
    lock_claimed_run,
    new_claim_token,
    queue_run,
    renew_lease,
)
from models.mentees import Request
from models.organisations import Program
from models.pool import Pool, load_pool
from optimizer import SideConstraints, assign_edges

N_ALTERNATIVES = 3


@dataclass
class RunResult:
    """What a run did, with the seconds of each phase."""

    run_id: int | None
    requests: int
    volunteers: int
    candidate_pairs: int
    proposals: int
    matched_requests: int
    total_score: float
    optimal: bool
    solver: str
    phases: dict[str, float] = field(default_factory=dict)
    removed_by_rule: dict[str, int] = field(default_factory=dict)
    waiting: dict = field(default_factory=dict)  # WaitingOutcome.as_dict()
    # volunteers left out of every pair because their børneattest has run out (ids, for the page)
    certificate_expired: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "requests": self.requests,
            "volunteers": self.volunteers,
            "candidate_pairs": self.candidate_pairs,
            "proposals": self.proposals,
            "matched_requests": self.matched_requests,
            "total_score": round(self.total_score, 4),
            "optimal": self.optimal,
            "solver": self.solver,
            "seconds": {k: round(v, 3) for k, v in self.phases.items()},
            "removed_by_rule": self.removed_by_rule,
            "waiting": self.waiting,
            "certificate_expired": self.certificate_expired,
        }


def start_run(session: Session, program: Program, by_user_id: int | None, parameters: dict | None = None) -> MatchRun:
    """Record a new queued run (committed), so a page can show it; RunAlreadyActive when one is."""
    return queue_run(session, program, by_user_id, parameters)


def _sibling_groups(pool: Pool) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for i, profile in enumerate(pool.requests):
        if profile.sibling_group:
            groups.setdefault(profile.sibling_group, []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _side_constraints(pool: Pool, scored: ScoredPool) -> SideConstraints | None:
    cap = pool.rules.max_high_complexity_per_volunteer
    high = np.asarray(scored.high_complexity, dtype=bool)
    sibling_groups = _sibling_groups(pool)
    needs_cap = cap is not None and high.any()
    if not needs_cap and not sibling_groups:
        return None
    return SideConstraints(
        high_complexity=high.tolist() if needs_cap else None,
        max_high_complexity_per_volunteer=cap if needs_cap else None,
        # Heavy cases held in open matches count against the cap too.
        high_complexity_held=scored.heavy_cases.tolist() if needs_cap and len(scored.heavy_cases) else None,
        sibling_groups=sibling_groups,
    )


def solve_pool(pool: Pool, today: date, objective: str = "most-matched", top_k: int | None = None,
               use_side_constraints: bool = True, priority: str | None = None, scored: ScoredPool | None = None,
               ) -> tuple[ScoredPool, object, dict[str, float]]:
    """Score and solve a loaded pool (no database); returns the scored pool, the assignment, timings.

    ``priority`` ("strict", "weighed", "off") overrides the program's waiting priority, e.g. to
    preview another setting; strict applies to the most-matched objective. ``scored``: the pool
    already scored with the same scoring rules (``scoring_rules``), to solve it again.
    """
    priority = priority or pool.rules.waiting_priority
    if priority not in WAITING_PRIORITIES:
        raise ValueError(f"waiting priority must be one of {WAITING_PRIORITIES}, not {priority!r}")
    rules = replace(pool.rules, waiting_priority=priority)
    phases: dict[str, float] = {}
    if scored is None:
        scored = score_pool(
            pool.requests,
            pool.volunteers,
            scoring_rules(rules),
            today,
            exclusions=pool.exclusions,
            already_matched=pool.already_matched,
            top_k=top_k if top_k is not None else pool.rules.top_k,
        )
        phases.update(scored.phases)
    started = time.perf_counter()
    side = _side_constraints(pool, scored) if use_side_constraints else None
    fair = priority == "strict" and objective == "most-matched"
    result = assign_edges(
        len(pool.requests),
        len(pool.volunteers),
        scored.rows,
        scored.cols,
        scored.scores,
        capacity=scored.capacity,
        objective=objective,
        side=side,
        waiting=waiting_priority(pool.requests, pool.volunteers, rules, today) if fair else None,
    )
    phases["solve"] = time.perf_counter() - started
    return scored, result, phases


def judge_waiting(pool: Pool, scored: ScoredPool, result, today: date, priority: str | None = None,  # noqa: ANN001
                  use_side_constraints: bool = True, with_passes: bool = True) -> WaitingOutcome:
    """Who past the waiting target was served, passed over, and why not (see matching.fairness)."""
    rules = scoring_rules(replace(pool.rules, waiting_priority=priority or pool.rules.waiting_priority))
    side = _side_constraints(pool, scored) if use_side_constraints else None
    capped = side is not None and side.caps_high_complexity
    high = np.asarray(side.high_complexity, dtype=bool) if capped else None
    if not capped:
        rules = replace(rules, max_high_complexity_per_volunteer=None)
    return waiting_outcome(pool.requests, pool.volunteers, rules, today, scored.rows, scored.cols, scored.scores,
                           scored.components, scored.capacity, result.pairs, high=high,
                           sibling_groups=side.sibling_groups if side is not None else (), with_passes=with_passes,
                           high_caps=heavy_caps_left(side, len(pool.volunteers)) if capped else None)


def heavy_caps_left(side: SideConstraints, n_volunteers: int) -> np.ndarray:
    """Per volunteer: how many more high-complexity mentees the cap allows (held ones count)."""
    caps = np.full(n_volunteers, int(side.max_high_complexity_per_volunteer), dtype=np.int64)
    if side.high_complexity_held is not None:
        caps = np.maximum(0, caps - np.asarray(side.high_complexity_held, dtype=np.int64))
    return caps


def store_proposals(session: Session, run: MatchRun, pool: Pool, scored: ScoredPool, result,  # noqa: ANN001
                    waiting: WaitingOutcome | None = None) -> int:
    """Proposals of the run: rank 1 = the solver's choice, 2.. = the next best alternatives.

    With ``waiting``, each choice also says how long both sides had waited and whom past the
    target it passed over (and why), and the reasons of those left without a proposal are kept.
    """
    # Earlier open proposals of this program are superseded by the new run: one UPDATE whose
    # condition the database checks again on each row, so a proposal a coordinator approves at
    # this moment stays approved. Rows locked by such a decision are skipped rather than waited
    # for (no deadlock with the approval, which supersedes its own rivals).
    older = (select(Proposal.id).join(MatchRun, MatchRun.id == Proposal.run_id)
             .where(MatchRun.program_id == run.program_id, Proposal.status == "proposed", Proposal.run_id != run.id)
             .with_for_update(skip_locked=True, key_share=True, of=Proposal))
    session.execute(update(Proposal).where(Proposal.id.in_(older), Proposal.status == "proposed")
                    .values(status="superseded").execution_options(synchronize_session=False))
    # Requests matched while the run was computing get no proposals.
    still_waiting = set(session.exec(select(Request.id).where(
        Request.id.in_([int(i) for i in scored.request_ids]), Request.status == "waiting")))
    # One bulk INSERT in the session's transaction, not an ORM object per row: a large pool has
    # ~50,000 proposals, and building and flushing that many objects took several times longer
    # than scoring and solving together.
    now = utcnow()
    rows = []
    for record in proposal_records(scored, result.pairs, pool.rules.weights, N_ALTERNATIVES, pool):
        request_id = int(scored.request_ids[record.request_index])
        if request_id not in still_waiting:
            continue
        breakdown = record.breakdown
        if waiting is not None:
            if record.rank == 1:
                breakdown.update(_waiting_note(pool, waiting, record.request_index, record.volunteer_index))
            else:
                breakdown["waiting"] = _waiting_days(waiting, record.request_index, record.volunteer_index)
        rows.append({"organisation_id": run.organisation_id, "run_id": run.id, "request_id": request_id,
                     "volunteer_id": int(scored.volunteer_ids[record.volunteer_index]), "score": record.score,
                     "rank": record.rank, "breakdown": breakdown, "status": "proposed", "reason": "",
                     "created_at": now})
    if rows:
        session.connection().execute(Proposal.__table__.insert(), rows)
    if waiting is not None:
        store_waiting_reasons(session, run, pool, waiting)
    return len(rows)


def store_waiting_reasons(session: Session, run: MatchRun, pool: Pool, waiting: WaitingOutcome) -> None:
    """Replace the program's reasons with this run's (the waiting lists show the latest run's)."""
    session.flush()
    connection = session.connection()
    connection.execute(delete(WaitingReason).where(WaitingReason.program_id == run.program_id))
    rows = [dict(organisation_id=run.organisation_id, program_id=run.program_id, run_id=run.id,
                 request_id=pool.requests[i].id, volunteer_id=None, reason=reason, days_past_target=days)
            for i, (reason, days) in sorted(waiting.request_reasons.items())]
    volunteer_reasons = dict(waiting.volunteer_reasons)
    # A volunteer whose børneattest ran out is told why, waiting past the target or not.
    for i, profile in enumerate(pool.volunteers):
        if profile.id in pool.certificate_expired:
            volunteer_reasons[i] = ("certificate_expired", max(0, int(waiting.volunteer_days[i]) - waiting.target_days))
    rows += [dict(organisation_id=run.organisation_id, program_id=run.program_id, run_id=run.id, request_id=None,
                  volunteer_id=pool.volunteers[i].id, reason=reason, days_past_target=days)
             for i, (reason, days) in sorted(volunteer_reasons.items())]
    if rows:
        connection.execute(insert(WaitingReason), rows)  # executemany: thousands of rows in one go


def _waiting_days(waiting: WaitingOutcome, r: int, v: int) -> dict:
    return {"request_days": int(waiting.request_days[r]), "volunteer_days": int(waiting.volunteer_days[v]),
            "target_days": waiting.target_days}


def _waiting_note(pool: Pool, waiting: WaitingOutcome, r: int, v: int) -> dict:
    return {
        "waiting": _waiting_days(waiting, r, v),
        "passes_over": [{"request_id": pool.requests[i].id, "days_past": waiting.request_reasons.get(i, ("", 0))[1],
                         "reason": reason} for i, reason in waiting.request_passes.get((r, v), [])],
        "passes_over_volunteers": [
            {"volunteer_id": pool.volunteers[i].id, "days_past": waiting.volunteer_reasons.get(i, ("", 0))[1],
             "reason": reason} for i, reason in waiting.volunteer_passes.get((r, v), [])],
    }


class LeaseLost(RuntimeError):
    """Another worker took the run over (ours stopped renewing in time); nothing was stored."""


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute_run(engine: Engine, run_id: int, today: date, dry_run: bool = False, worker: str | None = None,
                lease_seconds: int = RUN_LEASE_SECONDS) -> RunResult | None:
    """Claim, load, score, solve and store one run; marks it done, or failed with the reason.

    Returns None when the run is not there to claim (done already, or another worker holds it):
    running the same task twice is harmless. While it works, a heartbeat renews the lease; if
    the lease was lost anyway, nothing is stored. No transaction stays open while scoring and
    solving, so progress updates and other users' writes are never blocked by a long run.
    """
    token = new_claim_token(worker or _worker_name())
    with Session(engine) as session:
        if not claim_run(session, run_id, token, utcnow(), lease_seconds):
            return None

    def renew(progress: str | None = None, stats: dict | None = None) -> bool:
        with Session(engine) as session:
            return renew_lease(session, run_id, token, utcnow(), progress, lease_seconds, stats)

    try:
        with heartbeat(renew, every=max(lease_seconds / 3, 0.5)) as beat:
            started = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                run = session.get(MatchRun, run_id)
                objective = run.parameters.get("objective", "most-matched")
                program = session.get(Program, run.program_id)
                pool = load_pool(session, program, today)
            load_seconds = time.perf_counter() - started
            renew("scoring", {"requests": len(pool.requests), "volunteers": len(pool.volunteers)})
            scored, result, phases = solve_pool(pool, today, objective=objective)
            started = time.perf_counter()
            waiting = judge_waiting(pool, scored, result, today)
            phases = {"load": load_seconds, **phases, "waiting": time.perf_counter() - started}
            if not renew("storing") or beat.lost:
                raise LeaseLost(f"run {run_id} was taken over by another worker")
            started = time.perf_counter()
            with Session(engine, expire_on_commit=False) as session:
                run = lock_claimed_run(session, run_id, token)
                if run is None:
                    raise LeaseLost(f"run {run_id} was taken over by another worker")
                stored = 0 if dry_run else store_proposals(session, run, pool, scored, result, waiting)
                phases["store"] = time.perf_counter() - started
                outcome = RunResult(
                    run_id=None if dry_run else run_id, requests=len(pool.requests), volunteers=len(pool.volunteers),
                    candidate_pairs=len(scored.scores), proposals=stored, matched_requests=len(result.pairs),
                    total_score=float(result.total_score), optimal=bool(result.optimal), solver=result.solver,
                    phases=phases, removed_by_rule=dict(scored.removed_by_rule), waiting=waiting.as_dict(),
                    certificate_expired=sorted(pool.certificate_expired),
                )
                if dry_run:
                    session.delete(run)
                else:
                    run.status = "done"
                    run.progress = "done"
                    run.finished_at = utcnow()
                    run.lease_until = None
                    run.stats = outcome.as_dict()
                    session.add(run)
                session.commit()
        return outcome
    except LeaseLost:
        raise
    except Exception as error:
        with Session(engine) as session:
            run = lock_claimed_run(session, run_id, token)
            if run is not None:  # still ours: say why it failed (a taken-over run is not ours to fail)
                run.status = "failed"
                run.progress = "failed"
                run.error = f"{type(error).__name__}: {error}"[:2000]
                run.finished_at = utcnow()
                run.lease_until = None
                session.add(run)
                session.commit()
        raise


def compare_priorities(pool: Pool, today: date, top_k: int | None = None,
                       use_side_constraints: bool = True) -> dict[str, WaitingOutcome]:
    """The pool solved under each waiting priority, with its waiting figures (nothing stored).

    "strict" and "weighed" share one score, so the pool is scored twice, not three times.
    """
    outcomes: dict[str, WaitingOutcome] = {}
    scored_by_rules: dict[bool, ScoredPool] = {}
    for priority in WAITING_PRIORITIES:
        without_waiting = priority == "off"
        scored, result, _ = solve_pool(pool, today, top_k=top_k, use_side_constraints=use_side_constraints,
                                       priority=priority, scored=scored_by_rules.get(without_waiting))
        scored_by_rules[without_waiting] = scored
        outcomes[priority] = judge_waiting(pool, scored, result, today, priority=priority,
                                           use_side_constraints=use_side_constraints, with_passes=False)
    return outcomes


def preview_waiting(session: Session, program: Program, today: date, target_days: int | None = None,
                    weights: dict[str, float] | None = None, **rule_changes: object) -> dict[str, WaitingOutcome]:
    """Today's pool under each waiting priority, with the form's target, weights and any other
    changed ``ProgramRules`` field (e.g. the experience minimums) if given."""
    pool = load_pool(session, program, today)
    changes = dict(rule_changes)
    if target_days is not None:
        changes["waiting_target_days"] = target_days
    if weights is not None:
        changes["weights"] = {**pool.rules.weights, **weights}
    return compare_priorities(replace(pool, rules=replace(pool.rules, **changes)), today)


@dataclass
class WeightPreview:
    """How a change of weights would move the proposals for today's pool (nothing is stored)."""

    requests: int
    matched_before: int
    matched_after: int
    mean_score_before: float
    mean_score_after: float
    changed: list[tuple[int, int | None, int | None]]  # (request id, volunteer before, volunteer after)
    same: int


def preview_weights(session: Session, program: Program, weights: dict[str, float], today: date,
                    **rule_changes: object) -> WeightPreview:
    """Solve today's pool with the current and with the new weights (and any other changed
    ``ProgramRules`` field, e.g. the experience minimums) and compare the proposals."""
    from dataclasses import replace

    pool = load_pool(session, program, today)
    new_rules = replace(pool.rules, weights={**pool.rules.weights, **weights}, **rule_changes)
    outcomes = []
    for rules in (pool.rules, new_rules):
        scored, result, _phases = solve_pool(replace(pool, rules=rules), today)
        chosen = {pool.requests[r].id: pool.volunteers[v].id for r, v in result.pairs}
        # Each side's mean is on its own weights' scale (scores are weighted means in [0, 1]).
        mean = float(result.total_score) / len(result.pairs) if result.pairs else 0.0
        outcomes.append((chosen, mean))
    (before, mean_before), (after, mean_after) = outcomes
    changed = [(rid, before.get(rid), after.get(rid)) for rid in sorted(set(before) | set(after))
               if before.get(rid) != after.get(rid)]
    return WeightPreview(requests=len(pool.requests), matched_before=len(before), matched_after=len(after),
                         mean_score_before=mean_before, mean_score_after=mean_after, changed=changed,
                         same=sum(1 for rid, vid in before.items() if after.get(rid) == vid))
