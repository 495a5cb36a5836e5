"""Waiting fairness of a solved pool: who is past the waiting target, who was served, who was
passed over and why. Plain arrays in, figures out; the run stores them, pages read them.

Definitions (the same for the run, the settings preview and ``makker bench``):

- *past the target*: waited more days than the program's ``waiting_target_days``; for a
  volunteer, only one with capacity and no mentee yet (one with a mentee is not waiting).
- *newcomer*: waited fewer days than the target.
- a request past the target is *passed over by a newcomer* when it got no proposal while a
  volunteer it had as a candidate went to a newcomer; a volunteer past the target likewise
  when a request they had as a candidate went to a volunteer who is a newcomer.
- *passed over by a shorter wait*: the same with anyone who had waited fewer days.

Why someone past the target got no proposal, one reason each, the first that applies:
``passed_over`` (a candidate went to someone who had waited less, for a better score: only
when waiting priority is not strict), a named rule that forced it (``sibling_group``: siblings
go together or not at all; ``complexity_cap``: at most N high-complexity mentees per
volunteer), ``taken_by_longer_wait`` (every candidate went to someone who had waited at least as
long), ``no_allowed_pair`` (no candidate at all after the hard rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from matching.components import combine
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile
from optimizer import WaitingPriority

WAITING_PRIORITIES: tuple[str, ...] = ("strict", "weighed", "off")
# The order matters: the first that applies is the one given (models.matchruns keeps the same codes).
REASONS: tuple[str, ...] = ("passed_over", "sibling_group", "complexity_cap", "taken_by_longer_wait",
                            "no_allowed_pair")
# Kept on one proposal: the first few people it passed over (the page names them).
PASSES_PER_PROPOSAL = 3

_SCORE, _SIBLING, _CAP, _LONGER, _NONE = range(5)  # indexes into REASONS, most telling first


def days_waited(since: Sequence[date], today: date) -> np.ndarray:
    return np.array([max(0, (today - d).days) for d in since], dtype=np.int64)


def scoring_rules(rules: ProgramRules) -> ProgramRules:
    """The rules the score is computed with: "off" leaves the waiting component out."""
    if rules.waiting_priority == "off":
        return replace(rules, weights={**rules.weights, "waiting": 0.0})
    return rules


def waiting_priority(requests: Sequence[RequestProfile], volunteers: Sequence[VolunteerProfile],
                     rules: ProgramRules, today: date) -> WaitingPriority:
    """Days past the target per request and volunteer, for the optimizer's fair objective."""
    target = rules.waiting_target_days
    r_days = days_waited([r.waiting_since for r in requests], today)
    v_days = days_waited([v.waiting_since for v in volunteers], today)
    has_mentee = np.array([v.mentees > 0 for v in volunteers], dtype=bool)
    return WaitingPriority(np.maximum(r_days - target, 0), np.where(has_mentee, 0, np.maximum(v_days - target, 0)))


@dataclass
class SideFigures:
    """One side (requests or volunteers) of a solved pool."""

    past_target: int = 0
    served: int = 0  # of those past the target: given a proposal
    passed_over: int = 0  # by a newcomer
    passed_over_by_shorter_wait: int = 0
    # Of those passed over by a newcomer: how many because a rule forced it (siblings, the cap).
    passed_over_forced_by_rule: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class WaitingOutcome:
    priority: str
    target_days: int
    matched: int
    mean_score: float
    mean_score_without_waiting: float  # the same yardstick under every setting
    requests: SideFigures
    volunteers: SideFigures
    # index -> (reason, days past the target), for everyone past the target left without a proposal
    request_reasons: dict[int, tuple[str, int]] = field(default_factory=dict)
    volunteer_reasons: dict[int, tuple[str, int]] = field(default_factory=dict)
    # chosen pair (request index, volunteer index) -> [(index passed over, reason)], a few each
    request_passes: dict[tuple[int, int], list[tuple[int, str]]] = field(default_factory=dict)
    volunteer_passes: dict[tuple[int, int], list[tuple[int, str]]] = field(default_factory=dict)
    request_days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # days waited, per index
    volunteer_days: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def as_dict(self) -> dict:
        reasons = {"requests": _count(self.request_reasons), "volunteers": _count(self.volunteer_reasons)}
        return {"priority": self.priority, "target_days": self.target_days, "matched": self.matched,
                "mean_score": round(self.mean_score, 4),
                "mean_score_without_waiting": round(self.mean_score_without_waiting, 4),
                "requests": self.requests.as_dict(), "volunteers": self.volunteers.as_dict(), "reasons": reasons}


def _count(reasons: dict[int, tuple[str, int]]) -> dict[str, int]:
    out = dict.fromkeys(REASONS, 0)
    for reason, _days in reasons.values():
        out[reason] += 1
    return out


def waiting_outcome(
    requests: Sequence[RequestProfile],
    volunteers: Sequence[VolunteerProfile],
    rules: ProgramRules,
    today: date,
    rows: np.ndarray,
    cols: np.ndarray,
    scores: np.ndarray,
    components: dict[str, np.ndarray],
    capacity: np.ndarray,
    pairs: Sequence[tuple[int, int]],
    high: np.ndarray | None = None,
    sibling_groups: Sequence[Sequence[int]] = (),
    with_passes: bool = True,
    high_caps: np.ndarray | None = None,
) -> WaitingOutcome:
    """Figures and reasons for one solved pool (``rows``/``cols`` the candidate pairs, sorted by
    request then volunteer; ``pairs`` the chosen ones; ``high``: the high-complexity requests
    when the program caps them per volunteer; ``high_caps``: how many more each volunteer may
    take, when heavy cases they already hold count against the cap)."""
    n_r, n_v = len(requests), len(volunteers)
    target = rules.waiting_target_days
    rd = days_waited([r.waiting_since for r in requests], today)
    vd = days_waited([v.waiting_since for v in volunteers], today)
    mentees = np.array([v.mentees for v in volunteers], dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    chosen_r = np.array([r for r, _ in pairs], dtype=np.int64)
    chosen_v = np.array([v for _, v in pairs], dtype=np.int64)
    mate = np.full(n_r, -1, dtype=np.int64)
    mate[chosen_r] = chosen_v
    load = np.bincount(chosen_v, minlength=n_v)
    past_r = rd > target
    past_v = (vd > target) & (mentees == 0) & (capacity > 0)
    new_r, new_v = rd < target, vd < target
    sibling = np.zeros(n_r, dtype=bool)
    for group in sibling_groups:
        if len(group) > 1:
            sibling[list(group)] = True
    capped = high is not None and rules.max_high_complexity_per_volunteer is not None
    high = np.asarray(high, dtype=bool) if capped else np.zeros(n_r, dtype=bool)
    if capped:
        caps = (np.asarray(high_caps, dtype=np.int64) if high_caps is not None
                else np.full(n_v, rules.max_high_complexity_per_volunteer, dtype=np.int64))
    high_load = np.bincount(chosen_v[high[chosen_r]], minlength=n_v) if len(chosen_v) else np.zeros(n_v, np.int64)

    # Per volunteer, the shortest wait among the requests they were given, overall and among
    # those a swap could replace without breaking a rule (for a plain and for a heavy request).
    big = np.iinfo(np.int64).max
    shortest = _min_at(chosen_v, rd[chosen_r], n_v, big)
    swappable = ~sibling[chosen_r]
    shortest_swappable = _min_at(chosen_v[swappable], rd[chosen_r][swappable], n_v, big)
    room_for_heavy = (high_load < caps) if capped else np.ones(n_v, dtype=bool)
    heavy_ok = swappable & (high[chosen_r] | room_for_heavy[chosen_v])
    shortest_for_heavy = _min_at(chosen_v[heavy_ok], rd[chosen_r][heavy_ok], n_v, big)
    shortest_sibling = _min_at(chosen_v[~swappable], rd[chosen_r][~swappable], n_v, big)
    has_newcomer = np.zeros(n_v, dtype=bool)
    has_newcomer[chosen_v[new_r[chosen_r]]] = True

    # --- requests past the target without a proposal: one class per candidate edge ----------
    e_req = np.flatnonzero(past_r[rows] & (mate[rows] < 0))
    r_e, v_e = rows[e_req], cols[e_req]
    full = load[v_e] >= capacity[v_e]
    free_for_me = np.where(high[r_e], shortest_for_heavy[v_e], shortest_swappable[v_e])
    blocked_heavy = high[r_e] & ~room_for_heavy[v_e]
    cls = np.full(len(e_req), _LONGER, dtype=np.int64)
    when_full = np.where(free_for_me < rd[r_e], _SCORE,
                         np.where(shortest_sibling[v_e] < rd[r_e], _SIBLING, _CAP))
    when_full = np.where(shortest[v_e] < rd[r_e], when_full, _LONGER)
    when_free = np.where(blocked_heavy, _CAP, _SCORE)
    cls = np.where(full, when_full, when_free)
    cls = np.where(sibling[r_e] & (cls == _SCORE), _SIBLING, cls)  # a sibling cannot go alone
    request_reasons = _reasons(np.flatnonzero(past_r & (mate < 0)), r_e, cls, rd - target, n_r)

    requests_side = SideFigures(
        past_target=int(past_r.sum()), served=int((past_r & (mate >= 0)).sum()),
        passed_over=_any_per(r_e, has_newcomer[v_e], n_r),
        passed_over_by_shorter_wait=_any_per(r_e, shortest[v_e] < rd[r_e], n_r),
        passed_over_forced_by_rule=_forced(r_e, has_newcomer[v_e], request_reasons, n_r),
    )
    request_passes = _request_passes(r_e, v_e, cls, rd, chosen_r, chosen_v, n_v) if with_passes else {}

    # --- volunteers past the target without a mentee ----------------------------------------
    unserved_v = past_v & (load == 0)
    e_vol = np.flatnonzero(unserved_v[cols])
    r_f, v_f = rows[e_vol], cols[e_vol]
    other = mate[r_f]
    matched = other >= 0
    safe_other = np.where(matched, other, 0)
    # Moving the request here serves this volunteer; it costs a served one only if the other
    # volunteer would lose their only mentee and is waiting for one too (then compare waits).
    other_keeps_waiting = matched & (load[safe_other] == 1) & past_v[safe_other]
    cls_v = np.where(other_keeps_waiting & (vd[safe_other] >= vd[v_f]), _LONGER, _SCORE)
    heavy_nowhere = high[r_f] & ~room_for_heavy[v_f] if capped else np.zeros(len(r_f), dtype=bool)
    cls_v = np.where(heavy_nowhere, _CAP, cls_v)
    cls_v = np.where(sibling[r_f] & (cls_v == _SCORE), _SIBLING, cls_v)
    volunteer_reasons = _reasons(np.flatnonzero(unserved_v), v_f, cls_v, vd - target, n_v)
    volunteers_side = SideFigures(
        past_target=int(past_v.sum()), served=int((past_v & (load > 0)).sum()),
        passed_over=_any_per(v_f, matched & new_v[safe_other], n_v),
        passed_over_by_shorter_wait=_any_per(v_f, matched & (vd[safe_other] < vd[v_f]), n_v),
        passed_over_forced_by_rule=_forced(v_f, matched & new_v[safe_other], volunteer_reasons, n_v),
    )
    keep = matched & (vd[safe_other] < vd[v_f]) & (cls_v != _LONGER) & with_passes
    volunteer_passes: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for v, r, c in zip(v_f[keep].tolist(), r_f[keep].tolist(), cls_v[keep].tolist(), strict=True):
        passes = volunteer_passes.setdefault((r, int(mate[r])), [])
        if len(passes) < PASSES_PER_PROPOSAL:
            passes.append((v, REASONS[c]))

    mean, mean_fit = _means(rows, cols, scores, components, rules, chosen_r, chosen_v, n_v)
    return WaitingOutcome(
        priority=rules.waiting_priority, target_days=target, matched=len(pairs), mean_score=mean,
        mean_score_without_waiting=mean_fit, requests=requests_side, volunteers=volunteers_side,
        request_reasons=request_reasons, volunteer_reasons=volunteer_reasons, request_passes=request_passes,
        volunteer_passes=volunteer_passes, request_days=rd, volunteer_days=vd,
    )


def _min_at(index: np.ndarray, values: np.ndarray, n: int, fill: int) -> np.ndarray:
    out = np.full(n, fill, dtype=np.int64)
    if len(index):
        np.minimum.at(out, index, values)
    return out


def _any_per(owner: np.ndarray, flag: np.ndarray, n: int) -> int:
    return int(np.count_nonzero(np.bincount(owner[flag], minlength=n)))


def _forced(owner: np.ndarray, flag: np.ndarray, reasons: dict[int, tuple[str, int]], n: int) -> int:
    passed = np.flatnonzero(np.bincount(owner[flag], minlength=n))
    return sum(1 for p in passed.tolist() if reasons.get(p, ("",))[0] in ("sibling_group", "complexity_cap"))


def _reasons(people: np.ndarray, owner: np.ndarray, cls: np.ndarray, days_past: np.ndarray,
             n: int) -> dict[int, tuple[str, int]]:
    """The most telling class over each person's candidate edges; no edge: no allowed pair."""
    best = np.full(n, _NONE, dtype=np.int64)
    if len(owner):
        np.minimum.at(best, owner, cls)
    return {int(p): (REASONS[int(best[p])], int(days_past[p])) for p in people}


def _request_passes(r_e: np.ndarray, v_e: np.ndarray, cls: np.ndarray, rd: np.ndarray, chosen_r: np.ndarray,
                    chosen_v: np.ndarray, n_v: int) -> dict[tuple[int, int], list[tuple[int, str]]]:
    """For each chosen pair, who past the target it passed over (a shorter wait took the volunteer)."""
    passes: dict[tuple[int, int], list[tuple[int, str]]] = {}
    telling = (cls == _SCORE) | (cls == _SIBLING) | (cls == _CAP)
    if not telling.any() or not len(chosen_r):
        return passes
    order = np.argsort(chosen_v, kind="stable")
    by_v_r, by_v_v = chosen_r[order], chosen_v[order]
    starts = np.searchsorted(by_v_v, np.arange(n_v + 1))
    for r, v, c in zip(r_e[telling].tolist(), v_e[telling].tolist(), cls[telling].tolist(), strict=True):
        for other in by_v_r[starts[v]:starts[v + 1]].tolist():
            if rd[other] < rd[r]:
                found = passes.setdefault((other, v), [])
                if len(found) < PASSES_PER_PROPOSAL and all(p != r for p, _ in found):
                    found.append((r, REASONS[c]))
    return passes


def _means(rows: np.ndarray, cols: np.ndarray, scores: np.ndarray, components: dict[str, np.ndarray],
           rules: ProgramRules, chosen_r: np.ndarray, chosen_v: np.ndarray, n_v: int) -> tuple[float, float]:
    if not len(chosen_r):
        return 0.0, 0.0
    key = rows * max(n_v, 1) + cols
    edge = np.searchsorted(key, chosen_r * max(n_v, 1) + chosen_v)
    picked = {name: values[edge] for name, values in components.items()}
    without = {**rules.weights, "waiting": 0.0}
    fit = combine(picked, without) if any(w > 0 for w in without.values()) else np.zeros(len(edge))
    return float(np.mean(scores[edge])), float(np.mean(fit))
