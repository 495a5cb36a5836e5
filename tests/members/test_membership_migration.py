"""Migration 0017: every existing volunteer gets one membership carrying their programme,
capacity and standing; the downgrade puts program_id back from the earliest membership."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from models.migrate import downgrade, upgrade
from tests.test_programme_rules_migration import _insert, empty_database_url  # noqa: F401 - the fixture


def test_each_volunteer_keeps_their_programme_capacity_and_standing_and_the_downgrade_restores_it(
        empty_database_url):  # noqa: F811
    url = empty_database_url
    upgrade(url, "0016")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        org = _insert(conn, "organisation", name="Gammel forening", slug="gammel", kind="association")
        youth = _insert(conn, "program", organisation_id=org, name="Unge", slug="unge", serves="youth")
        family = _insert(conn, "program", organisation_id=org, name="Familier", slug="fam", serves="family")
        people = {}
        for name, program, capacity, status in (("Anna", youth, 2, "approved"), ("Bo", family, 1, "screening"),
                                                ("Cai", youth, 3, "withdrawn")):
            people[name] = _insert(conn, "volunteer", organisation_id=org, program_id=program, first_name=name,
                                   last_name="X", email=f"{name}@x.dk", birth_year=1990, gender="f", postcode="4000",
                                   capacity=capacity, status=status, created_at=datetime(2025, 3, 4, 10, tzinfo=UTC),
                                   approved_at=datetime(2025, 4, 1, 10, tzinfo=UTC) if status == "approved" else None)
    upgrade(url, "0017")
    with engine.begin() as conn:
        rows = {r.volunteer_id: r for r in conn.execute(sa.text(
            "SELECT volunteer_id, program_id, capacity, status, joined_on, approved_on FROM membership"))}
        assert len(rows) == 3
        assert (rows[people["Anna"]].program_id, rows[people["Anna"]].capacity, rows[people["Anna"]].status) == (
            youth, 2, "active")
        assert str(rows[people["Anna"]].approved_on) == "2025-04-01"
        assert str(rows[people["Anna"]].joined_on) == "2025-03-04"
        assert (rows[people["Bo"]].program_id, rows[people["Bo"]].status) == (family, "active")
        assert rows[people["Cai"]].status == "left"
        # Anna joins a second programme after the upgrade; her first stays the earliest.
        _insert(conn, "membership", organisation_id=org, volunteer_id=people["Anna"], program_id=family,
                status="active", capacity=1, leave_reason="", created_at=datetime.now(UTC))
        conn.execute(sa.text("UPDATE volunteer SET program_id = :p, capacity = 5 WHERE id = :v"),
                     {"p": family, "v": people["Anna"]})
    downgrade(url, "0016")
    with engine.connect() as conn:
        back = {r.id: (r.program_id, r.capacity) for r in conn.execute(sa.text(
            "SELECT id, program_id, capacity FROM volunteer"))}
        assert back[people["Anna"]] == (youth, 2)
        assert back[people["Bo"]] == (family, 1)
        assert "membership" not in sa.inspect(conn).get_table_names()
    engine.dispose()
