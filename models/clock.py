"""Time, passed in rather than read inside rules, so tests control it."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (SQLModel stores and returns aware UTC datetimes)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Denmark, where every program runs."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; the 31st becomes the month's last day."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
