"""Messy spreadsheets as associations really keep them, built in memory."""

from __future__ import annotations

import io
import random
from datetime import date

from openpyxl import Workbook

VOLUNTEER_HEADERS = ["Navn", "E-mail", "Mobil", "Fødselsår", "Køn", "Postnr", "Interesser", "Sprog", "Status",
                     "Venter siden"]
POSTCODES = ["4000", "4130", "4320", "2100", "8000", "5000"]
INTERESTS = ["Fodbold", "Løb", "Musik", "Madlavning", "Gaming", "Lektiehjælp"]


def volunteer_rows(n: int, seed: int = 1, start: int = 0) -> list[list[str]]:
    """``n`` good volunteers with dates written three ways and Danish words everywhere."""
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        day = date(2024, 1, 1).toordinal() + rng.randrange(600)
        since = date.fromordinal(day)
        written = rng.choice([since.strftime("%d-%m-%Y"), since.strftime("%d.%m.%Y"),
                              str((since - date(1899, 12, 30)).days)])
        rows.append([f"Frivillig{i} Hansen{i}", f"frivillig{i}@regneark.dk", f"2{i:07d}",
                     str(rng.randrange(1950, 2000)), rng.choice(["Kvinde", "Mand", "K", "M"]),
                     rng.choice(POSTCODES), ", ".join(rng.sample(INTERESTS, 2)),
                     rng.choice(["Dansk", "Dansk, Arabisk (lidt)", "dansk og engelsk"]), "Godkendt", written])
    return rows


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8-sig", sep: str = ";") -> bytes:
    lines = [sep.join(headers)] + [sep.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
