"""Time, passed in rather than read inside rules, so tests control it."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (SQLModel stores and returns aware UTC datetimes)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Denmark, where every program runs."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()
