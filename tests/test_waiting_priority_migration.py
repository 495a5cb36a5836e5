"""Migration 0009: existing programmes get the strict waiting priority, and it can be undone."""

from __future__ import annotations

import sqlalchemy as sa

from models.migrate import downgrade, upgrade
from tests.test_programme_rules_migration import _insert, empty_database_url  # noqa: F401 - the fixture


def test_existing_programmes_wait_strictly_after_the_upgrade_and_the_downgrade_keeps_them(empty_database_url):  # noqa: F811
    url = empty_database_url
    upgrade(url, "0007")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        org = _insert(conn, "organisation", name="Gammel forening", slug="gammel", kind="association")
        program = _insert(conn, "program", organisation_id=org, name="Unge", slug="unge", serves="youth")
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT waiting_priority FROM program WHERE id = :id"),
                            {"id": program}).scalar_one() == "strict"
        assert conn.execute(sa.text("SELECT count(*) FROM waitingreason")).scalar_one() == 0
    downgrade(url, "0007")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM program WHERE id = :id"), {"id": program}).scalar_one() == "Unge"
        assert "waiting_priority" not in {c["name"] for c in sa.inspect(conn).get_columns("program")}
    engine.dispose()
