"""Events as iCalendar (RFC 5545), built with the icalendar package: one event for an e-mail's
attachment or a download, a volunteer's own events for their calendar feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from models.clock import utcnow
from models.events.tables import Event

DANISH = ZoneInfo("Europe/Copenhagen")
PRODID = "-//Makker//Arrangementer//DA"


def local(moment: datetime) -> datetime:
    """A stored (UTC) time as Danish wall-clock time."""
    return moment.astimezone(DANISH)


def danish_time(moment: datetime) -> datetime:
    """A wall-clock time typed in Denmark (naive) as an aware time; aware times pass through."""
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=DANISH)


def _uid(event: Event, domain: str) -> str:
    return f"makker-event-{event.id}@{domain}"


def _vevent(event: Event, domain: str, link: str = "", stamp: datetime | None = None) -> VEvent:
    item = VEvent()
    item.add("uid", _uid(event, domain))
    item.add("dtstamp", stamp or utcnow())
    # In Danish time with its zone, so every calendar shows the hour the coordinator typed.
    item.add("dtstart", local(event.starts_at))
    item.add("dtend", local(event.ends_at))
    item.add("summary", event.title)
    description = event.description
    if event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    if link:
        description = f"{description}\n\n{link}".strip()
    if description:
        item.add("description", description)
    if event.place:
        item.add("location", event.place)
    elif event.online_url:
        item.add("location", event.online_url)
    if event.online_url:
        item.add("url", event.online_url)
    item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
    item.add("sequence", event.version)
    return item


def calendar_bytes(events: Iterable[Event], domain: str, name: str = "", links: dict[int, str] | None = None,
                   method: str | None = None) -> bytes:
    """A VCALENDAR with the given events (with the Europe/Copenhagen zone), as bytes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = utcnow()
    for event in events:
        cal.add_component(_vevent(event, domain, (links or {}).get(event.id, ""), stamp))
    cal.add_missing_timezones()
    return cal.to_ical()
