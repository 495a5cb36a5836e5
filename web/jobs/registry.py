"""Which jobs exist: a name, the function, how often it runs. Bound to a queue by ``web.jobs.queue``.

A job is a plain function ``(ctx, *args)`` that calls the same domain operations as the pages
and the CLI; ``ctx`` gives it the engine, the settings, the clock and ``ctx.enqueue``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

DANISH = ZoneInfo("Europe/Copenhagen")


def danish(timestamp: datetime) -> datetime:
    """Huey hands schedules naive UTC timestamps; programs live on Danish time."""
    if timestamp.tzinfo is None:
        timestamp = timestamp.replace(tzinfo=UTC)
    return timestamp.astimezone(DANISH)


@dataclass(frozen=True)
class Schedule:
    """When a periodic job is due; ``slot`` (when set) lets one worker of all do each slot once."""

    due: Callable[[datetime], bool]
    slot: Callable[[datetime], str] | None = None
    describe: str = ""


def every_minute() -> Schedule:
    return Schedule(due=lambda _ts: True, describe="every minute")


def every(minutes: int) -> Schedule:
    return Schedule(due=lambda ts: danish(ts).minute % minutes == 0, describe=f"every {minutes} minutes")


def daily_at(hour: int, minute: int = 0, catch_up_every: int = 15) -> Schedule:
    """Once a day at hh:mm Danish time; a worker that was down then catches up within the day.

    From hh:mm on, the job is offered every ``catch_up_every`` minutes until midnight, and the
    day's slot makes sure only the first offer does anything, on any number of machines.
    """
    at = time(hour, minute)

    def due(ts: datetime) -> bool:
        local = danish(ts)
        if local.time().replace(second=0, microsecond=0) < at:
            return False
        minutes_since = (local.hour * 60 + local.minute) - (hour * 60 + minute)
        return minutes_since % catch_up_every == 0

    return Schedule(due=due, slot=lambda ts: danish(ts).date().isoformat(),
                    describe=f"daily at {hour:02d}:{minute:02d} Danish time")


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    retries: int = 0
    retry_delay: int = 0  # seconds before a retry (the queue's own retries, for errors that pass)
    schedule: Schedule | None = None  # periodic when set


JOBS: dict[str, JobSpec] = {}


def _register(spec: JobSpec) -> None:
    if spec.name in JOBS and JOBS[spec.name].func is not spec.func:
        raise ValueError(f"two jobs are named {spec.name!r}")
    JOBS[spec.name] = spec


def job(name: str | None = None, retries: int = 0, retry_delay: int = 0) -> Callable:
    """Make ``func(ctx, *args)`` a job that pages and commands put on the queue by name."""
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        _register(JobSpec(name or func.__name__, func, retries, retry_delay))
        return func
    return decorator


def periodic(schedule: Schedule, name: str | None = None, retries: int = 0, retry_delay: int = 0) -> Callable:
    """Make ``func(ctx)`` a job that the queue's scheduler runs on ``schedule`` (no cron)."""
    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        _register(JobSpec(name or func.__name__, func, retries, retry_delay, schedule))
        return func
    return decorator
