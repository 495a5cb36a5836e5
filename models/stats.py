"""Small statistics the dashboard needs, pure and tested against hand-computed values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class SurvivalStep:
    day: int
    at_risk: int  # still open just before this day
    closed: int  # closed on this day
    survival: float  # the share still open after this day


def kaplan_meier(durations: Sequence[int], closed: Sequence[bool]) -> list[SurvivalStep]:
    """The Kaplan–Meier estimate of the share of matches still running after each day.

    ``durations`` are days from start to closure (``closed`` True) or to today for matches
    still running (censored: they count as "at risk" until then, never as closed). Censored
    observations on the same day as closures are counted at risk for that day, as is usual.
    """
    if len(durations) != len(closed):
        raise ValueError("durations and closed must have the same length")
    events = Counter(d for d, c in zip(durations, closed, strict=True) if c)
    leaving = Counter(durations)
    at_risk = len(durations)
    survival = 1.0
    steps = []
    for day in sorted(leaving):
        d = events.get(day, 0)
        if d:
            survival *= 1 - d / at_risk
            steps.append(SurvivalStep(day=day, at_risk=at_risk, closed=d, survival=survival))
        at_risk -= leaving[day]
    return steps


def survival_at(steps: Sequence[SurvivalStep], day: int) -> float:
    """The estimated share still running after ``day`` days (1.0 before the first closure)."""
    value = 1.0
    for step in steps:
        if step.day > day:
            break
        value = step.survival
    return value


def histogram(values: Sequence[int], edges: Sequence[int]) -> list[int]:
    """Counts per bin: [edges[0], edges[1]), ..., and the last bin is open-ended."""
    counts = [0] * len(edges)
    for v in values:
        index = 0
        for i, edge in enumerate(edges):
            if v >= edge:
                index = i
        counts[index] += 1
    return counts
