"""Migration 0006 moves existing programmes, consents and matches onto the corrected rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from models import clock
from models.migrate import downgrade, upgrade
from tests.conftest import PG_URL

TODAY = clock.today()


def _insert(conn, table_name: str, **values) -> int:  # noqa: ANN001, ANN003
    """A row with the given values; every other NOT NULL column gets a plain value of its type."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    for column in table.columns:
        if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
            continue
        kind = type(column.type).__name__.upper()
        values[column.name] = (
            [] if "JSON" in kind else False if "BOOL" in kind
            else 0 if any(n in kind for n in ("INT", "FLOAT", "DOUBLE", "NUMERIC", "REAL"))
            else datetime.now(UTC) if "DATETIME" in kind or "TIMESTAMP" in kind else TODAY if "DATE" in kind else "")
    return conn.execute(table.insert().values(**values)).inserted_primary_key[0]


@pytest.fixture
def empty_database_url(tmp_path, worker_id):  # noqa: ANN001, ANN201
    """An empty database of the suite's kind: a SQLite file, or a PostgreSQL database of its own."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    base = make_url(PG_URL)
    name = f"{base.database}_migration_{worker_id}"
    admin = sa.create_engine(base.set(database="postgres").render_as_string(hide_password=False),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_existing_programmes_get_the_corrected_rules_and_old_records_their_dates(empty_database_url):
    url = empty_database_url
    upgrade(url, "0003")
    engine = sa.create_engine(url)
    started = TODAY - timedelta(days=300)
    long_ago = TODAY - timedelta(days=900)
    with engine.begin() as conn:
        org = _insert(conn, "organisation", name="Gammel forening", slug="gammel", kind="association")
        youth_program = _insert(conn, "program", organisation_id=org, name="Unge", slug="unge", serves="youth",
                                min_age=13, max_age=18, required_steps=["interview", "references"],
                                min_experience_by_complexity=[0, 0, 0, 1], checkin_plan_days=[14, 365],
                                weights={}, interests=[])
        strict_program = _insert(conn, "program", organisation_id=org, name="Voksne", slug="voksne", serves="youth",
                                 min_age=16, max_age=25, required_steps=["interview"],
                                 min_experience_by_complexity=[1, 1, 3, 3], weights={}, interests=[],
                                 checkin_plan_days=[30])
        family_program = _insert(conn, "program", organisation_id=org, name="Familier", slug="familier",
                                 serves="family", min_age=0, max_age=99, required_steps=["interview"],
                                 min_experience_by_complexity=[0, 0, 0, 1], weights={}, interests=[],
                                 checkin_plan_days=[30])
        household = _insert(conn, "household", organisation_id=org, family_name="Familien Said", postcode="4000",
                            languages={}, interests=[])
        _insert(conn, "householdmember", household_id=household, first_name="Lina", role="child",
                birth_year=TODAY.year - 8)
        _insert(conn, "request", organisation_id=org, program_id=family_program, household_id=household,
                need="Lektiehjælp", referred_on=TODAY, status="waiting", baseline={})
        youth = _insert(conn, "youth", organisation_id=org, first_name="Ali", last_name="Hansen",
                        birth_year=TODAY.year - 17, gender="male", postcode="4000", languages={}, interests=[])
        given = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
        consent = _insert(conn, "consentrecord", organisation_id=org, subject_type="youth", subject_id=youth,
                          given_by="Forælder Hansen", relation="parent", purpose="mentoring", text_version="2026-1",
                          text="Samtykke", given_at=given)
        request = _insert(conn, "request", organisation_id=org, program_id=youth_program, youth_id=youth,
                          need="En voksenven", referred_on=started, status="matched", baseline={})
        volunteer = _insert(conn, "volunteer", organisation_id=org, program_id=youth_program, first_name="Karin",
                            last_name="Jensen", email="karin@example.org", birth_year=1980, gender="female",
                            postcode="4000", status="approved", languages={}, interests=[], capacity=2)
        recent = _insert(conn, "match", organisation_id=org, program_id=youth_program, request_id=request,
                         volunteer_id=volunteer, status="active", started_on=started, outcome={})
        planned = _insert(conn, "checkin", match_id=recent, kind="scheduled", due_on=started + timedelta(days=365),
                          contacted=[], outcome={})
        old_request = _insert(conn, "request", organisation_id=org, program_id=youth_program, youth_id=youth,
                              need="Tidligere forløb", referred_on=long_ago, status="closed", baseline={})
        old = _insert(conn, "match", organisation_id=org, program_id=youth_program, request_id=old_request,
                      volunteer_id=volunteer, status="closed", started_on=long_ago, closed_on=long_ago, outcome={})

    upgrade(url)
    with engine.connect() as conn:
        programs = {row.id: row for row in conn.execute(sa.text(
            "SELECT id, required_steps, min_experience_by_complexity, measures_one_year FROM program"))}
        minimums = {pid: sa.JSON().result_processor(engine.dialect, None)(row.min_experience_by_complexity)
                    if isinstance(row.min_experience_by_complexity, str) else row.min_experience_by_complexity
                    for pid, row in programs.items()}
        steps = {pid: sa.JSON().result_processor(engine.dialect, None)(row.required_steps)
                 if isinstance(row.required_steps, str) else row.required_steps for pid, row in programs.items()}
        assert minimums[youth_program] == [0, 0, 2, 3]
        assert minimums[strict_program] == [1, 1, 3, 3]  # a programme that asked for more keeps it
        assert "boerneattest" in steps[youth_program]  # takes youths from 13
        assert "boerneattest" in steps[family_program]  # a family with an 8-year-old
        assert "boerneattest" not in steps[strict_program]  # 16-25, no young children
        assert all(row.measures_one_year for row in programs.values())
        row = conn.execute(sa.text("SELECT given_on, relation FROM consentrecord WHERE id = :i"), {"i": consent}).one()
        assert str(row.given_on) == "2026-03-02" and row.relation == "guardian"
        kinds = conn.execute(sa.text("SELECT id, kind FROM checkin WHERE match_id = :m"), {"m": recent}).all()
        assert kinds == [(planned, "one_year")]  # the check-in planned for that day became the measure
        assert conn.execute(sa.text("SELECT count(*) FROM checkin WHERE match_id = :m"), {"m": old}).scalar() == 0

    downgrade(url, "0003")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT kind FROM checkin WHERE id = :i"), {"i": planned}).scalar() == "scheduled"
    engine.dispose()
