"""Numbers from paths, queries and forms, bounded by what the database can hold.

A Python int has no limit, a database integer column has: the id columns are INTEGER, which
PostgreSQL keeps in 32 bits (2**31 - 1) and SQLite in 64. A larger id from a URL made SQLite
raise OverflowError and PostgreSQL 'integer out of range', i.e. a server error. Ids beyond the
smaller limit cannot exist on either database and are simply not found.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # INTEGER on PostgreSQL; the id columns are INTEGER


def record_id(value: Any) -> int:
    """A record id typed in a query or form: ASCII digits from 1 to MAX_DB_INT, else ValueError.

    Usable as ``request.args.get(name, type=record_id)``, which then answers None.
    """
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValueError(f"not a record id: {text[:30]!r}")
    number = int(text)
    if not 0 < number <= MAX_DB_INT:
        raise ValueError(f"not a record id: {text[:30]!r}")
    return number


def optional_record_id(value: Any) -> int | None:
    """The id in ``value``, or None when there is none or it cannot be one."""
    try:
        return record_id(value)
    except ValueError:
        return None


def whole_number(value: Any, default: int) -> int:
    """A small whole number from a form choice (e.g. "2"); ``default`` when it is not one."""
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return default


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in routes: no larger than an INTEGER column holds, so larger ids are 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002, ANN001
                 max: int | None = MAX_DB_INT, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
