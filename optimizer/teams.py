"""Teams around families: which actors join which family's team, and who is its primary contact.

Imports nothing of Makker's own. Arrays in, assignment out, like ``assign``:

- per family the competences its goals need (indices ``0..n_competences-1``);
- per actor the competences it has and how many more families it can take (``capacity``);
- the allowed (family, actor) pairs (the hard rules are the caller's masks: a pair not listed is
  never chosen), each with ``fit`` in [0, 1] (how well the actor suits the family as a member)
  and ``primary_fit`` in [0, 1] (as the family's one primary contact; NaN = may not be one);
- pairs that must stay (``locked``: members already on the team) or never be chosen.

The objective, in whole numbers (CP-SAT needs them), maximised:

    coverage * (needs covered)  +  team * (families that get a team)
    - member * (members)  +  fit_scale * fit(members)  +  primary_scale * primary_fit(primary contacts)

The default weights order the goals strictly: covering one more need is worth more than any
member it takes (``coverage > member``); one member fewer is worth more than any gain in fit
and primary fit a larger team could bring (``member > (k + 1) * fit_scale + primary_scale`` for
teams of up to k = 12 members), so teams stay as small as the needs allow; among teams of the
same size and coverage the best-fitting members and primary contact win. A family whose needs
nobody can cover still gets a primary contact (``team > member``). Every team with members has
exactly one primary contact among them.

Solved with OR-Tools CP-SAT under a time limit; the result says whether it is proven optimal and
the gap to the best bound CP-SAT proved. ``prune_candidates`` keeps a few of the best actors per
need and per family for large problems; ``greedy_teams`` gives the solver a first solution.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model


@dataclass(frozen=True)
class TeamWeights:
    coverage: int = 20000  # per need of a family covered by its team
    team: int = 1600  # per family that gets a team (a primary contact) at all
    member: int = 1500  # per member: keeps teams small (see the module docstring)
    fit_scale: int = 100  # fit in [0, 1] is worth up to this per member
    primary_scale: int = 100  # primary_fit in [0, 1] is worth up to this per primary contact

    def check(self) -> None:
        if min(self.coverage, self.team, self.member, self.fit_scale, self.primary_scale) < 0:
            raise ValueError("team weights must not be negative")


@dataclass
class TeamAssignment:
    members: list[list[int]]  # per family: actor indices, ascending
    primary: list[int | None]  # per family: the primary contact's actor index
    covered: list[list[int]]  # per family: the needs its team covers
    uncovered: list[list[int]]  # per family: the needs nobody on its team covers
    objective: int
    bound: int  # the best bound CP-SAT proved (equal to objective when optimal)
    optimal: bool
    status: str
    seconds: float
    solver: str = "cp_sat"
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """How far the objective may be from the optimum, as a share of the bound (0 = optimal)."""
        if self.optimal or self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


@dataclass
class TeamProblem:
    """A validated problem: needs and competences as sets, edges as arrays."""

    n_families: int
    n_actors: int
    needs: list[tuple[int, ...]]
    competences: list[frozenset[int]]
    capacity: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    fit: np.ndarray
    primary_fit: np.ndarray  # NaN where the actor may not be primary contact
    locked: list[tuple[int, int]]
    locked_primary: list[int | None]
    max_size: np.ndarray  # per family; 0 = no team at all
    weights: TeamWeights

    def fit_points(self) -> np.ndarray:
        return np.round(self.fit * self.weights.fit_scale).astype(np.int64)

    def primary_points(self) -> np.ndarray:
        points = np.where(np.isnan(self.primary_fit), 0.0, self.primary_fit)
        return np.round(points * self.weights.primary_scale).astype(np.int64)


def _index_pairs(values: Iterable, n_families: int, n_actors: int, what: str) -> list[tuple[int, int]]:
    out = []
    for item in values:
        f, a = (int(x) for x in item)
        if not (0 <= f < n_families and 0 <= a < n_actors):
            raise ValueError(f"{what} pair {(f, a)} is outside {n_families} families x {n_actors} actors")
        out.append((f, a))
    return out


def build_problem(
    needs: Sequence[Sequence[int]],
    actor_competences: Sequence[Sequence[int]],
    capacity: Sequence[int] | np.ndarray,
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    fit: Sequence[float] | np.ndarray,
    primary_fit: Sequence[float] | np.ndarray | None = None,
    locked: Iterable = (),
    forbidden: Iterable = (),
    locked_primary: Sequence[int | None] | None = None,
    max_team_size: int | Sequence[int] | None = None,
    weights: TeamWeights | None = None,
) -> TeamProblem:
    """Check the input and drop forbidden pairs; raises ValueError with what is wrong."""
    weights = weights or TeamWeights()
    weights.check()
    n_families, n_actors = len(needs), len(actor_competences)
    rows = np.asarray(rows, dtype=np.int64).ravel()
    cols = np.asarray(cols, dtype=np.int64).ravel()
    fit = np.asarray(fit, dtype=np.float64).ravel()
    primary = fit.copy() if primary_fit is None else np.asarray(primary_fit, dtype=np.float64).ravel()
    if not (len(rows) == len(cols) == len(fit) == len(primary)):
        raise ValueError("rows, cols, fit and primary_fit differ in length")
    if len(rows) and (rows.min() < 0 or rows.max() >= n_families or cols.min() < 0 or cols.max() >= n_actors):
        raise ValueError("an edge points outside the families or actors")
    if np.isnan(fit).any() or (fit < 0).any() or (fit > 1).any():
        raise ValueError("fit must be a number in [0, 1] for every listed pair")
    known = ~np.isnan(primary)
    if (primary[known] < 0).any() or (primary[known] > 1).any():
        raise ValueError("primary_fit must be in [0, 1] (or NaN: may not be primary contact)")
    cap = np.asarray(capacity, dtype=np.int64).ravel()
    if cap.shape != (n_actors,):
        raise ValueError(f"capacity must have one entry per actor ({n_actors}), got {cap.shape}")
    if (cap < 0).any():
        raise ValueError("capacity must not be negative")
    n_competences = 1 + max([max(c, default=-1) for c in needs] + [max(c, default=-1) for c in actor_competences],
                            default=-1)
    for what, lists in (("needs", needs), ("actor_competences", actor_competences)):
        for item in lists:
            if any(int(k) < 0 for k in item):
                raise ValueError(f"{what} must hold competence indices >= 0")
    key = rows * max(n_actors, 1) + cols
    if len(key) != len(np.unique(key)):
        raise ValueError("a (family, actor) pair is listed twice")
    forbidden_pairs = set(_index_pairs(forbidden, n_families, n_actors, "forbidden"))
    locked_pairs = _index_pairs(locked, n_families, n_actors, "locked")
    if set(locked_pairs) & forbidden_pairs:
        raise ValueError("a pair is both locked and forbidden")
    if forbidden_pairs and len(rows):
        bad = np.array([f * max(n_actors, 1) + a for f, a in forbidden_pairs], dtype=np.int64)
        keep = ~np.isin(key, bad)
        rows, cols, fit, primary = rows[keep], cols[keep], fit[keep], primary[keep]
    edge_set = set(zip(rows.tolist(), cols.tolist(), strict=True))
    for pair in locked_pairs:
        if pair not in edge_set:
            raise ValueError(f"the locked pair {pair} is not an allowed pair")
    load = np.bincount([a for _f, a in set(locked_pairs)], minlength=n_actors) if locked_pairs else np.zeros(n_actors)
    if (load > cap).any():
        raise ValueError("the locked pairs give an actor more families than its capacity")
    if max_team_size is None:
        sizes = np.full(n_families, max(1, n_competences), dtype=np.int64)
    elif isinstance(max_team_size, int | np.integer):
        sizes = np.full(n_families, int(max_team_size), dtype=np.int64)
    else:
        sizes = np.asarray(max_team_size, dtype=np.int64).ravel()
        if sizes.shape != (n_families,):
            raise ValueError("max_team_size must be one number or one per family")
    if (sizes < 0).any():
        raise ValueError("max_team_size must not be negative")
    locked_count = np.bincount([f for f, _a in set(locked_pairs)], minlength=n_families) if locked_pairs \
        else np.zeros(n_families)
    if (locked_count > sizes).any():
        raise ValueError("the locked pairs make a team larger than max_team_size")
    lp = list(locked_primary) if locked_primary is not None else [None] * n_families
    if len(lp) != n_families:
        raise ValueError("locked_primary must have one entry per family")
    locked_set = set(locked_pairs)
    for f, a in enumerate(lp):
        if a is None:
            continue
        if (f, int(a)) not in locked_set:
            raise ValueError(f"the locked primary contact of family {f} must be a locked member")
        edge = np.nonzero((rows == f) & (cols == int(a)))[0]
        if np.isnan(primary[edge[0]]):
            raise ValueError(f"actor {a} may not be primary contact of family {f}")
    return TeamProblem(
        n_families=n_families, n_actors=n_actors,
        needs=[tuple(sorted({int(k) for k in n})) for n in needs],
        competences=[frozenset(int(k) for k in c) for c in actor_competences],
        capacity=cap, rows=rows, cols=cols, fit=fit, primary_fit=primary, locked=sorted(set(locked_pairs)),
        locked_primary=[None if a is None else int(a) for a in lp], max_size=sizes, weights=weights,
    )


def objective_of(problem: TeamProblem, members: Sequence[Iterable[int]], primary: Sequence[int | None]) -> int:
    """The objective of a given choice of teams (used by tests and the greedy; no checks of rules)."""
    w = problem.weights
    fit = dict(zip(zip(problem.rows.tolist(), problem.cols.tolist(), strict=True), problem.fit_points().tolist(),
                   strict=True))
    pfit = dict(zip(zip(problem.rows.tolist(), problem.cols.tolist(), strict=True),
                    problem.primary_points().tolist(), strict=True))
    total = 0
    for f, team in enumerate(members):
        team = set(team)
        if not team:
            continue
        have = set().union(*(problem.competences[a] for a in team))
        total += w.coverage * sum(1 for k in problem.needs[f] if k in have) + w.team
        total += sum(fit[(f, a)] - w.member for a in team)
        if primary[f] is not None:
            total += pfit[(f, primary[f])]
    return int(total)


def check_assignment(problem: TeamProblem, members: Sequence[Iterable[int]], primary: Sequence[int | None]) -> list[str]:
    """What a choice of teams breaks (empty when it keeps every rule): tests and callers use it."""
    broken = []
    allowed = set(zip(problem.rows.tolist(), problem.cols.tolist(), strict=True))
    load = np.zeros(problem.n_actors, dtype=np.int64)
    for f, team in enumerate(members):
        team = set(team)
        for a in team:
            if (f, a) not in allowed:
                broken.append(f"family {f}: actor {a} is not allowed")
            load[a] += 1
        if len(team) > problem.max_size[f]:
            broken.append(f"family {f}: team of {len(team)} is larger than {problem.max_size[f]}")
        if team and (primary[f] is None or primary[f] not in team):
            broken.append(f"family {f}: the primary contact is not a member")
        if not team and primary[f] is not None:
            broken.append(f"family {f}: a primary contact without a team")
        if primary[f] is not None and (f, primary[f]) in allowed:
            edge = np.nonzero((problem.rows == f) & (problem.cols == primary[f]))[0][0]
            if np.isnan(problem.primary_fit[edge]):
                broken.append(f"family {f}: actor {primary[f]} may not be primary contact")
        if problem.locked_primary[f] is not None and primary[f] != problem.locked_primary[f]:
            broken.append(f"family {f}: the locked primary contact was changed")
    for f, a in problem.locked:
        if a not in set(members[f]):
            broken.append(f"family {f}: locked member {a} was left out")
    for a in np.nonzero(load > problem.capacity)[0]:
        broken.append(f"actor {int(a)}: {int(load[a])} families, capacity {int(problem.capacity[a])}")
    return broken


# --- candidates ---------------------------------------------------------------------------------

def prune_candidates(problem: TeamProblem, per_need: int = 6, per_family: int = 4) -> np.ndarray:
    """Edges worth keeping in a large problem: for each family, the ``per_need`` best-fitting
    actors that have each of its needs, the ``per_family`` best primary contacts, and every locked
    pair. Returns the indices of the kept edges (ascending)."""
    keep = np.zeros(len(problem.rows), dtype=bool)
    if not len(problem.rows):
        return np.nonzero(keep)[0]
    locked = set(problem.locked)
    order = np.lexsort((-problem.fit, problem.rows))  # by family, best fit first
    rows, cols = problem.rows[order], problem.cols[order]
    starts = np.searchsorted(rows, np.arange(problem.n_families + 1))
    pfit = np.where(np.isnan(problem.primary_fit), -1.0, problem.primary_fit)
    for f in range(problem.n_families):
        lo, hi = starts[f], starts[f + 1]
        if lo == hi:
            continue
        edges = order[lo:hi]
        taken = {k: 0 for k in problem.needs[f]}
        for edge, a in zip(edges.tolist(), cols[lo:hi].tolist(), strict=True):
            useful = [k for k in problem.competences[a] if k in taken and taken[k] < per_need]
            if useful:
                keep[edge] = True
                for k in useful:
                    taken[k] += 1
            if (f, a) in locked:
                keep[edge] = True
        best_primary = edges[np.argsort(-pfit[edges], kind="stable")[:per_family]]
        keep[best_primary[pfit[best_primary] >= 0]] = True
    return np.nonzero(keep)[0]


def subset(problem: TeamProblem, edges: np.ndarray) -> TeamProblem:
    """The same problem over the given edges only (locked pairs must be among them)."""
    return TeamProblem(
        n_families=problem.n_families, n_actors=problem.n_actors, needs=problem.needs,
        competences=problem.competences, capacity=problem.capacity, rows=problem.rows[edges],
        cols=problem.cols[edges], fit=problem.fit[edges], primary_fit=problem.primary_fit[edges],
        locked=problem.locked, locked_primary=problem.locked_primary, max_size=problem.max_size,
        weights=problem.weights,
    )


# --- a quick first solution ---------------------------------------------------------------------

def greedy_teams(problem: TeamProblem) -> tuple[list[list[int]], list[int | None]]:
    """A good first solution: families in order, each taking the actor that adds the most until
    nothing more helps. Keeps every rule; used as the solver's hint (and as a yardstick)."""
    w = problem.weights
    fit_points, primary_points = problem.fit_points(), problem.primary_points()
    left = problem.capacity.copy()
    members: list[list[int]] = [[] for _ in range(problem.n_families)]
    primary: list[int | None] = list(problem.locked_primary)
    by_family: dict[int, list[int]] = {}
    for edge, f in enumerate(problem.rows.tolist()):
        by_family.setdefault(f, []).append(edge)
    for f, a in problem.locked:
        members[f].append(a)
        left[a] -= 1
    for f in range(problem.n_families):
        edges = by_family.get(f, [])
        team = set(members[f])
        have = set().union(*(problem.competences[a] for a in team)) if team else set()
        needs = set(problem.needs[f])
        while len(team) < problem.max_size[f]:
            best, best_gain = None, 0
            for edge in edges:
                a = int(problem.cols[edge])
                if a in team or left[a] <= 0:
                    continue
                gain = w.coverage * len((problem.competences[a] & needs) - have) + int(fit_points[edge]) - w.member
                if not team:
                    if np.isnan(problem.primary_fit[edge]):
                        continue
                    gain += w.team + int(primary_points[edge])
                if gain > best_gain:
                    best, best_gain = edge, gain
            if best is None:
                break
            a = int(problem.cols[best])
            team.add(a)
            left[a] -= 1
            have |= problem.competences[a]
        members[f] = sorted(team)
        if team and primary[f] is None:
            choices = [e for e in edges if int(problem.cols[e]) in team and not np.isnan(problem.primary_fit[e])]
            primary[f] = int(problem.cols[max(choices, key=lambda e: (primary_points[e], -problem.cols[e]))]) \
                if choices else None
        if team and primary[f] is None:  # nobody on it may be primary contact: no team
            for a in team:
                left[a] += 1
            members[f] = []
    return members, primary


# --- CP-SAT -------------------------------------------------------------------------------------

def compose_teams(
    needs: Sequence[Sequence[int]],
    actor_competences: Sequence[Sequence[int]],
    capacity: Sequence[int] | np.ndarray,
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    fit: Sequence[float] | np.ndarray,
    primary_fit: Sequence[float] | np.ndarray | None = None,
    locked: Iterable = (),
    forbidden: Iterable = (),
    locked_primary: Sequence[int | None] | None = None,
    max_team_size: int | Sequence[int] | None = None,
    weights: TeamWeights | None = None,
    time_limit_s: float = 10.0,
    workers: int = 2,
    prune: tuple[int, int] | None = None,
    seed: int = 0,
) -> TeamAssignment:
    """The best teams under the rules (see the module docstring); deterministic for the same input.

    ``prune=(per_need, per_family)`` first keeps only the best candidates (``prune_candidates``);
    the gap is then measured against the pruned problem's bound.
    """
    started = time.perf_counter()
    problem = build_problem(needs, actor_competences, capacity, rows, cols, fit, primary_fit, locked, forbidden,
                            locked_primary, max_team_size, weights)
    full_edges = len(problem.rows)
    if prune is not None:
        problem = subset(problem, prune_candidates(problem, *prune))
    result = solve_problem(problem, time_limit_s=time_limit_s, workers=workers, seed=seed)
    result.stats.update({"edges": full_edges, "edges_kept": len(problem.rows)})
    result.seconds = time.perf_counter() - started
    return result


def solve_problem(problem: TeamProblem, time_limit_s: float = 10.0, workers: int = 2, seed: int = 0) -> TeamAssignment:
    started = time.perf_counter()
    w = problem.weights
    model = cp_model.CpModel()
    fit_points, primary_points = problem.fit_points(), problem.primary_points()
    n_edges = len(problem.rows)
    x = [model.new_bool_var(f"x{e}") for e in range(n_edges)]
    p: dict[int, cp_model.IntVar] = {}
    y = [model.new_bool_var(f"y{f}") for f in range(problem.n_families)]
    by_family: list[list[int]] = [[] for _ in range(problem.n_families)]
    by_actor: list[list[int]] = [[] for _ in range(problem.n_actors)]
    for e, (f, a) in enumerate(zip(problem.rows.tolist(), problem.cols.tolist(), strict=True)):
        by_family[f].append(e)
        by_actor[a].append(e)
    edge_of = {(int(problem.rows[e]), int(problem.cols[e])): e for e in range(n_edges)}
    objective = []
    coverage: dict[tuple[int, int], cp_model.IntVar] = {}
    for f in range(problem.n_families):
        edges = by_family[f]
        for e in edges:
            model.add_implication(x[e], y[f])
            if not np.isnan(problem.primary_fit[e]):
                p[e] = model.new_bool_var(f"p{e}")
                model.add_implication(p[e], x[e])
                objective.append(int(primary_points[e]) * p[e])
            objective.append((int(fit_points[e]) - w.member) * x[e])
        primaries = [p[e] for e in edges if e in p]
        model.add(sum(primaries) == y[f])  # a team has exactly one primary contact; no team, none
        if not primaries:
            model.add(y[f] == 0)
        model.add(sum(x[e] for e in edges) <= int(problem.max_size[f]))
        objective.append(w.team * y[f])
        for k in problem.needs[f]:
            holders = [x[e] for e in edges if k in problem.competences[int(problem.cols[e])]]
            if not holders:
                continue
            c = model.new_bool_var(f"c{f}_{k}")
            model.add_bool_or(holders).only_enforce_if(c)
            coverage[(f, k)] = c
            objective.append(w.coverage * c)
        if problem.locked_primary[f] is not None:
            model.add(p[edge_of[(f, problem.locked_primary[f])]] == 1)
    for a in range(problem.n_actors):
        if by_actor[a] and len(by_actor[a]) > problem.capacity[a]:
            model.add(sum(x[e] for e in by_actor[a]) <= int(problem.capacity[a]))
    for pair in problem.locked:
        model.add(x[edge_of[pair]] == 1)
    model.maximize(sum(objective))

    # The greedy's teams as a hint: CP-SAT starts from a good solution and improves on it.
    hint_members, hint_primary = greedy_teams(problem)
    chosen = {(f, a) for f, team in enumerate(hint_members) for a in team}
    for e in range(n_edges):
        pair = (int(problem.rows[e]), int(problem.cols[e]))
        model.add_hint(x[e], pair in chosen)
        if e in p:
            model.add_hint(p[e], hint_primary[pair[0]] == pair[1])
    for f in range(problem.n_families):
        model.add_hint(y[f], bool(hint_members[f]))
        have = set().union(*(problem.competences[a] for a in hint_members[f])) if hint_members[f] else set()
        for k in problem.needs[f]:
            if (f, k) in coverage:
                model.add_hint(coverage[(f, k)], k in have)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = max(1, int(workers))
    solver.parameters.random_seed = int(seed)
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No solution within the time (should not happen with the hint): the greedy's teams.
        members, primary = hint_members, hint_primary
        value = objective_of(problem, members, primary)
        # Without a solution CP-SAT proved no useful bound either: the sum of every positive term
        # is one (loose but honest), so the gap reported is never smaller than the truth.
        bound = _upper_bound(problem)
        return _assignment(problem, members, primary, value, max(bound, value), False, name, started, "greedy")
    members = [[] for _ in range(problem.n_families)]
    primary: list[int | None] = [None] * problem.n_families
    for e in range(n_edges):
        if solver.value(x[e]):
            f, a = int(problem.rows[e]), int(problem.cols[e])
            members[f].append(a)
            if e in p and solver.value(p[e]):
                primary[f] = a
    value = int(round(solver.objective_value))
    bound = int(round(solver.best_objective_bound))
    return _assignment(problem, [sorted(t) for t in members], primary, value, bound, status == cp_model.OPTIMAL,
                       name, started, "cp_sat",
                       {"branches": solver.num_branches, "conflicts": solver.num_conflicts,
                        "greedy_objective": objective_of(problem, hint_members, hint_primary)})


def _upper_bound(problem: TeamProblem) -> int:
    """Every family fully covered with its best primary contact, at the cost of no member: no
    solution can do better."""
    w = problem.weights
    best_primary = np.zeros(problem.n_families, dtype=np.int64)
    np.maximum.at(best_primary, problem.rows, problem.primary_points())
    return int(sum(w.coverage * len(n) for n in problem.needs) + w.team * problem.n_families + best_primary.sum())


def _assignment(problem: TeamProblem, members: list[list[int]], primary: list[int | None], value: int, bound: int,
                optimal: bool, status: str, started: float, solver: str, stats: dict | None = None) -> TeamAssignment:
    covered, uncovered = [], []
    for f, team in enumerate(members):
        have = set().union(*(problem.competences[a] for a in team)) if team else set()
        covered.append([k for k in problem.needs[f] if k in have])
        uncovered.append([k for k in problem.needs[f] if k not in have])
    return TeamAssignment(members=members, primary=primary, covered=covered, uncovered=uncovered, objective=value,
                          bound=max(bound, value), optimal=optimal, status=status,
                          seconds=time.perf_counter() - started, solver=solver, stats=dict(stats or {}))


def brute_force_teams(problem: TeamProblem) -> tuple[int, list[list[int]], list[int | None]]:
    """The exact optimum by trying every choice: for tests on tiny problems only."""
    options: list[list[tuple[tuple[int, ...], int | None]]] = []
    for f in range(problem.n_families):
        actors = sorted(int(problem.cols[e]) for e in range(len(problem.rows)) if problem.rows[e] == f)
        choices: list[tuple[tuple[int, ...], int | None]] = []
        for size in range(0, min(len(actors), int(problem.max_size[f])) + 1):
            for team in itertools.combinations(actors, size):
                if not team:
                    choices.append(((), None))
                    continue
                for a in team:
                    choices.append((team, a))
        options.append(choices)
    best: tuple[int, list[list[int]], list[int | None]] | None = None
    for combo in itertools.product(*options):
        members = [list(t) for t, _p in combo]
        primary = [p for _t, p in combo]
        if check_assignment(problem, members, primary):
            continue
        value = objective_of(problem, members, primary)
        if best is None or value > best[0]:
            best = (value, members, primary)
    assert best is not None, "the empty choice always keeps the rules unless something is locked"
    return best
