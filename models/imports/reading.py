"""Reading an uploaded spreadsheet into header + rows of text, with clear refusals.

openpyxl (read-only) reads .xlsx; CSV goes through the csv module, its encoding found by
charset-normalizer when it is not UTF-8 (Danish Excel saves Windows-1252 or UTF-8 with a BOM),
its separator by csv.Sniffer (';' in Danish Excel, ',' elsewhere). Nothing here guesses by hand.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from models.errors import N_, DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 100
MAX_ROWS = 20_000
FORMULA = "\x00formula:"  # a cell that was a formula: kept marked, refused per row in the preview
# Control characters no spreadsheet text holds (tab, CR and LF are fine).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadFile(DomainError):
    """The file cannot be imported at all; nothing was stored."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid, field="file", **params)


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]]
    sha256: str


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    unreadable = N_("The file is not text we can read. Save it from Excel as \"CSV UTF-8\" or as .xlsx.")
    best = from_bytes(data[:200_000], cp_isolation=["cp1252", "latin_1", "utf_16"]).best()
    if best is None:
        raise BadFile(unreadable)
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise BadFile(unreadable) from error
    # Latin-1 decodes any bytes at all: a "text" full of control characters was never a sheet
    # (Windows-1252, what Danish Excel writes, turns those bytes into letters and signs).
    if _CONTROL.search(text):
        raise BadFile(unreadable)
    return text


def _read_csv(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadFile(N_("This is not a spreadsheet. Upload an .xlsx file or a CSV file."))
    text = _decode(data)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    for row in reader:
        if len(row) > MAX_COLUMNS:
            raise BadFile(N_("The sheet has %(n)s columns; at most %(max)s can be imported. Remove the columns you do not need."),
                          n=len(row), max=MAX_COLUMNS)
        rows.append([cell.strip() for cell in row])
        if len(rows) > MAX_ROWS + 1:
            raise BadFile(N_("The sheet has more than %(max)s rows. Split it into several files."), max=MAX_ROWS)
    return rows


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise BadFile(N_("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        rows = []
        for row in sheet.iter_rows():
            if len(row) > MAX_COLUMNS and any(c.value not in (None, "") for c in row[MAX_COLUMNS:]):
                raise BadFile(N_("The sheet has %(n)s columns; at most %(max)s can be imported. Remove the columns you do not need."),
                              n=len(row), max=MAX_COLUMNS)
            cells = []
            for cell in row[:MAX_COLUMNS]:
                if getattr(cell, "data_type", None) == "f":
                    cells.append(FORMULA + str(cell.value))
                else:
                    cells.append(_cell_text(cell.value))
            rows.append(cells)
            if len(rows) > MAX_ROWS + 1:
                raise BadFile(N_("The sheet has more than %(max)s rows. Split it into several files."), max=MAX_ROWS)
        return rows
    finally:
        workbook.close()


def read_sheet(file_name: str, data: bytes) -> Sheet:
    """The first sheet of ``data`` as text cells; raises BadFile with what to do instead."""
    if len(data) > MAX_BYTES:
        raise BadFile(N_("The file is larger than %(mb)s MB. Split it into several files."), mb=MAX_BYTES // 1024 // 1024)
    if not data.strip():
        raise BadFile(N_("The file is empty."))
    name = (file_name or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        rows = _read_csv(data)
    else:
        raise BadFile(N_("This is not a spreadsheet. Upload an .xlsx file or a CSV file."))
    # Trailing empty columns and empty rows are what spreadsheets leave behind, not data.
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        raise BadFile(N_("The file is empty."))
    width = max(len(row) for row in rows)
    while width and not any(len(row) >= width and row[width - 1] for row in rows):
        width -= 1
    rows = [(row + [""] * width)[:width] for row in rows]
    headers = [h.removeprefix(FORMULA) for h in rows[0]]
    if len(rows) < 2:
        raise BadFile(N_("The file has a header row but no rows of people."))
    return Sheet(headers=headers, rows=rows[1:], sha256=hashlib.sha256(data).hexdigest())
