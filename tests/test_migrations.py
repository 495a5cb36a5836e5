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
