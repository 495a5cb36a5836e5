"""The programme's rhythm of status reports to the referrer, as plain date arithmetic.

The first status is due ``first`` months after the match started (the introduction where both
said yes), then every ``every`` months. Each sent status answers one planned date: the earliest
one not yet answered, if it is sent no more than ``EARLY_WINDOW_DAYS`` before it (a status sent
long before is an extra one and answers nothing). A planned date is overdue the day after it;
a status is on time when it was sent on or before its date. Coordinators are reminded
``REMIND_DAYS_BEFORE`` days ahead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from models.clock import add_months

EARLY_WINDOW_DAYS = 31
REMIND_DAYS_BEFORE = 7
_MAX_STEPS = 400  # a hundred years of quarterly statuses: the loop always ends


def planned_on(start: date, first: int, every: int, number: int) -> date:
    """The date of the ``number``-th planned status (0 = the first), counted from the start."""
    return add_months(start, first + number * every)


def answered_date(start: date, first: int, every: int, answered: Iterable[date], sent_on: date) -> date | None:
    """Which planned date a status sent on ``sent_on`` answers (None: it is an extra one)."""
    due = next_due(start, first, every, answered)
    return due if sent_on >= due - timedelta(days=EARLY_WINDOW_DAYS) else None


def next_due(start: date, first: int, every: int, answered: Iterable[date]) -> date:
    """The earliest planned date no sent status has answered yet."""
    done = set(answered)
    for number in range(_MAX_STEPS):
        due = planned_on(start, first, every, number)
        if due not in done:
            return due
    return planned_on(start, first, every, _MAX_STEPS)


def overdue_days(due: date, today: date) -> int:
    """How many days a planned status is overdue (0 while it is not)."""
    return max(0, (today - due).days)


def on_time(due: date | None, sent_on: date | None) -> bool | None:
    """Whether a status was sent by its planned date (None for an extra status or a draft)."""
    if due is None or sent_on is None:
        return None
    return sent_on <= due
