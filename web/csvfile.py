"""The one CSV writer of the app: Danish Excel opens it directly, and no cell is a formula.

A cell that begins with = + - @ tab or CR is run as a formula by Excel and LibreOffice (CSV
injection: =HYPERLINK(...) in a volunteer's name would become a live link in the admin's
spreadsheet). Such text cells get a leading apostrophe, which spreadsheets show as text; real
numbers are left alone.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+([.,]\d+)?([eE][+-]?\d+)?%?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will show it as text, never run it."""
    if value is None:
        return ""
    if isinstance(value, bool | int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
        return value
    text = str(value)
    first = text.lstrip(" ")[:1]
    if first and first in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text.strip()):
        return "'" + text
    return text


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons between fields, as Danish Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
