"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models.tables  # noqa: F401 - registers every table on the metadata
from models.migrate import downgrade, upgrade


def test_upgrading_an_empty_database_gives_the_models_schema_and_downgrading_removes_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == [], "a model changed without a migration: run alembic revision --autogenerate"
    downgrade(url, "base")
    with engine.connect() as conn:
        assert set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars()) <= {
            "alembic_version"}
    engine.dispose()


def test_the_child_protection_measure_becomes_graded_and_its_yes_no_answers_stay_as_they_are(tmp_path):
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'levels.db'}"
    upgrade(url, "0018")
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("organisation", "household", "householdmember"):
            _bare_row(conn, table)
        conn.exec_driver_sql("INSERT INTO measure (id, organisation_id, code, name, applies_to) "
                             "VALUES (1, 1, 'child_protection', 'child_protection', 'child'), "
                             "(2, 1, 'association', 'association', 'all')")
        conn.exec_driver_sql("INSERT INTO progressrecord (id, organisation_id, household_id, member_id, measure_id, "
                             "moment, recorded_on, value) VALUES (1, 1, 1, 1, 1, 'entry', '2026-01-05', 1)")
    upgrade(url)
    with engine.connect() as conn:
        rows = {r.code: r for r in conn.execute(text("SELECT code, scale, levels, yes_from FROM measure"))}
        record = conn.execute(text("SELECT value, level FROM progressrecord")).one()
    assert rows["child_protection"].scale == "graded" and rows["child_protection"].yes_from == 4
    assert '"placed_out_of_home"' in rows["child_protection"].levels
    assert rows["association"].scale == "yes_no" and rows["association"].yes_from is None
    assert (record.value, record.level) == (1, None)  # not mapped to a level: no level is an honest translation
    downgrade(url, "0018")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM progressrecord")).scalar() == 1
    engine.dispose()


def _bare_row(conn, table: str) -> None:  # noqa: ANN001
    """Row 1 of ``table`` with a plain value in every required column (the rows the answers hang on)."""
    values = {}
    for _cid, name, kind, notnull, default, _pk in conn.exec_driver_sql(f"PRAGMA table_info({table})"):
        if notnull and default is None:
            kind = kind.upper()
            values[name] = 1 if "INT" in kind or "BOOL" in kind else "2026-01-01 00:00:00" if "DATETIME" in kind \
                else "2026-01-01" if "DATE" in kind else "[]" if "JSON" in kind else "x"
    values["id"] = 1
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                         tuple(values.values()))
